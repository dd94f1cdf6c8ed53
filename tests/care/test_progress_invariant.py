"""The stored stage and due dates (phteah.care.progress) are always what the records give:
after every service that changes a case — or the rule table they are computed from — a
fresh recomputation (``cases_progress_drift``) finds nothing different, for the case and for
every case of the organisation.

The services and the worlds they run in are those of the concurrency test
(tests/case_services.py); here each runs alone, and then all of them one after the other on
one case, on SQLite and PostgreSQL alike."""

import pytest
from django.utils import translation
from django_scopes import scope

from phteah.care.progress import cases_progress_drift
from phteah.cases.models import Case
from tests.case_services import (
    CLOSED,
    NOT_CASE_CHANGES,
    OPEN,
    PENDING,
    SPECS,
    build_world,
    discovered_services,
    reread,
    state_for,
)

pytestmark = pytest.mark.django_db


def _run(spec, world, side=0):
    with scope(organisation=world.organisation.pk), translation.override("en"):
        return spec.call(world, side)


def _drift(world):
    return cases_progress_drift(Case.objects.filter(organisation=world.organisation))


def test_every_service_that_changes_a_case_is_checked():
    missing = discovered_services() - set(SPECS) - set(NOT_CASE_CHANGES)
    assert not missing, f"give these a Spec in tests/case_services.py: {sorted(missing)}"


@pytest.mark.parametrize("name", list(SPECS))
def test_after_each_service_the_stored_values_are_what_the_records_give(name):
    spec = SPECS[name]
    world = build_world("INV", state_for(spec))
    assert _drift(world) == []

    _run(spec, world)

    assert _drift(world) == [], f"after {name}"


def test_after_every_service_in_turn_on_one_case_nothing_has_drifted():
    """Both sides of every service that works on an open case, one after the other (each
    seeing what the ones before changed, as a user reopening the form would); then closing,
    approving, reopening, and the rule table again on the reopened case. The whole
    organisation is checked after each step."""
    world = build_world("SEQ", OPEN)
    steps = [
        (spec, side)
        for spec in SPECS.values()
        if spec.needs == OPEN and spec.name != "closure_request"
        # One placement to end, and to void.
        for side in ((0,) if spec.name in ("placement_end", "placement_void") else (0, 1))
    ]
    steps += [
        (SPECS["closure_request"], 0),
        (SPECS["closure_approve"], 0),
        (SPECS["case_reopen"], 0),
        (SPECS["care_rule_update"], 1),
        (SPECS["care_rule_remove"], 1),
    ]
    assert {spec.needs for spec, _side in steps} == {OPEN, PENDING, CLOSED}
    done = []
    for spec, side in steps:
        _run(spec, reread(world), side)
        done.append(f"{spec.name}[{side}]")
        assert _drift(world) == [], f"after {', '.join(done)}"
    case = Case.objects.get(pk=world.case.pk)
    assert case.status == Case.Status.OPEN and case.reopenings.count() == 1
