"""The duplicate check before registering anyone."""

import datetime

import pytest

from phteah.accounts.roles import Role
from phteah.people.names import person_search_fields
from phteah.people.selectors import person_duplicates
from tests.factories import CaseFactory, PersonFactory

DOB = datetime.date(2014, 6, 15)


def person(organisation, **kwargs):
    values = {
        "family_name_latin": "Sok",
        "given_name_latin": "Sophea",
        "family_name_km": "សុខ",
        "given_name_km": "សុភា",
        "sex": "female",
        "date_of_birth": DOB,
    } | kwargs
    names = {
        k: values[k]
        for k in ("family_name_latin", "given_name_latin", "family_name_km", "given_name_km")
    }
    return PersonFactory(organisation=organisation, **values, **person_search_fields(**names))


def wanted(**kwargs):
    return {
        "family_name_latin": "Sok",
        "given_name_latin": "Sophea",
        "family_name_km": "",
        "given_name_km": "",
        "sex": "female",
        "date_of_birth": DOB,
    } | kwargs


@pytest.mark.parametrize("spelling", ["Sophea", "Sopheap", "Sophia"])
def test_latin_spellings_of_one_name_match(supervisor, spelling):
    existing = person(supervisor.organisation, given_name_latin="Sopheap")
    matches = person_duplicates(actor=supervisor, data=wanted(given_name_latin=spelling))
    assert [m.person for m in matches] == [existing]
    assert matches[0].score >= 80
    assert "name in Latin letters" in [str(f) for f in matches[0].fields]


def test_khmer_names_match_without_latin(supervisor):
    existing = person(supervisor.organisation, family_name_latin="", given_name_latin="")
    data = wanted(
        family_name_latin="", given_name_latin="", family_name_km="សុខ", given_name_km="សុភា"
    )
    [match] = person_duplicates(actor=supervisor, data=data)
    assert match.person == existing
    assert match.score == 100
    assert [str(f) for f in match.fields] == ["name in Khmer", "date of birth", "sex"]


def test_khmer_names_match_with_different_latin_spellings(supervisor):
    existing = person(supervisor.organisation, family_name_latin="Sokh", given_name_latin="Sopia")
    data = wanted(
        family_name_latin="Sok", given_name_latin="Sophy", family_name_km="សុខ", given_name_km="សុភា"
    )
    assert [m.person for m in person_duplicates(actor=supervisor, data=data)] == [existing]


SIM_SREY_POV = {
    "family_name_latin": "Sim",
    "given_name_latin": "Srey Pov",
    "family_name_km": "ស៊ីម",
    "given_name_km": "ស្រី ពៅ",
}


@pytest.mark.parametrize(
    "names",
    [
        {"given_name_latin": "Sreypouv"},  # issue 9
        {"given_name_latin": "Sreypov"},
        {"given_name_latin": "Srei-Pou"},
        {"family_name_latin": "Sim Srey", "given_name_latin": "Pov"},  # a syllable moved
        {"family_name_latin": "Srey Pov", "given_name_latin": "Sim"},  # the names swapped
    ],
)
def test_spacing_and_split_given_names_match_in_latin(supervisor, names):
    existing = person(supervisor.organisation, **SIM_SREY_POV)
    data = wanted(family_name_latin="Sim", given_name_latin="Srey Pov") | names
    matches = person_duplicates(actor=supervisor, data=data)
    assert [m.person for m in matches] == [existing]
    assert "name in Latin letters" in [str(f) for f in matches[0].fields]


@pytest.mark.parametrize("given_km", ["ស្រីពៅ", "ស្រី\u200bពៅ", " ស្រី  ពៅ ", "ស្រី\u200cពៅ"])
def test_spacing_and_zero_width_characters_match_in_khmer(supervisor, given_km):
    existing = person(supervisor.organisation, **SIM_SREY_POV)
    data = wanted(
        family_name_latin="", given_name_latin="", family_name_km="ស៊ីម", given_name_km=given_km
    )
    [match] = person_duplicates(actor=supervisor, data=data)
    assert match.person == existing
    assert "name in Khmer" in [str(f) for f in match.fields]


def test_unrelated_names_do_not_match(supervisor):
    person(supervisor.organisation, given_name_latin="Dara", given_name_km="ដារ៉ា")
    assert person_duplicates(actor=supervisor, data=wanted()) == []


def test_date_of_birth_tolerance_is_one_year(supervisor):
    within = person(supervisor.organisation, date_of_birth=DOB - datetime.timedelta(days=365))
    person(supervisor.organisation, date_of_birth=DOB + datetime.timedelta(days=366))
    matches = person_duplicates(actor=supervisor, data=wanted())
    assert [m.person for m in matches] == [within]


def test_an_unknown_date_of_birth_still_matches(supervisor):
    existing = person(supervisor.organisation, date_of_birth=None)
    assert [m.person for m in person_duplicates(actor=supervisor, data=wanted())] == [existing]
    data = wanted(date_of_birth=None, age_years=12)
    assert [m.person for m in person_duplicates(actor=supervisor, data=data)] == [existing]


def test_a_different_sex_lowers_the_score(supervisor):
    person(supervisor.organisation)
    same = person_duplicates(actor=supervisor, data=wanted())[0].score
    other = person_duplicates(actor=supervisor, data=wanted(sex="male"))[0].score
    assert other < same


def test_the_same_commune_raises_the_score(supervisor, places):
    person(supervisor.organisation, village=places["tuol"])
    near = person_duplicates(actor=supervisor, data=wanted(village=places["thmei"]))[0]
    far = person_duplicates(actor=supervisor, data=wanted(village=places["kaoh"]))[0]
    assert near.score > far.score
    assert "commune" in [str(f) for f in near.fields]


def test_the_best_match_comes_first(supervisor):
    close = person(supervisor.organisation)
    farther = person(
        supervisor.organisation, given_name_latin="Sopheap", date_of_birth=DOB.replace(year=2015)
    )
    matches = person_duplicates(actor=supervisor, data=wanted())
    assert [m.person for m in matches] == [close, farther]
    assert matches[0].score > matches[1].score


def test_other_organisations_persons_are_never_returned(supervisor, other_organisation):
    person(other_organisation)
    assert person_duplicates(actor=supervisor, data=wanted()) == []


def test_matches_the_actor_may_not_see_are_redacted(member):
    worker = member(Role.CASE_WORKER)
    mine = CaseFactory(organisation=worker.organisation, workers=[worker.user]).person
    hidden = person(worker.organisation, given_name_latin="Sophia")
    CaseFactory(organisation=worker.organisation, person=hidden)
    for p in (mine,):
        p.given_name_latin, p.family_name_latin, p.date_of_birth = "Sopheap", "Sok", DOB
        p.__dict__.update(person_search_fields(family_name_latin="Sok", given_name_latin="Sopheap"))
        p.save()
    matches = person_duplicates(actor=worker, data=wanted())
    assert len(matches) == 2
    visible = [m for m in matches if m.visible]
    redacted = [m for m in matches if not m.visible]
    assert [m.person for m in visible] == [mine]
    assert redacted[0].person is None and redacted[0].fields == []


def test_candidates_are_chosen_in_a_bounded_number_of_queries(
    supervisor, django_assert_num_queries
):
    for n in range(60):
        person(supervisor.organisation, date_of_birth=DOB - datetime.timedelta(days=n))
    with django_assert_num_queries(2):
        matches = person_duplicates(actor=supervisor, data=wanted(), limit=10)
    assert len(matches) == 10
