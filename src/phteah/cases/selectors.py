"""Reads of case data that a user triggers. Each takes the actor (a Membership) and returns
only what it may see: cases through ``cases_for``/``case_get_for_user``, records of a case
through the case."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phteah.accounts.models import Membership, Organisation, User
from phteah.accounts.roles import Capability, Role, capabilities_of
from phteah.core.access import access_denied
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound, ServiceError
from phteah.core.prepared import Prepared
from phteah.people.names import has_khmer, khmer_search_form, latin_search_form
from phteah.people.selectors import PERSON_PLACES

from .access import (
    Shared,
    assessment_get_for_user,
    can_edit_case,
    case_get_for_user,
    cases_for,
    cases_shared_with,
    conference_get_for_user,
    grants_held,
)
from .due import category_q
from .models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Case,
    CaseGrant,
    CaseWorkerAssignment,
    Conference,
    Goal,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from .page import timeline_sources

CASES_PER_PAGE = 25
LATEST = 10  # visits and services shown on the case page
TIMELINE_PER_PAGE = 30
_DAY = DateField()  # turns the day of a timeline row into a date on every database
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


# What the case list shows of a case and its child (cases/case_list.html and the rows of its
# view); the rest of both rows stays in the database. SQLite sorts whole rows: a page of an
# organisation's 1,808 cases took 11 ms with every column, 6 ms with these.
CASE_LIST_COLUMNS = (
    "reference",
    "status",
    "stage",
    "risk_level",
    "case_type",
    "last_visited_on",
    "person__family_name_km",
    "person__given_name_km",
    "person__family_name_latin",
    "person__given_name_latin",
    "person__nickname",
    "person__sex",
    "person__date_of_birth",
)


def case_list_page(cases: QuerySet, page=None):
    """One page of *cases* (from ``case_list``), with the columns the list shows
    (``CASE_LIST_COLUMNS``) and the main case worker's names set on each case
    (``main_worker_name``, ``main_worker_name_km``), read for the page's cases only: as a
    subquery per row it was computed for every case of the organisation before sorting (47
    ms of SQLite's time for 1,808 cases)."""
    page = Paginator(cases.only(*CASE_LIST_COLUMNS), CASES_PER_PAGE).get_page(page)
    names = {
        case_id: (name, name_km)
        for case_id, name, name_km in CaseWorkerAssignment.objects.filter(
            case_id__in=[case.pk for case in page], is_primary=True
        ).values_list("case_id", "user__full_name", "user__full_name_km")
    }
    for case in page:
        case.main_worker_name, case.main_worker_name_km = names.get(case.pk, ("", ""))
    return page


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
    """The cases *actor* may see, filtered and sorted (the page's other columns come with
    ``case_list_page``)."""
    cases = cases_for(actor).select_related("person")
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


def case_detail(
    *, actor: Membership, case_id, purpose: str = "viewed", shared: Shared = Shared.NO
) -> Case:
    """The case with what its summary shows, recording that *actor* opened it (*purpose*:
    "viewed" for the case page, "printed" for the printed summary). NotFound if not
    visible. With *shared*, also a case shared with the actor's organisation (its grant as
    ``case.grant``): that view is recorded in the owner's trail and mirrored in the
    actor's."""
    case = case_get_for_user(
        actor=actor,
        case_id=case_id,
        related=(
            *(f"person__{place}" for place in PERSON_PLACES),
            "supervisor",
            "closure_requested_by",
            "closure_approved_by",
            "closure_sent_back_by",
        ),
        shared=shared,
    )
    if case.grant is not None:
        audit_access(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.case.viewed_shared",
            target=case,
            data={"grant": str(case.grant.pk)},
            mirror_to=actor.organisation_id,
        )
        return case
    audit_access(
        actor=actor.user,
        organisation=case.organisation_id,
        action=f"cases.case.{purpose}",
        target=case,
    )
    return case


def case_shares(*, actor: Membership, case: Case) -> list[CaseGrant]:
    """The organisations *case* (the actor's own, checked by the caller) is or was shared
    with, newest first, with who shared it and who handles it there."""
    if case.organisation_id != actor.organisation_id:
        return []
    return list(
        CaseGrant.objects.filter(case=case)
        .select_related("grantee", "granted_by", "handled_by", "revoked_by")
        .order_by("-granted_at")
    )


def government_offices_for(case: Case) -> QuerySet:
    """The government offices that serve the child of *case*: the ministry, the provincial
    office of the child's province, the commune council of the child's commune."""
    serves = Q(kind=Organisation.Kind.NATIONAL_GOVERNMENT)
    village = case.person.village
    if village is not None:
        serves |= Q(
            kind=Organisation.Kind.PROVINCIAL_OFFICE,
            provinces=village.commune.district.province_id,
        ) | Q(kind=Organisation.Kind.COMMUNE_COUNCIL, communes=village.commune_id)
    return (
        Organisation.objects.filter(serves, is_active=True)
        .exclude(pk=case.organisation_id)
        .distinct()
        .order_by("kind", "name")
    )


@dataclass
class SharedCase:
    grant: CaseGrant
    case: Case


def shared_cases(*, actor: Membership) -> list[SharedCase]:
    """The cases other organisations share with *actor*'s (those *actor* may open: see
    ``grants_held``), soonest ending first. Two queries, whatever their number."""
    grants = list(
        grants_held(actor)
        .select_related("organisation", "handled_by", "granted_by")
        .order_by("valid_until")
    )
    cases = {case.pk: case for case in cases_shared_with(actor).select_related("person__village")}
    return [SharedCase(g, cases[g.case_id]) for g in grants if g.case_id in cases]


def case_workers(case: Case) -> list:
    """The case's workers, main one first."""
    return [
        assignment.user
        for assignment in case.assignments.select_related("user").order_by(
            "-is_primary", "user__full_name"
        )
    ]


# --- assessments and domains -------------------------------------------------------------


def domain_list(*, actor: Membership, active_only: bool = False) -> QuerySet:
    domains = AssessmentDomain.objects.filter(organisation_id=actor.organisation_id)
    if active_only:
        domains = domains.filter(is_active=True)
    return domains.order_by("position", "name_en")


def assessment_detail(
    *, actor: Membership, case_id, assessment_id, language: str | None = None
) -> Assessment:
    """One assessment with its scores (each with what it means in its domain, in
    *language*: ``guidance``), recording that *actor* looked at it."""
    assessment = assessment_get_for_user(actor=actor, case_id=case_id, assessment_id=assessment_id)
    assessment.scores_shown = list(
        assessment.scores.select_related("domain").order_by("domain__position", "domain__name_en")
    )
    for row in assessment.scores_shown:
        row.guidance = row.domain.guidance(row.score, language)
    _viewed(actor, assessment, "cases.assessment.viewed")
    return assessment


def _viewed(actor: Membership, record, action: str) -> None:
    audit_access(
        actor=actor.user,
        organisation=record.checked_case.organisation_id,
        action=action,
        target=record,
        case=record.checked_case,
    )


def latest_assessment(case: Case):
    """The latest assessment that counts (a voided one never does)."""
    return (
        Assessment.objects.valid()
        .filter(case=case)
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
        AssessmentScore.objects.filter(assessment__case=case, assessment__voided_at__isnull=True)
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
        .prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("owner")))
        .order_by("created_at")
    )


def conference_detail(*, actor: Membership, case_id, conference_id) -> Conference:
    """One case conference, recording that *actor* looked at it."""
    conference = conference_get_for_user(actor=actor, case_id=case_id, conference_id=conference_id)
    _viewed(actor, conference, "cases.conference.viewed")
    return conference


def recent_visits(case: Case, limit: int = 10) -> list[Visit]:
    """The latest visits that count (the printed summary leaves voided ones out)."""
    return list(
        Visit.objects.valid()
        .filter(case=case)
        .select_related("recorded_by")
        .order_by("-visited_on", "-created_at")[:limit]
    )


def case_records_context(*, actor: Membership, case: Case) -> dict:
    """Context of the case page's visits and services section (*case* comes from
    ``case_get_for_user``), under the key "records". A fixed number of queries. The lists
    show voided records too (struck through); counts, totals and the next visit due come
    from the valid ones only."""
    today = timezone.localdate()
    visits = list(
        Visit.objects.filter(case=case)
        .select_related("recorded_by", "voided_by", "recorded_by_organisation")
        .order_by("-visited_on", "-created_at")[:LATEST]
    )
    counts = Visit.objects.filter(case=case).aggregate(
        valid=Count("pk", filter=Q(voided_at__isnull=True)), all=Count("pk")
    )
    visit_count = counts["valid"]
    # The stored due date (the rules and the latest valid visit decide, phteah.care.progress).
    next_visit_due = case.visit_due_on if visit_count else None
    services = list(
        ServiceDelivery.objects.filter(case=case)
        .select_related("service_type", "provider", "voided_by")
        .order_by("-delivered_on", "-created_at")[:LATEST]
    )
    # Per currency: the valid services, and the cost of those that have one (one query).
    by_currency = list(
        ServiceDelivery.objects.valid()
        .filter(case=case)
        .values("currency")
        .annotate(
            total=Sum("cost"),
            costed=Count("id", filter=Q(cost__isnull=False)),
            count=Count("id"),
        )
        .order_by("currency")
    )
    service_count = sum(row["count"] for row in by_currency)
    records = {
        "can_edit": can_edit_case(actor, case),
        "can_restore": actor is not None and actor.can(Capability.RESTORE_VOIDED),
        "visits": visits,
        "visit_count": visit_count,
        "more_visits": counts["all"] > len(visits),
        "next_visit_due": next_visit_due,
        "visit_overdue": next_visit_due is not None and next_visit_due < today,
        "services": services,
        "service_count": service_count,
        "more_services": service_count > len([s for s in services if not s.is_voided]),
        "service_totals": [
            {
                "currency": row["currency"],
                "label": ServiceDelivery.Currency(row["currency"]).label,
                "total": row["total"],
                "count": row["costed"],
            }
            for row in by_currency
            if row["costed"]
        ],
    }
    return {"records": records}


# --- the timeline ------------------------------------------------------------------------


def _timeline_union(case: Case) -> QuerySet:
    """(day, stamp, kind, id) of everything recorded in *case*: one UNION ALL over every
    source the apps registered (phteah.cases.page)."""
    sources = [rows for source in timeline_sources() for rows in source.rows(case)]
    first, *rest = sources
    return first.union(*rest, all=True)


# Built by the ORM once per process (phteah.core.prepared): the sources may filter by the
# case's id and its person's id only.
_TIMELINE = Prepared(
    lambda case, person: _timeline_union(Case(pk=case, person_id=person)), "case", "person"
)


def _timeline_rows(case: Case, number: int) -> tuple[list, int]:
    """The rows of page *number* of the timeline and the number of rows in all, in one
    query (the count is a window over the same rows)."""
    union, params = _TIMELINE.sql(case=case.pk, person=case.person_id)
    sql = (
        f"SELECT t_day, t_kind, t_id, COUNT(*) OVER () FROM ({union}) timeline "
        "ORDER BY t_day DESC, t_stamp DESC, t_kind, t_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, TIMELINE_PER_PAGE, (number - 1) * TIMELINE_PER_PAGE])
        rows = cursor.fetchall()
    return [row[:3] for row in rows], (rows[0][3] if rows else 0)


def _timeline_page(case: Case, page) -> Page:
    """Page *page* (a number, or text from the address) as ``Paginator.get_page`` gives it:
    the first page for anything that is not a number, the last one past the end."""
    try:
        number = max(int(page), 1)
    except (TypeError, ValueError):
        number = 1
    rows, count = _timeline_rows(case, number)
    if not rows and number > 1:
        _none, count = _timeline_rows(case, 1)
        number = max(math.ceil(count / TIMELINE_PER_PAGE), 1)
        rows, count = _timeline_rows(case, number)
    paginator = Paginator([], TIMELINE_PER_PAGE)
    paginator.count = count  # known from the query (a cached property of the paginator)
    return Page(rows, number, paginator)


def case_timeline(*, actor: Membership, case: Case, page=1, language=None):
    """Everything recorded in *case* (which the caller got from ``case_get_for_user``), newest
    first, one page at a time. The page is cut in the database (one UNION ALL of (date, kind,
    id) over every source the apps registered: phteah.cases.page), then each kind's rows on
    the page are fetched in bulk: the number of queries does not grow with the case."""
    sources = timeline_sources()
    source_of_kind = {kind: source for source in sources for kind in source.labels}
    page = _timeline_page(case, page)
    rows, wanted, fetch = [], {}, {}
    for day, kind, pk in page.object_list:
        source = source_of_kind[kind]
        key = (source.name, source.fetch_of.get(kind, kind))
        if key[1] in source.fetch:
            if key not in fetch:
                fetch[key] = source.fetch[key[1]]()
            # The raw row's id as the model gives it (a UUID from SQLite's text).
            pk = fetch[key].model._meta.pk.to_python(pk)
            wanted.setdefault(key, set()).add(pk)
        rows.append((_DAY.to_python(day), kind, pk, source, key))
    found = {key: fetch[key].in_bulk(list(ids)) for key, ids in sorted(wanted.items())}
    entries = []
    for day, kind, pk, source, key in rows:
        obj = found.get(key, {}).get(pk)
        if key in found and obj is None:
            continue
        entries.append(source.entry(case, kind, day, obj, language))
    page.object_list = entries
    return page, entries


# --- visits, services, the service catalogue -------------------------------------------


def visit_list(*, actor: Membership, case_id) -> tuple[Case, QuerySet]:
    """The case and every visit of it, newest first, recording that *actor* looked at the
    list."""
    case = case_get_for_user(actor=actor, case_id=case_id)
    audit_access(
        actor=actor.user,
        organisation=case.organisation_id,
        action="care.visit.list_viewed",
        target=case,
    )
    visits = (
        Visit.objects.filter(case=case)
        .select_related("recorded_by", "voided_by", "recorded_by_organisation")
        .order_by("-visited_on", "-created_at")
    )
    return case, visits


def service_type_list(*, actor: Membership) -> QuerySet:
    if actor is None or not actor.can(Capability.MANAGE_SETTINGS):
        return ServiceType.objects.none()
    return ServiceType.objects.filter(organisation_id=actor.organisation_id).order_by(
        "-is_active", "name_en"
    )


def service_type_choices(*, actor: Membership, include=None) -> QuerySet:
    """The services a case worker may record: the active ones (plus *include*, the one a
    record being edited already has)."""
    wanted = Q(is_active=True)
    if include is not None:
        wanted |= Q(pk=include)
    return ServiceType.objects.filter(wanted, organisation_id=actor.organisation_id)


def partner_organisations(*, actor: Membership) -> QuerySet:
    """Other active organisations that may have provided a service."""
    return Organisation.objects.filter(is_active=True).exclude(pk=actor.organisation_id)


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


# --- on the person page ------------------------------------------------------------------


def person_cases_context(*, actor: Membership, person) -> dict:
    """The person's cases that *actor* may see, for the person page (phteah.people.page)."""
    cases = list(cases_for(actor).filter(person=person).order_by("-opened_on"))
    can_edit = actor.can(Capability.EDIT_CASES) and person.organisation_id == actor.organisation_id
    return {
        "person_cases": {
            "cases": [
                {"case": case, "href": reverse("cases:case_detail", args=[case.pk])}
                for case in cases
            ],
            # One case per person per organisation: offer to open one only if none exists.
            "can_open_case": can_edit and not Case.objects.filter(person=person).exists(),
        }
    }


# --- closing a case ---------------------------------------------------------------------

# The stored due dates, as the approval page names those that closing clears.
DUE_DATE_LABELS = {
    "visit_due_on": gettext_lazy("Next visit due"),
    "review_due_on": gettext_lazy("Assessment review due"),
    "stay_limit_on": gettext_lazy("Longest stay in the placement reached"),
    "follow_up_due_on": gettext_lazy("Follow-up visit due"),
    "initial_target_at": gettext_lazy("Initial assessment target"),
    "initial_limit_at": gettext_lazy("Initial assessment limit"),
}


def closure_preview(*, actor: Membership, case: Case) -> dict:
    """What approving the requested closure of *case* (reached through
    ``case_get_for_user``) will change: the apps' closure steps (the placement that ends),
    the due dates cleared, the stage and risk level after closing, the goals still open, and
    whether the closure can be approved as the case stands now (``problem``)."""
    from .closing import closure_steps
    from .services.closure import closure_check

    closed_on = timezone.localdate()
    reason, outcome = case.closure_reason, case.closure_placement_outcome
    steps = [
        sentence
        for step in closure_steps()
        for sentence in step.preview(
            case=case, reason=reason, placement_outcome=outcome, closed_on=closed_on
        )
    ]
    try:
        closure_check(case, reason=reason, placement_outcome=outcome)
        problem = ""
    except ServiceError as error:
        problem = error.message
    due = [
        (label, getattr(case, name))
        for name, label in DUE_DATE_LABELS.items()
        if getattr(case, name) is not None
    ]
    open_goals = list(
        Goal.objects.filter(case=case, status=Goal.Status.OPEN)
        .annotate(to_do=Count("actions", filter=Q(actions__status="to_do")))
        .order_by("created_at")
    )
    return {
        "closed_on": closed_on,
        "steps": steps,
        "due": due,
        "stage_before": case.get_stage_display(),
        "risk": case.get_risk_level_display(),
        "open_goals": open_goals,
        "problem": problem,
    }


def case_officers(*, actor: Membership) -> QuerySet:
    """The users of *actor*'s organisation a shared case can be given to: active members
    who work on cases."""
    roles = [role.value for role in Role if Capability.VIEW_OWN_CASES in capabilities_of(role)]
    return User.objects.filter(
        memberships__organisation_id=actor.organisation_id,
        memberships__is_active=True,
        memberships__role__in=roles,
        is_active=True,
    ).order_by("full_name")


def case_for_authority(*, actor: Membership, case_id) -> Case:
    """A case shared with *actor*'s government office, for the visit form; NotFound for any
    other (the organisation's own cases use the ordinary visit form)."""
    case = case_get_for_user(actor=actor, case_id=case_id, shared=Shared.AUTHORITY_VISIT)
    if case.grant is None:
        access_denied(actor=actor, model=Case, record_id=case_id)
        raise NotFound
    return case


def case_sharing_context(*, actor: Membership, case: Case) -> dict:
    """Context of the case page's "Shared with" section, under the key "sharing": the
    organisations the case is or was shared with, and whether *actor* may share it."""
    grants = case_shares(actor=actor, case=case)
    now = timezone.now()
    may_share = (
        actor.can(Capability.REFER_CASES)
        and can_edit_case(actor, case)
        and case.status == Case.Status.OPEN
    )
    return {
        "sharing": {
            "active": [g for g in grants if g.is_active(now)],
            "ended": [g for g in grants if not g.is_active(now)][:10],
            "may_share": may_share,
            "may_stop": actor.can(Capability.REFER_CASES) and can_edit_case(actor, case),
        }
    }
