"""Care screens: placements, family tracing and reunification (reached through their case),
care providers, and the rule table. Views only parse input and call services and
selectors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from phteah.accounts.roles import Capability
from phteah.cases.access import case_get_for_user
from phteah.cases.views import (
    case_record_form,
    case_record_saved,
    case_url,
    record_restored,
    record_void_page,
)
from phteah.core.access import membership_required, require_capability
from phteah.core.errors import ServiceError, add_to_form, form_saved
from phteah.core.net import client_ip
from phteah.core.submissions import saved_message

from . import selectors, services
from .access import placement_get_for_user
from .forms import (
    CarerForm,
    PlacementEndForm,
    PlacementForm,
    ProviderCareTypeForm,
    ProviderEditForm,
    ProviderForm,
    RelativeForm,
    ReunificationForm,
    RuleAddForm,
    RuleValueForm,
    TracingForm,
)
from .models import CareProvider

# --- care providers --------------------------------------------------------------------


def _require_case_reader(request):
    actor = request.membership
    if not (actor.can(Capability.VIEW_ALL_CASES) or actor.can(Capability.VIEW_OWN_CASES)):
        raise Http404


@membership_required
def provider_list(request):
    _require_case_reader(request)
    providers = selectors.provider_list(actor=request.membership)
    kind = request.GET.get("kind", "")
    if kind in CareProvider.Kind.values:
        providers = providers.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(providers, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "care/provider_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "kind": kind,
            "kinds": CareProvider.Kind.choices,
            "can_edit": request.membership.can(Capability.EDIT_CASES),
        },
    )


@membership_required
def provider_detail(request, provider_id):
    _require_case_reader(request)
    provider = selectors.provider_get_for_user(actor=request.membership, provider_id=provider_id)
    detail = selectors.provider_detail(actor=request.membership, provider=provider)
    can_edit = request.membership.can(Capability.EDIT_CASES)
    return render(
        request,
        "care/provider_detail.html",
        {
            "provider": provider,
            "can_edit": can_edit,
            "carer_form": CarerForm(submitter=request.user) if can_edit else None,
            "care_type_form": _care_type_form(provider) if can_edit else None,
            **detail,
        },
    )


@require_capability(Capability.EDIT_CASES)
def provider_add(request):
    form = ProviderForm(request.POST or None, submitter=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(
                actor=request.membership, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as error:
            add_to_form(form, error)
        else:
            saved_message(request, form, _("The care provider was added."))
            return redirect("care:provider_detail", provider_id=provider.pk)
    return render(
        request, "care/provider_form.html", {"form": form, "title": _("Add a care provider")}
    )


@require_capability(Capability.EDIT_CASES)
def provider_edit(request, provider_id):
    provider = selectors.provider_get_for_user(actor=request.membership, provider_id=provider_id)
    initial = {name: getattr(provider, name) for name in services.PROVIDER_FIELDS}
    form = ProviderEditForm(request.POST or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda: services.provider_update(
            actor=request.membership,
            provider_id=provider.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        messages.success(request, _("The care provider was saved."))
        return redirect("care:provider_detail", provider_id=provider.pk)
    return render(
        request,
        "care/provider_form.html",
        {"form": form, "title": provider.name, "provider": provider},
    )


@require_capability(Capability.EDIT_CASES)
def carer_add(request, provider_id):
    provider = selectors.provider_get_for_user(actor=request.membership, provider_id=provider_id)
    form = CarerForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.carer_add(
            actor=request.membership,
            provider_id=provider.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        saved_message(request, form, _("The carer was added."))
        return redirect("care:provider_detail", provider_id=provider.pk)
    return render(
        request,
        "care/provider_form.html",
        {"form": form, "title": _("Add a carer"), "provider": provider},
    )


def _care_type_form(provider, data=None):
    return ProviderCareTypeForm(
        data,
        care_types=services.care_types_for_kind(provider.kind),
        initial={"age_min": 0, "age_max": 17},
    )


@require_capability(Capability.EDIT_CASES)
def provider_care_type_set(request, provider_id):
    provider = selectors.provider_get_for_user(actor=request.membership, provider_id=provider_id)
    form = _care_type_form(provider, request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.provider_care_type_set(
            actor=request.membership,
            provider_id=provider.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        messages.success(request, _("The care type was saved."))
        return redirect("care:provider_detail", provider_id=provider.pk)
    return render(
        request,
        "care/provider_form.html",
        {"form": form, "title": _("Children this provider takes"), "provider": provider},
    )


@require_POST
@require_capability(Capability.EDIT_CASES)
def provider_care_type_remove(request, provider_id, care_type_id):
    services.provider_care_type_remove(
        actor=request.membership,
        provider_id=provider_id,
        care_type_id=care_type_id,
        ip=client_ip(request),
    )
    messages.success(request, _("The care type was removed."))
    return redirect("care:provider_detail", provider_id=provider_id)


@require_POST
@require_capability(Capability.EDIT_CASES)
def carer_remove(request, provider_id, carer_id):
    services.carer_remove(
        actor=request.membership,
        provider_id=provider_id,
        carer_id=carer_id,
        ip=client_ip(request),
    )
    messages.success(request, _("The carer was removed."))
    return redirect("care:provider_detail", provider_id=provider_id)


# --- placements ------------------------------------------------------------------------


@membership_required
def placement_add(request, case_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    current = selectors.current_placement(actor=actor, case=case)
    form = PlacementForm(
        request.POST or None,
        providers=selectors.providers_for_placement(actor=actor),
        current=current,
        submitter=request.user,
    )
    if form_saved(
        request,
        form,
        lambda: services.placement_start(
            actor=actor, case_id=case.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        return case_record_saved(request, case, _("The placement was recorded."), form)
    return case_record_form(
        request,
        case,
        form,
        title=_("Record a placement"),
        submit=_("Save the placement"),
        current=current,
        script=True,
    )


@membership_required
def placement_end(request, case_id, placement_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    placement = placement_get_for_user(actor=actor, checked_case=case, placement_id=placement_id)
    if placement.is_voided:
        messages.warning(request, _("This placement was voided."))
        return redirect(case_url(case))
    if placement.ended_on is not None:
        messages.warning(request, _("This placement has already ended."))
        return redirect(case_url(case))
    form = PlacementEndForm(request.POST or None, placement=placement)
    if form_saved(
        request,
        form,
        lambda: services.placement_end(
            actor=actor,
            case_id=case.pk,
            placement_id=placement.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        return case_record_saved(request, case, _("The placement was ended."))
    return case_record_form(
        request,
        case,
        form,
        title=_("End a placement"),
        submit=_("End the placement"),
        placement=placement,
    )


@require_capability(Capability.EDIT_CASES)
def placement_void(request, case_id, placement_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    placement = placement_get_for_user(actor=actor, checked_case=case, placement_id=placement_id)
    what = placement.get_care_type_display()
    if placement.provider:
        what = f"{what} · {placement.provider.name}"
    return record_void_page(
        request,
        case,
        placement,
        title=_("Void a placement"),
        what=what,
        day=placement.started_on,
        restore_url=reverse("care:placement_restore", args=[case.pk, placement.pk]),
        void=lambda reason: services.placement_void(
            actor=actor,
            case_id=case.pk,
            placement_id=placement.pk,
            reason=reason,
            ip=client_ip(request),
        ),
        anchor="#care-placement",
    )


@require_capability(Capability.RESTORE_VOIDED)
@require_POST
def placement_restore(request, case_id, placement_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    placement = placement_get_for_user(actor=actor, checked_case=case, placement_id=placement_id)
    return record_restored(
        request,
        case,
        lambda: services.placement_restore(
            actor=actor, case_id=case.pk, placement_id=placement.pk, ip=client_ip(request)
        ),
        anchor="#care-placement",
    )


# --- family tracing and reunification --------------------------------------------------


@membership_required
def tracing_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = TracingForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.tracing_record(
            actor=request.membership,
            case_id=case.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        return case_record_saved(request, case, _("The tracing action was recorded."), form)
    return case_record_form(
        request, case, form, title=_("Record a family tracing action"), submit=_("Save")
    )


@membership_required
def relative_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = RelativeForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.relative_add(
            actor=request.membership,
            case_id=case.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        return case_record_saved(request, case, _("The relative was added."), form)
    return case_record_form(request, case, form, title=_("Add a relative"), submit=_("Save"))


@membership_required
def reunification_add(request, case_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    form = ReunificationForm(
        request.POST or None,
        relatives=selectors.relatives_of(actor=actor, case=case),
        submitter=request.user,
    )
    if form_saved(
        request,
        form,
        lambda: services.reunification_record(
            actor=actor, case_id=case.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        return case_record_saved(
            request, case, _("The reunification assessment was recorded."), form
        )
    return case_record_form(
        request, case, form, title=_("Record a reunification assessment"), submit=_("Save")
    )


# --- the rule table (organisation settings) ---------------------------------------------


def _rules_page(request, add_form, status=200):
    table = selectors.care_rule_table(actor=request.membership)
    return render(request, "care/rules.html", {"table": table, "add_form": add_form}, status=status)


@require_capability(Capability.MANAGE_SETTINGS)
def rules(request):
    return _rules_page(request, RuleAddForm(submitter=request.user))


@require_capability(Capability.MANAGE_SETTINGS)
@require_POST
def rule_add(request):
    form = RuleAddForm(request.POST, submitter=request.user)
    if form.is_valid():
        try:
            services.care_rule_add(
                actor=request.membership, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as error:
            add_to_form(form, error)
        else:
            saved_message(request, form, _("The rule was added."))
            return redirect("care:rules")
    return _rules_page(request, form)


@require_capability(Capability.MANAGE_SETTINGS)
def rule_edit(request, rule_id):
    rule = selectors.care_rule_get(actor=request.membership, rule_id=rule_id)
    form = RuleValueForm(request.POST or None, initial={"value": rule.value})
    if form_saved(
        request,
        form,
        lambda: services.care_rule_update(
            actor=request.membership,
            rule_id=rule.pk,
            value=form.cleaned_data["value"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The rule was changed."))
        return redirect("care:rules")
    return render(request, "care/rule_edit.html", {"form": form, "rule": rule})


def _confirmed(request) -> bool:
    """A change to the rule table is made only by a POST of its confirmation page (with
    ``confirm``); a GET, or a POST without it, shows what the change will do."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


@require_capability(Capability.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def rule_delete(request, rule_id):
    if _confirmed(request):
        services.care_rule_remove(actor=request.membership, rule_id=rule_id, ip=client_ip(request))
        messages.success(request, _("The rule was removed."))
        return redirect("care:rules")
    removal = selectors.care_rule_removal(actor=request.membership, rule_id=rule_id)
    return render(request, "care/rule_remove.html", {"removal": removal})


@require_capability(Capability.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def rules_restore(request):
    if _confirmed(request):
        services.care_rules_restore_defaults(actor=request.membership, ip=client_ip(request))
        messages.success(request, _("The default rules were restored."))
        return redirect("care:rules")
    preview = selectors.care_rules_restore_preview(actor=request.membership)
    return render(request, "care/rules_restore.html", {"preview": preview})
