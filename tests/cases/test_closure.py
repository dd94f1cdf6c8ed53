"""Closure is consistent: the closure ends the child's current placement with the outcome
chosen in the request, the closure reason agrees with the last placement (CLOSURE_CARE), the
approval page shows what will change, and a closed case is out of everyone's work."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.care.models import Placement, ReunificationAssessment
from phteah.care.services import care_rules_seed
from phteah.care.services.placements import CLOSURE_CARE, closure_care_agrees
from phteah.cases import services
from phteah.cases.models import Case
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from phteah.work.selectors import my_work
from tests import factories
from tests.conftest import sign_in
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def shown(day) -> str:
    """A date as English pages show it: 2 December 2026."""
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def case(organisation, worker, supervisor):
    care_rules_seed(organisation=organisation)  # visits fall due
    case = CaseFactory(
        organisation=organisation,
        workers=[worker.user],
        supervisor=supervisor.user,
        opened_on=TODAY - 90 * DAY,
        identified_at=timezone.now() - 90 * DAY,
    )
    factories.assessment(case, worker.user, kind="closure", day=TODAY - DAY, risk="high")
    return case


def _reunified(case, user):
    ReunificationAssessment.objects.create(
        organisation=case.organisation,
        case=case,
        assessed_on=TODAY - 2 * DAY,
        recommendation="reunify",
        notes="The aunt is ready.",
        reunified_on=TODAY - DAY,
        assessed_by=user,
    )


def _fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- the rule table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "care_type", "outcome", "reunified", "agrees"),
    [
        ("reintegrated", "emergency_foster", "reintegrated", False, False),  # the incident
        ("reintegrated", "emergency_foster", "other", True, False),
        ("reintegrated", "emergency_foster", "reintegrated", True, True),
        ("reintegrated", "birth_family", "other", False, True),
        ("reintegrated", "kinship", "other", False, True),
        ("reintegrated", None, None, False, False),
        ("reintegrated", None, None, True, True),
        ("adopted", "emergency_foster", "other", False, False),
        ("adopted", "emergency_foster", "adopted", False, True),
        ("adopted", "domestic_adoption", "other", False, True),
        ("transferred", "emergency_foster", "other", False, True),
        ("died", "residential", "other", False, True),
    ],
)
def test_the_closure_reason_and_the_last_placement_agree(
    reason, care_type, outcome, reunified, agrees
):
    assert (
        closure_care_agrees(reason, care_type=care_type, outcome=outcome, reunified=reunified)
        is agrees
    )


def test_the_table_names_only_real_reasons_care_types_and_outcomes():
    for reason, rule in CLOSURE_CARE.items():
        assert reason in Case.ClosureReason.values
        assert rule.outcome in Placement.Outcome.values
        assert rule.care_types


# --- the services -------------------------------------------------------------------------


def test_reintegrated_is_refused_while_the_child_is_in_emergency_foster_care(case, worker):
    factories.dated_placement(case, "emergency_foster", TODAY - 30 * DAY)
    with pytest.raises(ServiceError) as error:
        services.closure_request(
            actor=worker, case_id=case.pk, reason="reintegrated", placement_outcome="reintegrated"
        )
    assert "birth family" in error.value.message
    assert "Emergency foster care" in error.value.message
    assert error.value.field == "reason"
    assert not services.closure_pending(_fresh(case))


def test_a_current_placement_needs_an_outcome_and_not_moved(case, worker):
    factories.dated_placement(case, "emergency_foster", TODAY - 30 * DAY)
    for outcome, words in (("", "Choose how it ends"), ("moved", "no next placement")):
        with pytest.raises(ServiceError) as error:
            services.closure_request(
                actor=worker, case_id=case.pk, reason="transferred", placement_outcome=outcome
            )
        assert words in error.value.message
        assert error.value.field == "placement_outcome"
    with pytest.raises(ServiceError):
        services.closure_request(
            actor=worker, case_id=case.pk, reason="transferred", placement_outcome="nonsense"
        )


def test_approval_ends_the_placement_clears_due_dates_and_my_work(case, worker, supervisor):
    placement = factories.dated_placement(case, "emergency_foster", TODAY - 30 * DAY)
    _reunified(case, worker.user)
    assert _fresh(case).visit_due_on is not None
    services.closure_request(
        actor=worker, case_id=case.pk, reason="reintegrated", placement_outcome="reintegrated"
    )
    assert _fresh(case).closure_placement_outcome == "reintegrated"
    services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)

    placement.refresh_from_db()
    assert placement.ended_on == TODAY and placement.outcome == "reintegrated"
    closed = _fresh(case)
    assert closed.status == Case.Status.CLOSED and closed.stage == Case.Stage.CLOSED
    assert all(getattr(closed, name) is None for name in Case.DUE_DATES)
    assert closed.current_care_type == ""
    assert closed.risk_level == "high"  # kept as history
    ended = AuditEvent.objects.get(action="care.placement.ended")
    assert ended.changes["outcome"] == ["", "reintegrated"]
    for who in (worker, supervisor):
        assert all(not work.count for work in my_work(actor=who).values())


def test_a_family_placement_agrees_and_ends_with_the_closure(case, worker, supervisor):
    factories.dated_placement(case, "emergency_foster", TODAY - 30 * DAY, ended_on=TODAY - 5 * DAY)
    kinship = factories.dated_placement(case, "kinship", TODAY - 5 * DAY)
    services.closure_request(
        actor=worker, case_id=case.pk, reason="reintegrated", placement_outcome="other"
    )
    services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)
    kinship.refresh_from_db()
    assert kinship.ended_on == TODAY and kinship.outcome == "other"


def test_an_ended_placement_needs_no_outcome(case, worker, supervisor):
    factories.dated_placement(case, "birth_family", TODAY - 30 * DAY, ended_on=TODAY - DAY)
    services.closure_request(actor=worker, case_id=case.pk, reason="reintegrated")
    services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)
    assert _fresh(case).status == Case.Status.CLOSED


def test_approval_checks_again_what_changed_since_the_request(case, worker, supervisor):
    factories.dated_placement(case, "birth_family", TODAY - 30 * DAY, ended_on=TODAY - DAY)
    services.closure_request(actor=worker, case_id=case.pk, reason="reintegrated")
    # Meanwhile the child was placed in emergency foster care.
    factories.dated_placement(case, "emergency_foster", TODAY)
    with pytest.raises(ServiceError) as error:
        services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)
    assert "Choose how it ends" in error.value.message
    assert _fresh(case).status == Case.Status.OPEN
    # Sending it back is always possible, and clears the chosen outcome.
    services.closure_approve(actor=supervisor, case_id=case.pk, approve=False, note="Placed.")
    assert _fresh(case).closure_placement_outcome == ""


# --- the pages ----------------------------------------------------------------------------


def test_the_request_form_asks_how_the_current_placement_ends(client, case, worker):
    sign_in(client, worker.user)
    url = reverse("cases:closure_request", args=[case.pk])
    assert "placement_outcome" not in client.get(url).context["form"].fields
    factories.dated_placement(case, "emergency_foster", TODAY - 30 * DAY)
    page = client.get(url)
    assert "placement_outcome" in page.context["form"].fields
    assert "Closing the case ends this placement" in page.content.decode()
    refused = client.post(url, {"reason": "reintegrated", "placement_outcome": "reintegrated"})
    assert refused.status_code == 200
    assert "birth family or with relatives" in refused.content.decode()


def test_the_approval_page_shows_what_will_change(client, case, worker, supervisor):
    provider = factories.CareProviderFactory(organisation=case.organisation, name="Family Sok")
    placement = factories.dated_placement(case, "emergency_foster", TODAY - 30 * DAY)
    Placement.objects.filter(pk=placement.pk).update(provider=provider)
    _reunified(case, worker.user)
    goal = factories.goal(case, "Back to school")
    factories.action(goal, worker.user)
    services.closure_request(
        actor=worker, case_id=case.pk, reason="reintegrated", placement_outcome="reintegrated"
    )
    sign_in(client, supervisor.user)
    page = client.get(reverse("cases:closure_approve", args=[case.pk])).content.decode()
    assert "What closing the case changes" in page
    assert (
        "The current placement, Emergency foster care with Family Sok since "
        f"{shown(TODAY - 30 * DAY)}, ends on {shown(TODAY)} with the outcome "
        "“Returned to family”."
    ) in page
    assert "Next visit due" in page
    assert "→ Closed" in page
    assert "High, kept in the record" in page
    assert "Back to school" in page and "1 action to do" in page
    assert "closure-problem" not in page


def test_the_approval_page_says_when_it_cannot_be_approved(client, case, worker, supervisor):
    factories.dated_placement(case, "birth_family", TODAY - 30 * DAY, ended_on=TODAY - DAY)
    services.closure_request(actor=worker, case_id=case.pk, reason="reintegrated")
    factories.dated_placement(case, "emergency_foster", TODAY)
    sign_in(client, supervisor.user)
    page = client.get(reverse("cases:closure_approve", args=[case.pk])).content.decode()
    assert "closure-problem" in page and "Send the request back" in page


def test_the_closure_assessment_link_opens_the_form_with_the_closure_kind(
    client, organisation, worker
):
    case = CaseFactory(organisation=organisation, workers=[worker.user])
    factories.assessment(case, worker.user, kind="initial")
    sign_in(client, worker.user)
    page = client.get(reverse("cases:closure_request", args=[case.pk])).content.decode()
    link = reverse("cases:assessment_add", args=[case.pk]) + "?kind=closure"
    assert f'href="{link}"' in page
    form = client.get(link).context["form"]
    assert form.initial["kind"] == "closure"
    assert 'value="closure" selected' in str(form["kind"])
    bogus = client.get(reverse("cases:assessment_add", args=[case.pk]), {"kind": "bogus"})
    assert bogus.context["form"].initial["kind"] == "review"


def test_a_closed_case_shows_its_risk_without_a_badge(client, case, worker, supervisor):
    services.closure_request(actor=worker, case_id=case.pk, reason="moved_away")
    services.closure_approve(actor=supervisor, case_id=case.pk, approve=True)
    sign_in(client, worker.user)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "risk-high" not in page
    assert "High when the case was closed" in page
    listed = client.get(reverse("cases:case_list"), {"status": "closed"}).content.decode()
    assert case.reference in listed and "risk-high" not in listed
