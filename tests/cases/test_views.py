import datetime

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases.models import Assessment, AssessmentDomain, Case, Conference, Goal
from phteah.cases.selectors import case_timeline
from phteah.core.models import AuditEvent
from tests import factories
from tests.conftest import sign_in
from tests.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def case(organisation, worker, supervisor):
    return CaseFactory(
        organisation=organisation,
        workers=[worker.user],
        supervisor=supervisor.user,
        opened_on=TODAY - datetime.timedelta(days=400),
    )


@pytest.fixture
def as_worker(client, worker):
    return sign_in(client, worker.user)


def events(action):
    return AuditEvent.objects.filter(action=action).count()


# --- opening -----------------------------------------------------------------------------


def test_open_a_case_for_a_person(as_worker, organisation, worker, supervisor):
    person = PersonFactory(
        organisation=organisation, created_by=worker.user, date_of_birth=datetime.date(2014, 5, 1)
    )
    url = reverse("cases:case_add")
    page = as_worker.get(url, {"person": person.pk})
    assert page.status_code == 200
    assert person.given_name_latin in page.content.decode()
    assert page.context["form"].initial["main_worker"] == worker.user_id
    data = {
        "person": person.pk,
        "case_type": "foster_care",
        "referral_source": "hotline",
        "referral_reason": "Left at the hospital.",
        "identified_on": "០៥/០១/២០២៥",  # Khmer digits
        "identified_time": "០៩:៣០",
        "risk_level": "high",
        "supervisor": supervisor.user_id,
        "main_worker": worker.user_id,
    }
    response = as_worker.post(url, data)
    case = Case.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert timezone.localtime(case.identified_at).strftime("%Y-%m-%d %H:%M") == "2025-01-05 09:30"
    # A second attempt is refused with a link to the existing case.
    again = as_worker.post(url, data)
    assert again.status_code == 200
    assert reverse("cases:case_detail", args=[case.pk]) in again.content.decode()
    assert Case.objects.count() == 1


def test_open_a_case_invalid_input_changes_nothing(as_worker, organisation, worker):
    person = PersonFactory(organisation=organisation, created_by=worker.user)
    response = as_worker.post(
        reverse("cases:case_add"),
        {"person": person.pk, "case_type": "emergency", "identified_on": "2099-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Case.objects.exists()


def test_the_open_case_form_starts_with_nothing_chosen(as_worker, organisation, worker):
    # A 12-year-old used to default to Crisis pregnancy, referred by Police, High risk: the
    # first option of each list. Each now starts on an empty "Choose…" and must be chosen.
    person = PersonFactory(organisation=organisation, created_by=worker.user)
    url = reverse("cases:case_add")
    page = as_worker.get(url, {"person": person.pk})
    form = page.context["form"]
    html = page.content.decode()
    for name in ("case_type", "referral_source", "risk_level"):
        assert form.fields[name].required
        assert form.fields[name].choices[0] == ("", "Choose…")
        assert form[name].value() in (None, "")
        select = html[html.index(f'name="{name}"') :]
        select = select[: select.index("</select>")]
        assert '<option value="" selected>Choose…</option>' in select
        assert select.count("selected") == 1
    response = as_worker.post(
        url,
        {
            "person": person.pk,
            "case_type": "",
            "referral_source": "",
            "risk_level": "",
            "referral_reason": "Left at the hospital.",
            "identified_on": TODAY.isoformat(),
            "identified_time": "09:30",
            "main_worker": worker.user_id,
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"case_type", "referral_source", "risk_level"}
    assert not Case.objects.exists()


def test_find_a_person_to_open_a_case_for(as_worker, organisation, worker):
    PersonFactory(organisation=organisation, created_by=worker.user, given_name_km="វណ្ណា")
    page = as_worker.get(reverse("cases:case_add"), {"q": "វណ្ណា"})
    assert "?person=" in page.content.decode()


# --- the case page -----------------------------------------------------------------------


def test_the_case_page_is_audited_once_per_view(as_worker, case):
    url = reverse("cases:case_detail", args=[case.pk])
    as_worker.get(url)
    as_worker.get(url)
    assert events("cases.case.viewed") == 2
    event = AuditEvent.objects.filter(action="cases.case.viewed").first()
    assert event.target_id == str(case.pk)


def test_the_timeline_is_newest_first_across_kinds(case, worker, organisation):
    user = worker.user
    factories.visit(case, user, TODAY - datetime.timedelta(days=10))
    factories.assessment(case, user, day=TODAY - datetime.timedelta(days=20))
    conference = factories.conference(case, user)
    Conference.objects.filter(pk=conference.pk).update(held_on=TODAY - datetime.timedelta(days=5))
    page, entries = case_timeline(actor=worker, case=case)
    assert [entry.kind for entry in entries] == ["conference", "visit", "assessment", "opened"]
    assert entries[1].by == user


def page_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(context.captured_queries)


def test_the_case_page_uses_the_same_number_of_queries_for_5_or_60_visits(
    client, case, worker, supervisor
):
    user = worker.user
    sign_in(client, supervisor.user)
    url = reverse("cases:case_detail", args=[case.pk])
    client.get(url)
    for day in range(1, 6):
        factories.visit(case, user, TODAY - datetime.timedelta(days=day))
    response, small = page_queries(client, url)
    assert [e.kind for e in response.context["entries"]] == ["visit"] * 5 + ["opened"]
    for day in range(6, 61):
        factories.visit(case, user, TODAY - datetime.timedelta(days=day))
    response, large = page_queries(client, url)
    assert large == small
    assert response.context["page"].paginator.count == 61
    assert [e.kind for e in response.context["entries"]] == ["visit"] * 30
    response, last = page_queries(client, url + "?page=3")
    assert last == small - 1  # no visit on that page: nothing to fetch
    assert [e.kind for e in response.context["entries"]] == ["opened"]


def test_the_timeline_shows_every_kind_with_one_query_per_kind_on_the_page(
    client, case, worker, supervisor
):
    from phteah.care.models import Placement

    user = worker.user
    sign_in(client, supervisor.user)
    url = reverse("cases:case_detail", args=[case.pk])
    client.get(url)
    _response, base = page_queries(client, url)  # only "case opened" on the page
    factories.assessment(case, user, day=TODAY - datetime.timedelta(days=300), score=1)
    factories.assessment(case, user, kind="review", day=TODAY - datetime.timedelta(days=100))
    factories.action(factories.goal(case), user)
    Placement.objects.create(
        organisation=case.organisation,
        case=case,
        care_type="kinship",
        started_on=TODAY - datetime.timedelta(days=200),
        ended_on=TODAY - datetime.timedelta(days=100),
        reason="Aunt",
        recorded_by=user,
    )
    for day in range(1, 4):
        factories.visit(case, user, TODAY - datetime.timedelta(days=day))
    response, mixed = page_queries(client, url)
    text = response.content.decode()
    for label in ("Placement started", "Placement ended", "Goal set", "Action planned", "Visit"):
        assert label in text
    kinds = [e.kind for e in response.context["entries"]]
    assert kinds[:5] == ["action", "goal", "visit", "visit", "visit"] and kinds[-1] == "opened"
    assert response.context["page"].paginator.count == 10
    # One bulk fetch per kind of record on the page (assessment, goal, action, placement,
    # visit), whatever their number; the summary and chart add a fixed few.
    assert mixed <= base + 5 + 4


def test_the_score_chart_is_inline_svg(as_worker, case, worker):
    factories.assessment(case, worker.user, day=TODAY - datetime.timedelta(days=30), score=1)
    factories.assessment(case, worker.user, kind="review", day=TODAY, score=4)
    response = as_worker.get(reverse("cases:case_detail", args=[case.pk]))
    text = response.content.decode()
    assert text.count('<svg class="score-line"') == 12
    assert "<polyline" in text
    # Per domain: four guide lines and a dot per assessment, titled with its date and score.
    assert text.count('stroke="#e3e3e3"') == 12 * 4
    assert text.count("<circle ") == 12 * 2
    first = date_filter(TODAY - datetime.timedelta(days=30))
    assert text.count(f"<title>{first}: 1</title>") == 12
    assert text.count(f"<title>{date_filter(TODAY)}: 4</title>") == 12
    assert "style=" not in text.split('id="scores"')[1].split("</section>")[0]


def test_print_is_audited(as_worker, case, worker):
    factories.assessment(case, worker.user)
    for day in range(12):
        factories.visit(case, worker.user, TODAY - datetime.timedelta(days=day))
    response = as_worker.get(reverse("cases:case_print", args=[case.pk]))
    assert response.status_code == 200
    assert "print.css" in response.content.decode()
    assert len(response.context["visits"]) == 10
    assert events("cases.case.printed") == 1


# --- editing -----------------------------------------------------------------------------


def edit_data(case, worker, **kwargs):
    return {
        "version": case.version,
        "case_type": case.case_type,
        "referral_source": case.referral_source,
        "referral_reason": case.referral_reason,
        "risk_level": case.risk_level,
        "supervisor": case.supervisor_id or "",
        "main_worker": worker.user_id,
    } | kwargs


def test_two_people_editing_the_same_case(client, case, worker, supervisor):
    from django.test import Client

    url = reverse("cases:case_edit", args=[case.pk])
    first, second = sign_in(Client(), worker.user), sign_in(Client(), supervisor.user)
    form_a = edit_data(case, worker, risk_level="low")
    form_b = edit_data(case, worker, risk_level="medium", referral_reason="Changed by B")
    assert first.post(url, form_a).status_code == 302
    response = second.post(url, form_b)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else saved this record" in text
    assert "What is saved now" in text
    case.refresh_from_db()
    assert case.risk_level == "low"
    assert case.referral_reason != "Changed by B"
    assert response.context["form"].data["version"] == case.version


# --- assessments, plan, conferences ------------------------------------------------------


def test_add_an_assessment_through_the_form(as_worker, case, organisation):
    domains = factories.domains(organisation)
    url = reverse("cases:assessment_add", args=[case.pk])
    assert as_worker.get(url).status_code == 200
    data = {"kind": "initial", "assessed_on": TODAY.isoformat(), "risk_level": "low"}
    missing = as_worker.post(url, data | {f"score_{domains[0].pk}": "2"})
    assert missing.status_code == 200 and not Assessment.objects.exists()
    data |= {f"score_{d.pk}": "3" for d in domains}
    data[f"reason_{domains[0].pk}"] = "Eats twice a day"
    assert as_worker.post(url, data).status_code == 302
    assessment = Assessment.objects.get()
    case.refresh_from_db()
    assert case.risk_level == "low" and case.stage == "assessed"
    detail = as_worker.get(reverse("cases:assessment_detail", args=[case.pk, assessment.pk]))
    assert "Eats twice a day" in detail.content.decode()


def test_plan_pages(as_worker, case, worker):
    goal_url = reverse("cases:goal_add", args=[case.pk])
    assert as_worker.post(goal_url, {"description": ""}).status_code == 200
    assert as_worker.post(goal_url, {"description": "Back to school"}).status_code == 302
    goal = Goal.objects.get()
    action_url = reverse("cases:action_add", args=[case.pk, goal.pk])
    assert as_worker.post(action_url, {"description": "Call"}).status_code == 200  # no owner
    response = as_worker.post(action_url, {"description": "Call", "owner": worker.user_id})
    assert response.status_code == 302
    action = goal.actions.get()
    response = as_worker.post(
        reverse("cases:action_update", args=[case.pk, action.pk]),
        {"description": "Call", "owner_text": "CCWC", "status": "done"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.owner, action.owner_text) == ("done", None, "CCWC")
    response = as_worker.post(
        reverse("cases:goal_update", args=[case.pk, goal.pk]),
        {"description": "Back to school", "status": "achieved"},
    )
    assert response.status_code == 302
    response = as_worker.post(
        reverse("cases:plan_review_add", args=[case.pk]),
        {"reviewed_on": TODAY.isoformat(), "notes": "Going well"},
    )
    assert response.status_code == 302
    page = as_worker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Back to school" in page and "Plan review" in page


def test_records_of_another_case_are_not_found(as_worker, organisation, case, worker):
    other = CaseFactory(organisation=organisation)
    goal = factories.goal(other)
    url = reverse("cases:goal_update", args=[case.pk, goal.pk])
    assert as_worker.get(url).status_code == 404


def test_conference_pages(as_worker, case):
    url = reverse("cases:conference_add", args=[case.pk])
    data = {
        "held_on": TODAY.isoformat(),
        "participants": "Sok, social worker\nChief of the commune",
        "child_views": "Wants to go home",
        "decisions": "Assess the aunt",
    }
    assert as_worker.post(url, data | {"decisions": ""}).status_code == 200
    assert as_worker.post(url, data).status_code == 302
    conference = Conference.objects.get()
    page = as_worker.get(reverse("cases:conference_detail", args=[case.pk, conference.pk]))
    assert "<li>Chief of the commune</li>" in page.content.decode()


# --- closure -----------------------------------------------------------------------------


def test_closure_through_the_pages(client, case, worker, supervisor):
    sign_in(client, worker.user)
    request_url = reverse("cases:closure_request", args=[case.pk])
    refused = client.post(request_url, {"reason": "moved_away"})
    assert "closure assessment" in refused.content.decode()
    factories.assessment(case, worker.user, kind="closure")
    assert client.post(request_url, {"reason": "moved_away", "notes": "Home"}).status_code == 302
    client.logout()
    sign_in(client, supervisor.user)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Closing waits for approval" in page
    decide = reverse("cases:closure_approve", args=[case.pk])
    assert client.post(decide, {"decision": "send_back"}).status_code == 200  # note needed
    assert (
        client.post(decide, {"decision": "send_back", "note": "One more visit"}).status_code == 302
    )
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "One more visit" in page
    client.logout()
    sign_in(client, worker.user)
    client.post(request_url, {"reason": "moved_away"})
    client.logout()
    sign_in(client, supervisor.user)
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    reopen = reverse("cases:case_reopen", args=[case.pk])
    assert client.post(reopen, {"reason": ""}).status_code == 200
    assert client.post(reopen, {"reason": "New abuse report"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "open"
    kinds = [
        e.kind for e in client.get(reverse("cases:case_detail", args=[case.pk])).context["entries"]
    ]
    assert "reopened" in kinds and "closed_before" in kinds


# --- domains -----------------------------------------------------------------------------


def test_domain_pages(client, member, organisation):
    admin = member(Role.ORG_ADMIN)
    sign_in(client, admin.user)
    url = reverse("cases:domain_list")
    assert client.post(url, {"seed": "1"}).status_code == 302
    assert AssessmentDomain.objects.filter(organisation=organisation).count() == 12
    assert client.post(url, {"name_en": "", "name_km": ""}).status_code == 200
    assert client.post(url, {"name_en": "Faith", "name_km": "ជំនឿ"}).status_code == 302
    domain = AssessmentDomain.objects.get(name_en="Faith")
    response = client.post(
        reverse("cases:domain_edit", args=[domain.pk]),
        {"name_en": "Faith", "name_km": "ជំនឿ", "position": "០៥"},
    )
    assert response.status_code == 302
    domain.refresh_from_db()
    assert (domain.position, domain.is_active) == (5, False)
    page = client.get(url).content.decode()
    assert "ជំនឿ" in page
