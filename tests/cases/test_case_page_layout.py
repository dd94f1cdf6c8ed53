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

    person = PersonFactory(organisation=organisation, created_by=worker.user)
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
