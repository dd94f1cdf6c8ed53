"""Opening a case and changing it."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership, User
from phteah.accounts.roles import Capability, Role, capabilities_of
from phteah.core import events
from phteah.core.audit import audit_log, audited_atomic, snapshot
from phteah.core.concurrency import save_versioned
from phteah.core.errors import ServiceError
from phteah.core.limits import check_date, check_values
from phteah.core.submissions import once
from phteah.people.access import person_get_for_user

from ..events import CaseOpened
from ..models import Case, CaseReferenceCounter, CaseWorkerAssignment
from .records import (
    case_changed,
    case_for_change,
    case_joins_open_cases,
    creates,
    local_day,
    person_birth_limit,
    require,
)


class CaseExists(ServiceError):
    """The person already has a case in this organisation (``.case`` is it)."""

    def __init__(self, message, *, case: Case):
        super().__init__(message)
        self.case = case


# --- members who can be chosen -----------------------------------------------------------


def roles_with(capability: Capability) -> list[str]:
    return [role.value for role in Role if capability in capabilities_of(role)]


def case_worker_members(organisation_id):
    """Active members who may be assigned to a case (they can edit cases)."""
    return (
        Membership.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            user__is_active=True,
            role__in=roles_with(Capability.EDIT_CASES),
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def supervisor_members(organisation_id):
    return (
        Membership.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            user__is_active=True,
            role=Role.SUPERVISOR,
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def _check_team(organisation_id, *, supervisor: User | None, workers: list[User]) -> None:
    if not workers:
        raise ServiceError(_("Choose at least one case worker."), field="main_worker")
    if len({w.pk for w in workers}) != len(workers):
        raise ServiceError(_("A case worker is chosen twice."), field="other_workers")
    allowed = set(case_worker_members(organisation_id).values_list("user_id", flat=True))
    if any(worker.pk not in allowed for worker in workers):
        raise ServiceError(
            _("Case workers must be active staff who can record case work."), field="main_worker"
        )
    if supervisor is not None:
        supervisors = supervisor_members(organisation_id).values_list("user_id", flat=True)
        if supervisor.pk not in set(supervisors):
            raise ServiceError(
                _("The supervisor must be an active supervisor of the organisation."),
                field="supervisor",
            )


def _set_workers(case: Case, workers: list[User]) -> None:
    CaseWorkerAssignment.objects.filter(case=case).delete()
    CaseWorkerAssignment.objects.bulk_create(
        [
            CaseWorkerAssignment(
                organisation_id=case.organisation_id, case=case, user=user, is_primary=index == 0
            )
            for index, user in enumerate(workers)
        ]
    )


def _worker_ids(workers) -> list[str]:
    return [str(user.pk) for user in workers]


# --- opening a case ----------------------------------------------------------------------

CASE_FIELDS = (
    "reference",
    "person",
    "case_type",
    "referral_source",
    "referral_source_detail",
    "referral_reason",
    "identified_at",
    "opened_on",
    "risk_level",
    "supervisor",
)
CASE_EDIT_FIELDS = [
    "case_type",
    "referral_source",
    "referral_source_detail",
    "referral_reason",
    "risk_level",
    "supervisor",
]


def _check_case_values(**values) -> None:
    """The programme, referral and risk level: choices of their lists, texts within their
    lengths."""
    check_values(Case, values)
    for name in ("case_type", "referral_source", "risk_level"):
        if not values[name]:
            raise ServiceError(_("Choose one of the options in the list."), field=name)


def _lock_counter(organisation_id, year: int) -> CaseReferenceCounter:
    counters = CaseReferenceCounter.objects.select_for_update(no_key=True)
    try:
        return counters.get(organisation_id=organisation_id, year=year)
    except CaseReferenceCounter.DoesNotExist:
        try:
            with transaction.atomic():
                CaseReferenceCounter.objects.create(organisation_id=organisation_id, year=year)
        except IntegrityError:
            pass  # another transaction created it first: lock theirs
        return counters.get(organisation_id=organisation_id, year=year)


def case_reference_next(*, organisation, year: int) -> str:
    """The next free reference ``<SHORTCODE>-<YEAR>-<NNNN>``. Locks the organisation's
    counter for the year until the caller's transaction ends."""
    counter = _lock_counter(organisation.pk, year)
    number = counter.last_number
    while True:
        number += 1
        reference = f"{organisation.short_code}-{year}-{number:04d}"
        taken = Case.objects.filter(organisation_id=organisation.pk, reference=reference)
        if not taken.exists():
            break
    CaseReferenceCounter.objects.filter(pk=counter.pk).update(last_number=number)
    return reference


def _existing_case_error(case: Case) -> CaseExists:
    if case.status == Case.Status.CLOSED:
        message = _(
            "This person already has a case (%(reference)s), now closed. Reopen it instead "
            "of opening a new one."
        )
    else:
        message = _("This person already has a case: %(reference)s.")
    return CaseExists(message % {"reference": case.reference}, case=case)


@once
def case_open(
    *,
    actor: Membership,
    person_id,
    case_type: str,
    referral_source: str,
    referral_reason: str,
    identified_at: datetime,
    risk_level: str,
    workers: list[User],
    supervisor: User | None = None,
    referral_source_detail: str = "",
    ip: str | None = None,
) -> Case:
    """Open the one case of the person in the actor's organisation, numbered
    ``<SHORTCODE>-<YEAR>-<NNNN>``, with its case workers (the first is the main one)."""
    require(actor, Capability.EDIT_CASES)
    check_date(identified_at, field="identified_on")
    _check_case_values(
        case_type=case_type,
        referral_source=referral_source,
        referral_source_detail=referral_source_detail,
        referral_reason=referral_reason,
        risk_level=risk_level,
    )
    if identified_at > timezone.now():
        raise ServiceError(
            _("The date cannot be after today, %(date)s.")
            % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")},
            field="identified_on",
        )
    if not referral_reason.strip():
        raise ServiceError(_("Say why the person was referred."), field="referral_reason")
    with audited_atomic():
        person = person_get_for_user(actor=actor, person_id=person_id, edit=True)
        born = person_birth_limit(person)
        if born is not None and local_day(identified_at) < born[0]:
            raise ServiceError(born[1], field="identified_on")
        existing = Case.objects.filter(organisation_id=actor.organisation_id, person=person)
        if existing := existing.first():
            raise _existing_case_error(existing)
        _check_team(actor.organisation_id, supervisor=supervisor, workers=workers)
        opened_on = timezone.localdate()
        organisation = actor.organisation
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    organisation=organisation,
                    person=person,
                    reference=case_reference_next(organisation=organisation, year=opened_on.year),
                    case_type=case_type,
                    referral_source=referral_source,
                    referral_source_detail=referral_source_detail,
                    referral_reason=referral_reason,
                    identified_at=identified_at,
                    opened_on=opened_on,
                    risk_level=risk_level,
                    supervisor=supervisor,
                )
        except IntegrityError as error:
            # Opened at the same moment by someone else.
            existing = Case.objects.filter(
                organisation_id=actor.organisation_id, person=person
            ).first()
            if existing:
                raise _existing_case_error(existing) from error
            raise
        _set_workers(case, workers)
        case_joins_open_cases(case)
        case_changed(case)
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.case.opened",
            target=case,
            changes=creates(case, CASE_FIELDS) | {"case_workers": [None, _worker_ids(workers)]},
            ip=ip,
        )
        events.publish(CaseOpened(organisation_id=case.organisation_id, case_id=case.pk))
    return case


def case_update(
    *,
    actor: Membership,
    case_id,
    expected_version: int,
    case_type: str,
    referral_source: str,
    referral_source_detail: str,
    referral_reason: str,
    risk_level: str,
    supervisor: User | None,
    workers: list[User],
    ip: str | None = None,
) -> Case:
    """Change a case's programme, referral data, risk and team, unless someone else saved it
    since *expected_version* was read (EditConflict)."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        _check_case_values(
            case_type=case_type,
            referral_source=referral_source,
            referral_source_detail=referral_source_detail,
            referral_reason=referral_reason,
            risk_level=risk_level,
        )
        if not referral_reason.strip():
            raise ServiceError(_("Say why the person was referred."), field="referral_reason")
        _check_team(actor.organisation_id, supervisor=supervisor, workers=workers)
        before = snapshot(case, CASE_EDIT_FIELDS)
        before_workers = _worker_ids(
            [a.user for a in case.assignments.select_related("user").order_by("-is_primary")]
        )
        case.case_type = case_type
        case.referral_source = referral_source
        case.referral_source_detail = referral_source_detail
        case.referral_reason = referral_reason
        case.risk_level = risk_level
        case.supervisor = supervisor
        save_versioned(case, expected_version=expected_version, fields=CASE_EDIT_FIELDS)
        after = snapshot(case, CASE_EDIT_FIELDS)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        after_workers = _worker_ids(workers)
        if after_workers != before_workers:
            _set_workers(case, workers)
            changes["case_workers"] = [before_workers, after_workers]
        if "risk_level" in changes:
            case_changed(case)
        if changes:
            audit_log(
                actor=actor.user,
                organisation=case.organisation_id,
                action="cases.case.updated",
                target=case,
                changes=changes,
                ip=ip,
            )
    return case
