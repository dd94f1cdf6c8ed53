"""Rows hanging off a case, written directly (no services, no audit): for test set-up. Each
recomputes its case's stored due dates, as the services do."""

from datetime import date, datetime

from phteah.care.models import Placement
from phteah.cases.models import Assessment, Visit


def visit(case, visited_on: date, *, next_visit_due: date | None = None, by=None) -> Visit:
    return _refreshed(
        Visit.objects.create(
            organisation=case.organisation,
            case=case,
            visited_on=visited_on,
            kind=Visit.Kind.HOME,
            next_visit_due=next_visit_due,
            recorded_by=by or _someone(case),
        )
    )


def assessment(case, assessed_on: date, *, kind=Assessment.Kind.INITIAL, by=None) -> Assessment:
    return _refreshed(
        Assessment.objects.create(
            organisation=case.organisation,
            case=case,
            kind=kind,
            assessed_on=assessed_on,
            risk_level=case.risk_level,
            assessed_by=by or _someone(case),
        )
    )


def placement(case, care_type: str, started_on: date, *, ended_on=None, by=None) -> Placement:
    return _refreshed(
        Placement.objects.create(
            organisation=case.organisation,
            case=case,
            care_type=care_type,
            started_on=started_on,
            ended_on=ended_on,
            reason="Needs a safe place.",
            recorded_by=by or _someone(case),
        )
    )


def _refreshed(row):
    """The row, after its case's stored due dates were recomputed (as the services do)."""
    from tests.factories import refresh_due

    refresh_due(row.case)
    return row


def _someone(case):
    from tests.factories import UserFactory

    assignment = case.assignments.select_related("user").first()
    return assignment.user if assignment else UserFactory()


def at(*args) -> datetime:
    from datetime import UTC

    return datetime(*args, tzinfo=UTC)
