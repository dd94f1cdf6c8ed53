"""A closed case is read-only until it is reopened: every service that records or changes
something in a case refuses, with the one message of ``case_for_change``, and the case page
of a closed case offers no action but reopening it."""

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from phteah.core.errors import ServiceError
from tests.case_services import CLOSED, OPEN, SPECS, build_world

pytestmark = pytest.mark.django_db

# Services of SPECS that do not record anything in an existing case (or are the way out of
# a closed case).
NOT_IN_A_CASE = {
    "case_open",
    "care_rule_add",
    "care_rule_update",
    "care_rule_remove",
    "care_rules_restore_defaults",
    "person_update",
}
CASE_WRITES = sorted(
    name for name, spec in SPECS.items() if spec.needs == OPEN and name not in NOT_IN_A_CASE
)
CLOSED_MESSAGE = "This case is closed. Reopen it before recording anything in it."


def test_the_list_of_case_writes_is_not_empty():
    assert {"visit_record", "placement_start", "goal_add", "relative_add"} <= set(CASE_WRITES)


@pytest.mark.parametrize("name", CASE_WRITES)
def test_every_write_service_refuses_on_a_closed_case(name):
    world = build_world("RO", CLOSED)
    with (
        scope(organisation=world.organisation.pk),
        translation.override("en"),
        pytest.raises(ServiceError) as error,
    ):
        SPECS[name].call(world, 0)
    expected = "This case is already closed." if name == "closure_request" else CLOSED_MESSAGE
    assert error.value.message == expected


def test_the_page_of_a_closed_case_has_no_unused_but_reopen(client):
    world = build_world("RP", CLOSED)
    client.force_login(world.worker.user)
    page = client.get(reverse("cases:case_detail", args=[world.case.pk])).content.decode()
    reopen = reverse("cases:case_reopen", args=[world.case.pk])
    assert reopen in page
    for name in ("visit_add", "service_add", "closure_request", "case_edit", "goal_add"):
        assert reverse(f"cases:{name}", args=[world.case.pk]) not in page, name
    for name in ("placement_add", "tracing_add", "relative_add", "reunification_add"):
        assert reverse(f"care:{name}", args=[world.case.pk]) not in page, name
    assert "/placements/" not in page  # no "End this placement"
    person = world.persons[0].pk
    assert reverse("people:person_edit", kwargs={"person_id": person}) not in page
    assert reverse("people:consent_add", kwargs={"person_id": person}) not in page
    for goal in world.goals:
        assert reverse("cases:goal_update", args=[world.case.pk, goal.pk]) not in page
    for visit in world.visits:
        assert reverse("cases:visit_edit", args=[world.case.pk, visit.pk]) not in page


def test_the_page_of_an_open_case_has_them(client):
    world = build_world("OP", OPEN)
    client.force_login(world.worker.user)
    page = client.get(reverse("cases:case_detail", args=[world.case.pk])).content.decode()
    assert reverse("cases:visit_add", args=[world.case.pk]) in page
    assert reverse("care:placement_add", args=[world.case.pk]) in page
    assert reverse("care:relative_add", args=[world.case.pk]) in page
    assert reverse("cases:case_reopen", args=[world.case.pk]) not in page


@pytest.mark.parametrize(
    "url_name",
    ["cases:visit_add", "cases:service_add", "cases:goal_add", "cases:case_edit",
     "care:placement_add", "care:relative_add", "cases:assessment_add"],
)  # fmt: skip
def test_a_record_form_of_a_closed_case_goes_back_to_the_case_page(client, url_name):
    world = build_world("RF", CLOSED)
    client.force_login(world.worker.user)
    url = reverse(url_name, args=[world.case.pk])
    for response in (client.get(url), client.post(url, {"visited_on": "2026-01-01"})):
        assert response.status_code == 302
        assert response.url == reverse("cases:case_detail", args=[world.case.pk])
    page = client.get(response.url).content.decode()
    assert CLOSED_MESSAGE in page
