"""Reading the audit trail: only an organisation's own events, only for those allowed."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability

from .models import AuditEvent


def audit_event_list(
    *,
    actor: Membership,
    action_prefix: str = "",
    person: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    if not actor.can(Capability.VIEW_AUDIT):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(organisation_id=actor.organisation_id)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    if person:
        events = events.filter(Q(actor_label__icontains=person) | Q(target_label__icontains=person))
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        events = events.filter(
            created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        )
    return events.order_by("-id")
