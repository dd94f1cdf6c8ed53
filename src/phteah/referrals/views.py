"""The referral network's pages: the partner directory, the capacity board, a partner's
page and the organisation's own profile. Views only parse input and call services and
selectors."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from phteah.accounts.roles import Capability
from phteah.cases.models import ServiceType
from phteah.core.access import membership_required, require_capability
from phteah.core.errors import form_saved
from phteah.core.net import client_ip
from phteah.geography.models import Commune, District

from . import selectors, services
from .forms import DirectorySearchForm, ProfileForm

# Organisations on one page of the directory (a light page on a 3G phone).
PAGE_SIZE = 20


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
