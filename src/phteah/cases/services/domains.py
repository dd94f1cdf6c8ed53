"""Each organisation's assessment domains (the wellbeing areas scored 1–4)."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import organisation_row_get_for_user
from phteah.core.audit import audit_log, audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..domain_guidance import GUIDANCE_FIELDS, GUIDANCE_LENGTH, default_guidance
from ..models import AssessmentDomain
from .records import creates, require

DEFAULT_DOMAINS = [
    ("food_security", "Food security", "សន្តិសុខស្បៀង"),
    ("nutrition_growth", "Nutrition & growth", "អាហារូបត្ថម្ភ និងការលូតលាស់"),
    ("shelter", "Shelter", "ទីជម្រក"),
    ("care", "Care", "ការថែទាំ"),
    ("abuse_exploitation", "Abuse & exploitation", "ការរំលោភបំពាន និងការកេងប្រវ័ញ្ច"),
    ("legal_protection", "Legal protection", "កិច្ចការពារផ្លូវច្បាប់"),
    ("wellness", "Wellness", "សុខុមាលភាព"),
    ("health_care_services", "Health care services", "សេវាថែទាំសុខភាព"),
    ("emotional_health", "Emotional health", "សុខភាពផ្លូវចិត្ត"),
    ("social_behaviour", "Social behaviour", "ឥរិយាបថសង្គម"),
    ("education_performance", "Education performance", "លទ្ធផលសិក្សា"),
    ("work_education", "Work & education", "ការងារ និងការអប់រំ"),
]
DOMAIN_FIELDS = ("code", "name_en", "name_km", "position", "is_active", *GUIDANCE_FIELDS)


def assessment_domains_seed(*, organisation) -> int:
    """Give *organisation* the Child Status Index domains if it has no domains at all.
    Returns how many were created. Safe to call again."""
    organisation_id = getattr(organisation, "pk", organisation)
    with audited_atomic():
        if AssessmentDomain.objects.filter(organisation_id=organisation_id).exists():
            return 0
        AssessmentDomain.objects.bulk_create(
            [
                AssessmentDomain(
                    organisation_id=organisation_id,
                    code=code,
                    name_en=name_en,
                    name_km=name_km,
                    position=(index + 1) * 10,
                    **default_guidance(code),
                )
                for index, (code, name_en, name_km) in enumerate(DEFAULT_DOMAINS)
            ]
        )
    return len(DEFAULT_DOMAINS)


def domain_seed(*, actor: Membership, ip: str | None = None) -> int:
    """An administrator sets up the standard domains for their organisation."""
    require(actor, Capability.MANAGE_SETTINGS)
    with audited_atomic():
        created = assessment_domains_seed(organisation=actor.organisation_id)
        if created:
            audit_log(
                actor=actor.user,
                organisation=actor.organisation_id,
                action="cases.domain.seeded",
                data={"count": created},
                ip=ip,
            )
    return created


def _check_domain_names(actor, name_en: str, name_km: str, exclude=None) -> None:
    check_values(AssessmentDomain, {"name_en": name_en, "name_km": name_km})
    if not name_en.strip():
        raise ServiceError(_("Give the domain a name in English."), field="name_en")
    same = AssessmentDomain.objects.filter(
        organisation_id=actor.organisation_id, name_en__iexact=name_en.strip()
    )
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ServiceError(_("There is already a domain with this name."), field="name_en")


@once
def domain_create(
    *,
    actor: Membership,
    name_en: str,
    name_km: str = "",
    position: int | None = None,
    ip: str | None = None,
) -> AssessmentDomain:
    require(actor, Capability.MANAGE_SETTINGS)
    check_values(AssessmentDomain, {"position": position})
    with audited_atomic():
        _check_domain_names(actor, name_en, name_km)
        domains = AssessmentDomain.objects.filter(organisation_id=actor.organisation_id)
        base = slugify(name_en)[:30] or "domain"
        code, suffix = base, 1
        while domains.filter(code=code).exists():
            suffix += 1
            code = f"{base}-{suffix}"
        if position is None:
            last = domains.order_by("-position").values_list("position", flat=True).first()
            position = (last or 0) + 10
        domain = AssessmentDomain.objects.create(
            organisation_id=actor.organisation_id,
            code=code,
            name_en=name_en.strip(),
            name_km=name_km.strip(),
            position=position,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="cases.domain.created",
            target=domain,
            changes=creates(domain, DOMAIN_FIELDS),
            ip=ip,
        )
    return domain


def domain_get_for_edit(actor: Membership, domain_id, *, lock: bool = False) -> AssessmentDomain:
    """The access function for assessment domains: the organisation's own, for those who
    manage its settings; NotFound otherwise."""
    return organisation_row_get_for_user(
        AssessmentDomain.objects.all(),
        actor=actor,
        record_id=domain_id,
        capability=Capability.MANAGE_SETTINGS,
        lock=lock,
    )


def domain_update(
    *,
    actor: Membership,
    domain_id,
    name_en: str,
    name_km: str,
    position: int,
    is_active: bool,
    guidance_1: str | None = None,
    guidance_1_km: str | None = None,
    guidance_2: str | None = None,
    guidance_2_km: str | None = None,
    guidance_3: str | None = None,
    guidance_3_km: str | None = None,
    guidance_4: str | None = None,
    guidance_4_km: str | None = None,
    ip: str | None = None,
) -> AssessmentDomain:
    """Rename, move or stop using a domain (scores already given keep it), and say what
    each score means in it (a guidance text left out, None, stays as it is)."""
    given = {
        "guidance_1": guidance_1,
        "guidance_1_km": guidance_1_km,
        "guidance_2": guidance_2,
        "guidance_2_km": guidance_2_km,
        "guidance_3": guidance_3,
        "guidance_3_km": guidance_3_km,
        "guidance_4": guidance_4,
        "guidance_4_km": guidance_4_km,
    }
    guidance = {name: text.strip() for name, text in given.items() if text is not None}
    with audited_atomic():
        domain = domain_get_for_edit(actor, domain_id, lock=True)
        check_values(
            AssessmentDomain,
            {"position": position} | guidance,
            lengths=dict.fromkeys(GUIDANCE_FIELDS, GUIDANCE_LENGTH),
        )
        _check_domain_names(actor, name_en, name_km, exclude=domain)
        audited_update(
            domain,
            values={
                "name_en": name_en.strip(),
                "name_km": name_km.strip(),
                "position": position,
                "is_active": is_active,
            }
            | guidance,
            fields=DOMAIN_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="cases.domain.updated",
            ip=ip,
        )
    return domain
