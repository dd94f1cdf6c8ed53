"""Fixtures of the people tests: places, uploaded files kept in a temporary MEDIA_ROOT."""

import pytest
from django.utils import translation

from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with translation.override("en"):
        yield


def _names(name_km: str, name_en: str) -> dict:
    return {
        "name_km": name_km,
        "name_en": name_en,
        "search_km": search_form(name_km),
        "search_en": search_form(name_en),
    }


@pytest.fixture
def places(db):
    battambang = Province.objects.create(code="02", **_names("បាត់ដំបង", "Battambang"))
    banan = District.objects.create(code="0201", province=battambang, **_names("បាណន់", "Banan"))
    kantueu = Commune.objects.create(
        code="020101", district=banan, **_names("កន្ទឺ ១", "Kantueu Muoy")
    )
    other_commune = Commune.objects.create(
        code="020102", district=banan, **_names("កន្ទឺ ២", "Kantueu Pir")
    )
    thmei = Village.objects.create(code="02010101", commune=kantueu, **_names("ថ្មី", "Thmei"))
    tuol = Village.objects.create(
        code="02010102", commune=kantueu, **_names("ទួលធ្នង់", "Tuol Thnung")
    )
    kaoh = Village.objects.create(
        code="02010201", commune=other_commune, **_names("កោះធំ", "Kaoh Thum")
    )
    return {
        "battambang": battambang,
        "banan": banan,
        "kantueu": kantueu,
        "thmei": thmei,
        "tuol": tuol,
        "kaoh": kaoh,
    }


def address(village=None, prefix="village") -> dict:
    """POST data of a VillageField called *prefix*."""
    if village is None:
        return {
            prefix: "",
            f"{prefix}_province": "",
            f"{prefix}_district": "",
            f"{prefix}_commune": "",
        }
    commune = village.commune
    return {
        prefix: str(village.pk),
        f"{prefix}_province": commune.district.province_id,
        f"{prefix}_district": commune.district_id,
        f"{prefix}_commune": commune.code,
    }
