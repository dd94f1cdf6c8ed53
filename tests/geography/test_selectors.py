import pytest
from django.utils import translation

from phteah.core.khmer import KHMER_DIGITS
from phteah.geography.selectors import (
    PlaceRow,
    place_children,
    place_search,
    province_matches,
    village_get,
    village_get_by_code,
)


def codes(matches) -> list[str]:
    return [match.code for match in matches]


def khmer(value) -> str:
    return str(value).translate(str.maketrans("0123456789", KHMER_DIGITS))


def test_children_of_each_level(places):
    assert place_children(level="district", parent_code="02") == [
        PlaceRow("0201", "0201", "បាណន់", "Banan")
    ]
    assert place_children(level="commune", parent_code="0201") == [
        PlaceRow("020101", "020101", "កន្ទឺ ១", "Kantueu Muoy")
    ]


def test_children_villages_are_keyed_by_id(places):
    thmei, tuol = places["thmei"], places["tuol"]
    assert place_children(level="village", parent_code="020101") == [
        PlaceRow(str(thmei.pk), "02010101", "ថ្មី", "Thmei"),
        PlaceRow(str(tuol.pk), "02010102", "ទួលធ្នង់", "Tuol Thnung"),
    ]


def test_children_give_every_village_sharing_a_code(shared_codes):
    rows = place_children(level="village", parent_code="020101")
    assert [(row.code, row.name_en) for row in rows] == [
        ("02010101", "Thmei"),
        ("02010102", "Tuol Thnung"),
        ("02010103", "Kbal Kaoh"),
        ("02010103", "Tuol Svay"),
    ]
    assert [row.key for row in rows[2:]] == [
        str(shared_codes["kbal_kaoh"].pk),
        str(shared_codes["tuol_svay"].pk),
    ]
    assert len({row.key for row in rows}) == 4
    # The code shared with a village of another commune does not leak across communes.
    assert [row.name_en for row in place_children(level="village", parent_code="020102")] == [
        "Kaoh Thum"
    ]


def test_children_of_provinces_are_all_provinces(places):
    assert codes(place_children(level="province", parent_code="")) == ["02", "12"]


def test_children_accept_khmer_digits(places):
    assert codes(place_children(level="district", parent_code="០២")) == ["0201"]


@pytest.mark.parametrize(
    ("level", "parent"), [("country", "02"), ("", "02"), ("district", ""), ("district", "99")]
)
def test_children_unknown_level_or_parent_are_empty(places, level, parent):
    assert place_children(level=level, parent_code=parent) == []


def test_row_display_name_follows_language():
    row = PlaceRow("02", "02", "បាត់ដំបង", "Battambang")
    assert row.display_name("km") == "បាត់ដំបង"
    assert row.display_name("en") == "Battambang"


def test_search_latin_name_is_case_and_space_insensitive(places):
    assert codes(place_search(query="  BANAN ")) == ["0201"]
    assert codes(place_search(query="tonlebasak")) == ["120101"]
    assert codes(place_search(query="Tonle Basak")) == ["120101"]


def test_search_khmer_name(places):
    assert codes(place_search(query="បាត់")) == ["02"]
    assert codes(place_search(query="កន្ទឺ ១")) == ["020101"]


def test_search_prefers_names_that_start_with_the_query(places):
    # "Thmei" starts with the query; "Phum Thmei" only contains it.
    assert codes(place_search(query="thmei")) == ["02010101", "12010101"]
    assert codes(place_search(query="ថ្មី")) == ["02010101", "12010101"]


def test_search_prefers_larger_places_among_equal_matches(places):
    assert codes(place_search(query="b")) == ["02", "0201", "120101"]


def test_search_gives_the_full_path(places):
    (match,) = place_search(query="tuol")
    assert match.level == "village"
    assert match.path("en") == "Tuol Thnung, Kantueu Muoy, Banan, Battambang"
    assert match.path("km") == "ទួលធ្នង់, កន្ទឺ ១, បាណន់, បាត់ដំបង"
    with translation.override("en"):
        assert match.display_path == "Tuol Thnung, Kantueu Muoy, Banan, Battambang"
        assert match.level_label == "Village"
    (province,) = place_search(query="phnompenh")
    assert province.path("en") == "Phnom Penh"


def test_search_by_code_prefix(places):
    assert codes(place_search(query="0201")) == ["0201", "020101", "02010101", "02010102"]
    assert codes(place_search(query="02010102")) == ["02010102"]
    assert codes(place_search(query="1")) == ["12", "1201", "120101", "12010101"]


def test_search_by_code_finds_every_village_sharing_it(shared_codes):
    # (Villages sharing a code are ordered by code only: their order is not asserted.)
    matches = place_search(query="02010103")
    assert sorted(match.path("en") for match in matches) == [
        "Kbal Kaoh, Kantueu Muoy, Banan, Battambang",
        "Tuol Svay, Kantueu Muoy, Banan, Battambang",
    ]
    matches = place_search(query="02010101")
    assert sorted(match.place.pk for match in matches) == sorted(
        [shared_codes["thmei"].pk, shared_codes["kaoh_thum"].pk]
    )


def test_search_by_code_accepts_khmer_digits(places):
    assert codes(place_search(query="០២០១០១")) == ["020101", "02010101", "02010102"]


def test_search_limit(places):
    assert codes(place_search(query="0", limit=3)) == ["02", "0201", "020101"]
    assert len(place_search(query="a", limit=2)) == 2


@pytest.mark.parametrize("query", ["", "   ", "-", "nowhere", "123456789"])
def test_search_without_matches(places, query):
    assert place_search(query=query) == []


def test_search_runs_a_fixed_number_of_queries(places, django_assert_num_queries):
    with django_assert_num_queries(4):
        matches = place_search(query="m")
        paths = [match.path("en") for match in matches]
    assert {match.level for match in matches} == {"province", "district", "commune", "village"}
    assert "Phum Thmei, Tonle Basak, Chamkar Mon, Phnom Penh" in paths
    with django_assert_num_queries(4):
        matches = place_search(query="0")
        paths = [match.path("km") for match in matches]
    assert len(paths) == 5


def test_province_matches(places, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert codes(province_matches()) == ["02", "12"]


def test_village_get_by_id(places, django_assert_num_queries):
    tuol = places["tuol"]
    with django_assert_num_queries(1):
        village = village_get(str(tuol.pk))
        assert village == tuol
        assert village.commune.district.province.name_en == "Battambang"
    assert village_get(tuol.pk) == tuol
    with django_assert_num_queries(1):
        assert village_get(f" {khmer(tuol.pk)} ") == tuol


def test_village_get_tells_apart_villages_sharing_a_code(shared_codes):
    for name in ("kbal_kaoh", "tuol_svay", "thmei", "kaoh_thum"):
        assert village_get(str(shared_codes[name].pk)) == shared_codes[name]


def test_village_get_does_not_take_a_code_or_an_unknown_id(places):
    unknown = max(v.pk for v in (places["thmei"], places["tuol"], places["phum_thmei"])) + 1
    assert village_get(str(unknown)) is None
    # The published code is not the key.
    assert village_get("02010102") is None


@pytest.mark.parametrize("key", [None, "", "  ", "abc", "-1", "1.5", "0506140-", "1" * 19, "១២a"])
def test_village_get_rejects_malformed_keys_without_a_query(places, key, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert village_get(key) is None


def test_village_get_by_code(places, django_assert_num_queries):
    with django_assert_num_queries(1):
        village = village_get_by_code("០២០១០១០២")
        assert village == places["tuol"]
        assert village.commune.district.province.name_en == "Battambang"
    assert village_get_by_code("02010102", commune="020101") == places["tuol"]
    assert village_get_by_code("02010102", commune="០២០១០១") == places["tuol"]
    assert village_get_by_code("02010102", commune="120101") is None
    assert village_get_by_code("02010199") is None


def test_village_get_by_code_with_and_without_the_commune(shared_codes):
    thmei, kaoh_thum = shared_codes["thmei"], shared_codes["kaoh_thum"]
    assert thmei.pk < kaoh_thum.pk
    # Without the commune: the one with the lower id.
    assert village_get_by_code("02010101") == thmei
    # With it: the village of that commune.
    assert village_get_by_code("02010101", commune="020101") == thmei
    assert village_get_by_code("02010101", commune="020102") == kaoh_thum
    assert village_get_by_code("០២០១០១០១", commune="០២០១០២") == kaoh_thum
    assert village_get_by_code("02010101", commune="120101") is None
    # Several villages of one commune with one code: the lower id again.
    assert village_get_by_code("02010103", commune="020101") == shared_codes["kbal_kaoh"]


@pytest.mark.parametrize("code", [None, "", "0201", "abc", "020101010", "0201010១x"])
def test_village_get_by_code_rejects_malformed_codes_without_a_query(
    places, code, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert village_get_by_code(code) is None
        assert village_get_by_code(code, commune="020101") is None
