"""The demo network in the partner directory: the NGOs and the provincial department publish
their profiles, a few services of their catalogues, and their care providers with the care
types, ages and disability access they offer, so that a search finds places. Made through
the services, as each organisation's administrator and supervisor would; idempotent: a
profile published already is left as it is."""

from django_scopes import scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.care.models import CareProvider
from phteah.care.services import provider_care_type_set
from phteah.cases.models import CareType, ServiceType
from phteah.geography.models import District
from phteah.referrals.models import PartnerProfile
from phteah.referrals.services import partner_profile_update

from .network import ORGANISATIONS

# (care type, youngest, oldest, takes children with a disability) per kind of provider; Hope
# for Mothers' foster families take babies.
CARE_TYPES = {
    CareProvider.Kind.FOSTER_FAMILY: (
        (CareType.EMERGENCY_FOSTER, 0, 17, False),
        (CareType.LONG_TERM_FOSTER, 0, 17, False),
    ),
    CareProvider.Kind.TEMPORARY_CENTRE: ((CareType.TEMPORARY_CENTRE, 0, 17, True),),
    CareProvider.Kind.FAMILY_HOUSE: ((CareType.FAMILY_HOUSE, 6, 17, True),),
}
BABIES = {"HFM": (CareType.EMERGENCY_FOSTER, 0, 5, True)}
SERVICES = {
    "HFM": ("antenatal_care", "counselling", "emergency_foster_care", "emergency_support"),
    "SCH": ("safe_shelter", "school_registration", "vocational_support", "counselling"),
    "FBC": ("family_mediation", "reintegration_support", "emergency_foster_care", "counselling"),
    "KCN": ("physiotherapy", "counselling", "school_registration", "outreach"),
    "BDSVY": ("birth_certificate", "family_book", "legal_support", "rescue"),
}
DESCRIPTIONS = {
    "HFM": (
        "Crisis pregnancy support and emergency foster care for babies in Phnom Penh.",
        "ជំនួយស្ត្រីមានផ្ទៃពោះក្នុងវិបត្តិ និងការថែទាំដោយគ្រួសារអាណាព្យាបាលបន្ទាន់សម្រាប់ទារកនៅភ្នំពេញ។",
    ),
    "SCH": (
        "A transit centre and family houses in Siem Reap, working towards family care.",
        "មណ្ឌលបណ្តោះអាសន្ន និងផ្ទះសហគមន៍នៅសៀមរាប ឆ្ពោះទៅរកការថែទាំក្នុងគ្រួសារ។",
    ),
    "FBC": (
        "Family tracing, reintegration and foster care in Phnom Penh and Battambang.",
        "ការស្វែងរកគ្រួសារ ការធ្វើសមាហរណកម្ម និងការថែទាំដោយគ្រួសារអាណាព្យាបាលនៅភ្នំពេញ និងបាត់ដំបង។",
    ),
    "KCN": (
        "Community-based care for children with disabilities.",
        "ការថែទាំផ្អែកលើសហគមន៍សម្រាប់កុមារពិការ។",
    ),
    "BDSVY": (
        "The provincial department of social affairs: child protection in Battambang.",
        "មន្ទីរសង្គមកិច្ចខេត្ត៖ កិច្ចការពារកុមារនៅបាត់ដំបង។",
    ),
}


def _member(organisation, role):
    return (
        Membership.objects.filter(organisation=organisation, role=role, is_active=True)
        .select_related("user", "organisation")
        .order_by("created_at")
        .first()
    )


def demo_directory_publish() -> int:
    """Publish the demo organisations that are not published yet; returns how many."""
    published = 0
    with scopes_disabled():
        for spec in ORGANISATIONS:
            if spec.code not in SERVICES:
                continue
            organisation = Organisation.objects.filter(short_code=spec.code).first()
            if organisation is None:
                continue
            profile, _created = PartnerProfile.objects.get_or_create(organisation=organisation)
            if profile.published:
                continue
            admin = _member(organisation, Role.ORG_ADMIN)
            supervisor = _member(organisation, Role.SUPERVISOR)
            if admin is None or supervisor is None:
                continue
            providers = list(
                CareProvider.objects.filter(organisation=organisation, is_active=True)
                .prefetch_related("care_types")
                .order_by("name")
            )
            for provider in providers:
                if provider.care_types.all():
                    continue
                offered = CARE_TYPES.get(provider.kind, ())
                if provider.kind == CareProvider.Kind.FOSTER_FAMILY and spec.code in BABIES:
                    offered = (BABIES[spec.code],)
                for care_type, low, high, disability in offered:
                    provider_care_type_set(
                        actor=supervisor,
                        provider_id=provider.pk,
                        care_type=care_type,
                        age_min=low,
                        age_max=high,
                        accepts_disability=disability or spec.code == "KCN",
                    )
            codes = set(
                ServiceType.objects.filter(
                    organisation=organisation, is_active=True, code__in=SERVICES[spec.code]
                ).values_list("code", flat=True)
            )
            offices = organisation.offices.exclude(village=None).values_list(
                "village__commune__district_id", flat=True
            )
            english, khmer = DESCRIPTIONS[spec.code]
            partner_profile_update(
                actor=admin,
                published=True,
                accepts_referrals=spec.code != "BDSVY",
                description_en=english,
                description_km=khmer,
                contact_name=supervisor.user.full_name_km
                if spec.writes_khmer
                else supervisor.user.full_name,
                contact_phone="012 345 678",
                contact_email=supervisor.user.email,
                languages=["km", "en"] if not spec.writes_khmer else ["km"],
                districts=list(District.objects.filter(code__in=set(offices))),
                answer_days=2 if spec.code == "HFM" else 3,
                service_codes=sorted(codes),
                provider_ids=[provider.pk for provider in providers],
            )
            published += 1
    return published
