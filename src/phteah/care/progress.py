"""A case's progress — its stage and when its work falls due — derived from what is recorded
in the case (the cases app) and in its care (this app), computed in SQL and kept on the case.
Voided records (``Voidable``) count for nothing here: every query reads ``.valid()`` rows.

It lives here, the lowest app that sees both the case file and the placements, and runs on
the cases app's ``CaseChanged`` event, which every service that records or changes something
in a case publishes inside its transaction (``subscribe`` in ``CareConfig.ready()``).

**Stage** (registered → assessed → planned → implementing → follow-up → closed) is never
typed: an initial or full assessment makes a case assessed, a goal planned, a goal and a
service, a placement or a done action implementing; a current birth-family or kinship
placement, or a reunification date, puts it in follow-up; closing closes it.

**Due dates.**
A case's due dates depend on its records (the latest visit and its next-visit date, the
latest assessment, the current placement) and on its organisation's rule table. Computing
them on every page meant correlated subqueries over a million visits for each open case; so
they are computed here, once, whenever something they depend on changes, and stored on the
case (``Case.DUE_FIELDS``). My work, the team page and the case list's "overdue" filter then
compare stored dates with today — an indexed range scan — and stay correct as days pass
without any nightly job, because the stored values are dates, not yes/no flags.

Who refreshes:
- every service that records or changes something in a case publishes ``CaseChanged``, and
  ``case_changed_refresh`` recomputes that case;
- changes to the rule table refresh all the organisation's open cases
  (``organisation_due_refresh``);
- bulk loaders (demo, synth) refresh their organisations when done;
- ``phteah due check`` recomputes every case and reports any stored value that differs
  (``cases_progress_drift``), ``phteah due refresh`` stores them.

Rules are looked up per case with subqueries on ``CareRule``: the organisation is the case's,
the care type is the current placement's (the one not ended), the risk level is the case's.
A care-type rule (or, without one, the default row with neither care type nor risk level)
and a risk-level rule both apply: the shorter interval wins. Dates are compared as day
numbers (see ``phteah.core.dates``), the same way on SQLite and PostgreSQL."""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Least

from phteah.cases.models import (
    FAMILY_CARE_TYPES,
    Action,
    Assessment,
    Case,
    Goal,
    ServiceDelivery,
    Visit,
)
from phteah.core.dates import DayNumber, day_date

from .models import CareRule, Placement, ReunificationAssessment

Kind = CareRule.Kind
# Assessments that count as the first one (a full assessment done straight away does too).
FIRST_ASSESSMENT_KINDS = (Assessment.Kind.INITIAL, Assessment.Kind.FULL)
# Assessments that restart the review clock.
REVIEWED_KINDS = (Assessment.Kind.INITIAL, Assessment.Kind.FULL, Assessment.Kind.REVIEW)
# A follow-up visit this many days before its date counts.
FOLLOW_UP_EARLY_DAYS = 7
# Cases refreshed per read query when a whole organisation is refreshed.
BATCH = 2000


# --- rule lookups -----------------------------------------------------------------------


def _current_placement(value: str):
    current = (
        Placement.objects.valid()
        .filter(case=OuterRef("pk"), ended_on__isnull=True)
        .order_by("-started_on", "-created_at")
    )
    return Subquery(current.values(value)[:1])


def _rule(kind: str, **match):
    rules = CareRule.objects.filter(organisation=OuterRef("organisation"), kind=kind, **match)
    return Subquery(rules.order_by("value").values("value")[:1], output_field=IntegerField())


def interval(kind: str):
    """The interval of rule *kind* for the case of each row (needs ``placement_care_type``):
    the shorter of the care-type rule (else the default row) and the risk-level rule; NULL if
    none."""
    by_care = _rule(kind, care_type=OuterRef("placement_care_type"), risk_level="")
    default = _rule(kind, care_type="", risk_level="")
    by_risk = _rule(kind, care_type="", risk_level=OuterRef("risk_level"))
    return Least(Coalesce(by_care, default, by_risk), Coalesce(by_risk, by_care, default))


def _latest_visit(value: str):
    latest = (
        Visit.objects.valid().filter(case=OuterRef("pk")).order_by("-visited_on", "-created_at")
    )
    return Subquery(latest.values(value)[:1])


def due_annotate(queryset: QuerySet) -> QuerySet:
    """Annotate what the due dates are computed from, in one query:
    ``placement_care_type``/``placement_started_on`` (the current placement),
    ``visit_every``, ``review_every``, ``max_stay`` (days), ``initial_target`` and
    ``initial_limit`` (hours), ``latest_visited_on`` and ``latest_next_due`` (the latest visit),
    ``latest_assessed_on`` (the latest initial, full or review assessment), ``assessed`` (an
    initial or full assessment exists) and ``next_visit_day``: the latest visit's next-visit
    date or the latest visit plus the interval, whichever is earlier, else the opening date plus
    the interval."""
    latest_assessment = (
        Assessment.objects.valid()
        .filter(case=OuterRef("pk"), kind__in=REVIEWED_KINDS)
        .order_by("-assessed_on")
    )
    queryset = queryset.annotate(
        placement_care_type=_current_placement("care_type"),
        placement_started_on=_current_placement("started_on"),
    ).annotate(
        visit_every=interval(Kind.VISIT_EVERY),
        review_every=interval(Kind.REVIEW_EVERY),
        max_stay=_rule(Kind.MAX_STAY, care_type=OuterRef("placement_care_type"), risk_level=""),
        initial_target=_rule(Kind.INITIAL_ASSESSMENT_TARGET, care_type="", risk_level=""),
        initial_limit=_rule(Kind.INITIAL_ASSESSMENT_LIMIT, care_type="", risk_level=""),
        latest_visited_on=_latest_visit("visited_on"),
        latest_next_due=_latest_visit("next_visit_due"),
        latest_assessed_on=Subquery(latest_assessment.values("assessed_on")[:1]),
        assessed=Exists(
            Assessment.objects.valid().filter(case=OuterRef("pk"), kind__in=FIRST_ASSESSMENT_KINDS)
        ),
    )
    by_rule = DayNumber(F("latest_visited_on")) + F("visit_every")
    return queryset.annotate(
        # The rule decides: a next-visit date typed on the visit can bring the visit forward,
        # never put it off beyond the rule's interval (LEAST is NULL on SQLite when either is,
        # hence the COALESCE).
        next_visit_day=Coalesce(
            Least(DayNumber(F("latest_next_due")), by_rule),
            DayNumber(F("latest_next_due")),
            by_rule,
            DayNumber(F("opened_on")) + F("visit_every"),
        ),
    )


def case_visit_interval(case: Case) -> int | None:
    """How many days after a visit the next one is due, by the rules of *case*'s organisation
    (its current placement's care type and its risk level, as for its stored due dates); None
    when no rule applies. What the visit form suggests."""
    return (
        Case.objects.filter(pk=case.pk)
        .annotate(placement_care_type=_current_placement("care_type"))
        .annotate(visit_every=interval(Kind.VISIT_EVERY))
        .values_list("visit_every", flat=True)
        .first()
    )


def stage_annotate(queryset: QuerySet) -> QuerySet:
    """Annotate the EXISTS tests the stage is worked out from (``stage_of``)."""
    case = OuterRef("pk")
    return queryset.annotate(
        assessed_flag=Exists(
            Assessment.objects.valid().filter(case=case, kind__in=FIRST_ASSESSMENT_KINDS)
        ),
        planned_flag=Exists(Goal.objects.filter(case=case)),
        serviced_flag=Exists(ServiceDelivery.objects.valid().filter(case=case))
        | Exists(Action.objects.filter(goal__case=case, status=Action.Status.DONE)),
        placed_flag=Exists(Placement.objects.valid().filter(case=case)),
        home_flag=Exists(
            Placement.objects.valid().filter(
                case=case, care_type__in=FAMILY_CARE_TYPES, ended_on__isnull=True
            )
        )
        | Exists(ReunificationAssessment.objects.filter(case=case, reunified_on__isnull=False)),
    )


def stage_of(row) -> str:
    """The stage of a case from its ``stage_annotate`` row."""
    if row.status == Case.Status.CLOSED:
        return Case.Stage.CLOSED
    if row.home_flag:
        return Case.Stage.FOLLOW_UP
    if row.planned_flag and (row.serviced_flag or row.placed_flag):
        return Case.Stage.IMPLEMENTING
    if row.planned_flag:
        return Case.Stage.PLANNED
    if row.assessed_flag:
        return Case.Stage.ASSESSED
    return Case.Stage.REGISTERED


def unanswered_follow_ups() -> QuerySet:
    """For the case of the outer row (annotated with ``returned_day``, the day number of the
    return to family care): the organisation's follow-up offsets, each with its ``due_day``,
    that no visit has answered — none made on or after that day less
    ``FOLLOW_UP_EARLY_DAYS``."""
    visits = (
        Visit.objects.valid()
        .filter(case=OuterRef(OuterRef("pk")))
        .annotate(visited_day=DayNumber(F("visited_on")))
    )
    offsets = CareRule.objects.filter(
        organisation=OuterRef("organisation"), kind=Kind.FOLLOW_UP_AFTER
    ).annotate(
        due_day=ExpressionWrapper(
            OuterRef("returned_day") + F("value"), output_field=IntegerField()
        )
    )
    return offsets.exclude(
        Exists(visits.filter(visited_day__gte=OuterRef("due_day") - FOLLOW_UP_EARLY_DAYS))
    )


def _first_follow_up_day():
    """The earliest unanswered follow-up date (day number). Whether it is due is a
    comparison with today, made when reading."""
    first = unanswered_follow_ups().order_by("value").values("due_day")[:1]
    return Subquery(first, output_field=IntegerField())


# --- the stored values ------------------------------------------------------------------


# Everything this module stores on the case.
STORED_FIELDS = ("stage", *Case.DUE_FIELDS)
# Bump when the computation or STORED_FIELDS change: after the next migration every case is
# recomputed by the new code (progress_upgrade).
PROGRESS_VERSION = 4


def _values(row) -> dict:
    """The stored fields of one case (its stage and due fields) from its annotated row."""
    care_type = row.placement_care_type or ""
    started = row.placement_started_on
    family = care_type in FAMILY_CARE_TYPES
    initial_open = not row.assessed
    values = {
        "stage": stage_of(row),
        "current_care_type": care_type,
        "current_started_on": started,
        "last_visited_on": row.latest_visited_on,
        "last_assessed_on": row.latest_assessed_on,
        "visit_due_on": day_date(row.next_visit_day) if row.next_visit_day is not None else None,
        "review_due_on": (
            row.latest_assessed_on + timedelta(days=row.review_every)
            if row.latest_assessed_on and row.review_every is not None
            else None
        ),
        "stay_limit_on": (
            started + timedelta(days=row.max_stay) if started and row.max_stay is not None else None
        ),
        "follow_up_due_on": (
            day_date(row.follow_up_day) if family and row.follow_up_day is not None else None
        ),
        "initial_target_at": (
            row.identified_at + timedelta(hours=row.initial_target)
            if initial_open and row.initial_target is not None
            else None
        ),
        "initial_limit_at": (
            row.identified_at + timedelta(hours=row.initial_limit)
            if initial_open and row.initial_limit is not None
            else None
        ),
    }
    if row.status != Case.Status.OPEN:
        values.update(dict.fromkeys(Case.DUE_DATES))
    return values


def _write(changed: list[tuple]) -> None:
    """UPDATE the stored fields of many cases in one executemany (the case's version is not
    touched: these are derived values, not an edit)."""
    if not changed:
        return
    meta = Case._meta
    fields = [meta.get_field(name) for name in STORED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    pk_field = meta.pk
    rows = [
        [field.get_db_prep_value(values[field.name], connection) for field in fields]
        + [pk_field.get_db_prep_value(pk, connection)]
        for pk, values in changed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _computed(cases: QuerySet):
    """Each of *cases* (unlocked) with the values it should store, in batches."""
    rows = (
        stage_annotate(due_annotate(cases.order_by()))
        .annotate(returned_day=DayNumber(F("placement_started_on")))
        .annotate(follow_up_day=_first_follow_up_day())
        .only(
            "pk",
            "status",
            "identified_at",
            "opened_on",
            "risk_level",
            "organisation",
            *STORED_FIELDS,
        )
    )
    for row in rows.iterator(chunk_size=BATCH):
        yield row, _values(row)


def cases_progress_refresh(cases: QuerySet) -> int:
    """Recompute and store the stage and due fields of *cases* (closed cases keep their
    current placement and latest visit and assessment, but nothing is due). Writes only the
    cases whose values changed and returns how many.

    The cases' rows are locked first (PostgreSQL; SQLite has one writer at a time anyway) —
    a no-op for a service, which locked its case before anything else — so that of two
    transactions changing the same case, the one that refreshes last waits for the other
    to commit and computes from both."""
    with transaction.atomic(savepoint=False):
        list(cases.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
        changed = [
            (row.pk, values)
            for row, values in _computed(cases)
            if any(getattr(row, name) != value for name, value in values.items())
        ]
        _write(changed)
    return len(changed)


def cases_progress_drift(cases: QuerySet) -> list[tuple]:
    """(case id, field, stored, computed) for every stored value of *cases* that differs
    from what their records give now. Reads only."""
    return [
        (row.pk, name, getattr(row, name), value)
        for row, values in _computed(cases)
        for name, value in values.items()
        if getattr(row, name) != value
    ]


def case_changed_refresh(event) -> None:
    """Subscriber of ``CaseChanged``: recompute that case, inside the change's transaction."""
    cases_progress_refresh(Case.objects.filter(pk=event.case_id))


def organisation_due_refresh(organisation_id) -> int:
    """Recompute the due dates of an organisation's open cases, after its rule table changed
    (rules decide only due dates, and closed cases have none)."""
    return cases_progress_refresh(
        Case.objects.filter(organisation_id=organisation_id, status=Case.Status.OPEN)
    )


def progress_upgrade(*, verbosity: int = 1, stdout=None) -> int:
    """Recompute every case's stored stage and due dates if they were made by another
    version of this computation (after an upgrade). Returns the number of cases changed."""
    from django_scopes import scopes_disabled

    from phteah.accounts.models import Organisation

    from .models import ProgressState

    state = ProgressState.objects.order_by("pk").first()
    if state is not None and state.version == PROGRESS_VERSION:
        return 0
    changed = 0
    with scopes_disabled():
        for organisation_id in Organisation.objects.values_list("pk", flat=True):
            with transaction.atomic():
                changed += cases_progress_refresh(
                    Case.objects.filter(organisation_id=organisation_id)
                )
    if state is None:
        ProgressState.objects.create(version=PROGRESS_VERSION)
    else:
        ProgressState.objects.filter(pk=state.pk).update(version=PROGRESS_VERSION)
    if verbosity and stdout is not None and changed:
        stdout.write(f"Stages and due dates recomputed: {changed} cases changed.\n")
    return changed
