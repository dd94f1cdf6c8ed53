"""The normalised name forms behind search and duplicate matching."""

import pytest

from phteah.people.names import name_key, person_search_fields, word_key


@pytest.mark.parametrize(
    "spellings",
    [
        ("Sophea", "Sopheap", "Sophia", "Sofia"),
        ("Dara", "Darra", "Daraa"),
        ("Vanna", "Wanna"),
        ("Thida", "Tida"),
        ("Khem", "Kem"),
        ("Chenda", "Cenda"),
    ],
)
def test_it_gives_the_same_key_to_spellings_of_one_name(spellings):
    keys = {word_key(spelling) for spelling in spellings}
    assert len(keys) == 1, keys


def test_different_names_get_different_keys():
    assert word_key("Dara") != word_key("Sophea")
    assert word_key("Sok") != word_key("Chan")


def test_the_key_ignores_word_order_case_and_punctuation():
    assert name_key("Dara", "Sok") == name_key("sok", "DARRA.") == "dr sk"


def test_search_fields_keep_both_scripts_apart():
    fields = person_search_fields(
        family_name_latin="Sok",
        given_name_latin="Da-ra",
        family_name_km="សុខ",
        given_name_km="ដារ៉ា",
        nickname="Mey",
    )
    assert fields["search_latin"] == "sok da ra mey"
    assert fields["search_km"] == "សុខ ដារ៉ា"
    assert fields["name_key"] == "d r sk"


def test_a_khmer_nickname_is_searchable_in_khmer():
    fields = person_search_fields(given_name_latin="Dara", nickname="មី")
    assert fields["search_km"] == "មី"
    assert fields["search_latin"] == "dara"
