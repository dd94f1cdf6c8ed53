"""What every service that records something in a case shares (used by the care app's
services too).

The service contract (web UI, API, command line and tasks call the same functions):

- keyword-only arguments, ``actor`` first: the acting ``Membership``;
- the records acted on are given by id (``case_id``, ``visit_id``...) and reached through
  their access function, so no caller can skip the access check; values chosen in a form
  (a village, a service type, a care provider) may be rows, and are checked to be the
  organisation's;
- validation happens here, not in forms (forms only parse), and a refusal is a
  ``ServiceError`` with a translated message; an unreachable record is ``NotFound``;
- everything runs in one ``audited_atomic()`` block: the case row is locked first, the audit
  events are appended last (docs/architecture.md, "Lock order");
- a change in a case publishes ``CaseChanged`` in the transaction (what is derived from the
  case's records is recomputed by its subscriber), and steps people are told about publish
  their own events, which notifications receive after commit."""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Capability
from phteah.core import events
from phteah.core.audit import audited_create, audited_update, snapshot
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import NOTE_LENGTH, check_text

from ..access import case_get_for_user
from ..events import CaseChanged
from ..models import Case


def require(actor, capability) -> None:
    if actor is None or not actor.can(capability):
        raise PermissionError(capability)


def case_for_change(actor, case_id, *, open_only: bool = True) -> Case:
    """The case, locked for this transaction, if *actor* may change it (else NotFound). A
    closed case is read-only until it is reopened (*open_only*)."""
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True, lock=True)
    if open_only and case.status != Case.Status.OPEN:
        raise ServiceError(_("This case is closed. Reopen it before recording anything in it."))
    return case


def case_joins_open_cases(case: Case) -> None:
    """Call before a case that was not open (opened, reopened) has its due dates computed:
    shares the lock on its organisation's row. A change to the rule table holds that row
    FOR NO KEY UPDATE (phteah.care.services.rules) while it refreshes the organisation's open
    cases; so either the change commits first and this case is computed from the new rules,
    or a change started later waits for this transaction and then refreshes this case too.
    Changes to a case that is already open need no such lock: a rule change waits for their
    case's row lock. (SQLite has one writing transaction at a time: nothing to do.)"""
    if not connection.features.has_select_for_update:
        return
    meta = Organisation._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s FOR SHARE",
            [case.organisation_id],
        )


def case_changed(case: Case) -> None:
    """Tell the subscribers (stage, due dates) that something in *case* changed."""
    events.publish(CaseChanged(organisation_id=case.organisation_id, case_id=case.pk))


def creates(obj, fields) -> dict:
    """The audit changes of a new row: ``{field: [None, value]}``."""
    return {name: [None, value] for name, value in snapshot(obj, fields).items()}


def case_record_create(
    actor, case: Case, model, *, values: dict, fields, action: str, ip, data=None
):
    """Create a record of *case* (a visit, a service, a placement, a tracing action...), log
    it, and tell what derives from the case's records. Inside the caller's transaction."""
    record = audited_create(
        model,
        values={"organisation_id": case.organisation_id, "case": case, **values},
        fields=fields,
        actor=actor.user,
        organisation=case.organisation_id,
        action=action,
        data=data,
        case=case,
        ip=ip,
    )
    case_changed(case)
    return record


def local_day(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _shown(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def person_birth_limit(person) -> tuple[datetime.date, str] | None:
    """The earliest date anything in the life of *person* can have (their date of birth, or
    a year before it when it is estimated) and the message that names it; None if unknown."""
    born = person.date_of_birth
    if born is None:
        return None
    if not person.date_of_birth_estimated:
        return born, _("The date cannot be before the date of birth, %(date)s.") % {
            "date": _shown(born)
        }
    try:
        born = born.replace(year=born.year - 1)
    except ValueError:  # 29 February
        born = born.replace(year=born.year - 1, day=28)
    message = _(
        "The date cannot be before %(date)s, a year before the estimated date of birth."
    ) % {"date": _shown(born)}
    return born, message


def case_earliest_date(case: Case) -> tuple[datetime.date, str]:
    """The earliest date a record of *case* can have, and the message that names it: the
    later of the day the case was identified (in Cambodia's time zone) and the person's
    birth limit (person_birth_limit)."""
    identified = local_day(case.identified_at)
    limit = person_birth_limit(case.person)
    if limit is not None and limit[0] > identified:
        return limit
    message = _("The date cannot be before the case was identified on %(date)s.") % {
        "date": _shown(identified)
    }
    return identified, message


def case_date(
    case: Case,
    value: datetime.date | datetime.datetime | None,
    field: str,
    *,
    future: bool = False,
) -> None:
    """The one check of a date recorded in *case* (a visit, a service, an assessment, a
    placement, a review, a conference, a tracing action...): not before the case was
    identified, not before the person was born (a year of leeway for an estimated date of
    birth), and not after today in Cambodia, unless it is a date something is due
    (*future*). Every service that records a dated thing in a case calls it; the form shows
    the refusal on *field*. None passes (a required date is the form's and check_values'
    business)."""
    if value is None:
        return
    day = local_day(value)
    if not future:
        today = timezone.localdate()
        if day > today:
            raise ServiceError(
                _("The date cannot be after today, %(date)s.") % {"date": _shown(today)},
                field=field,
            )
    earliest, message = case_earliest_date(case)
    if day < earliest:
        raise ServiceError(message, field=field)


def own(actor, obj, field: str) -> None:
    """*obj* (a catalogue row, a provider, a relative...) must belong to the actor's
    organisation."""
    if obj is not None and obj.organisation_id != actor.organisation_id:
        raise ServiceError(_("Choose one of the options in the list."), field=field)


# --- voiding: a mistaken record is voided (with a reason), never deleted ------------------

VOID_FIELDS = ("voided_at", "voided_by", "void_reason")


def not_voided(record) -> None:
    """A voided record is read-only until a supervisor restores it."""
    if record.is_voided:
        raise ServiceError(_("This record was voided. It cannot be changed unless it is restored."))


def record_void(actor, case: Case, record, *, reason: str, action: str, ip) -> None:
    """Void *record* (a ``Voidable`` of *case*, locked by the caller, who got *case* from
    ``case_for_change``): it stays in the case, struck through, and counts for nothing.
    Inside the caller's transaction."""
    not_voided(record)
    reason = (reason or "").strip()
    check_text(reason, field="reason", max_length=NOTE_LENGTH)
    if not reason:
        raise ServiceError(_("Say why this record is voided."), field="reason")
    audited_update(
        record,
        values={"voided_at": timezone.now(), "voided_by": actor.user, "void_reason": reason},
        fields=VOID_FIELDS,
        actor=actor.user,
        organisation=case.organisation_id,
        action=action,
        data={"reason": reason},
        case=case,
        ip=ip,
    )
    case_changed(case)


def may_restore(actor) -> bool:
    return actor is not None and actor.can(Capability.RESTORE_VOIDED)


def record_restore(actor, case: Case, record, *, action: str, ip) -> None:
    """Make a voided *record* count again (supervisors only; anyone else gets NotFound, as
    for a record they cannot reach). Inside the caller's transaction."""
    if not may_restore(actor):
        raise NotFound
    if not record.is_voided:
        raise ServiceError(_("This record is not voided."))
    audited_update(
        record,
        values={"voided_at": None, "voided_by": None, "void_reason": ""},
        fields=VOID_FIELDS,
        actor=actor.user,
        organisation=case.organisation_id,
        action=action,
        case=case,
        ip=ip,
    )
    case_changed(case)
