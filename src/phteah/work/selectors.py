"""Due and overdue work, computed in SQL from each organisation's rule table.

Every function takes the acting ``Membership`` and starts from the open cases it may see
(``cases_for``). Rules are looked up per case with subqueries on ``CareRule``: the
organisation is the case's, the care type is the current placement's (the one not ended),
the risk level is the case's. A care-type rule (or, without one, the default row with
neither care type nor risk level) and a risk-level rule both apply: the shorter interval
wins. Dates are compared as day numbers (see ``work.dates``), the same way on SQLite and
PostgreSQL."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability, Role
from phteah.care.models import CareRule, CareType, Placement
from phteah.cases.access import cases_for
from phteah.cases.models import Assessment, Case, Visit
from phteah.cases.stage import FAMILY_CARE_TYPES

from .dates import DayNumber, DayToDate, EpochSeconds, day_number, epoch_seconds

Kind = CareRule.Kind
# Assessments that count as the first one (a full assessment done straight away does too).
FIRST_ASSESSMENT_KINDS = (Assessment.Kind.INITIAL, Assessment.Kind.FULL)
# Assessments that restart the review clock.
REVIEWED_KINDS = (Assessment.Kind.INITIAL, Assessment.Kind.FULL, Assessment.Kind.REVIEW)
# A follow-up visit this many days before its date counts.
FOLLOW_UP_EARLY_DAYS = 7
WORK_ROLES = (Role.SUPERVISOR, Role.CASE_WORKER)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- the rule table --------------------------------------------------------------------


def care_rule_list(*, actor: Membership) -> QuerySet:
    """The organisation's rule table, for those who manage settings."""
    if actor is None or not actor.can(Capability.MANAGE_SETTINGS):
        raise Http404
    return CareRule.objects.filter(organisation_id=actor.organisation_id).order_by(
        "kind", "care_type", "risk_level", "value"
    )


def care_rule_get(*, actor: Membership, rule_id) -> CareRule:
    """The access function for rule rows: 404 for missing rows and other organisations'."""
    if actor is None or not actor.can(Capability.MANAGE_SETTINGS):
        raise Http404
    try:
        return CareRule.objects.get(pk=rule_id, organisation_id=actor.organisation_id)
    except (CareRule.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


# --- rule lookups -----------------------------------------------------------------------


def _current_placement(value: str):
    current = Placement.objects.filter(case=OuterRef("pk"), ended_on__isnull=True).order_by(
        "-started_on", "-created_at"
    )
    return Subquery(current.values(value)[:1])


def _rule(kind: str, **match):
    rules = CareRule.objects.filter(organisation=OuterRef("organisation"), kind=kind, **match)
    return Subquery(rules.order_by("value").values("value")[:1], output_field=IntegerField())


def with_care(queryset: QuerySet) -> QuerySet:
    """Annotate the current placement's care type and start date."""
    return queryset.annotate(
        current_care_type=_current_placement("care_type"),
        current_started_on=_current_placement("started_on"),
    )


def interval(kind: str):
    """The interval of rule *kind* for the case of each row (needs ``with_care``): the shorter
    of the care-type rule (else the default row) and the risk-level rule; NULL if none."""
    by_care = _rule(kind, care_type=OuterRef("current_care_type"), risk_level="")
    default = _rule(kind, care_type="", risk_level="")
    by_risk = _rule(kind, care_type="", risk_level=OuterRef("risk_level"))
    return Least(Coalesce(by_care, default, by_risk), Coalesce(by_risk, by_care, default))


def open_cases(actor: Membership) -> QuerySet:
    return cases_for(actor).filter(status=Case.Status.OPEN)


# --- the computations -------------------------------------------------------------------


def _latest_visit(value: str):
    latest = Visit.objects.filter(case=OuterRef("pk")).order_by("-visited_on", "-created_at")
    return Subquery(latest.values(value)[:1])


def visits_annotate(queryset: QuerySet) -> QuerySet:
    """Add ``visit_every`` (days), ``last_visited_on`` and ``next_visit_day`` / ``visit_due_on``:
    the latest visit's next-visit date, else the latest visit plus the interval, else the
    opening date plus the interval."""
    queryset = with_care(queryset).annotate(
        visit_every=interval(Kind.VISIT_EVERY),
        last_visited_on=_latest_visit("visited_on"),
        last_next_due=_latest_visit("next_visit_due"),
    )
    return queryset.annotate(
        next_visit_day=Coalesce(
            DayNumber(F("last_next_due")),
            DayNumber(F("last_visited_on")) + F("visit_every"),
            DayNumber(F("opened_on")) + F("visit_every"),
        ),
        visit_due_on=DayToDate(F("next_visit_day")),
    )


def visit_overdue_q(today: date | None = None) -> Q:
    """Filter for a queryset from ``visits_annotate``: the next visit was due before today."""
    return Q(next_visit_day__lt=day_number(_today(today)))


def visit_overdue_cases(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases *actor* may see whose next visit was due before *today*. Annotated with
    ``visit_due_on``, ``last_visited_on``, ``visit_every``, ``current_care_type``. This is the
    filter for the cases list ("overdue visits")."""
    return visits_annotate(open_cases(actor)).filter(visit_overdue_q(today))


def initial_annotate(queryset: QuerySet) -> QuerySet:
    first = Assessment.objects.filter(case=OuterRef("pk"), kind__in=FIRST_ASSESSMENT_KINDS)
    return queryset.annotate(
        initial_target=_rule(Kind.INITIAL_ASSESSMENT_TARGET, care_type="", risk_level=""),
        initial_limit=_rule(Kind.INITIAL_ASSESSMENT_LIMIT, care_type="", risk_level=""),
        assessed=Exists(first),
        identified_seconds=EpochSeconds(F("identified_at")),
    )


def initial_assessments_late(actor: Membership, *, now: datetime | None = None) -> QuerySet:
    """Open cases with no initial (or full) assessment, identified more than the limit
    (default 48 hours) ago. Annotated with ``initial_limit`` (hours)."""
    seconds = epoch_seconds(now or timezone.now())
    return initial_annotate(open_cases(actor)).filter(
        assessed=False, identified_seconds__lt=seconds - F("initial_limit") * 3600
    )


def initial_assessments_due_soon(actor: Membership, *, now: datetime | None = None) -> QuerySet:
    """Open cases with no initial assessment past the target (24 hours) but not yet past the
    limit (48 hours)."""
    seconds = epoch_seconds(now or timezone.now())
    return initial_annotate(open_cases(actor)).filter(
        assessed=False,
        identified_seconds__lt=seconds - F("initial_target") * 3600,
        identified_seconds__gte=seconds - F("initial_limit") * 3600,
    )


def reviews_annotate(queryset: QuerySet) -> QuerySet:
    latest = Assessment.objects.filter(case=OuterRef("pk"), kind__in=REVIEWED_KINDS).order_by(
        "-assessed_on"
    )
    queryset = with_care(queryset).annotate(
        review_every=interval(Kind.REVIEW_EVERY),
        last_assessed_on=Subquery(latest.values("assessed_on")[:1]),
    )
    return queryset.annotate(
        review_day=DayNumber(F("last_assessed_on")) + F("review_every"),
        review_due_on=DayToDate(F("review_day")),
    )


def reviews_due(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases whose latest assessment plus the review interval is before today.
    Annotated with ``last_assessed_on`` and ``review_due_on``."""
    return reviews_annotate(open_cases(actor)).filter(review_day__lt=day_number(_today(today)))


def placements_annotate(queryset: QuerySet) -> QuerySet:
    queryset = with_care(queryset).annotate(
        max_stay=_rule(Kind.MAX_STAY, care_type=OuterRef("current_care_type"), risk_level="")
    )
    return queryset.annotate(
        stay_limit_day=DayNumber(F("current_started_on")) + F("max_stay"),
        stay_limit_on=DayToDate(F("stay_limit_day")),
    )


def placements_past_limit(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases whose current placement started more than the care type's longest stay
    ago. Annotated with ``current_care_type``, ``current_started_on``, ``stay_limit_on``."""
    return placements_annotate(open_cases(actor)).filter(
        stay_limit_day__lt=day_number(_today(today))
    )


def follow_ups_annotate(queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    """Add ``follow_ups_due`` (how many follow-up offsets are due without a visit) and
    ``follow_up_due_on`` (the earliest of them) for cases back in family care."""
    today_day = day_number(_today(today))
    queryset = with_care(queryset).annotate(returned_day=DayNumber(F("current_started_on")))
    visits = Visit.objects.filter(case=OuterRef(OuterRef("pk"))).annotate(
        visited_day=DayNumber(F("visited_on"))
    )
    offsets = CareRule.objects.filter(
        organisation=OuterRef("organisation"), kind=Kind.FOLLOW_UP_AFTER
    ).annotate(
        due_day=ExpressionWrapper(
            OuterRef("returned_day") + F("value"), output_field=IntegerField()
        )
    )
    due = offsets.filter(due_day__lte=today_day).exclude(
        Exists(visits.filter(visited_day__gte=OuterRef("due_day") - FOLLOW_UP_EARLY_DAYS))
    )
    count = due.order_by().values("organisation").annotate(n=Count("pk")).values("n")
    first = due.order_by("value").values("due_day")[:1]
    return queryset.annotate(
        follow_ups_due=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        follow_up_day=Subquery(first, output_field=IntegerField()),
        follow_up_due_on=DayToDate(F("follow_up_day")),
    )


def follow_ups_due(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases back with birth family or kin (current placement) with at least one
    follow-up visit due: an offset after the return date that has passed, with no visit on
    or after (return + offset − 7 days)."""
    queryset = open_cases(actor).filter(
        Exists(
            Placement.objects.filter(
                case=OuterRef("pk"), ended_on__isnull=True, care_type__in=FAMILY_CARE_TYPES
            )
        )
    )
    return follow_ups_annotate(queryset, today=today).filter(follow_ups_due__gt=0)


def approvals_waiting(actor: Membership) -> QuerySet:
    """Open cases whose closure was requested, for those who approve closures."""
    if not actor.can(Capability.APPROVE_CLOSURES):
        return Case.objects.none()
    return open_cases(actor).filter(closure_requested_on__isnull=False)


# --- My work and the team's workload ----------------------------------------------------

CATEGORIES = (
    "visits_overdue",
    "reviews_due",
    "initial_late",
    "initial_due_soon",
    "placements_past_limit",
    "follow_ups_due",
    "approvals",
)


def _category_querysets(actor: Membership, today: date, now: datetime) -> dict[str, QuerySet]:
    return {
        "visits_overdue": visit_overdue_cases(actor, today=today),
        "reviews_due": reviews_due(actor, today=today),
        "initial_late": initial_assessments_late(actor, now=now),
        "initial_due_soon": initial_assessments_due_soon(actor, now=now),
        "placements_past_limit": placements_past_limit(actor, today=today),
        "follow_ups_due": follow_ups_due(actor, today=today),
        "approvals": approvals_waiting(actor),
    }


def case_href(case_id) -> str:
    try:
        return reverse("cases:case_detail", kwargs={"case_id": case_id})
    except NoReverseMatch:
        return ""


@dataclass
class WorkList:
    key: str
    items: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def _lists(querysets: dict[str, QuerySet], user_id) -> dict[str, WorkList]:
    lists = {}
    for key, queryset in querysets.items():
        if key == "approvals":
            mine = queryset.filter(supervisor_id=user_id)
        else:
            mine = queryset.filter(assignments__user_id=user_id)
        items = list(mine.select_related("person").order_by("reference").distinct())
        for case in items:
            case.href = case_href(case.pk)
            care_type = getattr(case, "current_care_type", None)
            case.care_type_label = CareType(care_type).label if care_type else ""
        lists[key] = WorkList(key, items)
    return lists


def my_work(
    *, actor: Membership, today: date | None = None, now: datetime | None = None
) -> dict[str, WorkList]:
    """The signed-in member's work: cases assigned to them (approvals: cases they supervise)
    in each category. One query per category."""
    today, now = _today(today), now or timezone.now()
    return _lists(_category_querysets(actor, today, now), actor.user_id)


def team_members(actor: Membership) -> QuerySet:
    return (
        Membership.objects.filter(
            organisation_id=actor.organisation_id, role__in=WORK_ROLES, is_active=True
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def team_workload(
    *, actor: Membership, today: date | None = None, now: datetime | None = None
) -> tuple[list[dict], dict[str, int]]:
    """For supervisors: each case worker's (and supervisor's) counts per category, with one
    grouped query per category."""
    if not actor.can(Capability.VIEW_TEAM_WORKLOAD):
        raise Http404
    today, now = _today(today), now or timezone.now()
    members = list(team_members(actor))
    counts: dict[str, dict] = {}
    for key, queryset in _category_querysets(actor, today, now).items():
        by = "supervisor_id" if key == "approvals" else "assignments__user_id"
        rows = queryset.order_by().values(by).annotate(n=Count("pk", distinct=True))
        counts[key] = {row[by]: row["n"] for row in rows}
    table = []
    for member in members:
        row = {key: counts[key].get(member.user_id, 0) for key in CATEGORIES}
        table.append({"member": member, "counts": row, "total": sum(row.values())})
    totals = {key: sum(row["counts"][key] for row in table) for key in CATEGORIES}
    return table, totals


def team_member_get(*, actor: Membership, membership_id) -> Membership:
    """A member of the actor's team, for supervisors; 404 otherwise."""
    if not actor.can(Capability.VIEW_TEAM_WORKLOAD):
        raise Http404
    try:
        return team_members(actor).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def member_work(
    *, actor: Membership, member: Membership, today: date | None = None, now=None
) -> dict[str, WorkList]:
    """A team member's lists as the supervisor *actor* sees them."""
    if not actor.can(Capability.VIEW_TEAM_WORKLOAD):
        raise Http404
    today, now = _today(today), now or timezone.now()
    return _lists(_category_querysets(actor, today, now), member.user_id)


def care_rule_table(*, actor: Membership) -> list[dict]:
    """The rule table grouped by kind, in the order of ``CareRule.Kind`` (one query)."""
    rows = list(care_rule_list(actor=actor))
    hours = {Kind.INITIAL_ASSESSMENT_TARGET, Kind.INITIAL_ASSESSMENT_LIMIT}
    return [
        {
            "kind": kind,
            "label": label,
            "in_hours": kind in hours,
            "rules": [rule for rule in rows if rule.kind == kind],
        }
        for kind, label in Kind.choices
    ]
