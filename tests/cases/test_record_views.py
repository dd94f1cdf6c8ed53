import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care.models import CareRule
from phteah.care.services import care_rules_seed
from phteah.cases.models import ServiceDelivery, ServiceType, Visit
from tests.factories import (
    OrganisationFactory,
    ServiceDeliveryFactory,
    ServiceTypeFactory,
    VisitFactory,
)

from ..conftest import sign_in

TODAY = timezone.localdate()


DAY = datetime.timedelta(days=1)


pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_worker(client, worker):
    sign_in(client, worker.user)
    return worker


def case_page(case):
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


class TestVisits:
    def test_the_form_suggests_the_next_visit_by_the_rules(
        self, client, signed_in_worker, organisation, case
    ):
        # The default rule table: a high-risk case is visited at least every 7 days (the
        # form used to suggest 30 days whatever the rules said).
        care_rules_seed(organisation=organisation)
        assert case.risk_level == "high"
        response = client.get(reverse("cases:visit_add", args=[case.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert response.context["form"].initial["next_visit_due"] == TODAY + 7 * DAY
        assert 'data-suggest-days="7"' in page
        assert "at least every 7 days" in page
        assert "30 days" not in page
        assert 'type="radio"' in page and "care/care.js" in page

    def test_the_suggestion_follows_the_organisations_rule(
        self, client, signed_in_worker, organisation, case
    ):
        care_rules_seed(organisation=organisation)
        CareRule.objects.filter(
            organisation=organisation, kind="visit_every", risk_level="high"
        ).update(value=3)
        response = client.get(reverse("cases:visit_add", args=[case.pk]))
        assert response.context["form"].initial["next_visit_due"] == TODAY + 3 * DAY
        assert 'data-suggest-days="3"' in response.content.decode()

    def test_no_rule_no_suggestion(self, client, signed_in_worker, organisation, case):
        CareRule.objects.filter(organisation=organisation).delete()
        response = client.get(reverse("cases:visit_add", args=[case.pk]))
        page = response.content.decode()
        assert "next_visit_due" not in response.context["form"].initial
        assert "data-suggest-days" not in page and "at least every" not in page

    def test_the_stored_due_date_is_never_later_than_the_rule(
        self, client, signed_in_worker, organisation, case
    ):
        care_rules_seed(organisation=organisation)
        visited = TODAY - DAY
        response = client.post(
            reverse("cases:visit_add", args=[case.pk]),
            {
                "visited_on": visited.isoformat(),
                "kind": "home",
                "next_visit_due": (visited + 30 * DAY).isoformat(),
            },
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.visit_due_on == visited + 7 * DAY  # the rule, not the 30 days typed
        page = client.get(case_page(case)).content.decode()
        due = visited + 7 * DAY
        assert f"{due.day} {due:%B %Y}" in page  # as English pages show dates

    def test_an_earlier_next_visit_than_the_rule_is_kept(
        self, client, signed_in_worker, organisation, case
    ):
        care_rules_seed(organisation=organisation)
        visited = TODAY - DAY
        client.post(
            reverse("cases:visit_add", args=[case.pk]),
            {
                "visited_on": visited.isoformat(),
                "kind": "home",
                "next_visit_due": (visited + 3 * DAY).isoformat(),
            },
        )
        case.refresh_from_db()
        assert case.visit_due_on == visited + 3 * DAY

    def test_recording_a_visit_with_khmer_digits(self, client, signed_in_worker, case):
        visited = TODAY - DAY
        khmer_date = visited.isoformat().translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
        response = client.post(
            reverse("cases:visit_add", args=[case.pk]),
            {
                "visited_on": khmer_date,
                "kind": "phone",
                "people_seen": "the grandmother",
                "schooling": "attending",
                "wellbeing_notes": "Fine.",
                "next_visit_due": (visited + 30 * DAY).isoformat(),
            },
        )
        assert response.status_code == 302 and response.url == case_page(case)
        visit = Visit.objects.get(case=case)
        assert visit.visited_on == visited and visit.kind == "phone"

    def test_a_next_visit_before_the_visit_is_refused(self, client, signed_in_worker, case):
        response = client.post(
            reverse("cases:visit_add", args=[case.pk]),
            {"visited_on": TODAY.isoformat(), "kind": "home", "next_visit_due": "2020-01-01"},
        )
        assert response.status_code == 200
        assert "The next visit must be due after the date of this visit." in (
            response.content.decode()
        )
        assert not Visit.objects.exists()

    def test_editing_a_visit(self, client, signed_in_worker, case):
        visit = VisitFactory(case=case, recorded_by=signed_in_worker.user)
        url = reverse("cases:visit_edit", args=[case.pk, visit.pk])
        assert visit.people_seen in client.get(url).content.decode()
        response = client.post(
            url,
            {
                "visited_on": visit.visited_on.isoformat(),
                "kind": "school",
                "people_seen": "the teacher",
                "next_visit_due": "",
            },
        )
        assert response.status_code == 302
        visit.refresh_from_db()
        assert (visit.kind, visit.people_seen, visit.next_visit_due) == (
            "school",
            "the teacher",
            None,
        )

    def test_the_list_of_all_visits(self, client, signed_in_worker, case):
        for i in range(12):
            VisitFactory(case=case, recorded_by=signed_in_worker.user, people_seen=f"person {i}")
        page = client.get(reverse("cases:visit_list", args=[case.pk])).content.decode()
        assert "person 0" in page and "person 11" in page


class TestServices:
    def test_opening_the_form_writes_nothing(self, client, signed_in_worker, case):
        """The catalogue is set up when the organisation is created (or from the catalogue
        page), never as a side effect of opening a form."""
        response = client.get(reverse("cases:service_add", args=[case.pk]))
        assert response.status_code == 200
        assert ServiceType.objects.filter(organisation=case.organisation).count() == 0

    def test_recording_a_service_from_a_partner_in_riel(self, client, signed_in_worker, case):
        service_type = ServiceTypeFactory(organisation=case.organisation)
        partner = OrganisationFactory(name="Health Partner")
        response = client.post(
            reverse("cases:service_add", args=[case.pk]),
            {
                "service_type": service_type.pk,
                "delivered_on": TODAY.isoformat(),
                "provided_by": "partner",
                "partner": partner.pk,
                "recipient": "family",
                "quantity": "១",
                "cost": "៤០០០០",
                "currency": "KHR",
            },
        )
        assert response.status_code == 302
        service = ServiceDelivery.objects.get(case=case)
        assert (service.provider, service.cost, service.currency) == (partner, 40000, "KHR")

    def test_riel_with_decimals_is_refused(self, client, signed_in_worker, case):
        service_type = ServiceTypeFactory(organisation=case.organisation)
        response = client.post(
            reverse("cases:service_add", args=[case.pk]),
            {
                "service_type": service_type.pk,
                "delivered_on": TODAY.isoformat(),
                "provided_by": "us",
                "recipient": "child",
                "quantity": "1",
                "cost": "100.5",
                "currency": "KHR",
            },
        )
        assert response.status_code == 200
        assert "Amounts in riel have no decimals." in response.content.decode()
        assert not ServiceDelivery.objects.exists()

    def test_editing_a_service(self, client, signed_in_worker, case):
        service = ServiceDeliveryFactory(case=case, recorded_by=signed_in_worker.user)
        url = reverse("cases:service_edit", args=[case.pk, service.pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "service_type": service.service_type_id,
                "delivered_on": service.delivered_on.isoformat(),
                "provided_by": "other",
                "provider_name": "District hospital",
                "recipient": "child",
                "quantity": "2",
                "cost": "",
                "currency": "USD",
            },
        )
        assert response.status_code == 302
        service.refresh_from_db()
        assert service.provider is None and service.provider_name == "District hospital"
        assert service.cost is None and service.quantity == 2


class TestServiceTypes:
    @pytest.fixture
    def admin(self, client, member):
        membership = member(Role.ORG_ADMIN)
        sign_in(client, membership.user)
        return membership

    def test_seed_add_and_rename(self, client, admin, organisation):
        url = reverse("cases:service_type_list")
        assert "Add the standard list of services" in client.get(url).content.decode()
        assert client.post(url).status_code == 302
        assert ServiceType.objects.filter(organisation=organisation).count() == 17
        response = client.post(
            reverse("cases:service_type_add"), {"name_en": "Bicycle", "name_km": "កង់"}
        )
        assert response.status_code == 302
        bicycle = ServiceType.objects.get(name_en="Bicycle")
        response = client.post(
            reverse("cases:service_type_edit", args=[bicycle.pk]),
            {"name_en": "Bicycle for school", "name_km": "កង់ទៅសាលា"},
        )
        assert response.status_code == 302
        bicycle.refresh_from_db()
        assert bicycle.name_en == "Bicycle for school" and not bicycle.is_active
        assert "Bicycle for school" in client.get(url).content.decode()

    def test_a_duplicate_name_is_shown_and_changes_nothing(self, client, admin, organisation):
        ServiceTypeFactory(organisation=organisation, name_en="Counselling")
        response = client.post(
            reverse("cases:service_type_add"), {"name_en": "counselling", "name_km": "x"}
        )
        assert response.status_code == 200
        assert "already has a service with this name" in response.content.decode()
        assert ServiceType.objects.count() == 1
