"""Case pages. Views parse input and call services and selectors, nothing more."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import membership_required, require_capability
from phteah.core.concurrency import EditConflict
from phteah.core.errors import ServiceError, add_to_form, form_saved
from phteah.core.net import client_ip
from phteah.core.submissions import saved_message
from phteah.people.access import person_get_for_user
from phteah.people.models import SharingPurpose

from . import due, page, selectors, services
from .access import (
    Shared,
    action_get_for_user,
    assessment_get_for_user,
    can_edit_case,
    can_record_in_case,
    case_get_for_user,
    cases_for,
    goal_get_for_user,
    grant_get_for_grantee,
    grant_scope,
    service_delivery_get_for_user,
    visit_get_for_user,
)
from .domain_guidance import GUIDANCE_FIELDS
from .forms import (
    ActionForm,
    ActionUpdateForm,
    AssessmentForm,
    AuthorityVisitForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    ClosureDecisionForm,
    ClosureRequestForm,
    ConferenceForm,
    DomainEditForm,
    DomainForm,
    GoalForm,
    GoalUpdateForm,
    GovernmentShareForm,
    GrantAssignForm,
    PlanReviewForm,
    ReopenForm,
    ServiceForm,
    ServiceTypeEditForm,
    ServiceTypeForm,
    VisitForm,
    VoidForm,
)
from .models import Assessment, Case


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- opening and listing -----------------------------------------------------------------


def _team_choices(actor):
    return {
        "supervisors": list(services.supervisor_members(actor.organisation_id)),
        "workers": list(services.case_worker_members(actor.organisation_id)),
    }


@require_capability(Capability.EDIT_CASES)
def case_add(request):
    actor = request.membership
    person_id = request.POST.get("person") or request.GET.get("person")
    person = person_get_for_user(actor=actor, person_id=person_id) if person_id else None
    existing = None
    if person is not None:
        existing = cases_for(actor).filter(person=person).first()
    team = _team_choices(actor)
    now = timezone.localtime()
    initial = {"identified_on": now.date(), "identified_time": now.strftime("%H:%M")}
    if any(m.user_id == actor.user_id for m in team["workers"]):
        initial["main_worker"] = actor.user_id
    form = CaseForm(request.POST or None, initial=initial, submitter=request.user, **team)
    existing_error = None
    if request.method == "POST" and person is not None and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=actor,
                person_id=person.pk,
                case_type=data["case_type"],
                referral_source=data["referral_source"],
                referral_source_detail=data["referral_source_detail"],
                referral_reason=data["referral_reason"],
                identified_at=data["identified_at"],
                risk_level=data["risk_level"],
                supervisor=data["supervisor"],
                workers=data["workers"],
                ip=client_ip(request),
                **form.submitted(),
            )
        except services.CaseExists as error:
            existing_error = error
            existing = cases_for(actor).filter(pk=error.case.pk).first()
            form.add_error(None, error.message)
        except ServiceError as error:
            add_to_form(form, error)
        else:
            saved_message(
                request,
                form,
                _("The case %(reference)s was opened.") % {"reference": case.reference},
            )
            if cases_for(actor).filter(pk=case.pk).exists():
                return redirect("cases:case_detail", case_id=case.pk)
            return redirect("cases:case_list")
    search = request.GET.get("q", "") if person is None else ""
    return render(
        request,
        "cases/case_add.html",
        {
            "form": form,
            "person": person,
            "existing": existing,
            "existing_error": existing_error,
            "search": search,
            "choices": selectors.person_choices(actor=actor, search=search),
        },
    )


@require_capability(Capability.VIEW_OWN_CASES)
def case_list(request):
    actor = request.membership
    form = CaseFilterForm(
        request.GET or None,
        workers=services.case_worker_members(actor.organisation_id),
        supervisors=services.supervisor_members(actor.organisation_id),
        can_approve=actor.can(Capability.APPROVE_CLOSURES),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(
        actor=actor,
        status=filters.get("status") or "",
        stage=filters.get("stage") or "",
        risk_level=filters.get("risk_level") or "",
        worker=filters.get("worker"),
        supervisor=filters.get("supervisor"),
        care_type=filters.get("care_type") or "",
        province=filters.get("province"),
        due=filters.get("due") or "",
        search=filters.get("search") or "",
        sort=filters.get("sort") or "-opened_on",
    )
    page = selectors.case_list_page(cases, request.GET.get("page"))
    today = timezone.localdate()
    language = get_language()
    rows = [
        {
            "case": case,
            "age": _age(case.person.date_of_birth, today),
            "worker": (
                case.main_worker_name_km
                if language == "km" and case.main_worker_name_km
                else case.main_worker_name
            ),
        }
        for case in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_add": actor.can(Capability.EDIT_CASES),
        },
    )


# --- the case page -----------------------------------------------------------------------


def _sections(actor, case, *, printing: bool = False) -> tuple[list, dict]:
    """The sections the apps contribute to the case page (phteah.cases.page) and their
    context, each under its own key."""
    shown, context, done = [], {}, set()
    for section in page.sections():
        if printing and not section.print_template:
            continue
        shown.append(section)
        if section.context not in done:  # sections of one app may share their context
            context |= section.context(actor=actor, case=case)
            done.add(section.context)
    return shown, context


@membership_required
def case_detail(request, case_id):
    actor = request.membership
    case = selectors.case_detail(actor=actor, case_id=case_id, shared=Shared.READ)
    if case.grant is not None:
        return _shared_case_detail(request, case)
    timeline_page, entries = selectors.case_timeline(
        actor=actor, case=case, page=request.GET.get("page"), language=get_language()
    )
    sections, section_context = _sections(actor, case)
    can_edit = can_edit_case(actor, case)
    goals = selectors.case_plan(case)
    context = {
        "case": case,
        "workers": selectors.case_workers(case),
        "can_edit": can_edit,
        "can_record": can_record_in_case(actor, case),
        "due": due.next_due(case, goals=goals),
        "can_approve": actor.can(Capability.APPROVE_CLOSURES),
        "closure_pending": services.closure_pending(case),
        # Transferred to another organisation that still reads it: no reopening here.
        "transferred_away": case.status == Case.Status.CLOSED
        and services.transfer_grant_active(case),
        "chart": selectors.score_chart(case),
        "goals": goals,
        "page": timeline_page,
        "entries": entries,
        "sections": sections,
        "age": _age(case.person.date_of_birth, timezone.localdate()),
    }
    return render(request, "cases/case_detail.html", context | section_context)


@membership_required
def case_print(request, case_id):
    actor = request.membership
    case = selectors.case_detail(actor=actor, case_id=case_id, purpose="printed")
    sections, section_context = _sections(actor, case, printing=True)
    return render(
        request,
        "cases/case_print.html",
        {
            "case": case,
            "workers": selectors.case_workers(case),
            "assessment": selectors.latest_assessment(case),
            "goals": selectors.case_plan(case),
            "visits": selectors.recent_visits(case, 10),
            "sections": sections,
            "age": _age(case.person.date_of_birth, timezone.localdate()),
            "printed_at": timezone.localtime(),
        }
        | section_context,
    )


def _editable(request, case_id) -> Case:
    return case_get_for_user(actor=request.membership, case_id=case_id, edit=True)


@require_capability(Capability.EDIT_CASES)
def case_edit(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    if case.status != Case.Status.OPEN:
        return case_closed_refusal(request, case)
    workers = selectors.case_workers(case)
    initial = {
        "version": case.version,
        "case_type": case.case_type,
        "referral_source": case.referral_source,
        "referral_source_detail": case.referral_source_detail,
        "referral_reason": case.referral_reason,
        "risk_level": case.risk_level,
        "supervisor": case.supervisor_id,
        "main_worker": workers[0].pk if workers else None,
        "other_workers": [user.pk for user in workers[1:]],
    }
    form = CaseEditForm(request.POST or None, initial=initial, **_team_choices(actor))
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update(
                actor=actor,
                case_id=case.pk,
                expected_version=data["version"],
                case_type=data["case_type"],
                referral_source=data["referral_source"],
                referral_source_detail=data["referral_source_detail"],
                referral_reason=data["referral_reason"],
                risk_level=data["risk_level"],
                supervisor=data["supervisor"],
                workers=data["workers"],
                ip=client_ip(request),
            )
        except EditConflict as error:
            form.add_error(None, error.message)
            current = selectors.case_detail(actor=actor, case_id=case.pk)
            current_workers = selectors.case_workers(current)
            # The form now carries the current version, so saving again is a deliberate choice.
            data = form.data.copy()
            data["version"] = current.version
            form.data = data
            current = {"case": current, "workers": current_workers}
        except ServiceError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "cases/case_edit.html", {"form": form, "case": case, "current": current})


def case_closed_refusal(request, case):
    """A closed case is read-only until it is reopened: a page that records something in it
    goes back to the case page and says why (the services refuse it too)."""
    messages.error(request, _("This case is closed. Reopen it before recording anything in it."))
    return redirect(case_url(case))


def _record(request, case, form, save, *, success, template, extra=None, anchor="", open_only=True):
    """The usual POST round: valid form → service → message and back to the case page."""
    if open_only and case.status != Case.Status.OPEN:
        return case_closed_refusal(request, case)
    if form_saved(request, form, lambda: save(form.cleaned_data)):
        saved_message(request, form, success)
        return redirect(reverse("cases:case_detail", args=[case.pk]) + anchor)
    return render(request, template, {"form": form, "case": case} | (extra or {}))


# --- assessments and domains -------------------------------------------------------------


@require_capability(Capability.EDIT_CASES)
def assessment_add(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    domains = list(selectors.domain_list(actor=actor, active_only=True))
    has_closure = (
        Assessment.objects.valid().filter(case=case, kind=Assessment.Kind.CLOSURE).exists()
    )
    initial = {"assessed_on": timezone.localdate(), "risk_level": case.risk_level}
    initial["kind"] = (
        Assessment.Kind.INITIAL
        if not Assessment.objects.valid().filter(case=case).exists()
        else Assessment.Kind.REVIEW
    )
    if request.GET.get("kind") in Assessment.Kind.values:  # e.g. "Record the closure assessment"
        initial["kind"] = request.GET["kind"]
    form = AssessmentForm(
        request.POST or None, initial=initial, domains=domains, submitter=request.user
    )

    def save(data):
        services.assessment_add(
            actor=actor,
            case_id=case.pk,
            kind=data["kind"],
            assessed_on=data["assessed_on"],
            risk_level=data["risk_level"],
            summary=data["summary"],
            scores=form.scores(),
            ip=client_ip(request),
            **form.submitted(),
        )

    return _record(
        request,
        case,
        form,
        save,
        success=_("The assessment was saved."),
        template="cases/assessment_form.html",
        extra={"has_closure": has_closure, "no_domains": not domains},
        anchor="#assessments",
    )


@membership_required
def assessment_detail(request, case_id, assessment_id):
    assessment = selectors.assessment_detail(
        actor=request.membership,
        case_id=case_id,
        assessment_id=assessment_id,
        language=get_language(),
    )
    return render(
        request,
        "cases/assessment_detail.html",
        {
            "case": assessment.checked_case,
            "assessment": assessment,
            "scores": assessment.scores_shown,
            "can_edit": can_edit_case(request.membership, assessment.checked_case)
            and assessment.checked_case.status == Case.Status.OPEN,
            "can_restore": services.may_restore(request.membership),
        },
    )


@require_capability(Capability.MANAGE_SETTINGS)
def domain_list(request):
    actor = request.membership
    form = DomainForm(request.POST or None, submitter=request.user)
    if request.method == "POST":
        if request.POST.get("seed"):
            created = services.domain_seed(actor=actor, ip=client_ip(request))
            if created:
                messages.success(request, _("The standard domains were added."))
            return redirect("cases:domain_list")
        if form.is_valid():
            try:
                services.domain_create(actor=actor, ip=client_ip(request), **form.cleaned_data)
            except ServiceError as error:
                add_to_form(form, error)
            else:
                saved_message(request, form, _("The domain was added."))
                return redirect("cases:domain_list")
    domains = selectors.domain_list(actor=actor)
    return render(request, "cases/domain_list.html", {"form": form, "domains": domains})


@require_capability(Capability.MANAGE_SETTINGS)
def domain_edit(request, domain_id):
    actor = request.membership
    domain = services.domain_get_for_edit(actor, domain_id)
    initial = {
        "name_en": domain.name_en,
        "name_km": domain.name_km,
        "position": domain.position,
        "is_active": domain.is_active,
    } | {name: getattr(domain, name) for name in GUIDANCE_FIELDS}
    form = DomainEditForm(request.POST or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda: services.domain_update(
            actor=actor, domain_id=domain.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        messages.success(request, _("The domain was saved."))
        return redirect("cases:domain_list")
    return render(request, "cases/domain_edit.html", {"form": form, "domain": domain})


# --- case plan ---------------------------------------------------------------------------


@require_capability(Capability.EDIT_CASES)
def goal_add(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    form = GoalForm(
        request.POST or None,
        domains=selectors.domain_list(actor=actor, active_only=True),
        submitter=request.user,
    )

    def save(data):
        services.goal_add(actor=actor, case_id=case.pk, ip=client_ip(request), **data)

    return _record(
        request,
        case,
        form,
        save,
        success=_("The goal was added."),
        template="cases/plan_form.html",
        extra={"title": _("Add a goal")},
        anchor="#plan",
    )


@require_capability(Capability.EDIT_CASES)
def goal_update(request, case_id, goal_id):
    actor = request.membership
    case = _editable(request, case_id)
    goal = goal_get_for_user(actor=actor, checked_case=case, goal_id=goal_id)
    form = GoalUpdateForm(
        request.POST or None,
        domains=selectors.domain_list(actor=actor),
        initial={"domain": goal.domain_id, "description": goal.description, "status": goal.status},
    )

    def save(data):
        services.goal_update(
            actor=actor, case_id=case.pk, goal_id=goal.pk, ip=client_ip(request), **data
        )

    return _record(
        request,
        case,
        form,
        save,
        success=_("The goal was saved."),
        template="cases/plan_form.html",
        extra={"title": _("Change a goal")},
        anchor="#plan",
    )


def _members(actor):
    return Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True)


@require_capability(Capability.EDIT_CASES)
def action_add(request, case_id, goal_id):
    actor = request.membership
    case = _editable(request, case_id)
    goal = goal_get_for_user(actor=actor, checked_case=case, goal_id=goal_id)
    form = ActionForm(request.POST or None, members=_members(actor), submitter=request.user)

    def save(data):
        services.action_add(
            actor=actor, case_id=case.pk, goal_id=goal.pk, ip=client_ip(request), **data
        )

    return _record(
        request,
        case,
        form,
        save,
        success=_("The action was added."),
        template="cases/plan_form.html",
        extra={"title": _("Add an action"), "goal": goal},
        anchor="#plan",
    )


@require_capability(Capability.EDIT_CASES)
def action_update(request, case_id, action_id):
    actor = request.membership
    case = _editable(request, case_id)
    action = action_get_for_user(actor=actor, checked_case=case, action_id=action_id)
    form = ActionUpdateForm(
        request.POST or None,
        members=_members(actor),
        initial={
            "description": action.description,
            "owner": action.owner_id,
            "owner_text": action.owner_text,
            "due_on": action.due_on,
            "status": action.status,
        },
    )

    def save(data):
        services.action_update(
            actor=actor, case_id=case.pk, action_id=action.pk, ip=client_ip(request), **data
        )

    return _record(
        request,
        case,
        form,
        save,
        success=_("The action was saved."),
        template="cases/plan_form.html",
        extra={"title": _("Change an action"), "goal": action.goal},
        anchor="#plan",
    )


@require_capability(Capability.EDIT_CASES)
def plan_review_add(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    form = PlanReviewForm(
        request.POST or None,
        initial={"reviewed_on": timezone.localdate()},
        submitter=request.user,
    )

    def save(data):
        services.plan_review_add(actor=actor, case_id=case.pk, ip=client_ip(request), **data)

    return _record(
        request,
        case,
        form,
        save,
        success=_("The plan review was saved."),
        template="cases/plan_form.html",
        extra={"title": _("Review the plan")},
        anchor="#plan",
    )


# --- conferences -------------------------------------------------------------------------


@require_capability(Capability.EDIT_CASES)
def conference_add(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    form = ConferenceForm(
        request.POST or None, initial={"held_on": timezone.localdate()}, submitter=request.user
    )

    def save(data):
        services.conference_add(actor=actor, case_id=case.pk, ip=client_ip(request), **data)

    return _record(
        request,
        case,
        form,
        save,
        success=_("The case conference was saved."),
        template="cases/plan_form.html",
        extra={"title": _("Record a case conference")},
    )


@membership_required
def conference_detail(request, case_id, conference_id):
    conference = selectors.conference_detail(
        actor=request.membership, case_id=case_id, conference_id=conference_id
    )
    return render(
        request,
        "cases/conference_detail.html",
        {
            "case": conference.checked_case,
            "conference": conference,
            "participants": conference.participants.splitlines(),
        },
    )


# --- closure -----------------------------------------------------------------------------


@require_capability(Capability.EDIT_CASES)
def closure_request(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    form = ClosureRequestForm(
        request.POST or None, submitter=request.user, has_placement=bool(case.current_care_type)
    )
    has_closure = (
        Assessment.objects.valid().filter(case=case, kind=Assessment.Kind.CLOSURE).exists()
    )

    def save(data):
        services.closure_request(actor=actor, case_id=case.pk, ip=client_ip(request), **data)

    return _record(
        request,
        case,
        form,
        save,
        success=_("Closing the case now waits for a supervisor's approval."),
        template="cases/closure_request.html",
        extra={"has_closure": has_closure, "pending": services.closure_pending(case)},
    )


@require_capability(Capability.APPROVE_CLOSURES)
def closure_approve(request, case_id):
    actor = request.membership
    case = case_get_for_user(
        actor=actor,
        case_id=case_id,
        edit=True,
        related=("person", "closure_requested_by"),
    )
    form = ClosureDecisionForm(request.POST or None)
    approved = request.POST.get("decision") == "approve"
    pending = services.closure_pending(case)

    def save(data):
        services.closure_approve(
            actor=actor,
            case_id=case.pk,
            approve=data["decision"] == "approve",
            note=data["note"],
            ip=client_ip(request),
        )

    return _record(
        request,
        case,
        form,
        save,
        success=_("The case was closed.") if approved else _("The request was sent back."),
        template="cases/closure_approve.html",
        extra={
            "pending": pending,
            "preview": selectors.closure_preview(actor=actor, case=case) if pending else None,
        },
    )


@require_POST
@require_capability(Capability.EDIT_CASES)
def closure_sent_back_done(request, case_id):
    try:
        services.closure_sent_back_done(
            actor=request.membership, case_id=case_id, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as done: it is no longer in My work."))
    if request.POST.get("next") == "work":
        return redirect("work:my_work")
    return redirect("cases:case_detail", case_id=case_id)


@require_capability(Capability.EDIT_CASES)
def case_reopen(request, case_id):
    actor = request.membership
    case = _editable(request, case_id)
    form = ReopenForm(request.POST or None)

    def save(data):
        services.case_reopen(actor=actor, case_id=case.pk, ip=client_ip(request), **data)

    return _record(
        request,
        case,
        form,
        save,
        success=_("The case was reopened."),
        template="cases/case_reopen.html",
        open_only=False,
    )


# --- records of a case: shared by this app's and the care app's forms ----------------------


def case_url(case) -> str:
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def case_record_form(request, case, form, *, title, submit, **extra):
    """A form that records something in *case*, on the shared record-form page (none on a
    closed case)."""
    if case.status != Case.Status.OPEN:
        return case_closed_refusal(request, case)
    context = {"case": case, "form": form, "title": title, "submit": submit}
    context["back_url"] = case_url(case)
    return render(request, "case_record_form.html", context | extra)


def case_record_saved(request, case, message, form=None):
    saved_message(request, form, message)
    return redirect(case_url(case))


# --- voiding and restoring records of a case (this app's and the care app's) ----------


def record_void_page(request, case, record, *, title, what, day, void, restore_url, anchor=""):
    """The confirmation form that voids *record* of *case* with a reason (*void(reason)*
    calls the service); a record already voided shows who voided it, and Restore for those
    who may."""
    form = VoidForm(request.POST or None)
    if not record.is_voided and form_saved(
        request, form, lambda: void(form.cleaned_data["reason"])
    ):
        messages.success(request, _("The record was voided. A supervisor can restore it."))
        return redirect(case_url(case) + anchor)
    return render(
        request,
        "cases/void_form.html",
        {
            "case": case,
            "form": form,
            "record": record,
            "title": title,
            "what": what,
            "day": day,
            "back_url": case_url(case) + anchor,
            "can_restore": services.may_restore(request.membership),
            "restore_url": restore_url,
        },
    )


def record_restored(request, case, restore, *, anchor=""):
    """POST: restore a voided record (*restore()* calls the service), back to the case."""
    try:
        restore()
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The record was restored and counts again."))
    return redirect(case_url(case) + anchor)


def _void_target(request, case_id, get_record, **ids):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    return case, get_record(actor=request.membership, checked_case=case, **ids)


@require_capability(Capability.EDIT_CASES)
def visit_void(request, case_id, visit_id):
    case, visit = _void_target(request, case_id, visit_get_for_user, visit_id=visit_id)
    return record_void_page(
        request,
        case,
        visit,
        title=_("Void a visit"),
        what=visit.get_kind_display(),
        day=visit.visited_on,
        restore_url=reverse("cases:visit_restore", args=[case.pk, visit.pk]),
        void=lambda reason: services.visit_void(
            actor=request.membership,
            case_id=case.pk,
            visit_id=visit.pk,
            reason=reason,
            ip=client_ip(request),
        ),
        anchor="#care-visits",
    )


@require_capability(Capability.RESTORE_VOIDED)
@require_POST
def visit_restore(request, case_id, visit_id):
    case, visit = _void_target(request, case_id, visit_get_for_user, visit_id=visit_id)
    return record_restored(
        request,
        case,
        lambda: services.visit_restore(
            actor=request.membership, case_id=case.pk, visit_id=visit.pk, ip=client_ip(request)
        ),
        anchor="#care-visits",
    )


@require_capability(Capability.EDIT_CASES)
def service_void(request, case_id, service_id):
    case, service = _void_target(
        request, case_id, service_delivery_get_for_user, service_id=service_id
    )
    return record_void_page(
        request,
        case,
        service,
        title=_("Void a service"),
        what=service.service_type.display_name(get_language()),
        day=service.delivered_on,
        restore_url=reverse("cases:service_restore", args=[case.pk, service.pk]),
        void=lambda reason: services.service_void(
            actor=request.membership,
            case_id=case.pk,
            service_id=service.pk,
            reason=reason,
            ip=client_ip(request),
        ),
        anchor="#care-services",
    )


@require_capability(Capability.RESTORE_VOIDED)
@require_POST
def service_restore(request, case_id, service_id):
    case, service = _void_target(
        request, case_id, service_delivery_get_for_user, service_id=service_id
    )
    return record_restored(
        request,
        case,
        lambda: services.service_restore(
            actor=request.membership,
            case_id=case.pk,
            service_id=service.pk,
            ip=client_ip(request),
        ),
        anchor="#care-services",
    )


@require_capability(Capability.EDIT_CASES)
def assessment_void(request, case_id, assessment_id):
    case, assessment = _void_target(
        request, case_id, assessment_get_for_user, assessment_id=assessment_id
    )
    return record_void_page(
        request,
        case,
        assessment,
        title=_("Void an assessment"),
        what=_("%(kind)s assessment, risk %(risk)s")
        % {"kind": assessment.get_kind_display(), "risk": assessment.get_risk_level_display()},
        day=assessment.assessed_on,
        restore_url=reverse("cases:assessment_restore", args=[case.pk, assessment.pk]),
        void=lambda reason: services.assessment_void(
            actor=request.membership,
            case_id=case.pk,
            assessment_id=assessment.pk,
            reason=reason,
            ip=client_ip(request),
        ),
        anchor="#timeline",
    )


@require_capability(Capability.RESTORE_VOIDED)
@require_POST
def assessment_restore(request, case_id, assessment_id):
    case, assessment = _void_target(
        request, case_id, assessment_get_for_user, assessment_id=assessment_id
    )
    return record_restored(
        request,
        case,
        lambda: services.assessment_restore(
            actor=request.membership,
            case_id=case.pk,
            assessment_id=assessment.pk,
            ip=client_ip(request),
        ),
        anchor="#timeline",
    )


# --- visits ----------------------------------------------------------------------------


@membership_required
def visit_list(request, case_id):
    case, visits = selectors.visit_list(actor=request.membership, case_id=case_id)
    visits_page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/visit_list.html",
        {"case": case, "page": visits_page, "query": "", "back_url": case_url(case)},
    )


@membership_required
def visit_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = VisitForm(
        request.POST or None, submitter=request.user, visit_every=due.visit_interval(case)
    )
    if form_saved(
        request,
        form,
        lambda: services.visit_record(
            actor=request.membership,
            case_id=case.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        return case_record_saved(request, case, _("The visit was recorded."), form)
    return case_record_form(
        request, case, form, title=_("Record a visit or call"), submit=_("Save the visit")
    )


@membership_required
def visit_edit(request, case_id, visit_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    visit = visit_get_for_user(actor=request.membership, checked_case=case, visit_id=visit_id)
    if visit.is_voided:  # read-only: the void page says who voided it, and offers Restore
        return redirect("cases:visit_void", case_id=case.pk, visit_id=visit.pk)
    initial = {name: getattr(visit, name) for name in services.VISIT_FIELDS}
    form = VisitForm(
        request.POST or None,
        initial=initial,
        suggest_next=False,
        visit_every=due.visit_interval(case),
    )
    if form_saved(
        request,
        form,
        lambda: services.visit_update(
            actor=request.membership,
            case_id=case.pk,
            visit_id=visit.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        return case_record_saved(request, case, _("The visit was saved."))
    return case_record_form(request, case, form, title=_("Change a visit"), submit=_("Save"))


# --- services delivered ----------------------------------------------------------------


def _service_form(request, *, current=None, submitter=None):
    actor = request.membership
    initial = (
        ServiceForm.initial_for(current, actor.organisation_id) if current is not None else None
    )
    return ServiceForm(
        request.POST or None,
        initial=initial,
        service_types=selectors.service_type_choices(
            actor=actor, include=current.service_type_id if current is not None else None
        ),
        partners=selectors.partner_organisations(actor=actor),
        submitter=submitter,
    )


@membership_required
def service_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = _service_form(request, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.service_record(
            actor=request.membership,
            case_id=case.pk,
            ip=client_ip(request),
            **form.service_values(),
        ),
    ):
        return case_record_saved(request, case, _("The service was recorded."), form)
    return case_record_form(
        request, case, form, title=_("Record a service"), submit=_("Save the service")
    )


@membership_required
def service_edit(request, case_id, service_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    service = service_delivery_get_for_user(
        actor=request.membership, checked_case=case, service_id=service_id
    )
    if service.is_voided:  # read-only, as a voided visit
        return redirect("cases:service_void", case_id=case.pk, service_id=service.pk)
    form = _service_form(request, current=service)
    if form_saved(
        request,
        form,
        lambda: services.service_update(
            actor=request.membership,
            case_id=case.pk,
            service_id=service.pk,
            ip=client_ip(request),
            **form.service_values(),
        ),
    ):
        return case_record_saved(request, case, _("The service was saved."))
    return case_record_form(request, case, form, title=_("Change a service"), submit=_("Save"))


# --- the service list (organisation settings) ------------------------------------------


@require_capability(Capability.MANAGE_SETTINGS)
def service_type_list(request):
    actor = request.membership
    if request.method == "POST":
        created = services.service_types_seed(
            organisation=actor.organisation_id, actor=actor, ip=client_ip(request)
        )
        if created:
            messages.success(request, _("The standard list of services was added."))
        return redirect("cases:service_type_list")
    types = selectors.service_type_list(actor=actor)
    return render(request, "cases/service_type_list.html", {"service_types": types})


@require_capability(Capability.MANAGE_SETTINGS)
def service_type_add(request):
    form = ServiceTypeForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.service_type_create(
            actor=request.membership, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        saved_message(request, form, _("The service was added to the list."))
        return redirect("cases:service_type_list")
    return render(
        request, "cases/service_type_form.html", {"form": form, "title": _("Add a service")}
    )


@require_capability(Capability.MANAGE_SETTINGS)
def service_type_edit(request, service_type_id):
    service_type = services.service_type_get_for_edit(request.membership, service_type_id)
    initial = {
        "name_en": service_type.name_en,
        "name_km": service_type.name_km,
        "is_active": service_type.is_active,
    }
    form = ServiceTypeEditForm(request.POST or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda: services.service_type_update(
            actor=request.membership,
            service_type_id=service_type.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        messages.success(request, _("The service was saved."))
        return redirect("cases:service_type_list")
    return render(
        request,
        "cases/service_type_form.html",
        {
            "form": form,
            "title": service_type.display_name(get_language()),
            "service_type": service_type,
        },
    )


# --- sharing with a government office, and cases shared with us ---------------------------


def _shared_case_detail(request, case):
    """The page of a case another organisation shares with the actor's (read-only): the
    child at a glance, the visits and services, and, for a government office, a visit of
    its own to record. What it shows is read inside the owner's scope and evaluated there;
    the page is rendered after, in the actor's own."""
    actor = request.membership
    grant = case.grant
    # A transferred case's new organisation reads its whole history (the timeline).
    history = grant.purpose == SharingPurpose.TRANSFER
    timeline_page = entries = None
    with grant_scope(case):
        records = selectors.case_records_context(actor=actor, case=case)
        workers = selectors.case_workers(case)
        if history:
            timeline_page, entries = selectors.case_timeline(
                actor=actor, case=case, page=request.GET.get("page"), language=get_language()
            )
    context = {
        "history": history,
        "page": timeline_page,
        "entries": entries,
        "case": case,
        "grant": grant,
        "workers": workers,
        "shared": True,
        "can_record": False,
        "can_visit": grant.purpose == SharingPurpose.GOVERNMENT_SHARE
        and actor.can(Capability.EDIT_CASES)
        and case.status == Case.Status.OPEN,
        "age": _age(case.person.date_of_birth, timezone.localdate()),
    }
    return render(request, "cases/case_shared.html", context | records)


@require_capability(Capability.VIEW_OWN_CASES)
def shared_with_us(request):
    actor = request.membership
    shared = selectors.shared_cases(actor=actor)
    context = {"shared": shared, "can_assign": actor.can(Capability.ANSWER_REFERRALS)}
    if context["can_assign"]:
        members = selectors.case_officers(actor=actor)
        context["members"] = list(members)
        context["assign_form"] = GrantAssignForm(members=members, auto_id=False)
    return render(request, "cases/shared_with_us.html", context)


@require_POST
@require_capability(Capability.ANSWER_REFERRALS)
def grant_assign(request, grant_id):
    actor = request.membership
    grant = grant_get_for_grantee(actor=actor, grant_id=grant_id)
    form = GrantAssignForm(request.POST, members=selectors.case_officers(actor=actor))
    if not form.is_valid():
        messages.error(request, _("Choose a member of your organisation who works on cases."))
        return redirect("cases:shared_with_us")
    try:
        services.case_grant_assign(
            actor=actor,
            grant_id=grant.pk,
            handled_by_id=form.cleaned_data["handled_by"].pk,
            ip=client_ip(request),
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The case was given to the officer."))
    return redirect("cases:shared_with_us")


@require_capability(Capability.REFER_CASES)
def share_new(request, case_id):
    case = case_get_for_user(
        actor=request.membership,
        case_id=case_id,
        edit=True,
        related=("person__village__commune__district",),
    )
    form = GovernmentShareForm(request.POST or None, offices=selectors.government_offices_for(case))
    if form_saved(
        request,
        form,
        lambda: services.case_share_with_government(
            actor=request.membership,
            case_id=case.pk,
            grantee_id=form.cleaned_data["grantee"].pk,
            valid_until=form.cleaned_data["valid_until"],
            ip=client_ip(request),
        ),
    ):
        return case_record_saved(
            request, case, _("The case is shared, read-only, with the office."), form
        )
    return case_record_form(
        request,
        case,
        form,
        title=_("Share with a government office"),
        submit=_("Share the case"),
        intro=_(
            "The office sees this case read-only and may record a follow-up visit it makes. "
            "It needs the consent of the child's parent or guardian to share with government "
            "social services."
        ),
    )


@require_POST
@require_capability(Capability.REFER_CASES)
def share_revoke(request, case_id, grant_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    try:
        services.case_grant_revoke(
            actor=request.membership, case_id=case.pk, grant_id=grant_id, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The case is no longer shared with that organisation."))
    return redirect(case_url(case) + "#sharing")


@require_POST
@require_capability(Capability.REFER_CASES)
def share_renew(request, case_id, grant_id):
    """Extend a share by the longest its purpose and its consent allow, from today."""
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    try:
        services.case_grant_renew(
            actor=request.membership, case_id=case.pk, grant_id=grant_id, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The sharing was extended."))
    return redirect(case_url(case) + "#sharing")


@require_capability(Capability.EDIT_CASES)
def authority_visit_add(request, case_id):
    actor = request.membership
    case = selectors.case_for_authority(actor=actor, case_id=case_id)
    form = AuthorityVisitForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.authority_visit_record(
            actor=actor, case_id=case.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        saved_message(request, form, _("Your visit was recorded in the case."))
        return redirect(case_url(case))
    return case_record_form(
        request,
        case,
        form,
        title=_("Record a follow-up visit you made"),
        submit=_("Save the visit"),
        intro=_(
            "The visit is added to the case of the organisation that shared it, as made by "
            "your office. You cannot change it afterwards."
        ),
    )
