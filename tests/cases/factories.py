"""Rows of the cases area written straight to the database, for test set-up."""

import datetime

from phteah.cases.models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Conference,
    Goal,
    Visit,
)
from phteah.cases.services import assessment_domains_seed
from tests.factories import refresh_due


def domains(organisation):
    assessment_domains_seed(organisation=organisation)
    return list(AssessmentDomain.objects.filter(organisation=organisation, is_active=True))


def assessment(case, user, *, kind="initial", day=None, score=3, risk="high"):
    row = Assessment.objects.create(
        organisation=case.organisation,
        case=case,
        kind=kind,
        assessed_on=day or datetime.date.today(),
        assessed_by=user,
        risk_level=risk,
    )
    for domain in domains(case.organisation):
        AssessmentScore.objects.create(
            organisation=case.organisation, assessment=row, domain=domain, score=score
        )
    refresh_due(case)  # as the services do
    return row


def goal(case, description="Back to school"):
    return Goal.objects.create(organisation=case.organisation, case=case, description=description)


def action(goal_row, user=None, **kwargs):
    return Action.objects.create(
        organisation=goal_row.organisation,
        goal=goal_row,
        description=kwargs.pop("description", "Meet the school director"),
        owner=user,
        owner_text="" if user else "Commune council",
        **kwargs,
    )


def conference(case, user):
    return Conference.objects.create(
        organisation=case.organisation,
        case=case,
        held_on=datetime.date.today(),
        participants="Sok, social worker\nCCWC focal point",
        decisions="Keep in foster care for now.",
        recorded_by=user,
    )


def visit(case, user, day, next_due=None):
    row = Visit.objects.create(
        organisation=case.organisation,
        case=case,
        visited_on=day,
        kind="home",
        recorded_by=user,
        next_visit_due=next_due,
    )
    refresh_due(case)  # as the services do
    return row
