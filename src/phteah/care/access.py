"""Access to the care records of a case — placements, tracing actions, relatives,
reunification assessments — through their case (phteah.cases.access decides)."""

from phteah.cases.access import case_record_get_for_user

from .models import Placement, Relative


def placement_get_for_user(
    *, actor, placement_id, case_id=None, checked_case=None, edit=False, lock=False
) -> Placement:
    return case_record_get_for_user(
        Placement,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=placement_id,
        edit=edit,
        lock=lock,
        related=("provider",),
    )


def relative_get_for_user(*, actor, relative_id, case_id=None, checked_case=None) -> Relative:
    return case_record_get_for_user(
        Relative,
        actor=actor,
        case_id=case_id,
        checked_case=checked_case,
        record_id=relative_id,
    )
