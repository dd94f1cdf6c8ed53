"""The kinds of work that fall due on an open case, as conditions on the due dates stored on
the case (computed by phteah.care.progress whenever what they depend on changes). The stored
values are dates and datetimes, not flags, so the conditions stay right as days pass: each is
a comparison with today, an index range scan. My work, the team page and the case list's
"work due" filter all use these."""

from collections.abc import Callable
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Case

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
