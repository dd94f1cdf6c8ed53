"""Reads of accounts data that a user triggers. Each takes the acting membership and only
returns what it may see; the ``*_get_for_user`` functions are the access functions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.core.access import access_denied
from phteah.core.errors import NotFound
from phteah.core.models import AuditEvent

from .models import Membership, Office, User
from .roles import Capability


def membership_list_for_user(*, user: User) -> list[Membership]:
    """The active memberships of the signed-in user in active organisations. This is the one
    place that reads memberships across organisations (to know which ones the user is in)."""
    if not user.is_authenticated or not user.is_active:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .select_related("organisation", "office")
            .order_by("created_at")
        )


def member_list(
    *, actor: Membership, search: str = "", role: str = "", active: str = ""
) -> QuerySet:
    if not actor.can(Capability.MANAGE_USERS):
        return Membership.objects.none()
    members = Membership.objects.filter(organisation_id=actor.organisation_id).select_related(
        "user", "office"
    )
    if search:
        members = members.filter(
            Q(user__full_name__icontains=search)
            | Q(user__full_name_km__icontains=search)
            | Q(user__email__icontains=search)
        )
    if role:
        members = members.filter(role=role)
    if active in ("yes", "no"):
        members = members.filter(is_active=active == "yes")
    return members.order_by("-is_active", "user__full_name")


def member_get_for_user(*, actor: Membership, membership_id) -> Membership:
    """Access function for memberships: 404 if missing, in another organisation, or not allowed."""
    if not actor.can(Capability.MANAGE_USERS):
        raise Http404
    try:
        return Membership.objects.select_related("user", "office").get(
            pk=membership_id, organisation_id=actor.organisation_id
        )
    except (Membership.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def office_list(*, actor: Membership, include_inactive: bool = False) -> QuerySet:
    offices = Office.objects.filter(organisation_id=actor.organisation_id).select_related(
        "village__commune__district__province"
    )
    if not include_inactive:
        offices = offices.filter(is_active=True)
    return offices.order_by("-is_active", "name")


def office_get_for_user(*, actor: Membership, office_id) -> Office:
    """Access function for offices: 404 if missing or in another organisation."""
    if not actor.can(Capability.MANAGE_OFFICES):
        raise Http404
    try:
        return Office.objects.select_related("village__commune__district__province").get(
            pk=office_id, organisation_id=actor.organisation_id
        )
    except (Office.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


# --- the audit trail --------------------------------------------------------------------

# Attempts from outside the organisation never say who tried: searching the trail by a
# member's name or email must not find them either.
_OUTSIDE = "core.access.denied_outside"
_ACCESS = "core.access."
# The largest id an event can have (a bigint).
_LAST_EVENT_ID = 2**63 - 1


def audit_event_list(
    *,
    actor: Membership,
    action_prefix: str = "",
    person: str = "",
    case_id=None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    """The organisation's own events, newest first, for those who may read the trail.
    *person*: part of the acting member's name or email (attempts from outside the
    organisation are never found this way); *case_id*: the events about one case (an
    index lookup)."""
    if not actor.can(Capability.VIEW_AUDIT):
        return AuditEvent.objects.none()
    organisation_id = actor.organisation_id
    events = AuditEvent.objects.filter(organisation_id=organisation_id)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    if person:
        member = Membership.objects.filter(
            organisation_id=organisation_id, user_id=OuterRef("actor_id")
        )
        events = (
            events.filter(
                Q(actor__full_name__icontains=person)
                | Q(actor__full_name_km__icontains=person)
                | Q(actor__email__icontains=person)
                | Q(actor_label__icontains=person)
            )
            .exclude(action=_OUTSIDE)
            .exclude(Q(action__startswith=_ACCESS) & ~Exists(member))
        )
    if case_id:
        events = events.filter(case_id=case_id)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        events = events.filter(
            created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        )
    return events.select_related("actor").order_by("-created_at", "-id")


def audit_event_get_for_user(*, actor: Membership, event_id: int) -> AuditEvent:
    """Access function for one event of the trail: NotFound (and the refusal recorded) if it
    is missing, another organisation's, or the actor may not read the trail."""
    if not 0 < event_id <= _LAST_EVENT_ID:
        raise NotFound
    if actor.can(Capability.VIEW_AUDIT):
        event = (
            AuditEvent.objects.select_related("actor")
            .filter(pk=event_id, organisation_id=actor.organisation_id)
            .first()
        )
        if event is not None:
            return event
    access_denied(actor=actor, model=AuditEvent, record_id=event_id)
    raise NotFound
