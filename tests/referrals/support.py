"""Building the network for tests: a few places, published organisations and providers
with care types, and placements that fill their places."""

from phteah.care.models import CareProvider, ProviderCareType
from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form
from phteah.referrals.models import PartnerProfile, PublishedService
from tests.factories import (
    CareProviderFactory,
    CaseFactory,
    OrganisationFactory,
    PlacementFactory,
    UserFactory,
)

# (province code, names), (district code, names): Phnom Penh and its neighbour Kandal, and
# Battambang, which does not border Phnom Penh.
PLACES = {
    "12": (
        "ភ្នំពេញ",
        "Phnom Penh",
        {"1201": ("ចំការមន", "Chamkar Mon"), "1202": ("ដូនពេញ", "Doun Penh")},
    ),
    "08": ("កណ្ដាល", "Kandal", {"0801": ("កណ្ដាលស្ទឹង", "Kandal Stueng")}),
    "02": ("បាត់ដំបង", "Battambang", {"0201": ("បាណន់", "Banan")}),
}


def _names(km, en):
    return {
        "name_km": km,
        "name_en": en,
        "search_km": search_form(km),
        "search_en": search_form(en),
    }


def make_places() -> dict:
    """Province, district and one village per district, keyed by code ("12", "1201", and
    "v1201" for the village)."""
    rows = {}
    for code, (km, en, districts) in PLACES.items():
        province = rows[code] = Province.objects.create(code=code, **_names(km, en))
        for district_code, (d_km, d_en) in districts.items():
            district = rows[district_code] = District.objects.create(
                code=district_code, province=province, **_names(d_km, d_en)
            )
            commune = Commune.objects.create(
                code=f"{district_code}01", district=district, **_names(d_km + "១", d_en + " 1")
            )
            rows[f"v{district_code}"] = Village.objects.create(
                code=f"{district_code}0101", commune=commune, **_names(d_km + "២", d_en + " 2")
            )
    return rows


def published_organisation(name, *, published=True, services=(), provinces=(), **profile):
    organisation = OrganisationFactory(name=name)
    organisation.provinces.set(provinces)
    values = {"contact_name": "Sok Dara", "contact_phone": "012345678", **profile}
    partner = PartnerProfile.objects.create(
        organisation=organisation, published=published, **values
    )
    for code in services:
        PublishedService.objects.create(
            profile=partner, code=code, name_en=code.title(), name_km="សេវា" + code
        )
    return organisation


def provider(
    organisation,
    village,
    *,
    capacity=2,
    kind=CareProvider.Kind.FOSTER_FAMILY,
    care_types=(("emergency_foster", 0, 17, False),),
    published=True,
    active=True,
    name=None,
):
    row = CareProviderFactory(
        organisation=organisation,
        kind=kind,
        capacity=capacity,
        village=village,
        network_published=published,
        is_active=active,
        **({"name": name} if name else {}),
    )
    for care_type, age_min, age_max, disability in care_types:
        ProviderCareType.objects.create(
            organisation=organisation,
            provider=row,
            care_type=care_type,
            age_min=age_min,
            age_max=age_max,
            accepts_disability=disability,
        )
    return row


def fill(provider_row, count=1, **placement):
    """*count* children placed now with the provider."""
    user = UserFactory()
    care_type = placement.pop("care_type", "emergency_foster")
    return [
        PlacementFactory(
            case=CaseFactory(organisation=provider_row.organisation),
            provider=provider_row,
            care_type=care_type,
            recorded_by=user,
            **placement,
        )
        for _ in range(count)
    ]
