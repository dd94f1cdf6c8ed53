"""Due and overdue work: the open cases whose stored due dates (kept up to date by the
services, see ``phteah.care.progress``) are past, compared with today in SQL.

Every function takes the acting ``Membership`` and starts from the open cases it may see
(``cases_for``). The stored values are dates and datetimes, not flags, so they stay right as
days pass."""

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import (
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability, Role
from phteah.care.progress import unanswered_follow_ups
from phteah.cases.access import cases_for
from phteah.cases.due import CATEGORIES, CATEGORY_ORDER, category_q
from phteah.cases.models import Case, CaseWorkerAssignment
from phteah.core.dates import DayNumber, day_number
from phteah.core.errors import NotFound

WORK_ROLES = (Role.SUPERVISOR, Role.CASE_WORKER)
# How many cases each list of My work shows; the rest are counted and one link away.
LIST_LIMIT = 10


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def open_cases(actor: Membership) -> QuerySet:
    return cases_for(actor).filter(status=Case.Status.OPEN)


def in_category(actor: Membership, key: str, *, today=None, now=None) -> QuerySet:
    """Open cases *actor* may see in category *key* (approvals only for those who approve
    closures)."""
    if key == "approvals" and not actor.can(Capability.APPROVE_CLOSURES):
        return Case.objects.none()
    return open_cases(actor).filter(category_q(key, today=today, now=now))


def visit_overdue_cases(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases *actor* may see whose next visit was due before *today*: the latest visit's
    next-visit date, else the latest visit or the opening date plus the visit interval."""
    return in_category(actor, "visits_overdue", today=today)


def initial_assessments_late(actor: Membership, *, now: datetime | None = None) -> QuerySet:
    """Open cases with no initial (or full) assessment, identified more than the limit
    (default 48 hours) ago."""
    return in_category(actor, "initial_late", now=now)


def initial_assessments_due_soon(actor: Membership, *, now: datetime | None = None) -> QuerySet:
    """Open cases with no initial assessment past the target (24 hours) but not yet past the
    limit (48 hours)."""
    return in_category(actor, "initial_due_soon", now=now)


def reviews_due(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases whose latest assessment plus the review interval is before today."""
    return in_category(actor, "reviews_due", today=today)


def placements_past_limit(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases whose current placement started more than the care type's longest stay
    ago."""
    return in_category(actor, "placements_past_limit", today=today)


def follow_ups_due(actor: Membership, *, today: date | None = None) -> QuerySet:
    """Open cases back with birth family or kin (current placement) with at least one
    follow-up visit due: an offset after the return date that has passed, with no visit on
    or after (return + offset − 7 days)."""
    return in_category(actor, "follow_ups_due", today=today)


def approvals_waiting(actor: Membership) -> QuerySet:
    """Open cases whose closure was requested, for those who approve closures."""
    return in_category(actor, "approvals")


def follow_ups_count(queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    """Add ``follow_ups_due``: how many follow-up offsets are due without a visit (for the
    few cases a list shows)."""
    queryset = queryset.annotate(returned_day=DayNumber(F("current_started_on")))
    due = unanswered_follow_ups().filter(due_day__lte=day_number(_today(today)))
    count = due.order_by().values("organisation").annotate(n=Count("pk")).values("n")
    return queryset.annotate(
        follow_ups_due=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    )


# --- My work and the team's workload ----------------------------------------------------


@dataclass
class WorkList:
    """One category of someone's work: how many cases, the most urgent few, and where the
    whole list is (the case list, filtered)."""

    key: str
    count: int = 0
    items: list = field(default_factory=list)
    more_href: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def _assigned_to(user_id) -> Q:
    return Q(pk__in=CaseWorkerAssignment.objects.filter(user_id=user_id).values("case_id"))


def _member_q(key: str, assigned: Q, user_id) -> Q:
    """Whose the case is in category *key*: assigned to them (approvals: they supervise it)."""
    return Q(supervisor_id=user_id) if key == "approvals" else assigned


def _lists(actor: Membership, user_id, today: date, now: datetime) -> dict[str, WorkList]:
    """Counts of every category in one query, then the first ``LIST_LIMIT`` cases of each
    category that has any (one query each). The open cases *actor* may see and the
    assignment subquery are built once for all of them (building them was a sixth of the
    page's time)."""
    keys = [k for k in CATEGORIES if k != "approvals" or actor.can(Capability.APPROVE_CLOSURES)]
    visible, assigned = open_cases(actor), _assigned_to(user_id)
    conditions = {
        key: category_q(key, today=today, now=now) & _member_q(key, assigned, user_id)
        for key in keys
    }
    mine = visible.filter(assigned | Q(supervisor_id=user_id))
    counts = mine.aggregate(**{key: Count("pk", filter=conditions[key]) for key in keys})
    case_list = reverse("cases:case_list")
    lists = {}
    for key in keys:
        work = WorkList(key, counts[key] or 0)
        if work.count:
            items = (
                visible.filter(conditions[key])
                .select_related("person")
                .order_by(CATEGORY_ORDER[key], "reference")
            )
            if key == "follow_ups_due":
                items = follow_ups_count(items, today=today)
            if key == "sent_back":
                items = items.select_related("closure_sent_back_by")
            work.items = list(items[:LIST_LIMIT])
            whose = "supervisor" if key == "approvals" else "worker"
            query = {"due": key, whose: user_id}
            work.more_href = f"{case_list}?{urlencode(query)}"
        lists[key] = work
    return lists


def my_work(
    *, actor: Membership, today: date | None = None, now: datetime | None = None
) -> dict[str, WorkList]:
    """The signed-in member's work: cases assigned to them (approvals: cases they supervise)
    in each category."""
    return _lists(actor, actor.user_id, _today(today), now or timezone.now())


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
    """For supervisors: each case worker's (and supervisor's) counts per category: one
    grouped query over the assignments, one over the supervised cases."""
    if not actor.can(Capability.VIEW_TEAM_WORKLOAD):
        raise NotFound
    today, now = _today(today), now or timezone.now()
    members = list(team_members(actor))
    visible = open_cases(actor).values("pk")
    assigned = (
        CaseWorkerAssignment.objects.filter(
            organisation_id=actor.organisation_id, case_id__in=visible
        )
        .values("user_id")
        .annotate(
            **{
                key: Count("case_id", filter=category_q(key, today=today, now=now, prefix="case__"))
                for key in CATEGORIES
                if key != "approvals"
            }
        )
    )
    counts = {row["user_id"]: row for row in assigned}
    supervised = approvals_waiting(actor).order_by().values("supervisor_id")
    approvals = {row["supervisor_id"]: row["n"] for row in supervised.annotate(n=Count("pk"))}
    table = []
    for member in members:
        found = counts.get(member.user_id, {})
        row = {key: found.get(key, 0) for key in CATEGORIES if key != "approvals"}
        row["approvals"] = approvals.get(member.user_id, 0)
        table.append({"member": member, "counts": row, "total": sum(row.values())})
    totals = {key: sum(row["counts"][key] for row in table) for key in CATEGORIES}
    return table, totals


def team_member_get(*, actor: Membership, membership_id) -> Membership:
    """A member of the actor's team, for supervisors; 404 otherwise."""
    if not actor.can(Capability.VIEW_TEAM_WORKLOAD):
        raise NotFound
    try:
        return team_members(actor).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound from error


def member_work(
    *, actor: Membership, member: Membership, today: date | None = None, now=None
) -> dict[str, WorkList]:
    """A team member's lists as the supervisor *actor* sees them."""
    if not actor.can(Capability.VIEW_TEAM_WORKLOAD):
        raise NotFound
    return _lists(actor, member.user_id, _today(today), now or timezone.now())
