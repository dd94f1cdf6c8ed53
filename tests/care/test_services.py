import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care import services
from phteah.care.models import Placement, ReunificationAssessment
from phteah.cases.models import Case, ServiceDelivery, ServiceType, Visit
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent

from ..factories import CaseFactory, OrganisationFactory
from .factories import (
    CareProviderFactory,
    CarerFactory,
    PlacementFactory,
    RelativeFactory,
    ServiceTypeFactory,
    VisitFactory,
)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-id").first()


class TestVisits:
    def test_recording_a_visit_writes_it_and_one_event(self, worker, case, events):
        visit = services.visit_record(
            actor=worker,
            case_id=case.pk,
            visited_on=TODAY - 2 * DAY,
            kind=Visit.Kind.HOME,
            people_seen="the child",
            schooling=Visit.Schooling.ATTENDING,
            wellbeing_notes="Eating well.",
            next_visit_due=TODAY + 28 * DAY,
            ip="10.0.0.1",
        )
        assert visit.organisation_id == case.organisation_id
        assert visit.recorded_by == worker.user
        assert events() == ["care.visit.recorded"]
        event = last_event()
        assert event.target_id == str(visit.pk)
        assert event.data == {"case": case.reference}
        assert event.changes["kind"] == [None, "home"]
        assert event.changes["next_visit_due"] == [None, str(TODAY + 28 * DAY)]

    def test_the_next_visit_must_be_due_after_the_visit(self, worker, case, events):
        with pytest.raises(ServiceError) as error:
            services.visit_record(
                actor=worker,
                case_id=case.pk,
                visited_on=TODAY,
                kind=Visit.Kind.PHONE,
                next_visit_due=TODAY,
            )
        assert error.value.field == "next_visit_due"
        assert not Visit.objects.exists() and events() == []

    def test_a_visit_cannot_be_in_the_future(self, worker, case):
        with pytest.raises(ServiceError) as error:
            services.visit_record(
                actor=worker, case_id=case.pk, visited_on=TODAY + DAY, kind=Visit.Kind.HOME
            )
        assert error.value.field == "visited_on"

    def test_updating_logs_only_the_changed_fields(self, worker, case, events):
        visit = VisitFactory(case=case, recorded_by=worker.user, people_seen="the child")
        services.visit_update(
            actor=worker,
            case_id=case.pk,
            visit_id=visit.pk,
            visited_on=visit.visited_on,
            kind=visit.kind,
            people_seen="the child and the aunt",
            next_visit_due=visit.next_visit_due,
        )
        assert events() == ["care.visit.updated"]
        assert last_event().changes == {"people_seen": ["the child", "the child and the aunt"]}

    def test_a_viewer_cannot_record(self, member, case, events):
        viewer = member(Role.VIEWER)
        case.supervisor = viewer.user
        case.save()
        with pytest.raises(Http404):
            services.visit_record(
                actor=viewer, case_id=case.pk, visited_on=TODAY, kind=Visit.Kind.HOME
            )
        assert events() == []

    def test_another_organisation_gets_404(self, member, other_organisation, case):
        outsider = member(Role.SUPERVISOR, org=other_organisation)
        with pytest.raises(Http404):
            services.visit_record(
                actor=outsider, case_id=case.pk, visited_on=TODAY, kind=Visit.Kind.HOME
            )

    def test_a_visit_of_another_case_is_not_found(self, worker, case, organisation):
        other_case = CaseFactory(organisation=organisation, workers=[worker.user])
        visit = VisitFactory(case=other_case, recorded_by=worker.user)
        with pytest.raises(Http404):
            services.visit_update(
                actor=worker,
                case_id=case.pk,
                visit_id=visit.pk,
                visited_on=TODAY,
                kind=Visit.Kind.HOME,
            )


class TestServiceCatalogue:
    def test_seeding_gives_the_standard_list_once(self, organisation, events):
        assert services.service_types_seed(organisation=organisation) == 17
        assert services.service_types_seed(organisation=organisation) == 0
        types = ServiceType.objects.filter(organisation=organisation)
        assert types.count() == 17
        assert all(t.name_km and t.name_en for t in types)
        assert types.get(code="birth_certificate").name_km == "ជំនួយការធ្វើសំបុត្រកំណើត"
        assert events() == ["care.service_type.seeded"]

    def test_an_organisation_with_its_own_list_is_not_seeded(self, organisation):
        ServiceTypeFactory(organisation=organisation)
        assert services.service_types_seed(organisation=organisation) == 0

    def test_admins_add_and_rename(self, member, organisation, events):
        admin = member(Role.ORG_ADMIN)
        service_type = services.service_type_create(
            actor=admin, name_en="Bicycle for school", name_km="កង់ទៅសាលា"
        )
        assert service_type.code == "bicycle_for_school"
        services.service_type_update(
            actor=admin,
            service_type_id=service_type.pk,
            name_en="Bicycle",
            name_km="កង់",
            is_active=False,
        )
        service_type.refresh_from_db()
        assert (service_type.name_en, service_type.is_active) == ("Bicycle", False)
        assert events() == ["care.service_type.created", "care.service_type.updated"]
        assert last_event().changes["is_active"] == [True, False]

    def test_names_are_unique_and_codes_free(self, member, organisation):
        admin = member(Role.ORG_ADMIN)
        ServiceTypeFactory(organisation=organisation, code="counselling", name_en="Other")
        created = services.service_type_create(actor=admin, name_en="Counselling", name_km="")
        assert created.code == "counselling_2"
        with pytest.raises(ServiceError):
            services.service_type_create(actor=admin, name_en="counselling", name_km="")

    def test_only_admins_manage_the_list(self, worker):
        with pytest.raises(PermissionError):
            services.service_type_create(actor=worker, name_en="X", name_km="")


class TestServicesDelivered:
    def record(self, worker, case, **kwargs):
        values = {
            "service_type": ServiceTypeFactory(organisation=case.organisation),
            "delivered_on": TODAY,
        } | kwargs
        return services.service_record(actor=worker, case_id=case.pk, **values)

    def test_by_default_the_organisation_itself_provided_it(self, worker, case, events):
        service = self.record(worker, case, cost=Decimal("12.50"))
        assert service.provider_id == worker.organisation_id
        assert service.currency == "USD" and service.recorded_by == worker.user
        assert events() == ["care.service.recorded"]
        assert last_event().data["case"] == case.reference

    def test_a_partner_or_a_named_provider(self, worker, case):
        partner = OrganisationFactory()
        assert self.record(worker, case, provider=partner).provider == partner
        named = self.record(worker, case, provider_name="Referral hospital")
        assert named.provider is None and named.provider_name == "Referral hospital"
        with pytest.raises(ServiceError):
            self.record(worker, case, provider=partner, provider_name="Also this")

    def test_riel_has_no_decimals(self, worker, case, events):
        with pytest.raises(ServiceError) as error:
            self.record(worker, case, cost=Decimal("4000.50"), currency="KHR")
        assert error.value.field == "cost"
        assert not ServiceDelivery.objects.exists() and events() == []
        assert self.record(worker, case, cost=Decimal("4000"), currency="KHR").cost == 4000

    def test_dollars_may_have_cents(self, worker, case):
        assert self.record(worker, case, cost=Decimal("0.75")).cost == Decimal("0.75")

    def test_an_inactive_or_foreign_service_is_refused(self, worker, case, other_organisation):
        inactive = ServiceTypeFactory(organisation=case.organisation, is_active=False)
        with pytest.raises(ServiceError):
            self.record(worker, case, service_type=inactive)
        foreign = ServiceTypeFactory(organisation=other_organisation)
        with pytest.raises(ServiceError):
            self.record(worker, case, service_type=foreign)

    def test_updating_keeps_an_inactive_service_it_already_has(self, worker, case, events):
        service = self.record(worker, case)
        service.service_type.is_active = False
        service.service_type.save()
        services.service_update(
            actor=worker,
            case_id=case.pk,
            service_id=service.pk,
            service_type=service.service_type,
            delivered_on=TODAY - DAY,
            quantity=Decimal(2),
        )
        service.refresh_from_db()
        assert service.quantity == 2
        assert events() == ["care.service.recorded", "care.service.updated"]
        assert set(last_event().changes) == {"delivered_on", "quantity"}

    def test_a_service_moves_a_planned_case_to_implementing(self, worker, case):
        from phteah.cases.models import Goal

        Goal.objects.create(organisation=case.organisation, case=case, description="School")
        case.stage = Case.Stage.PLANNED
        case.save()
        self.record(worker, case)
        case.refresh_from_db()
        assert case.stage == Case.Stage.IMPLEMENTING


class TestProviders:
    def test_create_update_and_carers(self, worker, events):
        provider = services.provider_create(
            actor=worker, kind="foster_family", name="Family Sok", capacity=2
        )
        services.provider_update(
            actor=worker,
            provider_id=provider.pk,
            kind="foster_family",
            name="Family Sok",
            capacity=3,
        )
        carer = services.carer_add(actor=worker, provider_id=provider.pk, name="Sok Mealea")
        services.carer_remove(actor=worker, provider_id=provider.pk, carer_id=carer.pk)
        assert events() == [
            "care.provider.created",
            "care.provider.updated",
            "care.carer.added",
            "care.carer.removed",
        ]
        assert not provider.carers.exists()
        assert last_event().data == {"provider": "Family Sok"}

    def test_names_are_unique_and_capacity_positive(self, worker, organisation):
        CareProviderFactory(organisation=organisation, name="Centre A")
        with pytest.raises(ServiceError):
            services.provider_create(actor=worker, kind="pagoda", name="centre a", capacity=3)
        with pytest.raises(ServiceError):
            services.provider_create(actor=worker, kind="pagoda", name="B", capacity=0)

    def test_a_viewer_cannot_add(self, member):
        with pytest.raises(PermissionError):
            services.provider_create(actor=member(Role.VIEWER), kind="pagoda", name="B", capacity=3)

    def test_another_organisations_carer_cannot_be_removed(self, worker, other_organisation):
        carer = CarerFactory(provider=CareProviderFactory(organisation=other_organisation))
        with pytest.raises(Http404):
            services.carer_remove(actor=worker, provider_id=carer.provider_id, carer_id=carer.pk)


class TestPlacements:
    def start(self, worker, case, **kwargs):
        values = {
            "care_type": "emergency_foster",
            "started_on": TODAY - 10 * DAY,
            "reason": "Unsafe at home.",
        } | kwargs
        return services.placement_start(actor=worker, case_id=case.pk, **values)

    def test_starting_a_placement(self, worker, case, organisation, events):
        provider = CareProviderFactory(organisation=organisation)
        placement = self.start(worker, case, provider=provider)
        assert placement.ended_on is None and placement.recorded_by == worker.user
        assert events() == ["care.placement.started"]
        assert last_event().data == {"case": case.reference, "care_type": "emergency_foster"}

    def test_a_new_placement_ends_the_current_one_on_its_start(self, worker, case, events):
        first = self.start(worker, case)
        second = self.start(worker, case, care_type="kinship", started_on=TODAY - 2 * DAY)
        first.refresh_from_db()
        assert first.ended_on == TODAY - 2 * DAY and first.outcome == "moved"
        assert Placement.objects.filter(case=case, ended_on__isnull=True).get() == second
        assert events() == [
            "care.placement.started",
            "care.placement.ended",
            "care.placement.started",
        ]

    def test_a_new_placement_cannot_start_before_the_current_one(self, worker, case, events):
        first = self.start(worker, case)
        with pytest.raises(ServiceError) as error:
            self.start(worker, case, started_on=TODAY - 11 * DAY)
        assert error.value.field == "started_on"
        first.refresh_from_db()
        assert first.ended_on is None and Placement.objects.count() == 1
        assert events() == ["care.placement.started"]

    def test_a_new_placement_cannot_overlap_an_ended_one(self, worker, case):
        PlacementFactory(
            case=case,
            recorded_by=worker.user,
            started_on=TODAY - 30 * DAY,
            ended_on=TODAY - 5 * DAY,
            outcome="moved",
        )
        with pytest.raises(ServiceError):
            self.start(worker, case, started_on=TODAY - 6 * DAY)
        assert self.start(worker, case, started_on=TODAY - 5 * DAY)

    def test_a_full_provider_needs_confirmation(self, worker, case, organisation, events):
        provider = CareProviderFactory(organisation=organisation, capacity=1)
        other = CaseFactory(organisation=organisation)
        PlacementFactory(case=other, provider=provider, recorded_by=worker.user)
        with pytest.raises(ServiceError) as error:
            self.start(worker, case, provider=provider)
        assert error.value.field == "over_capacity"
        assert not Placement.objects.filter(case=case).exists() and events() == []
        self.start(worker, case, provider=provider, over_capacity=True)
        assert last_event().data == {
            "case": case.reference,
            "care_type": "emergency_foster",
            "over_capacity": True,
            "occupied": 1,
            "capacity": 1,
        }

    def test_moving_within_the_same_provider_frees_the_childs_own_place(
        self, worker, case, organisation
    ):
        provider = CareProviderFactory(organisation=organisation, capacity=1)
        self.start(worker, case, provider=provider)
        self.start(worker, case, care_type="long_term_foster", provider=provider, started_on=TODAY)
        assert "over_capacity" not in last_event().data

    def test_the_provider_must_fit_the_care_type(self, worker, case, organisation):
        pagoda = CareProviderFactory(organisation=organisation, kind="pagoda")
        with pytest.raises(ServiceError):
            self.start(worker, case, provider=pagoda)
        with pytest.raises(ServiceError):
            self.start(worker, case, care_type="kinship", provider=pagoda)
        assert self.start(worker, case, care_type="pagoda", provider=pagoda)

    def test_ending(self, worker, case, events):
        placement = self.start(worker, case)
        with pytest.raises(ServiceError) as error:
            services.placement_end(
                actor=worker,
                case_id=case.pk,
                placement_id=placement.pk,
                ended_on=TODAY - 11 * DAY,
                outcome="reintegrated",
            )
        assert error.value.field == "ended_on"
        services.placement_end(
            actor=worker,
            case_id=case.pk,
            placement_id=placement.pk,
            ended_on=TODAY,
            outcome="reintegrated",
            outcome_notes="Back with the grandmother.",
        )
        placement.refresh_from_db()
        assert placement.ended_on == TODAY and placement.outcome == "reintegrated"
        assert events() == ["care.placement.started", "care.placement.ended"]
        with pytest.raises(ServiceError):
            services.placement_end(
                actor=worker,
                case_id=case.pk,
                placement_id=placement.pk,
                ended_on=TODAY,
                outcome="moved",
            )

    def test_a_kinship_placement_moves_the_case_to_follow_up(self, worker, case):
        self.start(worker, case, care_type="kinship")
        case.refresh_from_db()
        assert case.stage == Case.Stage.FOLLOW_UP


class TestTracingAndReunification:
    def test_tracing_and_relatives(self, worker, case, events):
        services.tracing_record(
            actor=worker,
            case_id=case.pk,
            done_on=TODAY,
            where_searched="Phum Muoy market",
            done_by="Commune council",
            outcome="Neighbour knows the aunt.",
        )
        relative = services.relative_add(
            actor=worker,
            case_id=case.pk,
            name="Chan Srey",
            relationship="aunt",
            found_on=TODAY,
            willing_to_care=True,
        )
        assert relative.willing_to_care and relative.case == case
        assert events() == ["care.tracing.recorded", "care.relative.added"]

    def test_reunification_date_only_with_reunify(self, worker, case, events):
        relative = RelativeFactory(case=case)
        with pytest.raises(ServiceError) as error:
            services.reunification_record(
                actor=worker,
                case_id=case.pk,
                assessed_on=TODAY - DAY,
                recommendation=ReunificationAssessment.Recommendation.NOT_YET,
                notes="Needs income support first.",
                relative=relative,
                reunified_on=TODAY,
            )
        assert error.value.field == "reunified_on" and events() == []
        services.reunification_record(
            actor=worker,
            case_id=case.pk,
            assessed_on=TODAY - DAY,
            recommendation=ReunificationAssessment.Recommendation.REUNIFY,
            notes="Safe and willing.",
            relative=relative,
            reunified_on=TODAY,
        )
        case.refresh_from_db()
        assert case.stage == Case.Stage.FOLLOW_UP
        assert events() == ["care.reunification.recorded"]

    def test_a_relative_of_another_case_is_refused(self, worker, case, organisation):
        stranger = RelativeFactory(case=CaseFactory(organisation=organisation))
        with pytest.raises(ServiceError):
            services.reunification_record(
                actor=worker,
                case_id=case.pk,
                assessed_on=TODAY,
                recommendation="not_suitable",
                notes="-",
                relative=stranger,
            )
