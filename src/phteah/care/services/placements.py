"""Placements: where the child lives. One current placement per case; a new one ends the
current one on its start date."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from phteah.cases.models import CareType
from phteah.cases.services.records import (
    case_changed,
    case_for_change,
    case_record_create,
    not_in_future,
    own,
)
from phteah.core.audit import audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..access import placement_get_for_user
from ..models import CareProvider, Placement

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
        not_in_future(started_on, "started_on")
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
            Placement.objects.select_for_update(no_key=True)
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
        overlapping = Placement.objects.filter(case=case, ended_on__gt=started_on).exists()
        if overlapping:
            raise ServiceError(
                _("An earlier placement of this child ended after this date."),
                field="started_on",
            )
        occupancy = {}
        if provider is not None:
            occupied = (
                Placement.objects.filter(provider=provider, ended_on__isnull=True)
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
        if placement.ended_on is not None:
            raise ServiceError(_("This placement has already ended."))
        check_values(
            Placement,
            {"ended_on": ended_on, "outcome": outcome, "outcome_notes": outcome_notes},
        )
        if not outcome:
            raise ServiceError(_("Choose one of the options in the list."), field="outcome")
        not_in_future(ended_on, "ended_on")
        if ended_on < placement.started_on:
            raise ServiceError(
                _("The end date cannot be before the start of the placement."), field="ended_on"
            )
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
