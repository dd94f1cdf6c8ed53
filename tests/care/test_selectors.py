import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care import selectors
from phteah.care.models import ReunificationAssessment, TracingAction
from phteah.cases.selectors import case_records_context
from tests.factories import (
    CareProviderFactory,
    CarerFactory,
    CaseFactory,
    OfficeFactory,
    PlacementFactory,
    RelativeFactory,
    ServiceDeliveryFactory,
    VisitFactory,
    refresh_due,
)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def fill(case, user, n):
    for i in range(n):
        VisitFactory(case=case, recorded_by=user, visited_on=TODAY - (i + 1) * DAY)
        ServiceDeliveryFactory(
            case=case, recorded_by=user, cost=4000, currency="KHR" if i % 2 else "USD"
        )
        PlacementFactory(
            case=case,
            recorded_by=user,
            started_on=TODAY - (2 * i + 2) * DAY,
            ended_on=TODAY - (2 * i + 1) * DAY,
            outcome="moved",
            provider=CareProviderFactory(organisation=case.organisation),
        )
        TracingAction.objects.create(
            organisation=case.organisation,
            case=case,
            done_on=TODAY,
            where_searched="market",
            done_by="staff",
            outcome="-",
        )
        relative = RelativeFactory(case=case)
        ReunificationAssessment.objects.create(
            organisation=case.organisation,
            case=case,
            assessed_on=TODAY,
            relative=relative,
            recommendation="not_yet",
            notes="-",
            assessed_by=user,
        )


def count_queries(worker, case):
    """The care sections and the visits-and-services section of the case page."""
    with CaptureQueriesContext(connection) as queries:
        context = selectors.care_case_context(actor=worker, case=case)
        context |= case_records_context(actor=worker, case=case)
        for template in ("care/case_sections.html", "care/_family_sections.html"):
            render_to_string(template, {"case": case, **context})
        render_to_string("cases/_records.html", {"case": case, **context})
    return len(queries), context


class TestCaseContext:
    def test_the_query_count_does_not_grow_with_the_data(self, worker, organisation):
        small = CaseFactory(organisation=organisation, workers=[worker.user])
        large = CaseFactory(organisation=organisation, workers=[worker.user])
        fill(small, worker.user, 5)
        fill(large, worker.user, 50)
        small_count, small_context = count_queries(worker, small)
        large_count, large_context = count_queries(worker, large)
        assert small_count == large_count <= 9
        assert len(large_context["records"]["visits"]) == 10
        assert large_context["records"]["visit_count"] == 50
        assert large_context["records"]["more_visits"]
        assert not small_context["records"]["more_visits"]

    def test_current_placement_next_visit_and_totals(self, worker, case, organisation):
        provider = CareProviderFactory(organisation=organisation, name="Family Sok")
        PlacementFactory(
            case=case, provider=provider, recorded_by=worker.user, started_on=TODAY - 12 * DAY
        )
        VisitFactory(
            case=case,
            recorded_by=worker.user,
            visited_on=TODAY - 40 * DAY,
            next_visit_due=TODAY - 10 * DAY,
        )
        ServiceDeliveryFactory(case=case, recorded_by=worker.user, cost=10, currency="USD")
        ServiceDeliveryFactory(case=case, recorded_by=worker.user, cost=5.5, currency="USD")
        ServiceDeliveryFactory(case=case, recorded_by=worker.user, cost=40000, currency="KHR")
        ServiceDeliveryFactory(case=case, recorded_by=worker.user, cost=None)
        refresh_due(case)  # the page shows the stored due date, as the services keep it
        care = selectors.care_case_context(actor=worker, case=case)["care"]
        records = case_records_context(actor=worker, case=case)["records"]
        assert care["current_placement"].provider == provider
        assert care["current_placement_days"] == 12
        assert records["next_visit_due"] == TODAY - 10 * DAY and records["visit_overdue"]
        assert [(t["currency"], t["total"], t["count"]) for t in records["service_totals"]] == [
            ("KHR", 40000, 1),
            ("USD", 15.5, 2),
        ]
        assert care["can_edit"] and records["can_edit"]
        html = render_to_string("care/case_sections.html", {"case": case, "care": care})
        assert "Family Sok" in html and "12 days in this placement" in html
        html = render_to_string("cases/_records.html", {"case": case, "records": records})
        assert "Overdue" in html

    def test_a_viewer_gets_no_add_links(self, member, case):
        viewer = member(Role.VIEWER)
        care = selectors.care_case_context(actor=viewer, case=case)["care"]
        records = case_records_context(actor=viewer, case=case)["records"]
        assert not care["can_edit"] and not records["can_edit"]
        html = render_to_string("care/case_sections.html", {"case": case, "care": care})
        assert "/placements/add/" not in html
        html = render_to_string("cases/_records.html", {"case": case, "records": records})
        assert "/visits/add/" not in html and "/services/add/" not in html


class TestProviders:
    def test_occupancy_counts_only_current_placements(self, worker, organisation):
        full = CareProviderFactory(organisation=organisation, name="A", capacity=2)
        empty = CareProviderFactory(organisation=organisation, name="B", capacity=3)
        for _ in range(3):
            PlacementFactory(
                case=CaseFactory(organisation=organisation), provider=full, recorded_by=worker.user
            )
        PlacementFactory(
            case=CaseFactory(organisation=organisation),
            provider=empty,
            recorded_by=worker.user,
            ended_on=TODAY,
            outcome="moved",
        )
        rows = {p.name: (p.occupied, p.capacity) for p in selectors.provider_list(actor=worker)}
        assert rows == {"A": (3, 2), "B": (0, 3)}

    def test_list_queries_do_not_grow(self, worker, organisation, django_assert_max_num_queries):
        def count():
            with CaptureQueriesContext(connection) as queries:
                list(selectors.provider_list(actor=worker))
            return len(queries)

        CareProviderFactory(organisation=organisation)
        one = count()
        for _ in range(20):
            provider = CareProviderFactory(organisation=organisation)
            PlacementFactory(
                case=CaseFactory(organisation=organisation),
                provider=provider,
                recorded_by=worker.user,
            )
        with django_assert_max_num_queries(one):
            list(selectors.provider_list(actor=worker))
        assert count() == one == 1

    def test_other_organisations_providers_are_hidden(self, worker, other_organisation):
        CareProviderFactory(organisation=other_organisation)
        assert not selectors.provider_list(actor=worker).exists()

    def test_the_detail_names_only_children_the_actor_may_see(self, member, organisation):
        office, far_office = (
            OfficeFactory(organisation=organisation),
            OfficeFactory(organisation=organisation),
        )
        worker = member(Role.CASE_WORKER, office=office)
        colleague = member(Role.CASE_WORKER, office=office)
        stranger = member(Role.CASE_WORKER, office=far_office)
        provider = CareProviderFactory(organisation=organisation, capacity=5)
        CarerFactory(provider=provider, name="Sok Mealea")
        mine = CaseFactory(organisation=organisation, workers=[worker.user])
        team = CaseFactory(organisation=organisation, workers=[colleague.user])
        hidden = CaseFactory(organisation=organisation, workers=[stranger.user])
        for case in (mine, team, hidden):
            PlacementFactory(case=case, provider=provider, recorded_by=worker.user)
        detail = selectors.provider_detail(actor=worker, provider=provider)
        assert {p.case for p in detail["placed"]} == {mine, team}
        assert detail["hidden_count"] == 1
        assert [c.name for c in detail["carers"]] == ["Sok Mealea"]
