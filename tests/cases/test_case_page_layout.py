"""The case page built for a phone (summary with what is due next, an action bar, folded
sections), the error summary at the top of a failed form, and time fields."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.cases.models import Case, Visit
from tests.conftest import sign_in
from tests.factories import CaseFactory

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


# --- the error summary -------------------------------------------------------------------


def test_a_failed_form_opens_on_a_summary_linking_to_each_field(as_worker, case):
    url = reverse("cases:visit_add", args=[case.pk])
    page = as_worker.get(url)
    assert "error-summary" not in page.content.decode()
    response = as_worker.post(
        url,
        {
            "submission": page.context["form"]["submission"].value(),
            "visited_on": "not a date",
            "kind": "nonsense",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Visit.objects.exists()
    summary = html[html.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "Please correct 2 errors" in summary
    assert 'href="#id_visited_on"' in summary
    assert 'href="#id_kind"' in summary
    # Each link leads to an element of the page with that id.
    assert 'id="id_visited_on"' in html
    assert 'id="id_kind"' in html
    # The summary comes before the first field.
    assert html.index("error-summary") < html.index('id="id_visited_on"')


def test_one_error_is_said_in_the_singular(as_worker, case):
    url = reverse("cases:visit_add", args=[case.pk])
    page = as_worker.get(url)
    response = as_worker.post(
        url,
        {
            "submission": page.context["form"]["submission"].value(),
            "visited_on": "2024-01-01",
            "kind": "nonsense",
        },
    )
    assert "Please correct 1 error<" in response.content.decode()


# --- time fields ---------------------------------------------------------------------------


def test_the_time_of_identification_is_a_text_field_taking_14_30_forms(
    as_worker, organisation, worker, supervisor
):
    from tests.factories import PersonFactory

    # Born before the identification date below (a random birth date could fall after it).
    person = PersonFactory(
        organisation=organisation, created_by=worker.user, date_of_birth=datetime.date(2015, 3, 1)
    )
    url = reverse("cases:case_add")
    page = as_worker.get(url, {"person": person.pk})
    field = re.search(r"<input[^>]*name=\"identified_time\"[^>]*>", page.content.decode())[0]
    assert 'type="text"' in field and 'inputmode="decimal"' in field
    response = as_worker.post(
        url,
        {
            "submission": page.context["form"]["submission"].value(),
            "person": person.pk,
            "case_type": "foster_care",
            "referral_source": "hotline",
            "referral_reason": "Left at the hospital.",
            "identified_on": "2025-01-05",
            "identified_time": "១៤៣០",
            "risk_level": "high",
            "supervisor": supervisor.user_id,
            "main_worker": worker.user_id,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(person=person)
    assert timezone.localtime(case.identified_at).strftime("%H:%M") == "14:30"


# --- the case page -----------------------------------------------------------------------


def _html(client, case):
    response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_case_page_opens_on_a_summary_with_what_is_due_next(as_worker, case, worker):
    from tests import factories

    factories.visit(
        case, worker.user, TODAY - datetime.timedelta(days=20), TODAY - datetime.timedelta(days=3)
    )
    goal = factories.goal(case)
    factories.action(goal, due_on=TODAY + datetime.timedelta(days=9), description="See the teacher")
    factories.action(goal, due_on=TODAY + datetime.timedelta(days=30), description="Later")
    case.refresh_from_db()
    response, html = _html(as_worker, case)
    due = response.context["due"]
    keys = [item.key for item in due]
    assert "visit" in keys and "plan" in keys
    visit = next(item for item in due if item.key == "visit")
    assert visit.overdue and visit.day == case.visit_due_on
    plan = next(item for item in due if item.key == "plan")
    assert plan.label == "See the teacher" and not plan.overdue
    assert [item.day for item in due] == sorted(item.day for item in due)
    glance = html[html.index('class="card case-glance"') : html.index('id="fold-case"')]
    assert case.person.given_name_latin in glance
    assert case.get_risk_level_display() in glance
    assert case.get_stage_display() in glance
    assert worker.user.display_name("en") in glance
    assert 'class="due-visit overdue"' in glance
    assert "overdue since" in glance
    assert "See the teacher" in glance
    # The summary comes before every fold, and the timeline is the last fold.
    assert html.index("case-glance") < html.index('<details class="card fold"')
    assert html.rindex('<details class="card fold"') == html.index('id="timeline"') - len(
        '<details class="card fold" '
    )


def test_every_part_below_the_summary_is_in_a_closed_fold(as_worker, case):
    _, html = _html(as_worker, case)
    folds = re.findall(r"<details class=\"card fold\"[^>]*>", html)
    ids = [re.search(r'id="([^"]+)"', fold)[1] for fold in folds]
    assert ids == [
        "fold-case",
        "fold-person",
        "fold-care",
        "fold-records",
        "fold-care_family",
        "fold-sharing",
        "fold-referrals",
        "assessments",
        "plan",
        "timeline",
    ]
    assert not [fold for fold in folds if " open" in fold]
    # Every section and card of the page below the summary sits in a fold.
    body = html[html.index("<main") :]
    after = body[body.index('id="fold-case"') :]
    outside = re.sub(r"<details class=\"card fold\".*?</details>\n", "", after, flags=re.S)
    assert "<section" not in outside


def test_the_action_bar_is_there_for_an_open_case_one_may_record_in(as_worker, case):
    response, html = _html(as_worker, case)
    assert response.context["can_record"] is True
    bar = html[html.index('class="action-bar"') :]
    bar = bar[: bar.index("</nav>")]
    for name in ("visit_add", "service_add", "assessment_add"):
        assert reverse(f"cases:{name}", args=[case.pk]) in bar
    assert bar.count("<a ") == 4


def test_no_action_bar_on_a_closed_case(as_worker, case):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=TODAY)
    response, html = _html(as_worker, case)
    assert response.context["can_record"] is False
    assert response.context["due"] == []
    assert "action-bar" not in html
    assert reverse("cases:visit_add", args=[case.pk]) not in html.split("case-glance")[1][:3000]


def test_no_action_bar_for_a_member_who_may_only_read(client, member, case):
    from phteah.accounts.roles import Role

    reader = member(Role.VIEWER)
    case = CaseFactory(organisation=case.organisation, workers=[reader.user])
    response = sign_in(client, reader.user).get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert response.context["can_record"] is False
    assert "action-bar" not in response.content.decode()


def test_the_second_page_of_the_timeline_opens_with_its_fold_open(as_worker, case, worker):
    from tests import factories

    for days in range(60):
        factories.visit(case, worker.user, TODAY - datetime.timedelta(days=days + 1))
    response = as_worker.get(reverse("cases:case_detail", args=[case.pk]), {"page": 2})
    fold = re.search(
        r"<details class=\"card fold\" id=\"timeline\"[^>]*>", response.content.decode()
    )
    assert " open" in fold[0]
