"""The care screens, used as a person would."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care.models import CareProvider, Carer, Placement, Relative, TracingAction
from phteah.cases.models import Visit
from phteah.core.models import AuditEvent
from tests.factories import (
    CareProviderFactory,
    CaseFactory,
    OfficeFactory,
    PlacementFactory,
    RelativeFactory,
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


class TestProviders:
    def test_list_shows_occupancy_and_over_capacity(self, client, signed_in_worker, organisation):
        provider = CareProviderFactory(organisation=organisation, name="Family Sok", capacity=1)
        for _ in range(2):
            PlacementFactory(
                case=CaseFactory(organisation=organisation),
                provider=provider,
                recorded_by=signed_in_worker.user,
            )
        page = client.get(reverse("care:provider_list")).content.decode()
        assert "Family Sok" in page and "2 / 1" in page and "Over capacity" in page

    def test_add_edit_and_carers(self, client, signed_in_worker, organisation):
        response = client.post(
            reverse("care:provider_add"),
            {"kind": "temporary_centre", "name": "Safe House", "capacity": "១២", "phone": ""},
        )
        provider = CareProvider.objects.get(name="Safe House")
        assert response.status_code == 302 and provider.capacity == 12
        response = client.post(
            reverse("care:provider_edit", args=[provider.pk]),
            {"kind": "temporary_centre", "name": "Safe House", "capacity": "10", "is_active": "on"},
        )
        assert response.status_code == 302
        provider.refresh_from_db()
        assert provider.capacity == 10
        client.post(
            reverse("care:carer_add", args=[provider.pk]), {"name": "Sok Mealea", "phone": "012"}
        )
        carer = Carer.objects.get(provider=provider)
        page = client.get(reverse("care:provider_detail", args=[provider.pk])).content.decode()
        assert "Sok Mealea" in page
        response = client.post(reverse("care:carer_remove", args=[provider.pk, carer.pk]))
        assert response.status_code == 302 and not Carer.objects.exists()

    def test_invalid_capacity_changes_nothing(self, client, signed_in_worker):
        response = client.post(
            reverse("care:provider_add"), {"kind": "pagoda", "name": "Wat", "capacity": "0"}
        )
        assert response.status_code == 200 and not CareProvider.objects.exists()

    def test_another_organisations_provider_is_404(
        self, client, signed_in_worker, other_organisation
    ):
        provider = CareProviderFactory(organisation=other_organisation)
        assert client.get(reverse("care:provider_detail", args=[provider.pk])).status_code == 404
        assert client.get(reverse("care:provider_edit", args=[provider.pk])).status_code == 404


class TestPlacements:
    def test_the_form_warns_that_the_current_placement_will_end(
        self, client, signed_in_worker, case
    ):
        PlacementFactory(case=case, recorded_by=signed_in_worker.user)
        page = client.get(reverse("care:placement_add", args=[case.pk])).content.decode()
        assert "Saving a new placement ends the current one" in page
        assert "data-provider-kinds" in page

    def test_over_capacity_needs_the_checkbox(self, client, signed_in_worker, case, organisation):
        provider = CareProviderFactory(organisation=organisation, capacity=1)
        PlacementFactory(
            case=CaseFactory(organisation=organisation),
            provider=provider,
            recorded_by=signed_in_worker.user,
        )
        data = {
            "care_type": "emergency_foster",
            "provider": provider.pk,
            "started_on": TODAY.isoformat(),
            "reason": "No safe home.",
        }
        url = reverse("care:placement_add", args=[case.pk])
        response = client.post(url, data)
        assert response.status_code == 200 and "is full" in response.content.decode()
        assert not Placement.objects.filter(case=case).exists()
        response = client.post(url, data | {"over_capacity": "on"})
        assert response.status_code == 302
        assert Placement.objects.get(case=case).provider == provider

    def test_a_provider_of_the_wrong_kind_is_refused(
        self, client, signed_in_worker, case, organisation
    ):
        pagoda = CareProviderFactory(organisation=organisation, kind="pagoda")
        response = client.post(
            reverse("care:placement_add", args=[case.pk]),
            {
                "care_type": "kinship",
                "provider": pagoda.pk,
                "started_on": TODAY.isoformat(),
                "reason": "x",
            },
        )
        assert response.status_code == 200 and not Placement.objects.exists()

    def test_ending_a_placement(self, client, signed_in_worker, case):
        placement = PlacementFactory(case=case, recorded_by=signed_in_worker.user)
        url = reverse("care:placement_end", args=[case.pk, placement.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"ended_on": "2000-01-01", "outcome": "reintegrated"})
        assert response.status_code == 200
        assert "cannot be before the start" in response.content.decode()
        response = client.post(url, {"ended_on": TODAY.isoformat(), "outcome": "reintegrated"})
        assert response.status_code == 302
        placement.refresh_from_db()
        assert placement.ended_on == TODAY
        assert client.get(url).status_code == 302  # already ended


class TestTracingAndReunification:
    def test_tracing_relative_and_reunification(self, client, signed_in_worker, case):
        response = client.post(
            reverse("care:tracing_add", args=[case.pk]),
            {
                "done_on": TODAY.isoformat(),
                "where_searched": "Market",
                "done_by": "Staff",
                "outcome": "Found the aunt's house.",
            },
        )
        assert response.status_code == 302 and TracingAction.objects.filter(case=case).exists()
        response = client.post(
            reverse("care:relative_add", args=[case.pk]),
            {
                "name": "Chan Srey",
                "relationship": "aunt",
                "found_on": TODAY.isoformat(),
                "willing_to_care": "on",
            },
        )
        assert response.status_code == 302
        relative = Relative.objects.get(case=case)
        url = reverse("care:reunification_add", args=[case.pk])
        assert "Chan Srey" in client.get(url).content.decode()
        response = client.post(
            url,
            {
                "assessed_on": TODAY.isoformat(),
                "relative": relative.pk,
                "recommendation": "not_yet",
                "notes": "More support first.",
                "reunified_on": TODAY.isoformat(),
            },
        )
        assert response.status_code == 200
        assert "needs the recommendation" in response.content.decode()
        response = client.post(
            url,
            {
                "assessed_on": TODAY.isoformat(),
                "relative": relative.pk,
                "recommendation": "reunify",
                "notes": "Ready.",
                "reunified_on": TODAY.isoformat(),
            },
        )
        assert response.status_code == 302

    def test_a_relative_of_another_case_cannot_be_chosen(
        self, client, signed_in_worker, case, organisation
    ):
        stranger = RelativeFactory(case=CaseFactory(organisation=organisation))
        response = client.post(
            reverse("care:reunification_add", args=[case.pk]),
            {
                "assessed_on": TODAY.isoformat(),
                "relative": stranger.pk,
                "recommendation": "not_suitable",
                "notes": "-",
            },
        )
        assert response.status_code == 200
        assert not AuditEvent.objects.filter(action="care.reunification.recorded").exists()


class TestAccess:
    def test_an_unassigned_worker_of_another_office_gets_404(self, client, member, organisation):
        office, far_office = (
            OfficeFactory(organisation=organisation),
            OfficeFactory(organisation=organisation),
        )
        owner = member(Role.CASE_WORKER, office=office)
        stranger = member(Role.CASE_WORKER, office=far_office)
        case = CaseFactory(organisation=organisation, workers=[owner.user])
        visit = VisitFactory(case=case, recorded_by=owner.user)
        sign_in(client, stranger.user)
        for url in (
            reverse("cases:visit_add", args=[case.pk]),
            reverse("cases:visit_edit", args=[case.pk, visit.pk]),
            reverse("cases:visit_list", args=[case.pk]),
            reverse("care:placement_add", args=[case.pk]),
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(
            reverse("cases:visit_add", args=[case.pk]),
            {"visited_on": TODAY.isoformat(), "kind": "home"},
        )
        assert response.status_code == 404 and Visit.objects.count() == 1

    def test_a_team_colleague_may_record(self, client, member, organisation):
        office = OfficeFactory(organisation=organisation)
        owner = member(Role.CASE_WORKER, office=office)
        colleague = member(Role.CASE_WORKER, office=office)
        case = CaseFactory(organisation=organisation, workers=[owner.user])
        sign_in(client, colleague.user)
        assert client.get(reverse("cases:visit_add", args=[case.pk])).status_code == 200

    def test_another_organisation_gets_404(self, client, member, other_organisation, case):
        sign_in(client, member(Role.SUPERVISOR, org=other_organisation).user)
        assert client.get(reverse("cases:visit_add", args=[case.pk])).status_code == 404
        assert client.get(reverse("cases:visit_list", args=[case.pk])).status_code == 404

    def test_a_visit_from_another_case_is_404(self, client, signed_in_worker, case, organisation):
        other = CaseFactory(organisation=organisation, workers=[signed_in_worker.user])
        visit = VisitFactory(case=other, recorded_by=signed_in_worker.user)
        url = reverse("cases:visit_edit", args=[case.pk, visit.pk])
        assert client.get(url).status_code == 404

    def test_the_case_page_shows_the_care_sections(self, client, signed_in_worker, case):
        VisitFactory(case=case, recorded_by=signed_in_worker.user, people_seen="grandmother")
        response = client.get(case_page(case))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="care-visits"' in page and "grandmother" in page
