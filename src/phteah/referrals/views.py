"""The referral network's pages: the partner directory, the capacity board, a partner's
page and the organisation's own profile. Views only parse input and call services and
selectors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Capability
from phteah.cases.access import can_edit_case, case_get_for_user
from phteah.cases.models import Case, ServiceType
from phteah.cases.selectors import case_officers
from phteah.cases.views import case_closed_refusal, case_record_form, case_url
from phteah.core.access import access_denied, membership_required, require_capability
from phteah.core.errors import ServiceError, add_to_form, form_saved
from phteah.core.net import client_ip
from phteah.core.submissions import saved_message
from phteah.geography.models import Commune, District
from phteah.people import files
from phteah.people.network import network_match_get

from . import selectors, services
from .forms import (
    AcceptForm,
    CloseForm,
    CompleteForm,
    ContactAnswerForm,
    ContactRequestForm,
    DeclineForm,
    DirectorySearchForm,
    FeedbackForm,
    ProfileForm,
    ReferralForm,
)
from .letter import letter_pdf
from .letter_forms import LetterAnswerForm, LetterForm
from .models import Referral, ReferralLetter

# Organisations on one page of the directory (a light page on a 3G phone).
PAGE_SIZE = 20
# Letters to partners not on Phteah shown in the sent inbox (the latest).
LETTERS_SHOWN = 50


@membership_required
def directory(request):
    actor = request.membership
    form = DirectorySearchForm(
        request.GET or None,
        services=selectors.published_service_choices(actor=actor),
        language=get_language(),
    )
    results, searched = None, bool(request.GET)
    if not searched:
        results = selectors.directory_search(actor=actor, limit=PAGE_SIZE + 1)
    elif form.is_valid():
        data = form.cleaned_data
        results = selectors.directory_search(
            actor=actor,
            limit=PAGE_SIZE + 1,
            care_type=data["care_type"],
            age=data["age"],
            disability=data["disability"],
            province=data["province"],
            district=data["district"],
            service_code=data["service"],
        )
    more = results is not None and len(results) > PAGE_SIZE
    return render(
        request,
        "referrals/directory.html",
        {
            "form": form,
            "results": results[:PAGE_SIZE] if results else results,
            "more": more,
            "searched": searched,
        },
    )


@membership_required
def capacity(request):
    return render(
        request,
        "referrals/capacity.html",
        {"board": selectors.capacity_board(actor=request.membership)},
    )


@membership_required
def organisation_detail(request, organisation_id):
    result = selectors.organisation_profile_get(
        actor=request.membership, organisation_id=organisation_id
    )
    return render(
        request,
        "referrals/organisation_detail.html",
        {
            "result": result,
            "profile": result.profile,
            "description": result.profile.description(get_language()),
            "own": result.profile.organisation_id == request.membership.organisation_id,
            "can_edit": request.membership.can(Capability.MANAGE_NETWORK_PROFILE),
        },
    )


def _profile_form(request, actor, profile):
    language = get_language()
    organisation = actor.organisation
    chosen = [district.code for district in profile.districts.all()]
    districts = District.objects.order_by("code")
    provinces = list(organisation.provinces.values_list("code", flat=True))
    if provinces:
        districts = districts.filter(province_id__in=provinces) | districts.filter(code__in=chosen)
    providers = selectors.own_providers(actor=actor)
    initial = {
        name: getattr(profile, name)
        for name in (
            "published",
            "accepts_referrals",
            "description_en",
            "description_km",
            "contact_name",
            "contact_phone",
            "contact_email",
            "languages",
            "answer_days",
            "telegram_chat_id",
            "linkage_participates",
        )
    }
    initial |= {
        "districts": chosen,
        "communes": [commune.code for commune in profile.communes.all()],
        "service_codes": [service.code for service in profile.services.all()],
        "provider_ids": [str(p.pk) for p in providers if p.network_published],
    }
    catalogue = ServiceType.objects.filter(
        organisation_id=actor.organisation_id, is_active=True
    ).order_by("name_en")
    return ProfileForm(
        request.POST or None,
        initial=initial,
        districts=districts.distinct(),
        communes=Commune.objects.filter(district_id__in=chosen).order_by("code"),
        services=[(service.code, service.display_name(language)) for service in catalogue],
        providers=[(str(provider.pk), _provider_label(provider)) for provider in providers],
        language=language,
    )


def _provider_label(provider) -> str:
    kinds = ", ".join(str(row.get_care_type_display()) for row in provider.care_types.all())
    if not kinds:
        return _("%(name)s (no care types recorded yet)") % {"name": provider.name}
    return _("%(name)s: %(care_types)s") % {"name": provider.name, "care_types": kinds}


@require_capability(Capability.MANAGE_NETWORK_PROFILE)
def profile_edit(request):
    actor = request.membership
    profile = selectors.own_profile_get(actor=actor)
    form = _profile_form(request, actor, profile)
    if form_saved(
        request,
        form,
        lambda: services.partner_profile_update(
            actor=actor, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        messages.success(request, _("The profile was saved."))
        return redirect("referrals:profile_edit")
    return render(request, "referrals/profile_edit.html", {"form": form, "profile": profile})


# --- referrals ------------------------------------------------------------------------------


def _referral_url(referral) -> str:
    return reverse("referrals:referral_detail", kwargs={"referral_id": referral.pk})


@require_capability(Capability.REFER_CASES)
def referral_new(request, case_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    if case.status != Case.Status.OPEN:
        return case_closed_refusal(request, case)
    organisations = (
        Organisation.objects.filter(
            is_active=True,
            partner_profile__published=True,
            partner_profile__accepts_referrals=True,
        )
        .exclude(pk=actor.organisation_id)
        .order_by("name")
    )
    language = get_language()
    catalogue = [
        (service.code, service.display_name(language))
        for service in ServiceType.objects.filter(
            organisation_id=actor.organisation_id, is_active=True
        ).order_by("name_en")
    ]
    initial = {}
    if request.GET.get("to"):
        initial["receivers"] = [request.GET["to"]]
    documents = [
        (key, label) for key, label, _stored in selectors.attachable_documents(case.person)
    ]
    form = ReferralForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        organisations=organisations,
        services=catalogue,
        documents=documents,
        submitter=request.user,
    )
    if form_saved(
        request,
        form,
        lambda: services.referral_send(
            actor=actor,
            case_id=case.pk,
            receiver_ids=[o.pk for o in form.cleaned_data["receivers"]],
            service_codes=form.cleaned_data["services"],
            urgency=form.cleaned_data["urgency"],
            reason=form.cleaned_data["reason"],
            attach=form.cleaned_data.get("attach", ()),
            upload=form.cleaned_data.get("upload"),
            upload_title=form.cleaned_data.get("upload_title", ""),
            submission=form.cleaned_data.get("submission"),
            ip=client_ip(request),
        ),
    ):
        saved_message(request, form, _("The referral was sent. You will be told of each answer."))
        return redirect("referrals:sent")
    uncovered = services.uncovered_receivers(case, organisations)
    return case_record_form(
        request,
        case,
        form,
        title=_("Refer to partner organisations"),
        submit=_("Send the referral"),
        intro=_(
            "The partners see only the child's name, sex, date of birth, village, disability, "
            "risk level, your reason and the documents you send along, until one accepts. "
            "A consent of the child's parent or "
            "guardian must name each partner and cover referrals."
        ),
        uncovered=uncovered,
        consent_url=reverse("people:consent_add", kwargs={"person_id": case.person_id}),
    )


@require_capability(Capability.REFER_CASES)
def sent(request):
    page = Paginator(selectors.referrals_sent(actor=request.membership), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "side": "sender",
            "today": timezone.localdate(),
            # Letters to partners not on Phteah: the latest, on the first page.
            "letters": (
                list(selectors.letters_sent(actor=request.membership)[:LETTERS_SHOWN])
                if page.number == 1
                else []
            ),
        },
    )


@require_capability(Capability.VIEW_OWN_CASES)
def received(request):
    page = Paginator(selectors.referrals_received(actor=request.membership), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/referral_list.html",
        {"page": page, "side": "receiver", "today": timezone.localdate()},
    )


@membership_required
def referral_detail(request, referral_id):
    actor = request.membership
    referral, side = selectors.referral_get_for_user(actor=actor, referral_id=referral_id)
    answers = side == selectors.RECEIVER and actor.can(Capability.ANSWER_REFERRALS)
    pending = referral.state == Referral.State.PENDING
    accepted = referral.state == Referral.State.ACCEPTED
    context = {
        "referral": referral,
        "group": referral.group,
        "side": side,
        "history": selectors.referral_history(referral),
        "can_answer": answers and pending,
        "can_withdraw": side == selectors.SENDER and pending and actor.can(Capability.REFER_CASES),
        "can_report": answers and accepted,
        "can_close": accepted
        and (answers or (side == selectors.SENDER and actor.can(Capability.REFER_CASES))),
        "attachments": (
            selectors.referral_attachments(referral)
            if selectors.attachments_open(referral, side)
            else []
        ),
    }
    if context["can_report"]:
        context["feedback_form"] = FeedbackForm()
        context["complete_form"] = CompleteForm()
    if context["can_close"]:
        context["close_form"] = CloseForm()
    return render(request, "referrals/referral_detail.html", context)


def _as_receiver(request, referral_id):
    """The referral, for a step only its receiver takes; 404 for its sender too."""
    actor = request.membership
    referral, side = selectors.referral_get_for_user(actor=actor, referral_id=referral_id)
    if side != selectors.RECEIVER:
        access_denied(actor=actor, model=Referral, record_id=referral_id)
        raise Http404
    return referral


def _answer_page(request, referral, form, *, title, submit):
    return render(
        request,
        "referrals/referral_answer.html",
        {"referral": referral, "form": form, "title": title, "submit": submit},
    )


@require_capability(Capability.ANSWER_REFERRALS)
def referral_accept(request, referral_id):
    actor = request.membership
    referral = _as_receiver(request, referral_id)
    members = case_officers(actor=actor)
    form = AcceptForm(request.POST or None, members=members)
    if form_saved(
        request,
        form,
        lambda: services.referral_accept(
            actor=actor,
            referral_id=referral.pk,
            case_type=form.cleaned_data["case_type"],
            workers=[form.cleaned_data["worker"]],
            ip=client_ip(request),
        ),
    ):
        messages.success(
            request, _("You accepted the referral: the child's case is open in your organisation.")
        )
        return redirect(_referral_url(referral))
    return _answer_page(
        request, referral, form, title=_("Accept the referral"), submit=_("Accept and open a case")
    )


@require_capability(Capability.ANSWER_REFERRALS)
def referral_decline(request, referral_id):
    actor = request.membership
    referral = _as_receiver(request, referral_id)
    form = DeclineForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.referral_decline(
            actor=actor, referral_id=referral.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        messages.success(request, _("You declined the referral. The sender is told."))
        return redirect("referrals:received")
    return _answer_page(
        request, referral, form, title=_("Decline the referral"), submit=_("Decline")
    )


def _posted(request, referral_id, form_class, call, done: str, *, side=None):
    """A step posted from the referral's page (by *side* only, when given): the form's
    values go to *call*; a refusal is shown as a message on the page."""
    actor = request.membership
    referral, found = selectors.referral_get_for_user(actor=actor, referral_id=referral_id)
    if side is not None and found != side:
        access_denied(actor=actor, model=Referral, record_id=referral_id)
        raise Http404
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(_referral_url(referral))
    try:
        call(actor, referral, **(form.cleaned_data if form else {}))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(_referral_url(referral))


@require_POST
@require_capability(Capability.REFER_CASES)
def referral_withdraw(request, referral_id):
    return _posted(
        request,
        referral_id,
        None,
        lambda actor, referral: services.referral_withdraw(
            actor=actor, referral_id=referral.pk, ip=client_ip(request)
        ),
        _("The referral was withdrawn. The partner is told."),
        side=selectors.SENDER,
    )


@require_POST
@require_capability(Capability.ANSWER_REFERRALS)
def referral_feedback(request, referral_id):
    return _posted(
        request,
        referral_id,
        FeedbackForm,
        lambda actor, referral, note: services.referral_feedback(
            actor=actor, referral_id=referral.pk, note=note, ip=client_ip(request)
        ),
        _("Your news was sent to the referring organisation."),
        side=selectors.RECEIVER,
    )


@require_POST
@require_capability(Capability.ANSWER_REFERRALS)
def referral_complete(request, referral_id):
    return _posted(
        request,
        referral_id,
        CompleteForm,
        lambda actor, referral, outcome: services.referral_complete(
            actor=actor, referral_id=referral.pk, outcome=outcome, ip=client_ip(request)
        ),
        _("The referral is completed."),
        side=selectors.RECEIVER,
    )


@require_POST
@membership_required
def referral_close(request, referral_id):
    actor = request.membership
    if not (actor.can(Capability.REFER_CASES) or actor.can(Capability.ANSWER_REFERRALS)):
        raise Http404
    return _posted(
        request,
        referral_id,
        CloseForm,
        lambda actor, referral, note: services.referral_close(
            actor=actor, referral_id=referral.pk, note=note, ip=client_ip(request)
        ),
        _("The referral is closed."),
    )


@membership_required
def referral_attachment(request, referral_id, attachment_id):
    attachment = selectors.referral_attachment_file(
        actor=request.membership, referral_id=referral_id, attachment_id=attachment_id
    )
    try:
        return files.serve(attachment.file, download_name=f"referral-{attachment.kind}")
    except files.NotServable as error:
        raise Http404 from error


# --- letters to partners not on Phteah ------------------------------------------------------


def _letter_url(letter) -> str:
    return reverse(
        "referrals:letter_detail", kwargs={"case_id": letter.case_id, "letter_id": letter.pk}
    )


@require_capability(Capability.REFER_CASES)
def letter_new(request, case_id):
    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    if case.status != Case.Status.OPEN:
        return case_closed_refusal(request, case)
    language = get_language()
    consents = list(selectors.letter_consents(case))
    catalogue = [
        (service.code, service.display_name(language))
        for service in ServiceType.objects.filter(
            organisation_id=actor.organisation_id, is_active=True
        ).order_by("name_en")
    ]
    form = LetterForm(
        request.POST or None,
        consents=consents,
        services=catalogue,
        language=language,
        submitter=request.user,
    )
    letter = None

    def save():
        nonlocal letter
        letter = services.referral_letter_create(
            actor=actor,
            case_id=case.pk,
            consent_id=form.cleaned_data["consent"],
            partner_kind=form.cleaned_data["partner_kind"],
            partner_contact=form.cleaned_data["partner_contact"],
            service_codes=form.cleaned_data["services"],
            urgency=form.cleaned_data["urgency"],
            reason=form.cleaned_data["reason"],
            language=form.cleaned_data["language"],
            submission=form.cleaned_data.get("submission"),
            ip=client_ip(request),
        )

    if form_saved(request, form, save):
        saved_message(
            request,
            form,
            _("The letter is ready: download it, print it and give it to the partner."),
        )
        return redirect(_letter_url(letter))
    return render(
        request,
        "referrals/letter_new.html",
        {
            "case": case,
            "form": form,
            "back_url": case_url(case),
            "no_consent": not consents,
            "consent_url": reverse("people:consent_add", kwargs={"person_id": case.person_id}),
        },
    )


@require_capability(Capability.VIEW_OWN_CASES)
def letter_detail(request, case_id, letter_id):
    actor = request.membership
    letter = selectors.letter_get_for_user(actor=actor, case_id=case_id, letter_id=letter_id)
    case = letter.checked_case
    return render(
        request,
        "referrals/letter_detail.html",
        {
            "case": case,
            "letter": letter,
            "consent_holds": selectors.letter_consent_holds(letter),
            "services": letter.service_names(get_language()),
            "can_answer": actor.can(Capability.REFER_CASES) and can_edit_case(actor, case),
        },
    )


@require_capability(Capability.VIEW_OWN_CASES)
def letter_download(request, case_id, letter_id):
    actor = request.membership
    letter = selectors.letter_get_for_user(actor=actor, case_id=case_id, letter_id=letter_id)
    if not selectors.letter_consent_holds(letter):
        messages.error(
            request,
            _(
                "The consent this letter rests on was withdrawn or has expired, so the letter "
                "cannot be printed. Record a new consent and write a new letter."
            ),
        )
        return redirect(_letter_url(letter))
    pdf = letter_pdf(letter, office=selectors.letter_sender_office(letter))
    selectors.letter_downloaded(actor=actor, letter=letter)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"referral-letter-{letter.case.reference}-{letter.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_capability(Capability.REFER_CASES)
def letter_answer(request, case_id, letter_id):
    actor = request.membership
    letter = selectors.letter_get_for_user(
        actor=actor, case_id=case_id, letter_id=letter_id, edit=True
    )
    corrects = letter.state != ReferralLetter.State.PENDING
    initial = {"answered_on": timezone.localdate()}
    if corrects:
        initial = {
            "state": letter.state,
            "answered_on": letter.answered_on,
            "note": letter.answer_note,
        }
    form = LetterAnswerForm(request.POST or None, initial=initial, corrects=corrects)
    if form_saved(
        request,
        form,
        lambda: services.referral_letter_answer_record(
            actor=actor,
            case_id=letter.case_id,
            letter_id=letter.pk,
            state=form.cleaned_data["state"],
            answered_on=form.cleaned_data["answered_on"],
            note=form.cleaned_data["note"],
            correction=form.cleaned_data.get("correction", ""),
            ip=client_ip(request),
        ),
    ):
        messages.success(
            request,
            _("The answer was corrected.") if corrects else _("The partner's answer was recorded."),
        )
        return redirect(_letter_url(letter))
    return render(
        request,
        "referrals/letter_answer.html",
        {
            "letter": letter,
            "case": letter.checked_case,
            "form": form,
            "title": _("Correct the partner's answer")
            if corrects
            else _("Record the partner's answer"),
            "submit": _("Save the correction") if corrects else _("Save the answer"),
            "corrects": corrects,
        },
    )


# --- transfers ------------------------------------------------------------------------------


def _transfer_url(transfer) -> str:
    return reverse("referrals:transfer_detail", kwargs={"transfer_id": transfer.pk})


@require_capability(Capability.TRANSFER_CASES)
def transfer_new(request, case_id):
    from .transfer_forms import TransferForm

    actor = request.membership
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    if case.status != Case.Status.OPEN:
        return case_closed_refusal(request, case)
    organisations = services.transfer_receivers(case)
    initial = {"receiver": request.GET["to"]} if request.GET.get("to") else {}
    form = TransferForm(
        request.POST or None, initial=initial, organisations=organisations, submitter=request.user
    )
    if form_saved(
        request,
        form,
        lambda: services.transfer_send(
            actor=actor,
            case_id=case.pk,
            receiver_id=form.cleaned_data["receiver"].pk,
            reason=form.cleaned_data["reason"],
            submission=form.cleaned_data.get("submission"),
            ip=client_ip(request),
        ),
    ):
        saved_message(
            request, form, _("The transfer was sent. You will be told when it is answered.")
        )
        return redirect("referrals:transfers")
    return render(
        request,
        "referrals/transfer_form.html",
        {
            "case": case,
            "form": form,
            "back_url": reverse("cases:case_detail", kwargs={"case_id": case.pk}),
            "uncovered": services.transfer_uncovered(case, organisations),
            "consent_url": reverse("people:consent_add", kwargs={"person_id": case.person_id}),
        },
    )


@require_capability(Capability.VIEW_OWN_CASES)
def transfers(request):
    actor = request.membership
    return render(
        request,
        "referrals/transfer_list.html",
        {
            "received": list(selectors.transfers_received(actor=actor)[:100]),
            "sent": list(selectors.transfers_sent(actor=actor)[:100]),
            "counts": selectors.transfer_counts(actor=actor),
        },
    )


@membership_required
def transfer_detail(request, transfer_id):
    actor = request.membership
    transfer, side = selectors.transfer_get_for_user(actor=actor, transfer_id=transfer_id)
    pending = transfer.state == transfer.State.PENDING
    return render(
        request,
        "referrals/transfer_detail.html",
        {
            "transfer": transfer,
            "side": side,
            "can_answer": pending
            and side == selectors.RECEIVER
            and actor.can(Capability.ANSWER_REFERRALS),
            "can_withdraw": pending
            and side == selectors.SENDER
            and actor.can(Capability.TRANSFER_CASES),
        },
    )


def _transfer_as_receiver(request, transfer_id):
    """The transfer, for a step only its receiver takes; 404 for its sender too."""
    actor = request.membership
    transfer, side = selectors.transfer_get_for_user(actor=actor, transfer_id=transfer_id)
    if side != selectors.RECEIVER:
        access_denied(actor=actor, model=type(transfer), record_id=transfer_id)
        raise Http404
    return transfer


def _transfer_answer_page(request, transfer, form, *, title, submit):
    return render(
        request,
        "referrals/transfer_answer.html",
        {"transfer": transfer, "form": form, "title": title, "submit": submit},
    )


@require_capability(Capability.ANSWER_REFERRALS)
def transfer_accept(request, transfer_id):
    actor = request.membership
    transfer = _transfer_as_receiver(request, transfer_id)
    form = AcceptForm(
        request.POST or None,
        initial={"case_type": transfer.case_type},
        members=case_officers(actor=actor),
    )
    if form_saved(
        request,
        form,
        lambda: services.transfer_accept(
            actor=actor,
            transfer_id=transfer.pk,
            case_type=form.cleaned_data["case_type"],
            workers=[form.cleaned_data["worker"]],
            ip=client_ip(request),
        ),
    ):
        messages.success(
            request,
            _("You accepted the transfer: the child's case is open in your organisation."),
        )
        return redirect(_transfer_url(transfer))
    return _transfer_answer_page(
        request,
        transfer,
        form,
        title=_("Accept the transfer"),
        submit=_("Accept and open a case"),
    )


@require_capability(Capability.ANSWER_REFERRALS)
def transfer_decline(request, transfer_id):
    from .transfer_forms import TransferDeclineForm

    actor = request.membership
    transfer = _transfer_as_receiver(request, transfer_id)
    form = TransferDeclineForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.transfer_decline(
            actor=actor, transfer_id=transfer.pk, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        messages.success(request, _("You declined the transfer. The sender is told."))
        return redirect("referrals:transfers")
    return _transfer_answer_page(
        request, transfer, form, title=_("Decline the transfer"), submit=_("Decline")
    )


@require_POST
@require_capability(Capability.TRANSFER_CASES)
def transfer_withdraw(request, transfer_id):
    actor = request.membership
    transfer, side = selectors.transfer_get_for_user(actor=actor, transfer_id=transfer_id)
    if side != selectors.SENDER:
        access_denied(actor=actor, model=type(transfer), record_id=transfer_id)
        raise Http404
    try:
        services.transfer_withdraw(actor=actor, transfer_id=transfer.pk, ip=client_ip(request))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The transfer was withdrawn. The organisation is told."))
    return redirect(_transfer_url(transfer))


# --- contact requests (network.md §7) ---------------------------------------------------------


@require_capability(Capability.EDIT_CASES)
def contact_new(request, match_id):
    actor = request.membership
    match = network_match_get(actor=actor, match_id=match_id)
    form = ContactRequestForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.contact_request_send(
            actor=actor,
            match_id=match.pk,
            message=form.cleaned_data["message"],
            contact=form.cleaned_data["contact"],
            submission=form.cleaned_data.get("submission"),
            ip=client_ip(request),
        ),
    ):
        saved_message(
            request, form, _("Your contact request was sent. You will be told of the answer.")
        )
        return redirect("people:person_detail", person_id=match.person_id)
    return render(request, "referrals/contact_new.html", {"match": match, "form": form})


@membership_required
def contacts(request):
    actor = request.membership
    if not (actor.can(Capability.EDIT_CASES) or actor.can(Capability.ANSWER_REFERRALS)):
        raise Http404
    return render(
        request,
        "referrals/contact_list.html",
        {
            "received": list(selectors.contact_requests_received(actor=actor)[:100]),
            "sent": list(selectors.contact_requests_sent(actor=actor)[:100]),
            "may_answer": actor.can(Capability.ANSWER_REFERRALS),
        },
    )


@membership_required
def contact_detail(request, contact_request_id):
    actor = request.membership
    contact, side = selectors.contact_request_get_for_user(
        actor=actor, contact_request_id=contact_request_id
    )
    context = {"contact": contact, "side": side}
    if side == selectors.contacts.RECEIVER:
        context["own_person"] = selectors.contact_request_person(actor=actor, request=contact)
        if contact.state == contact.State.PENDING and actor.can(Capability.ANSWER_REFERRALS):
            form = ContactAnswerForm(request.POST or None)
            context["form"] = form
            if request.method == "POST" and _contact_answered(request, form, contact):
                return redirect("referrals:contact_detail", contact_request_id=contact.pk)
    elif request.method == "POST":
        raise Http404
    return render(request, "referrals/contact_detail.html", context)


def _contact_answered(request, form, contact) -> bool:
    if not form.is_valid():
        return False
    data, actor = form.cleaned_data, request.membership
    try:
        if data["decision"] == ContactAnswerForm.DECLINE:
            services.contact_request_decline(
                actor=actor,
                contact_request_id=contact.pk,
                answer=data["answer"],
                ip=client_ip(request),
            )
            messages.success(request, _("You declined the contact request. They are told."))
        else:
            services.contact_request_answer(
                actor=actor,
                contact_request_id=contact.pk,
                answer=data["answer"],
                holds_child=data["holds_child"],
                answer_contact=data["answer_contact"],
                ip=client_ip(request),
            )
            messages.success(request, _("Your answer was sent."))
    except ServiceError as error:
        add_to_form(form, error)
        return False
    return True
