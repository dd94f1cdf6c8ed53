"""Voiding a mistaken visit, service or assessment, and restoring it: who may, the reason,
the audit events, and that a voided record counts for nothing (due dates, counts, the latest
assessment) while it stays in the case."""

import datetime

import pytest
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases import due, selectors, services
from phteah.cases.models import Assessment, Case, Visit
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from tests.factories import (
    CaseFactory,
    ServiceDeliveryFactory,
    VisitFactory,
    dated_assessment,
    dated_visit,
    refresh_due,
)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def _reload(case) -> Case:
    return Case.objects.get(pk=case.pk)


class TestVisitVoid:
    def test_voiding_keeps_the_visit_marks_it_and_writes_one_event(self, worker, case, events):
        visit = dated_visit(case, TODAY - 3 * DAY, by=worker.user)
        before = events()
        services.visit_void(
            actor=worker, case_id=case.pk, visit_id=visit.pk, reason="  Wrong child.  "
        )
        visit.refresh_from_db()
        assert visit.is_voided and visit.voided_by == worker.user
        assert visit.void_reason == "Wrong child."
        assert Visit.objects.filter(pk=visit.pk).exists()  # never deleted
        assert events()[len(before) :] == ["care.visit.voided"]
        event = AuditEvent.objects.order_by("-id").first()
        assert event.data == {"reason": "Wrong child."} and event.case_id == case.pk
        assert event.changes["void_reason"] == ["", "Wrong child."]

    def test_a_reason_is_required(self, worker, case):
        visit = dated_visit(case, TODAY - 3 * DAY, by=worker.user)
        with pytest.raises(ServiceError) as error:
            services.visit_void(actor=worker, case_id=case.pk, visit_id=visit.pk, reason="  ")
        assert error.value.field == "reason"
        visit.refresh_from_db()
        assert not visit.is_voided

    def test_voiding_twice_is_refused(self, worker, case, events):
        visit = dated_visit(case, TODAY - 3 * DAY, by=worker.user)
        services.visit_void(actor=worker, case_id=case.pk, visit_id=visit.pk, reason="Wrong.")
        count = len(events())
        with pytest.raises(ServiceError):
            services.visit_void(actor=worker, case_id=case.pk, visit_id=visit.pk, reason="Again")
        assert len(events()) == count

    def test_a_voided_visit_is_read_only(self, worker, case):
        visit = dated_visit(case, TODAY - 3 * DAY, by=worker.user)
        services.visit_void(actor=worker, case_id=case.pk, visit_id=visit.pk, reason="Wrong.")
        with pytest.raises(ServiceError):
            services.visit_update(
                actor=worker,
                case_id=case.pk,
                visit_id=visit.pk,
                visited_on=visit.visited_on,
                kind=Visit.Kind.PHONE,
            )
        visit.refresh_from_db()
        assert visit.kind == Visit.Kind.HOME

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.ME_OFFICER, Role.ORG_ADMIN])
    def test_those_who_may_not_change_the_case_cannot_void(self, member, case, role):
        visit = dated_visit(case, TODAY - 3 * DAY)
        with pytest.raises(NotFound):
            services.visit_void(
                actor=member(role), case_id=case.pk, visit_id=visit.pk, reason="Wrong."
            )

    def test_a_worker_of_another_case_cannot_void(self, member, case):
        stranger = member(Role.CASE_WORKER)
        visit = dated_visit(case, TODAY - 3 * DAY)
        with pytest.raises(NotFound):
            services.visit_void(actor=stranger, case_id=case.pk, visit_id=visit.pk, reason="x")

    def test_another_organisations_member_cannot_void(self, member, case, other_organisation):
        outsider = member(Role.SUPERVISOR, org=other_organisation)
        visit = dated_visit(case, TODAY - 3 * DAY)
        with pytest.raises(NotFound):
            services.visit_void(actor=outsider, case_id=case.pk, visit_id=visit.pk, reason="x")

    def test_the_supervisor_of_the_case_may_void(self, supervisor, case):
        visit = dated_visit(case, TODAY - 3 * DAY)
        services.visit_void(actor=supervisor, case_id=case.pk, visit_id=visit.pk, reason="x")
        visit.refresh_from_db()
        assert visit.is_voided

    def test_a_closed_case_is_read_only(self, worker, case):
        visit = dated_visit(case, TODAY - 3 * DAY)
        Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
        with pytest.raises(ServiceError):
            services.visit_void(actor=worker, case_id=case.pk, visit_id=visit.pk, reason="x")


class TestRestore:
    def test_only_a_supervisor_restores(self, worker, supervisor, case, events):
        visit = dated_visit(case, TODAY - 3 * DAY)
        services.visit_void(actor=worker, case_id=case.pk, visit_id=visit.pk, reason="Oops")
        with pytest.raises(NotFound):
            services.visit_restore(actor=worker, case_id=case.pk, visit_id=visit.pk)
        visit.refresh_from_db()
        assert visit.is_voided
        services.visit_restore(actor=supervisor, case_id=case.pk, visit_id=visit.pk)
        visit.refresh_from_db()
        assert not visit.is_voided and visit.voided_by is None and visit.void_reason == ""
        assert events()[-1] == "care.visit.restored"

    def test_restoring_a_valid_record_is_refused(self, supervisor, case):
        visit = dated_visit(case, TODAY - 3 * DAY)
        with pytest.raises(ServiceError):
            services.visit_restore(actor=supervisor, case_id=case.pk, visit_id=visit.pk)

    def test_restored_visit_counts_again(self, worker, supervisor, case):
        dated_visit(case, TODAY - 20 * DAY, next_visit_due=TODAY + 5 * DAY)
        late = dated_visit(case, TODAY - 2 * DAY, next_visit_due=TODAY + 9 * DAY)
        services.visit_void(actor=worker, case_id=case.pk, visit_id=late.pk, reason="Oops")
        assert _reload(case).visit_due_on == TODAY + 5 * DAY
        services.visit_restore(actor=supervisor, case_id=case.pk, visit_id=late.pk)
        assert _reload(case).visit_due_on == TODAY + 9 * DAY


class TestExcludedFromDueDatesAndCounts:
    def test_the_next_visit_due_comes_from_the_latest_valid_visit(self, worker, case):
        dated_visit(case, TODAY - 20 * DAY, next_visit_due=TODAY - 1 * DAY)
        wrong = dated_visit(case, TODAY - 2 * DAY, next_visit_due=TODAY + 25 * DAY)
        assert _reload(case).visit_due_on == TODAY + 25 * DAY
        services.visit_void(actor=worker, case_id=case.pk, visit_id=wrong.pk, reason="Wrong")
        reloaded = _reload(case)
        assert reloaded.visit_due_on == TODAY - 1 * DAY  # overdue again: My work shows it
        assert reloaded.last_visited_on == TODAY - 20 * DAY

    def test_the_case_pages_counts_leave_voided_records_out(self, worker, case):
        kept = VisitFactory(case=case, recorded_by=worker.user, visited_on=TODAY - 9 * DAY)
        wrong = VisitFactory(case=case, recorded_by=worker.user, visited_on=TODAY - 1 * DAY)
        service = ServiceDeliveryFactory(case=case, recorded_by=worker.user, cost=10)
        ServiceDeliveryFactory(
            case=case, recorded_by=worker.user, cost=5, service_type=service.service_type
        )
        refresh_due(case)
        services.visit_void(actor=worker, case_id=case.pk, visit_id=wrong.pk, reason="Twice")
        services.service_void(actor=worker, case_id=case.pk, service_id=service.pk, reason="Twice")
        case.refresh_from_db()  # as the case page reads it
        records = selectors.case_records_context(actor=worker, case=case)["records"]
        assert records["visit_count"] == 1
        assert [v.pk for v in records["visits"]] == [wrong.pk, kept.pk]  # shown, struck
        # The stored due date, from the kept visit only: its next-visit date, or earlier if the
        # organisation's rule asks for it (the voided visit's later date counts for nothing).
        every = due.visit_interval(case)
        expected = kept.next_visit_due
        if every is not None:
            expected = min(expected, kept.visited_on + datetime.timedelta(days=every))
        assert records["next_visit_due"] == case.visit_due_on == expected
        assert records["service_count"] == 1
        assert [t["total"] for t in records["service_totals"]] == [5]
        assert len(records["services"]) == 2
        assert [v.pk for v in selectors.recent_visits(case)] == [kept.pk]

    def test_a_voided_service_no_longer_makes_the_case_implementing(self, worker, case):
        from tests.factories import goal

        goal(case)
        service = ServiceDeliveryFactory(case=case, recorded_by=worker.user)
        assert refresh_due(case).stage == Case.Stage.IMPLEMENTING
        services.service_void(
            actor=worker, case_id=case.pk, service_id=service.pk, reason="Not this child"
        )
        assert _reload(case).stage == Case.Stage.PLANNED
        service.refresh_from_db()
        with pytest.raises(ServiceError):
            services.service_update(
                actor=worker,
                case_id=case.pk,
                service_id=service.pk,
                service_type=service.service_type,
                delivered_on=service.delivered_on,
            )

    def test_a_voided_assessment_is_not_the_latest_and_resets_the_review(self, worker, case):
        first = dated_assessment(case, TODAY - 100 * DAY)
        wrong = dated_assessment(case, TODAY - 5 * DAY, kind=Assessment.Kind.REVIEW)
        assert selectors.latest_assessment(case) == wrong
        services.assessment_void(
            actor=worker, case_id=case.pk, assessment_id=wrong.pk, reason="Another child's"
        )
        assert selectors.latest_assessment(case) == first
        assert _reload(case).last_assessed_on == first.assessed_on
        wrong.refresh_from_db()
        assert wrong.is_voided and wrong.void_reason == "Another child's"

    def test_voiding_the_only_initial_assessment_makes_the_case_unassessed(
        self, worker, organisation
    ):
        case = CaseFactory(organisation=organisation, workers=[worker.user])
        initial = dated_assessment(case, TODAY - 1 * DAY)
        assert _reload(case).initial_limit_at is None
        services.assessment_void(
            actor=worker, case_id=case.pk, assessment_id=initial.pk, reason="Wrong case"
        )
        assert _reload(case).stage == Case.Stage.REGISTERED
