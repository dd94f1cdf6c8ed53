"""Reads of case data that a user triggers. Each takes the actor (a Membership) and returns
only what it may see: cases through ``cases_for``/``case_get_for_user``, records of a case
through the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import (
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.models import AuditEvent
from phteah.people.names import has_khmer, khmer_search_form, latin_search_form
from phteah.work.selectors import category_q

from .access import case_get_for_user, cases_for
from .models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Case,
    CaseReopening,
    CaseWorkerAssignment,
    Conference,
    Goal,
    PlanReview,
    ServiceDelivery,
    Visit,
)

CASES_PER_PAGE = 25
TIMELINE_PER_PAGE = 30
NO_VISIT_GRACE_DAYS = 30


# --- the case list -----------------------------------------------------------------------


def _name_search_q(text: str) -> Q:
    """Every word must appear in the reference or in the person's normalised names (Latin
    names and nickname casefolded, Khmer names normalised: see phteah.people.names). Plain
    "contains" on those two columns lets PostgreSQL use their trigram indexes."""
    q = Q()
    for word in text.split():
        clause = Q(reference__icontains=word)
        if has_khmer(word):
            khmer = khmer_search_form(word)
            if khmer:
                clause |= Q(person__search_km__contains=khmer)
        else:
            latin = latin_search_form(word)
            if latin:
                clause |= Q(person__search_latin__contains=latin)
        q &= clause
    return q


def _with_list_columns(cases: QuerySet) -> QuerySet:
    """The person, and the main case worker's name (the current care type and the latest
    visit are stored on the case: see phteah.work.due)."""
    main = CaseWorkerAssignment.objects.filter(case=OuterRef("pk"), is_primary=True)
    return cases.select_related("person").annotate(
        main_worker_name=Subquery(main.values("user__full_name")[:1]),
        main_worker_name_km=Subquery(main.values("user__full_name_km")[:1]),
    )


def case_list(
    *,
    actor: Membership,
    status: str = "",
    stage: str = "",
    risk_level: str = "",
    worker=None,
    supervisor=None,
    care_type: str = "",
    province: str = "",
    due: str = "",
    search: str = "",
    sort: str = "-opened_on",
) -> QuerySet:
    """The cases *actor* may see, filtered, with the columns of the list annotated."""
    cases = _with_list_columns(cases_for(actor))
    if status:
        cases = cases.filter(status=status)
    if stage:
        cases = cases.filter(stage=stage)
    if risk_level:
        cases = cases.filter(risk_level=risk_level)
    if worker:
        user_id = getattr(worker, "pk", worker)
        cases = cases.filter(
            Exists(CaseWorkerAssignment.objects.filter(case=OuterRef("pk"), user_id=user_id))
        )
    if supervisor:
        cases = cases.filter(supervisor_id=getattr(supervisor, "pk", supervisor))
    if care_type:
        cases = cases.filter(current_care_type=care_type)
    if province:
        code = getattr(province, "pk", province)
        cases = cases.filter(person__village__commune__district__province_id=code)
    if due:
        if due == "approvals" and not actor.can(Capability.APPROVE_CLOSURES):
            return cases.none()
        cases = cases.filter(category_q(due))
    if search.strip():
        # The person is always the case's organisation's; saying so lets PostgreSQL join the
        # organisation's people instead of scanning everyone's (55 → 10 ms at 100,000).
        cases = cases.filter(_name_search_q(search), person__organisation_id=actor.organisation_id)
    order = "opened_on" if sort == "opened_on" else "-opened_on"
    return cases.order_by(order, "reference")


def case_detail(*, actor: Membership, case_id) -> Case:
    """The case with what its summary shows (404 if not visible)."""
    try:
        return (
            cases_for(actor)
            .select_related("person", "supervisor", "closure_requested_by")
            .select_related("closure_approved_by")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def case_workers(case: Case) -> list:
    """The case's workers, main one first."""
    return [
        assignment.user
        for assignment in case.assignments.select_related("user").order_by(
            "-is_primary", "user__full_name"
        )
    ]


def current_placement(case: Case):
    from phteah.care.models import Placement

    return (
        Placement.objects.filter(case=case, ended_on__isnull=True)
        .select_related("provider")
        .order_by("-started_on")
        .first()
    )


def closure_sent_back(case: Case):
    """The latest closure request sent back, if nothing was asked since: (event, note)."""
    event = (
        AuditEvent.objects.filter(
            organisation_id=case.organisation_id,
            target_type=Case._meta.label_lower,
            target_id=str(case.pk),
            action__in=["cases.closure.sent_back", "cases.closure.requested"],
        )
        .order_by("-id")
        .first()
    )
    if event is None or event.action != "cases.closure.sent_back" or case.closure_requested_on:
        return None
    return event


# --- assessments and domains -------------------------------------------------------------


def domain_list(*, actor: Membership, active_only: bool = False) -> QuerySet:
    domains = AssessmentDomain.objects.filter(organisation_id=actor.organisation_id)
    if active_only:
        domains = domains.filter(is_active=True)
    return domains.order_by("position", "name_en")


def domain_get_for_user(*, actor: Membership, domain_id) -> AssessmentDomain:
    try:
        return AssessmentDomain.objects.get(pk=domain_id, organisation_id=actor.organisation_id)
    except (AssessmentDomain.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def assessment_get(*, actor: Membership, case: Case, assessment_id) -> Assessment:
    try:
        return (
            Assessment.objects.select_related("assessed_by")
            .prefetch_related("scores__domain")
            .get(pk=assessment_id, case=case)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def latest_assessment(case: Case):
    return (
        Assessment.objects.filter(case=case)
        .select_related("assessed_by")
        .prefetch_related("scores__domain")
        .order_by("-assessed_on", "-created_at")
        .first()
    )


@dataclass
class ChartRow:
    domain: AssessmentDomain
    points: str  # SVG polyline points
    dots: list  # (x, y, score, date)
    latest: int | None


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 240, 48, 6
SCORE_COLOURS = {1: "#b3261e", 2: "#c77700", 3: "#6b8e23", 4: "#2e7d32"}


def score_chart(case: Case) -> dict:
    """Scores over time, one small line chart per domain (server-rendered SVG): x is the
    assessment date, y the score (4 at the top). Two queries."""
    scores = list(
        AssessmentScore.objects.filter(assessment__case=case)
        .select_related("domain")
        .values("domain_id", "score", "assessment__assessed_on", "assessment__created_at")
        .order_by("assessment__assessed_on", "assessment__created_at")
    )
    if not scores:
        return {"rows": [], "dates": []}
    domain_ids = {row["domain_id"] for row in scores}
    domains = AssessmentDomain.objects.filter(pk__in=domain_ids).order_by("position", "name_en")
    days = sorted({row["assessment__assessed_on"] for row in scores})
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD

    def x_of(day):
        if first == last:
            return CHART_WIDTH // 2
        return round(CHART_PAD + inner_w * (day - first).days / span, 1)

    def y_of(score):
        return round(CHART_PAD + inner_h * (4 - score) / 3, 1)

    by_domain: dict = {}
    for row in scores:
        by_domain.setdefault(row["domain_id"], {})[row["assessment__assessed_on"]] = row["score"]
    rows = []
    for domain in domains:
        series = sorted(by_domain.get(domain.pk, {}).items())
        dots = [(x_of(day), y_of(score), score, day, SCORE_COLOURS[score]) for day, score in series]
        rows.append(
            ChartRow(
                domain=domain,
                points=" ".join(f"{x},{y}" for x, y, *_rest in dots),
                dots=dots,
                latest=series[-1][1] if series else None,
            )
        )
    return {
        "rows": rows,
        "first": first,
        "last": last,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "guides": [(score, y_of(score)) for score in (4, 3, 2, 1)],
        "colours": SCORE_COLOURS,
    }


# --- plan and conferences ----------------------------------------------------------------


def case_plan(case: Case) -> list[Goal]:
    return list(
        Goal.objects.filter(case=case)
        .select_related("domain")
        .prefetch_related("actions__owner")
        .order_by("created_at")
    )


def goal_get(*, case: Case, goal_id) -> Goal:
    try:
        return Goal.objects.select_related("domain", "case").get(pk=goal_id, case=case)
    except (Goal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def action_get(*, case: Case, action_id) -> Action:
    try:
        return Action.objects.select_related("goal__case", "owner").get(
            pk=action_id, goal__case=case
        )
    except (Action.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def conference_get(*, case: Case, conference_id) -> Conference:
    try:
        return Conference.objects.select_related("recorded_by").get(pk=conference_id, case=case)
    except (Conference.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def recent_visits(case: Case, limit: int = 10) -> list[Visit]:
    return list(
        Visit.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-visited_on", "-created_at")[:limit]
    )


def placements(case: Case) -> list:
    from phteah.care.models import Placement

    return list(
        Placement.objects.filter(case=case).select_related("provider").order_by("-started_on")
    )


# --- the timeline ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    day: date
    kind: str
    label: str
    summary: str
    by: object  # a User, a name, or None
    url: str = ""


def _rows(queryset, *, day, kind: str, stamp="created_at", pk="pk") -> QuerySet:
    """(day, stamp, kind, id) rows of one source, for the UNION ALL."""
    day_expr = F(day) if isinstance(day, str) else day
    return (
        queryset.order_by()
        .annotate(
            t_day=day_expr,
            t_stamp=F(stamp),
            t_kind=Value(kind, output_field=CharField()),
            t_id=F(pk),
        )
        .values_list("t_day", "t_stamp", "t_kind", "t_id")
    )


TIMELINE_LABELS = {
    "opened": _("Case opened"),
    "assessment": _("Assessment"),
    "goal": _("Goal set"),
    "action": _("Action planned"),
    "plan_review": _("Plan review"),
    "conference": _("Case conference"),
    "visit": _("Visit"),
    "service": _("Service delivered"),
    "placement_start": _("Placement started"),
    "placement_end": _("Placement ended"),
    "tracing": _("Family tracing"),
    "relative": _("Relative found"),
    "reunification": _("Reunification assessment"),
    "consent": _("Consent recorded"),
    "closure_requested": _("Closure requested"),
    "closed": _("Case closed"),
    "closed_before": _("Case closed"),
    "reopened": _("Case reopened"),
}


def _timeline_union(case: Case) -> QuerySet:
    from phteah.care.models import Placement, Relative, ReunificationAssessment, TracingAction
    from phteah.people.models import Consent

    this = Case.objects.filter(pk=case.pk)
    sources = [
        _rows(this, day="opened_on", kind="opened"),
        _rows(
            this.filter(closure_requested_on__isnull=False),
            day="closure_requested_on",
            kind="closure_requested",
            stamp="updated_at",
        ),
        _rows(
            this.filter(closed_on__isnull=False), day="closed_on", kind="closed", stamp="updated_at"
        ),
        _rows(Assessment.objects.filter(case=case), day="assessed_on", kind="assessment"),
        _rows(Goal.objects.filter(case=case), day=TruncDate("created_at"), kind="goal"),
        _rows(Action.objects.filter(goal__case=case), day=TruncDate("created_at"), kind="action"),
        _rows(PlanReview.objects.filter(case=case), day="reviewed_on", kind="plan_review"),
        _rows(Conference.objects.filter(case=case), day="held_on", kind="conference"),
        _rows(Visit.objects.filter(case=case), day="visited_on", kind="visit"),
        _rows(ServiceDelivery.objects.filter(case=case), day="delivered_on", kind="service"),
        _rows(Placement.objects.filter(case=case), day="started_on", kind="placement_start"),
        _rows(
            Placement.objects.filter(case=case, ended_on__isnull=False),
            day="ended_on",
            kind="placement_end",
            stamp="updated_at",
        ),
        _rows(TracingAction.objects.filter(case=case), day="done_on", kind="tracing"),
        _rows(Relative.objects.filter(case=case), day="found_on", kind="relative"),
        _rows(
            ReunificationAssessment.objects.filter(case=case),
            day="assessed_on",
            kind="reunification",
        ),
        _rows(Consent.objects.filter(person_id=case.person_id), day="given_on", kind="consent"),
        _rows(CaseReopening.objects.filter(case=case), day="reopened_on", kind="reopened"),
        _rows(
            CaseReopening.objects.filter(case=case, previous_closed_on__isnull=False),
            day="previous_closed_on",
            kind="closed_before",
        ),
    ]
    first, *rest = sources
    return first.union(*rest, all=True).order_by("-t_day", "-t_stamp", "t_kind")


def _fetchers():
    from phteah.care.models import Placement, Relative, ReunificationAssessment, TracingAction
    from phteah.people.models import Consent

    return {
        "assessment": Assessment.objects.select_related("assessed_by"),
        "goal": Goal.objects.select_related("domain"),
        "action": Action.objects.select_related("owner"),
        "plan_review": PlanReview.objects.select_related("reviewed_by"),
        "conference": Conference.objects.select_related("recorded_by"),
        "visit": Visit.objects.select_related("recorded_by"),
        "service": ServiceDelivery.objects.select_related("service_type", "recorded_by"),
        "placement": Placement.objects.select_related("provider", "recorded_by"),
        "tracing": TracingAction.objects.all(),
        "relative": Relative.objects.all(),
        "reunification": ReunificationAssessment.objects.select_related("assessed_by", "relative"),
        "consent": Consent.objects.select_related("shared_with"),
        "reopening": CaseReopening.objects.select_related("reopened_by"),
    }


FETCH_OF_KIND = {
    "placement_start": "placement",
    "placement_end": "placement",
    "reopened": "reopening",
    "closed_before": "reopening",
}


def _short(text: str, length: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _entry(case: Case, kind: str, day, obj, language) -> TimelineEntry:
    from django.urls import reverse

    label = str(TIMELINE_LABELS[kind])
    summary, by, url = "", None, ""
    if kind == "opened":
        summary = _short(f"{case.get_case_type_display()} · {case.get_referral_source_display()}")
    elif kind == "closure_requested":
        summary, by = case.get_closure_reason_display(), case.closure_requested_by
    elif kind == "closed":
        summary, by = case.get_closure_reason_display(), case.closure_approved_by
    elif kind == "assessment":
        summary = f"{obj.get_kind_display()} · {obj.get_risk_level_display()}"
        by = obj.assessed_by
        url = reverse("cases:assessment_detail", args=[case.pk, obj.pk])
    elif kind == "goal":
        domain = obj.domain.display_name(language) if obj.domain else ""
        summary = _short(f"{domain}: {obj.description}" if domain else obj.description)
    elif kind == "action":
        summary = _short(obj.description)
        by = obj.owner or obj.owner_text or None
    elif kind == "plan_review":
        summary, by = _short(obj.notes), obj.reviewed_by
    elif kind == "conference":
        summary, by = _short(obj.decisions), obj.recorded_by
        url = reverse("cases:conference_detail", args=[case.pk, obj.pk])
    elif kind == "visit":
        summary = _short(" · ".join(p for p in (obj.get_kind_display(), obj.people_seen) if p))
        by = obj.recorded_by
    elif kind == "service":
        summary = obj.service_type.display_name(language)
        by = obj.recorded_by
    elif kind in ("placement_start", "placement_end"):
        provider = obj.provider.name if obj.provider else ""
        summary = " · ".join(p for p in (obj.get_care_type_display(), provider) if p)
        if kind == "placement_end" and obj.outcome:
            summary = f"{summary} · {obj.get_outcome_display()}"
        by = obj.recorded_by
    elif kind == "tracing":
        summary, by = _short(f"{obj.where_searched}: {obj.outcome}"), obj.done_by
    elif kind == "relative":
        summary = _short(f"{obj.name} ({obj.relationship})")
    elif kind == "reunification":
        summary, by = obj.get_recommendation_display(), obj.assessed_by
    elif kind == "consent":
        summary = f"{obj.get_purpose_display()} · {obj.get_given_as_display()}"
        by = obj.given_by_name
    elif kind == "reopened":
        summary, by = _short(obj.reason), obj.reopened_by
    elif kind == "closed_before":
        summary = dict(Case.ClosureReason.choices).get(obj.previous_closure_reason, "")
    return TimelineEntry(day=day, kind=kind, label=label, summary=summary, by=by, url=url)


def case_timeline(*, actor: Membership, case: Case, page=1, language=None):
    """Everything recorded in the case, newest first, one page at a time. The page is cut
    in the database (one UNION ALL of (date, kind, id) over every source), then each kind's
    rows on the page are fetched in bulk: the number of queries does not grow with the case."""
    case_get_for_user(actor=actor, case_id=case.pk)
    paginator = Paginator(_timeline_union(case), TIMELINE_PER_PAGE)
    page = paginator.get_page(page)
    wanted: dict[str, set] = {}
    for _day, _stamp, kind, pk in page.object_list:
        fetch = FETCH_OF_KIND.get(kind, kind)
        if fetch in _fetchers_keys():
            wanted.setdefault(fetch, set()).add(pk)
    fetchers = _fetchers()
    found = {fetch: fetchers[fetch].in_bulk(list(ids)) for fetch, ids in sorted(wanted.items())}
    entries = []
    for day, _stamp, kind, pk in page.object_list:
        fetch = FETCH_OF_KIND.get(kind, kind)
        obj = found.get(fetch, {}).get(pk)
        if fetch in found and obj is None:
            continue
        entries.append(_entry(case, kind, day, obj, language))
    return page, entries


def _fetchers_keys() -> set[str]:
    return {
        "assessment",
        "goal",
        "action",
        "plan_review",
        "conference",
        "visit",
        "service",
        "placement",
        "tracing",
        "relative",
        "reunification",
        "consent",
        "reopening",
    }


# --- choosing the person to open a case for ----------------------------------------------


def person_choices(*, actor: Membership, search: str, limit: int = 20) -> list:
    """People *actor* may see whose name matches, with their case (if any) annotated."""
    from phteah.people.access import persons_for

    if not search.strip():
        return []
    q = Q()
    for word in search.split():
        q &= (
            Q(family_name_latin__icontains=word)
            | Q(given_name_latin__icontains=word)
            | Q(family_name_km__icontains=word)
            | Q(given_name_km__icontains=word)
            | Q(nickname__icontains=word)
        )
    case = Case.objects.filter(person=OuterRef("pk"))
    return list(
        persons_for(actor)
        .filter(q)
        .annotate(case_reference=Subquery(case.values("reference")[:1]))
        .order_by("family_name_latin", "given_name_latin")[:limit]
    )
