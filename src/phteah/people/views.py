"""People pages: register (with the duplicate check), person page, documents, households and
consent. Views only parse input and call services and selectors."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phteah.accounts.roles import Capability
from phteah.core.access import membership_required, require_capability
from phteah.core.concurrency import EditConflict
from phteah.core.errors import ServiceError, add_to_form, form_saved
from phteah.core.http import redirect_back
from phteah.core.net import client_ip
from phteah.core.submissions import saved_message, submission_claimed

from . import files, network, selectors, services
from .access import household_get_for_user, households_for, person_get_for_user, persons_for
from .forms import (
    ConsentForm,
    ConsentWithdrawForm,
    DocumentForm,
    HouseholdForm,
    MemberAddForm,
    PersonEditForm,
    PersonRegisterForm,
    PersonSearchForm,
)
from .models import IdentityDocument
from .services import PERSON_FIELDS

SEARCH_LIMIT = 30


def _serve(stored, *, download_name: str):
    try:
        return files.serve(stored, download_name=download_name)
    except files.NotServable as error:
        raise Http404 from error


# --- people --------------------------------------------------------------------------------


@require_capability(Capability.VIEW_OWN_CASES)
def person_list(request):
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    persons = (
        selectors.person_search(actor=request.membership, query=query, limit=SEARCH_LIMIT)
        if query
        else []
    )
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "q": query,
            "persons": persons,
            "can_register": request.membership.can(Capability.EDIT_CASES),
        },
    )


def _check_network(request, person) -> None:
    """The duplicate check across organisations, run by the register form's POST only; what
    it finds shows on the person's page."""
    try:
        found = network.network_check(
            actor=request.membership, person_id=person.pk, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.warning(request, error.message)
        return
    if found:
        messages.info(
            request,
            _("A possible match exists in another organisation: see below."),
        )


@require_capability(Capability.EDIT_CASES)
def register(request):
    form = PersonRegisterForm(request.POST or None, request.FILES or None, submitter=request.user)
    matches = []
    if request.method == "POST" and form.is_valid():
        if not form.is_confirmed() and not submission_claimed(form.cleaned_data["submission"]):
            matches = selectors.person_duplicates(actor=request.membership, data=form.cleaned_data)
        if not matches:
            try:
                person = services.person_create(
                    actor=request.membership,
                    photo=form.cleaned_data.get("photo"),
                    ip=client_ip(request),
                    **{
                        k: v
                        for k, v in form.person_values().items()
                        if k in (*PERSON_FIELDS, "age_years")
                    },
                    **form.submitted(),
                )
            except ServiceError as error:
                add_to_form(form, error)
            else:
                saved_message(request, form, _("The person was registered."))
                _check_network(request, person)
                return redirect("people:person_detail", person_id=person.pk)
        else:
            # Ask the user to look at the matches; posting again confirms this data.
            data = request.POST.copy()
            data["confirmed"] = form.confirmation()
            form = PersonRegisterForm(data, submitter=request.user)
            form.is_valid()
    return render(
        request,
        "people/register.html",
        {
            "form": form,
            "matches": [m for m in matches if m.visible],
            "hidden_matches": sum(1 for m in matches if not m.visible),
            "checked": bool(matches),
        },
    )


@membership_required
def person_detail(request, person_id):
    person = selectors.person_get_detail(
        actor=request.membership, person_id=person_id, record_view=True
    )
    context = selectors.person_page_context(actor=request.membership, person=person)
    return render(request, "people/person_detail.html", context)


def _initial(person) -> dict:
    initial = {name: getattr(person, name) for name in PERSON_FIELDS}
    initial["version"] = person.version
    return initial


@membership_required
def person_edit(request, person_id):
    person = selectors.person_get_detail(actor=request.membership, person_id=person_id)
    person_get_for_user(actor=request.membership, person_id=person.pk, edit=True)
    form = PersonEditForm(request.POST or None, request.FILES or None, initial=_initial(person))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.membership,
                person_id=person.pk,
                expected_version=form.cleaned_data["version"],
                photo=form.cleaned_data.get("photo"),
                remove_photo=form.cleaned_data.get("remove_photo", False),
                age_years=form.cleaned_data.get("age_years"),
                ip=client_ip(request),
                **form.person_values(),
            )
        except EditConflict as error:
            conflict = selectors.person_get_detail(actor=request.membership, person_id=error.obj.pk)
            messages.error(request, error.message)
            form = PersonEditForm(initial=_initial(conflict))
        except ServiceError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect_back(request, "people:person_detail", person_id=person.pk)
    return render(
        request,
        "people/person_edit.html",
        {"form": form, "person": conflict or person, "conflict": conflict},
    )


@membership_required
def person_photo(request, person_id):
    photo = selectors.person_photo(actor=request.membership, person_id=person_id)
    return _serve(photo, download_name="photo")


# --- identity documents --------------------------------------------------------------------


@membership_required
def document_edit(request, person_id, kind):
    person = person_get_for_user(actor=request.membership, person_id=person_id, edit=True)
    document = selectors.identity_document_get(person=person, kind=kind)
    initial = (
        {"status": document.status, "number": document.number, "obtained_on": document.obtained_on}
        if document
        else {}
    )
    form = DocumentForm(request.POST or None, request.FILES or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda: services.identity_document_save(
            actor=request.membership,
            person_id=person.pk,
            kind=kind,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        messages.success(request, _("The document was saved."))
        return redirect_back(request, "people:person_detail", person_id=person.pk)
    return render(
        request,
        "people/document_form.html",
        {
            "form": form,
            "person": person,
            "document": document,
            "kind_label": IdentityDocument.Kind(kind).label,
        },
    )


@membership_required
def document_scan(request, person_id, kind):
    scan = selectors.document_scan(actor=request.membership, person_id=person_id, kind=kind)
    return _serve(scan, download_name=kind)


# --- households ----------------------------------------------------------------------------


@membership_required
def household_add(request, person_id):
    person = person_get_for_user(actor=request.membership, person_id=person_id, edit=True)
    form = HouseholdForm(request.POST or None, submitter=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=request.membership,
                person_id=person.pk,
                ip=client_ip(request),
                **form.cleaned_data,
            )
        except ServiceError as error:
            add_to_form(form, error)
        else:
            saved_message(request, form, _("The household was added."))
            return redirect("people:household_detail", household_id=household.pk)
    return render(request, "people/household_form.html", {"form": form, "person": person})


@membership_required
def household_detail(request, household_id):
    context = selectors.household_detail_context(
        actor=request.membership, household_id=household_id
    )
    context["can_edit"] = request.membership.can(Capability.EDIT_CASES)
    return render(request, "people/household_detail.html", context)


@membership_required
def household_member_add(request, household_id):
    household = household_get_for_user(
        actor=request.membership, household_id=household_id, edit=True
    )
    search = PersonSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    shown = (
        list(selectors.person_search(actor=request.membership, query=query, limit=SEARCH_LIMIT))
        if query
        else []
    )
    form = MemberAddForm(
        request.POST or None,
        persons=persons_for(request.membership),
        shown=shown,
        submitter=request.user,
    )
    if form_saved(
        request,
        form,
        lambda: services.household_member_add(
            actor=request.membership,
            household_id=household.pk,
            person_id=form.cleaned_data["person"].pk,
            relationship=form.cleaned_data["relationship"],
            is_primary_carer=form.cleaned_data["is_primary_carer"],
            ip=client_ip(request),
            **form.submitted(),
        ),
    ):
        saved_message(request, form, _("The member was added."))
        return redirect("people:household_detail", household_id=household.pk)
    return render(
        request,
        "people/household_member_add.html",
        {"form": form, "search": search, "q": query, "household": household, "shown": shown},
    )


@membership_required
@require_POST
def household_member_remove(request, household_id, member_id):
    household_get_for_user(actor=request.membership, household_id=household_id, edit=True)
    services.household_member_remove(
        actor=request.membership,
        household_id=household_id,
        member_id=member_id,
        ip=client_ip(request),
    )
    messages.success(request, _("The member was removed from the household."))
    if households_for(request.membership).filter(pk=household_id).exists():
        return redirect("people:household_detail", household_id=household_id)
    return redirect("people:person_list")


# --- consent -------------------------------------------------------------------------------


@membership_required
def consent_add(request, person_id):
    person = person_get_for_user(actor=request.membership, person_id=person_id, edit=True)
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        organisations=selectors.organisations_for_sharing(actor=request.membership),
        submitter=request.user,
    )
    if form_saved(
        request,
        form,
        lambda: services.consent_create(
            actor=request.membership,
            person_id=person.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        saved_message(request, form, _("The consent was recorded."))
        return redirect_back(request, "people:person_detail", person_id=person.pk)
    return render(request, "people/consent_form.html", {"form": form, "person": person})


@membership_required
def consent_withdraw(request, person_id, consent_id):
    person = person_get_for_user(actor=request.membership, person_id=person_id, edit=True)
    consent = selectors.consent_get(person=person, consent_id=consent_id)
    form = ConsentWithdrawForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.consent_withdraw(
            actor=request.membership,
            person_id=person.pk,
            consent_id=consent.pk,
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The consent was marked as withdrawn."))
        return redirect_back(request, "people:person_detail", person_id=person.pk)
    return render(
        request,
        "people/consent_withdraw.html",
        {"form": form, "person": person, "consent": consent},
    )


@membership_required
def consent_scan(request, person_id, consent_id):
    scan = selectors.consent_scan(
        actor=request.membership, person_id=person_id, consent_id=consent_id
    )
    return _serve(scan, download_name="consent")
