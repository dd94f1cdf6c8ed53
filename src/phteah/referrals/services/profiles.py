"""Changes to what an organisation publishes to the network: its partner profile, the
services it lists and which of its care providers the directory shows. Each runs in one
``audited_atomic()`` block with its audit event (the service contract of
phteah.cases.services.records)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from phteah.accounts.roles import Capability
from phteah.care.services import providers_network_publish
from phteah.cases.models import ServiceType
from phteah.cases.services.records import require
from phteah.core.audit import audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.geography.models import Commune, District
from phteah.people.linkage import linkage_records_remove
from phteah.people.tasks import linkage_rebuild_organisation_task

from ..models import Language, PartnerProfile, PublishedService

PROFILE_FIELDS = (
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
ANSWER_DAYS = (1, 60)
# A Telegram chat: its numeric id (groups are negative) or a public @name.
TELEGRAM_CHAT = re.compile(r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}")


def partner_profile_ensure(*, organisation_id) -> PartnerProfile:
    """The organisation's profile, created unpublished if it has none (a new organisation:
    ``OrganisationCreated``)."""
    profile, _created = PartnerProfile.objects.get_or_create(organisation_id=organisation_id)
    return profile


def _check_languages(languages) -> list[str]:
    if not isinstance(languages, list | tuple | set):
        raise ServiceError(_("Choose one of the options in the list."), field="languages")
    chosen = set(languages)
    if not chosen <= set(Language.values):
        raise ServiceError(_("Choose one of the options in the list."), field="languages")
    return [code for code in Language.values if code in chosen]


def _check_places(districts, communes) -> tuple[list, list]:
    districts, communes = list(districts), list(communes)
    if not all(isinstance(row, District) for row in districts):
        raise ServiceError(_("Choose one of the options in the list."), field="districts")
    if not all(isinstance(row, Commune) for row in communes):
        raise ServiceError(_("Choose one of the options in the list."), field="communes")
    codes = {district.code for district in districts}
    if any(commune.district_id not in codes for commune in communes):
        raise ServiceError(
            _("Choose communes in the districts you cover, or add their district first."),
            field="communes",
        )
    return districts, communes


def _catalogue(actor, service_codes) -> dict[str, ServiceType]:
    codes = set(service_codes)
    catalogue = {
        service.code: service
        for service in ServiceType.objects.filter(
            organisation_id=actor.organisation_id, is_active=True, code__in=codes
        )
    }
    if codes - set(catalogue):
        raise ServiceError(
            _("Choose services of your organisation's own catalogue that are in use."),
            field="services",
        )
    return catalogue


def _publish_services(profile, catalogue) -> dict[str, list]:
    """Make the profile's services those of *catalogue*, names as the catalogue has them;
    the change for the audit event (codes), or nothing."""
    current = {service.code: service for service in profile.services.all()}
    removed = set(current) - set(catalogue)
    if removed:
        PublishedService.objects.filter(profile=profile, code__in=removed).delete()
    new = [
        PublishedService(profile=profile, code=code, name_en=row.name_en, name_km=row.name_km)
        for code, row in catalogue.items()
        if code not in current
    ]
    PublishedService.objects.bulk_create(new)
    for code, row in catalogue.items():
        service = current.get(code)
        if service is not None and (service.name_en, service.name_km) != (
            row.name_en,
            row.name_km,
        ):
            service.name_en, service.name_km = row.name_en, row.name_km
            service.save(update_fields=["name_en", "name_km", "updated_at"])
    if removed or new:
        return {"services": [sorted(current), sorted(catalogue)]}
    return {}


def _linkage_follow(profile: PartnerProfile, participates: bool) -> None:
    """Leaving the network's duplicate check removes the organisation's linkage records; taking
    part again makes them, after the commit (a task: one organisation's people)."""
    if profile.linkage_participates and not participates:
        linkage_records_remove(organisation_id=profile.organisation_id)
    elif participates and not profile.linkage_participates:
        organisation_id = str(profile.organisation_id)
        transaction.on_commit(lambda: linkage_rebuild_organisation_task.delay(organisation_id))


def partner_profile_update(
    *,
    actor,
    published: bool,
    accepts_referrals: bool,
    description_en: str = "",
    description_km: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    languages=(),
    districts=(),
    communes=(),
    answer_days: int = 3,
    telegram_chat_id: str = "",
    linkage_participates: bool = True,
    service_codes=(),
    provider_ids=None,
    ip: str | None = None,
) -> PartnerProfile:
    """Change the organisation's partner profile, the services it lists (codes of its own
    catalogue's services in use) and, when *provider_ids* is given, which of its care
    providers the directory shows. For those who manage the network profile."""
    require(actor, Capability.MANAGE_NETWORK_PROFILE)
    texts = {
        "description_en": description_en,
        "description_km": description_km,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "telegram_chat_id": telegram_chat_id,
    }
    check_values(PartnerProfile, texts)
    texts = {name: value.strip() for name, value in texts.items()}
    if texts["contact_email"]:
        try:
            validate_email(texts["contact_email"])
        except ValidationError as error:
            raise ServiceError(_("Enter a valid e-mail address."), field="contact_email") from error
    if texts["telegram_chat_id"] and not TELEGRAM_CHAT.fullmatch(texts["telegram_chat_id"]):
        raise ServiceError(
            _("Enter the chat's number (for example -1001234567890) or its @name."),
            field="telegram_chat_id",
        )
    if (
        not isinstance(answer_days, int)
        or isinstance(answer_days, bool)
        or not ANSWER_DAYS[0] <= answer_days <= ANSWER_DAYS[1]
    ):
        raise ServiceError(
            _("Enter a number of days from %(low)s to %(high)s.")
            % {"low": ANSWER_DAYS[0], "high": ANSWER_DAYS[1]},
            field="answer_days",
        )
    if published and not (
        texts["contact_name"] and (texts["contact_phone"] or texts["contact_email"])
    ):
        raise ServiceError(
            _("A published profile needs a contact person with a phone number or an e-mail."),
            field="contact_name",
        )
    languages = _check_languages(languages)
    districts, communes = _check_places(districts, communes)
    with audited_atomic():
        profile = partner_profile_ensure(organisation_id=actor.organisation_id)
        profile = (
            PartnerProfile.objects.select_for_update(no_key=True)
            .prefetch_related("districts", "communes", "services")
            .get(pk=profile.pk)
        )
        catalogue = _catalogue(actor, service_codes)
        before_places = {
            "districts": sorted(profile.districts.values_list("code", flat=True)),
            "communes": sorted(profile.communes.values_list("code", flat=True)),
        }
        after_places = {
            "districts": sorted(row.code for row in districts),
            "communes": sorted(row.code for row in communes),
        }
        extra = {
            name: [before_places[name], after_places[name]]
            for name in before_places
            if before_places[name] != after_places[name]
        }
        extra |= _publish_services(profile, catalogue)
        _linkage_follow(profile, bool(linkage_participates))
        profile.districts.set(districts)
        profile.communes.set(communes)
        audited_update(
            profile,
            values={
                "published": bool(published),
                "accepts_referrals": bool(accepts_referrals),
                "languages": languages,
                "answer_days": answer_days,
                "linkage_participates": bool(linkage_participates),
                **texts,
            },
            fields=PROFILE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="referrals.profile.updated",
            extra_changes=extra,
            ip=ip,
        )
        if provider_ids is not None:
            providers_network_publish(actor=actor, provider_ids=provider_ids, ip=ip)
    return profile
