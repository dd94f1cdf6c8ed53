"""Reads of accounts data that a user triggers. Each takes the acting membership (or, for
their own invitations, the user) and only returns what it may see; the ``*_get_for_user``
functions are the access functions: they raise ``NotFound`` — the same answer for missing
and not allowed — and record the refusal (``phteah.core.access.access_denied``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from phteah.core.access import access_denied, organisation_row_get_for_user
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound
from phteah.core.limits import check_date
from phteah.core.models import AuditEvent

from .models import Invitation, Membership, Office, User
from .roles import Capability

# The staff page lists the invitations that were neither accepted nor cancelled, of the last
# INVITATION_LIST_DAYS days (declined and expired ones too: they can be sent again).
INVITATION_LIST_DAYS = 90
# A token longer than this was not made by Phteah (tokens are 43 characters).
TOKEN_MAX_LENGTH = 100


def membership_list_for_user(*, user: User) -> list[Membership]:
    """The active memberships of the signed-in user in active organisations. This is the one
    place that reads memberships across organisations (to know which ones the user is in)."""
    if not user.is_authenticated or not user.is_active:
        return []
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .select_related("organisation", "office")
            .order_by("created_at")
        )
    for membership in memberships:
        membership.user = user  # the request's own user: not read again for membership.user
    return memberships


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
    """Access function for memberships: the actor's organisation's, for those who manage its
    staff; else NotFound."""
    return organisation_row_get_for_user(
        Membership.objects.select_related("user", "office"),
        actor=actor,
        record_id=membership_id,
        capability=Capability.MANAGE_USERS,
    )


def user_has_authenticator(*, user: User) -> bool:
    """Whether the user (themselves, or a member reached through ``member_get_for_user``)
    set up two-factor authentication."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def office_list(*, actor: Membership, include_inactive: bool = False) -> QuerySet:
    offices = Office.objects.filter(organisation_id=actor.organisation_id).select_related(
        "village__commune__district__province"
    )
    if not include_inactive:
        offices = offices.filter(is_active=True)
    return offices.order_by("-is_active", "name")


def office_get_for_user(*, actor: Membership, office_id) -> Office:
    """Access function for offices: the actor's organisation's, for those who manage its
    offices; else NotFound."""
    return organisation_row_get_for_user(
        Office.objects.select_related("village__commune__district__province"),
        actor=actor,
        record_id=office_id,
        capability=Capability.MANAGE_OFFICES,
    )


# --- invitations ----------------------------------------------------------------------


def invitation_list(*, actor: Membership) -> list[Invitation]:
    """The organisation's invitations still worth showing on the staff page: not accepted,
    not cancelled, from the last INVITATION_LIST_DAYS days; newest first."""
    if not actor.can(Capability.MANAGE_USERS):
        return []
    since = timezone.now() - timedelta(days=INVITATION_LIST_DAYS)
    return list(
        Invitation.objects.filter(
            organisation_id=actor.organisation_id,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            created_at__gte=since,
        )
        .select_related("office", "invited_by")
        .order_by("-created_at")[:200]
    )


def invitation_get_for_user(*, actor: Membership, invitation_id) -> Invitation:
    """Access function for an administrator's invitations: the actor's organisation's, for
    those who manage its staff; else NotFound."""
    if actor is not None and actor.can(Capability.MANAGE_USERS):
        try:
            return Invitation.objects.select_related("office").get(
                pk=invitation_id, organisation_id=actor.organisation_id
            )
        except (Invitation.DoesNotExist, ValueError, TypeError, ValidationError):
            pass
    access_denied(actor=actor, model=Invitation, record_id=invitation_id)
    raise NotFound


@dataclass(frozen=True)
class Invitee:
    """Who acts on an invitation addressed to them: a person, signed in or not, outside the
    inviting organisation (so a refusal is recorded in that organisation's trail only)."""

    user: User | None = None
    organisation_id = None


def _pending(invitations: QuerySet) -> QuerySet:
    return invitations.filter(
        accepted_at__isnull=True,
        declined_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def invitation_list_for_invitee(*, user: User) -> list[Invitation]:
    """The pending invitations addressed to the signed-in user's email, from any
    organisation (the invitee acts across organisations: their invitations are theirs)."""
    if not user.is_authenticated or not user.is_active:
        return []
    with scopes_disabled():
        return list(
            _pending(Invitation.objects.filter(email__iexact=user.email))
            .select_related("organisation", "office", "invited_by")
            .order_by("-created_at")
        )


def invitation_get_for_invitee(*, user: User, invitation_id) -> Invitation:
    """Access function for a person's own invitations: pending and addressed to their email,
    else NotFound."""
    if user.is_authenticated and user.is_active:
        with scopes_disabled():
            try:
                return (
                    _pending(Invitation.objects.filter(email__iexact=user.email))
                    .select_related("organisation", "office", "invited_by")
                    .get(pk=invitation_id)
                )
            except (Invitation.DoesNotExist, ValueError, TypeError, ValidationError):
                pass
    access_denied(
        actor=Invitee(user if user.is_authenticated else None),
        model=Invitation,
        record_id=invitation_id,
    )
    raise NotFound


def invitation_get_by_token(*, token: str, user: User | None = None) -> Invitation:
    """The pending invitation whose link holds *token*, else NotFound: the same answer for a
    forged, expired, cancelled, declined or used link. Opening a link that was real but can
    no longer be used is recorded in the inviting organisation's trail."""
    token = str(token or "")
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise NotFound
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organisation", "office", "invited_by")
            .filter(token_hash=Invitation.hash_token(token))
            .first()
        )
    if invitation is None:
        raise NotFound  # forged: nothing to attribute it to
    if invitation.status_at(timezone.now()) != Invitation.Status.PENDING:
        signed_in = user if user is not None and user.is_authenticated else None
        access_denied(actor=Invitee(signed_in), model=Invitation, record_id=invitation.pk)
        raise NotFound
    return invitation


def invitation_opened(*, token: str, user: User | None = None) -> Invitation:
    """``invitation_get_by_token``, recording in the inviting organisation's trail that the
    link was opened (by whom, when signed in)."""
    invitation = invitation_get_by_token(token=token, user=user)
    audit_access(
        actor=user if user is not None and user.is_authenticated else None,
        action="accounts.invitation.opened",
        organisation=invitation.organisation_id,
        target=invitation,
    )
    return invitation


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
    index lookup). Dates outside 1900–2100 are refused (ServiceError)."""
    check_date(date_from, field="date_from")
    check_date(date_to, field="date_to")
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
