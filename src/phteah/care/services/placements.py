"""Placements: where the child lives. One current placement per case; a new one ends the
current one on its start date, and closing the case ends it (a closure step, see
phteah.cases.closing) with the outcome chosen in the request to close. A mistaken placement
is voided, never deleted: voiding the current one makes the placement it replaced current
again; a supervisor can restore it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phteah.cases.models import FAMILY_CARE_TYPES, CareType, Case
from phteah.cases.services.records import (
    case_changed,
    case_date,
    case_for_change,
    case_record_create,
    may_restore,
    not_voided,
    own,
    record_restore,
    record_void,
)
from phteah.core.audit import audited_atomic, audited_update
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..access import placement_get_for_user
from ..models import CareProvider, Placement, ReunificationAssessment

# Which kind of care provider may host each care type; care types absent here take none.
PROVIDER_KIND_FOR_CARE_TYPE = {
    CareType.EMERGENCY_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
    CareType.LONG_TERM_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
    CareType.FAMILY_HOUSE: CareProvider.Kind.FAMILY_HOUSE,
    CareType.TEMPORARY_CENTRE: CareProvider.Kind.TEMPORARY_CENTRE,
    CareType.RESIDENTIAL: CareProvider.Kind.RESIDENTIAL,
    CareType.PAGODA: CareProvider.Kind.PAGODA,
}

PLACEMENT_FIELDS = ("care_type", "provider", "started_on", "reason")
PLACEMENT_END_FIELDS = ("ended_on", "outcome", "outcome_notes")


@once
def placement_start(
    *,
    actor,
    case_id,
    care_type: str,
    started_on: datetime.date,
    reason: str,
    provider: CareProvider | None = None,
    over_capacity: bool = False,
    ip: str | None = None,
) -> Placement:
    """Place the child. A case has at most one current placement: a current one ends on the
    new start date (outcome "moved") in the same transaction. Placing into a full provider
    needs *over_capacity* (the user's explicit confirmation) and is recorded in the event."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(
            Placement, {"care_type": care_type, "started_on": started_on, "reason": reason}
        )
        case_date(case, started_on, "started_on")
        if care_type not in CareType.values:
            raise ServiceError(_("Choose one of the options in the list."), field="care_type")
        wanted_kind = PROVIDER_KIND_FOR_CARE_TYPE.get(care_type)
        if provider is not None:
            own(actor, provider, "provider")
            if not provider.is_active:
                raise ServiceError(_("This care provider is no longer active."), field="provider")
            if wanted_kind is None:
                raise ServiceError(
                    _("This kind of care has no care provider: leave it empty."),
                    field="provider",
                )
            if provider.kind != wanted_kind:
                raise ServiceError(
                    _("This care provider does not offer this kind of care."), field="provider"
                )
            # Lock the provider so two placements at once cannot both take its last place.
            CareProvider.objects.select_for_update(no_key=True).filter(pk=provider.pk).values_list(
                "pk", flat=True
            ).get()
        current = (
            Placement.objects.valid()
            .select_for_update(no_key=True)
            .filter(case=case, ended_on__isnull=True)
            .first()
        )
        if current is not None and started_on < current.started_on:
            raise ServiceError(
                _(
                    "The current placement started on %(date)s: a new placement cannot start "
                    "before it."
                )
                % {"date": formats.date_format(current.started_on)},
                field="started_on",
            )
        overlapping = Placement.objects.valid().filter(case=case, ended_on__gt=started_on).exists()
        if overlapping:
            raise ServiceError(
                _("An earlier placement of this child ended after this date."),
                field="started_on",
            )
        occupancy = {}
        if provider is not None:
            occupied = (
                Placement.objects.valid()
                .filter(provider=provider, ended_on__isnull=True)
                .exclude(pk=getattr(current, "pk", None))
                .count()
            )
            if occupied >= provider.capacity:
                if not over_capacity:
                    raise ServiceError(
                        _(
                            "%(provider)s is full (%(occupied)s children for %(capacity)s "
                            "places). Tick “over capacity” to place the child anyway."
                        )
                        % {
                            "provider": provider.name,
                            "occupied": occupied,
                            "capacity": provider.capacity,
                        },
                        field="over_capacity",
                    )
                occupancy = {
                    "over_capacity": True,
                    "occupied": occupied,
                    "capacity": provider.capacity,
                }
        if current is not None:
            _placement_close(
                actor,
                case,
                current,
                ended_on=started_on,
                outcome=Placement.Outcome.MOVED,
                outcome_notes="",
                ip=ip,
            )
        return case_record_create(
            actor,
            case,
            Placement,
            values=dict(
                care_type=care_type,
                provider=provider,
                started_on=started_on,
                reason=reason,
                recorded_by=actor.user,
            ),
            fields=PLACEMENT_FIELDS,
            action="care.placement.started",
            data={"care_type": care_type, **occupancy},
            ip=ip,
        )


def _placement_close(actor, case, placement, *, ended_on, outcome, outcome_notes, ip) -> None:
    audited_update(
        placement,
        values={"ended_on": ended_on, "outcome": outcome, "outcome_notes": outcome_notes},
        fields=PLACEMENT_END_FIELDS,
        actor=actor.user,
        organisation=case.organisation_id,
        action="care.placement.ended",
        case=case,
        ip=ip,
    )


def placement_end(
    *,
    actor,
    case_id,
    placement_id,
    ended_on: datetime.date,
    outcome: str,
    outcome_notes: str = "",
    ip: str | None = None,
) -> Placement:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        placement = placement_get_for_user(
            actor=actor, checked_case=case, placement_id=placement_id, lock=True
        )
        not_voided(placement)
        if placement.ended_on is not None:
            raise ServiceError(_("This placement has already ended."))
        check_values(
            Placement,
            {"ended_on": ended_on, "outcome": outcome, "outcome_notes": outcome_notes},
        )
        if not outcome:
            raise ServiceError(_("Choose one of the options in the list."), field="outcome")
        if ended_on < placement.started_on:
            raise ServiceError(
                _("The end date cannot be before the start of the placement."), field="ended_on"
            )
        case_date(case, ended_on, "ended_on")
        _placement_close(
            actor,
            case,
            placement,
            ended_on=ended_on,
            outcome=outcome,
            outcome_notes=outcome_notes,
            ip=ip,
        )
        case_changed(case)
    return placement


# --- closing the case -------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureCare:
    """What a closure reason needs of the child's last placement: one of *care_types*, or a
    placement that ended (or ends with the closure) with *outcome* — and, with
    *reunification*, a reunification recorded (ReunificationAssessment.reunified_on)."""

    care_types: tuple[str, ...]
    outcome: str
    reunification: bool
    needed: Promise  # the sentence that says it


# The closure reasons that say where the child went, and the placement that agrees with each
# (the other reasons accept any placement, which still ends with the closure).
CLOSURE_CARE = {
    Case.ClosureReason.REINTEGRATED: ClosureCare(
        care_types=FAMILY_CARE_TYPES,
        outcome=Placement.Outcome.REINTEGRATED,
        reunification=True,
        needed=gettext_lazy(
            "A case closed as reintegrated with family needs the child's last placement to be "
            "with the birth family or with relatives (kinship care), or a recorded "
            "reunification with the placement ending as “Returned to family”."
        ),
    ),
    Case.ClosureReason.ADOPTED: ClosureCare(
        care_types=(CareType.DOMESTIC_ADOPTION,),
        outcome=Placement.Outcome.ADOPTED,
        reunification=False,
        needed=gettext_lazy(
            "A case closed as adopted needs the child's last placement to be a domestic "
            "adoption, or the placement ending as “Adopted”."
        ),
    ),
}


def closure_care_agrees(
    reason: str, *, care_type: str | None, outcome: str | None, reunified: bool
) -> bool:
    """Whether closing for *reason* agrees with the child's last placement (*care_type*
    None: no placement) ending with *outcome*, a reunification recorded or not."""
    rule = CLOSURE_CARE.get(reason)
    if rule is None:
        return True
    if care_type in rule.care_types:
        return True
    if rule.reunification and not reunified:
        return False
    return care_type is None or outcome == rule.outcome


def _last_placement(case, *, lock: bool = False) -> Placement | None:
    placements = Placement.objects.valid().filter(case=case)
    if lock:
        placements = placements.select_for_update(no_key=True)
    current = placements.filter(ended_on__isnull=True).first()
    return current or placements.order_by("-ended_on", "-started_on", "-created_at").first()


def placement_closure_check(*, case, reason: str, placement_outcome: str) -> None:
    """A closure step (phteah.cases.closing): the current placement needs an outcome to end
    with, and the closure reason must agree with the last placement (CLOSURE_CARE)."""
    last = _last_placement(case)
    current = last if last is not None and last.ended_on is None else None
    if current is not None:
        if not placement_outcome:
            raise ServiceError(
                _(
                    "The child is still in a placement (%(care)s since %(date)s). Choose how it "
                    "ends with the closure, or end it first."
                )
                % {
                    "care": current.get_care_type_display(),
                    "date": formats.date_format(current.started_on),
                },
                field="placement_outcome",
            )
        if placement_outcome == Placement.Outcome.MOVED:
            raise ServiceError(
                _("A closed case has no next placement: choose another outcome."),
                field="placement_outcome",
            )
    outcome = placement_outcome if current is not None else getattr(last, "outcome", None)
    reunified = ReunificationAssessment.objects.filter(
        case=case, reunified_on__isnull=False
    ).exists()
    agrees = closure_care_agrees(
        reason,
        care_type=last.care_type if last is not None else None,
        outcome=outcome,
        reunified=reunified,
    )
    if not agrees:
        if last is None:
            placed = _("The child has no placement recorded.")
        else:
            placed = _("The child's last placement: %(care)s.") % {
                "care": last.get_care_type_display()
            }
        raise ServiceError(f"{CLOSURE_CARE[reason].needed} {placed}", field="reason")


def placement_closure_close(*, actor, case, placement_outcome: str, closed_on, ip) -> None:
    """A closure step: the current placement ends on the day the case is closed, with the
    outcome chosen in the request (audited as any end of a placement)."""
    case_date(case, closed_on, "closed_on")
    current = (
        Placement.objects.valid()
        .select_for_update(no_key=True)
        .filter(case=case, ended_on__isnull=True)
        .first()
    )
    if current is None:
        return
    _placement_close(
        actor,
        case,
        current,
        ended_on=closed_on,
        outcome=placement_outcome,
        outcome_notes="",
        ip=ip,
    )


def placement_void(
    *, actor, case_id, placement_id, reason: str, ip: str | None = None
) -> Placement:
    """Void a mistaken placement. If it was the current one, the placement it replaced (ended
    on its start date as "moved") becomes current again; the provider's place is freed."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        placement = placement_get_for_user(
            actor=actor, checked_case=case, placement_id=placement_id, lock=True
        )
        not_voided(placement)
        if placement.ended_on is None:
            previous = (
                Placement.objects.valid()
                .select_for_update(no_key=True)
                .filter(
                    case=case,
                    ended_on=placement.started_on,
                    outcome=Placement.Outcome.MOVED,
                )
                .exclude(pk=placement.pk)
                .order_by("-started_on", "-created_at")
                .first()
            )
            if previous is not None:
                audited_update(
                    previous,
                    values={"ended_on": None, "outcome": "", "outcome_notes": ""},
                    fields=PLACEMENT_END_FIELDS,
                    actor=actor.user,
                    organisation=case.organisation_id,
                    action="care.placement.resumed",
                    case=case,
                    ip=ip,
                )
        record_void(actor, case, placement, reason=reason, action="care.placement.voided", ip=ip)
    return placement


def placement_restore(*, actor, case_id, placement_id, ip: str | None = None) -> Placement:
    """Restore a voided placement (supervisors). One that was current when voided becomes
    current again, ending the placement current now on its start date, if that one started
    earlier; a placement that would overlap another is refused."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        placement = placement_get_for_user(
            actor=actor, checked_case=case, placement_id=placement_id, lock=True
        )
        if not may_restore(actor):
            raise NotFound
        if not placement.is_voided:
            raise ServiceError(_("This record is not voided."))
        others = Placement.objects.valid().filter(case=case).exclude(pk=placement.pk)
        if placement.ended_on is None:
            current = others.select_for_update(no_key=True).filter(ended_on__isnull=True).first()
            if current is not None:
                if current.started_on > placement.started_on:
                    raise ServiceError(
                        _(
                            "A later placement of this child is current: end it or void it "
                            "before restoring this one."
                        )
                    )
                _placement_close(
                    actor,
                    case,
                    current,
                    ended_on=placement.started_on,
                    outcome=Placement.Outcome.MOVED,
                    outcome_notes="",
                    ip=ip,
                )
            overlapping = others.filter(ended_on__gt=placement.started_on)
        else:
            overlapping = others.filter(started_on__lt=placement.ended_on).exclude(
                ended_on__lte=placement.started_on
            )
        if overlapping.exists():
            raise ServiceError(
                _("This placement overlaps another placement of this child: it cannot be restored.")
            )
        record_restore(actor, case, placement, action="care.placement.restored", ip=ip)
    return placement
