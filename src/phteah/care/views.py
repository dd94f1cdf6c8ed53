"""Care screens: visits, services delivered, placements, tracing and reunification (reached
through their case), care providers and the service list. Views only parse input and call
services and selectors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phteah.accounts.roles import Capability
from phteah.cases.access import case_get_for_user
from phteah.core.access import membership_required, require_capability
from phteah.core.errors import ServiceError, add_to_form, form_saved
from phteah.core.net import client_ip

from . import selectors, services
from .forms import (
    CarerForm,
    PlacementEndForm,
    PlacementForm,
    ProviderEditForm,
    ProviderForm,
    RelativeForm,
    ReunificationForm,
    ServiceForm,
    ServiceTypeEditForm,
    ServiceTypeForm,
    TracingForm,
    VisitForm,
)
from .models import CareProvider


def case_url(case) -> str:
    """The case page (owned by the cases app)."""
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def _case_form(request, case, form, *, title, submit, template="care/case_form.html", **extra):
    context = {"case": case, "form": form, "title": title, "submit": submit}
    context["back_url"] = case_url(case)
    return render(request, template, context | extra)


def _saved(request, case, message):
    messages.success(request, message)
    return redirect(case_url(case))


# --- visits ----------------------------------------------------------------------------


@membership_required
def visit_list(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id)
    visits = selectors.visit_list(actor=request.membership, case=case)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "care/visit_list.html",
        {"case": case, "page": page, "query": "", "back_url": case_url(case)},
    )


@membership_required
def visit_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = VisitForm(request.POST or None)
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
        return _saved(request, case, _("The visit was recorded."))
    return _case_form(
        request, case, form, title=_("Record a visit or call"), submit=_("Save the visit")
    )


@membership_required
def visit_edit(request, case_id, visit_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    visit = selectors.visit_get(actor=request.membership, case=case, visit_id=visit_id)
    initial = {name: getattr(visit, name) for name in services.VISIT_FIELDS}
    form = VisitForm(request.POST or None, initial=initial, suggest_next=False)
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
        return _saved(request, case, _("The visit was saved."))
    return _case_form(request, case, form, title=_("Change a visit"), submit=_("Save"))


# --- services delivered ----------------------------------------------------------------


def _service_form(request, *, current=None):
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
    )


@membership_required
def service_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = _service_form(request)
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
        return _saved(request, case, _("The service was recorded."))
    return _case_form(
        request, case, form, title=_("Record a service"), submit=_("Save the service")
    )


@membership_required
def service_edit(request, case_id, service_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    service = selectors.service_get(actor=request.membership, case=case, service_id=service_id)
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
        return _saved(request, case, _("The service was saved."))
    return _case_form(request, case, form, title=_("Change a service"), submit=_("Save"))


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
        return redirect("care:service_type_list")
    types = selectors.service_type_list(actor=actor)
    return render(request, "care/service_type_list.html", {"service_types": types})


@require_capability(Capability.MANAGE_SETTINGS)
def service_type_add(request):
    form = ServiceTypeForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.service_type_create(
            actor=request.membership, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        messages.success(request, _("The service was added to the list."))
        return redirect("care:service_type_list")
    return render(
        request, "care/service_type_form.html", {"form": form, "title": _("Add a service")}
    )


@require_capability(Capability.MANAGE_SETTINGS)
def service_type_edit(request, service_type_id):
    service_type = selectors.service_type_get(
        actor=request.membership, service_type_id=service_type_id
    )
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
        return redirect("care:service_type_list")
    return render(
        request,
        "care/service_type_form.html",
        {"form": form, "title": service_type.name_en, "service_type": service_type},
    )


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
            "carer_form": CarerForm() if can_edit else None,
            **detail,
        },
    )


@require_capability(Capability.EDIT_CASES)
def provider_add(request):
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(
                actor=request.membership, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The care provider was added."))
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
    form = CarerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.carer_add(
            actor=request.membership,
            provider_id=provider.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        )
        messages.success(request, _("The carer was added."))
        return redirect("care:provider_detail", provider_id=provider.pk)
    return render(
        request,
        "care/provider_form.html",
        {"form": form, "title": _("Add a carer"), "provider": provider},
    )


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
    )
    if form_saved(
        request,
        form,
        lambda: services.placement_start(
            actor=actor, case_id=case.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        return _saved(request, case, _("The placement was recorded."))
    return _case_form(
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
    placement = selectors.placement_get(actor=actor, case=case, placement_id=placement_id)
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
        return _saved(request, case, _("The placement was ended."))
    return _case_form(
        request,
        case,
        form,
        title=_("End a placement"),
        submit=_("End the placement"),
        placement=placement,
    )


# --- family tracing and reunification --------------------------------------------------


@membership_required
def tracing_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = TracingForm(request.POST or None)
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
        return _saved(request, case, _("The tracing action was recorded."))
    return _case_form(
        request, case, form, title=_("Record a family tracing action"), submit=_("Save")
    )


@membership_required
def relative_add(request, case_id):
    case = case_get_for_user(actor=request.membership, case_id=case_id, edit=True)
    form = RelativeForm(request.POST or None)
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
        return _saved(request, case, _("The relative was added."))
    return _case_form(request, case, form, title=_("Add a relative"), submit=_("Save"))


@membership_required
def reunification_add(request, case_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    form = ReunificationForm(
        request.POST or None, relatives=selectors.relatives_of(actor=actor, case=case)
    )
    if form_saved(
        request,
        form,
        lambda: services.reunification_record(
            actor=actor, case_id=case.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        return _saved(request, case, _("The reunification assessment was recorded."))
    return _case_form(
        request, case, form, title=_("Record a reunification assessment"), submit=_("Save")
    )
