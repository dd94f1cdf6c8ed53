import datetime

import pytest
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases import services
from phteah.cases.models import Visit
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from tests.factories import (
    CaseFactory,
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
        assert event.case_id == case.pk and event.data == {}
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
        with pytest.raises(NotFound):
            services.visit_record(
                actor=viewer, case_id=case.pk, visited_on=TODAY, kind=Visit.Kind.HOME
            )
        # Nothing recorded but the refusal itself.
        assert events() == ["core.access.denied"]

    def test_another_organisation_gets_404(self, member, other_organisation, case):
        outsider = member(Role.SUPERVISOR, org=other_organisation)
        with pytest.raises(NotFound):
            services.visit_record(
                actor=outsider, case_id=case.pk, visited_on=TODAY, kind=Visit.Kind.HOME
            )

    def test_a_visit_of_another_case_is_not_found(self, worker, case, organisation):
        other_case = CaseFactory(organisation=organisation, workers=[worker.user])
        visit = VisitFactory(case=other_case, recorded_by=worker.user)
        with pytest.raises(NotFound):
            services.visit_update(
                actor=worker,
                case_id=case.pk,
                visit_id=visit.pk,
                visited_on=TODAY,
                kind=Visit.Kind.HOME,
            )
