"""A handful of places, created directly (the full geography is loaded by one test only)."""

import pytest
from django.utils import translation

from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form


def _names(name_km: str, name_en: str) -> dict:
    return {
        "name_km": name_km,
        "name_en": name_en,
        "search_km": search_form(name_km),
        "search_en": search_form(name_en),
    }


@pytest.fixture(autouse=True)
def _english():
    """Assertions below read English messages and names unless a test switches to Khmer."""
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    """Two provinces with one chain each; returns the rows by short key."""
    battambang = Province.objects.create(code="02", **_names("បាត់ដំបង", "Battambang"))
    banan = District.objects.create(code="0201", province=battambang, **_names("បាណន់", "Banan"))
    kantueu = Commune.objects.create(
        code="020101", district=banan, **_names("កន្ទឺ ១", "Kantueu Muoy")
    )
    thmei = Village.objects.create(code="02010101", commune=kantueu, **_names("ថ្មី", "Thmei"))
    tuol = Village.objects.create(
        code="02010102", commune=kantueu, **_names("ទួលធ្នង់", "Tuol Thnung")
    )
    phnom_penh = Province.objects.create(code="12", **_names("ភ្នំពេញ", "Phnom Penh"))
    chamkar = District.objects.create(
        code="1201", province=phnom_penh, **_names("ចំការមន", "Chamkar Mon")
    )
    basak = Commune.objects.create(
        code="120101", district=chamkar, **_names("ទន្លេបាសាក់", "Tonle Basak")
    )
    phum_thmei = Village.objects.create(
        code="12010101", commune=basak, **_names("ភូមិថ្មី", "Phum Thmei")
    )
    return {
        "battambang": battambang,
        "banan": banan,
        "kantueu": kantueu,
        "thmei": thmei,
        "tuol": tuol,
        "phnom_penh": phnom_penh,
        "chamkar": chamkar,
        "basak": basak,
        "phum_thmei": phum_thmei,
    }


@pytest.fixture
def shared_codes(places):
    """Published village codes that are not unique, as in the MEF 2025 data: two villages of
    Kantueu Muoy share "02010103" (like the 3 villages coded 08120101 in commune 081201),
    and "02010101" (Thmei's code) is also given to a village of the next commune (like
    02140401 in communes 021404 and 021405)."""
    kantueu = places["kantueu"]
    kbal_kaoh = Village.objects.create(
        code="02010103", commune=kantueu, **_names("ក្បាលកោះ", "Kbal Kaoh")
    )
    tuol_svay = Village.objects.create(
        code="02010103", commune=kantueu, **_names("ទួលស្វាយ", "Tuol Svay")
    )
    kantueu_pir = Commune.objects.create(
        code="020102", district=places["banan"], **_names("កន្ទឺ ២", "Kantueu Pir")
    )
    kaoh_thum = Village.objects.create(
        code="02010101", commune=kantueu_pir, **_names("កោះធំ", "Kaoh Thum")
    )
    return {
        **places,
        "kbal_kaoh": kbal_kaoh,
        "tuol_svay": tuol_svay,
        "kantueu_pir": kantueu_pir,
        "kaoh_thum": kaoh_thum,
    }
