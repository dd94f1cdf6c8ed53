"""The kinds of work that fall due on an open case, as conditions on the due dates stored on
the case (computed by phteah.care.progress whenever what they depend on changes). The stored
values are dates and datetimes, not flags, so the conditions stay right as days pass: each is
a comparison with today, an index range scan. My work, the team page and the case list's
"work due" filter all use these."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Action, Case, Goal

CATEGORIES = (
    "visits_overdue",
    "reviews_due",
    "initial_late",
    "initial_due_soon",
    "placements_past_limit",
    "follow_ups_due",
    "sent_back",
    "approvals",
)
# Headings, in lists, on the team page and as the case list's "work due" filter.
CATEGORY_LABELS = {
    "visits_overdue": gettext_lazy("Overdue visits"),
    "reviews_due": gettext_lazy("Assessment reviews due"),
    "initial_late": gettext_lazy("Initial assessments late (over the limit)"),
    "initial_due_soon": gettext_lazy("Initial assessments past the target"),
    "placements_past_limit": gettext_lazy("Placements past their limit"),
    "follow_ups_due": gettext_lazy("Follow-up visits due after reintegration"),
    "sent_back": gettext_lazy("Closures sent back"),
    "approvals": gettext_lazy("Closures waiting for approval"),
}
# Most urgent first: the oldest due date.
CATEGORY_ORDER = {
    "visits_overdue": "visit_due_on",
    "reviews_due": "review_due_on",
    "initial_late": "identified_at",
    "initial_due_soon": "identified_at",
    "placements_past_limit": "stay_limit_on",
    "follow_ups_due": "follow_up_due_on",
    "sent_back": "closure_sent_back_on",
    "approvals": "closure_requested_on",
}


def category_q(key: str, *, today: date | None = None, now=None, prefix: str = "") -> Q:
    """The condition for open cases in category *key*, on the stored due fields (*prefix*
    to reach the case from a related row, e.g. ``"case__"``)."""
    today, now = today or timezone.localdate(), now or timezone.now()
    conditions = {
        "visits_overdue": {"visit_due_on__lt": today},
        "reviews_due": {"review_due_on__lt": today},
        "initial_late": {"initial_limit_at__lt": now},
        "initial_due_soon": {"initial_target_at__lt": now, "initial_limit_at__gte": now},
        "placements_past_limit": {"stay_limit_on__lt": today},
        "follow_ups_due": {"follow_up_due_on__lte": today},
        # Until the case worker asks again or marks it done.
        "sent_back": {"closure_sent_back_on__isnull": False},
        "approvals": {"closure_requested_on__isnull": False},
    }[key]
    conditions = conditions | {"status": Case.Status.OPEN}
    return Q(**{prefix + name: value for name, value in conditions.items()})


# How often a case must be visited (days) comes from the organisation's rule table, in the care
# app above this one: it registers the answer (``visit_interval_source`` in its ready()).
_visit_interval: Callable[[Case], int | None] | None = None


def visit_interval_source(function: Callable[[Case], int | None]) -> None:
    global _visit_interval
    _visit_interval = function


def visit_interval(case: Case) -> int | None:
    """The number of days within which *case* must be visited again, by its organisation's
    rules (its current care type and risk level); None when no rule applies."""
    return _visit_interval(case) if _visit_interval is not None else None


# --- what falls due next on one case (the top of the case page) --------------------------

NEXT_LABELS = {
    "visit": gettext_lazy("Next visit"),
    "initial": gettext_lazy("Initial assessment"),
    "review": gettext_lazy("Assessment review"),
    "plan": gettext_lazy("Next action of the plan"),
    "placement": gettext_lazy("Placement limit"),
    "follow_up": gettext_lazy("Follow-up visit"),
}


@dataclass(frozen=True)
class DueItem:
    key: str  # a key of NEXT_LABELS
    day: date
    overdue: bool
    label: str = ""  # what is due, when it is not only the kind (e.g. the action of the plan)

    @property
    def title(self) -> str:
        return str(NEXT_LABELS[self.key])


def next_due(case: Case, *, goals=(), today: date | None = None, now=None) -> list[DueItem]:
    """What falls due next on *case*, soonest first, from the due dates stored on it and
    the open actions of its plan (*goals*, with their actions prefetched). Nothing for a
    case that is not open."""
    if case.status != Case.Status.OPEN:
        return []
    today, now = today or timezone.localdate(), now or timezone.now()
    items = []
    for key, day in (
        ("visit", case.visit_due_on),
        ("review", case.review_due_on),
        ("placement", case.stay_limit_on),
        ("follow_up", case.follow_up_due_on),
    ):
        if day is not None:
            items.append(DueItem(key, day, day < today))
    if case.initial_target_at is not None:
        items.append(
            DueItem(
                "initial",
                timezone.localtime(case.initial_target_at).date(),
                case.initial_target_at < now,
            )
        )
    actions = [
        action
        for goal in goals
        if goal.status == Goal.Status.OPEN
        for action in goal.actions.all()
        if action.status == Action.Status.TO_DO and action.due_on is not None
    ]
    if actions:
        action = min(actions, key=lambda action: action.due_on)
        items.append(DueItem("plan", action.due_on, action.due_on < today, action.description))
    return sorted(items, key=lambda item: item.day)
