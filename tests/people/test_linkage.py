"""The linkage keys of the duplicate check across organisations (people/linkage.py): pairs
that must and must not match, the filters' constant weight, the key, the blocking query, the
records kept current by the services and by `phteah linkage rebuild|check`."""

import datetime
import io

import pytest
from bitarray import bitarray
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from phteah.core.keyfile import SecretKey
from phteah.geography.models import Commune, District, Province, Village
from phteah.people import services
from phteah.people.linkage import (
    CLK_BYTES,
    ENCODER_VERSION,
    KEYS,
    LinkageFields,
    candidates_for,
    encode,
    khmer_skeleton,
    linkage_rebuild,
    linkage_record_refresh,
)
from phteah.people.models import LinkageBlock, LinkageRecord
from tests.factories import OrganisationFactory, PersonFactory

from .conftest import _names

DOB = datetime.date(2014, 6, 15)
KEY = SecretKey("test-a", bytes.fromhex("ab" * 32))
OTHER_KEY = SecretKey("test-b", bytes.fromhex("cd" * 32))
SOPHEA = {
    "family_name_latin": "Sok",
    "given_name_latin": "Sophea",
    "family_name_km": "សុខ",
    "given_name_km": "សុភា",
    "sex": "female",
    "date_of_birth": DOB,
}


@pytest.fixture(autouse=True)
def linkage_key(settings):
    settings.LINKAGE_KEYS = f"{KEY.id}:{KEY.secret.hex()}"
    KEYS.reload()
    yield KEY
    KEYS.reload()


@pytest.fixture
def elsewhere(db):
    """Another organisation, whose people a check looks for."""
    return OrganisationFactory(name="Hope for Mothers", short_code="HFM")


@pytest.fixture
def kampot(db):
    """A village in another province."""
    province = Province.objects.create(code="07", **_names("កំពត", "Kampot"))
    district = District.objects.create(
        code="0701", province=province, **_names("អង្គរជ័យ", "Angkor Chey")
    )
    commune = Commune.objects.create(
        code="070101", district=district, **_names("អង្គភ្នំតូច", "Angk Phnum Touch")
    )
    return Village.objects.create(code="07010101", commune=commune, **_names("ត្រពាំង", "Trapeang"))


def stored(organisation, village, **values):
    """A person of *organisation* with their linkage record, as the services make it."""
    values = SOPHEA | values
    person = PersonFactory(organisation=organisation, village=village, **values)
    linkage_record_refresh(person)
    return person


def check(village=None, **values) -> LinkageFields:
    values = SOPHEA | values
    commune = village.commune_id if village else ""
    return LinkageFields(commune_code=commune, **values)


def found(organisation, fields, **kwargs):
    return candidates_for(encode(fields), exclude_organisation_id=organisation.pk, **kwargs)


def weight(clk: bytes) -> int:
    bits = bitarray()
    bits.frombytes(clk)
    return bits.count()


# --- pairs --------------------------------------------------------------------------------


MATCHING = {
    "Sophea / Sopheap in both scripts": (
        {"given_name_latin": "Sopheap", "given_name_km": "សុភាព"},
        {},
    ),
    "Sophea / Sopheap, Latin only": (
        {"given_name_latin": "Sopheap", "family_name_km": "", "given_name_km": ""},
        {"family_name_km": "", "given_name_km": ""},
    ),
    "Srey Pov / Sreypouv": (
        {
            "family_name_latin": "Sim",
            "given_name_latin": "Srey Pov",
            "family_name_km": "ស៊ឹម",
            "given_name_km": "ស្រីពៅ",
        },
        {
            "family_name_latin": "Sim",
            "given_name_latin": "Sreypouv",
            "family_name_km": "ស៊ឹម",
            "given_name_km": "ស្រីពៅ",
        },
    ),
    "Srey Pov / Sreypouv, Latin only": (
        {
            "family_name_latin": "Sim",
            "given_name_latin": "Srey Pov",
            "family_name_km": "",
            "given_name_km": "",
        },
        {
            "family_name_latin": "Sim",
            "given_name_latin": "Sreypouv",
            "family_name_km": "",
            "given_name_km": "",
        },
    ),
    "Khmer only: សុភា / សុភាព": (
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "សុភាព"},
        {"family_name_latin": "", "given_name_latin": ""},
    ),
    "Khmer only: ធីតា / ធីដា": (
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ធីតា"},
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ធីដា"},
    ),
    "Khmer only: ពិសី / ពិសិ": (
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ពិសី"},
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ពិសិ"},
    ),
    "Khmer only: ចាន់ថា / ចន្ថា": (
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ចាន់ថា"},
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ចន្ថា"},
    ),
    "Khmer only: a zero-width space between the syllables": (
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ស្រី\u200bពៅ"},
        {"family_name_latin": "", "given_name_latin": "", "given_name_km": "ស្រីពៅ"},
    ),
    "the other name order": (
        {},
        {
            "family_name_latin": "Sophea",
            "given_name_latin": "Sok",
            "family_name_km": "សុភា",
            "given_name_km": "សុខ",
        },
    ),
    "born a year later": ({}, {"date_of_birth": datetime.date(2015, 6, 15)}),
    "born a year earlier, another day": ({}, {"date_of_birth": datetime.date(2013, 2, 1)}),
    "an estimated date against the exact one": (
        {},
        {"date_of_birth": datetime.date(2014, 12, 3), "date_of_birth_estimated": True},
    ),
    "an estimated date a year off": (
        {"date_of_birth": datetime.date(2013, 12, 3), "date_of_birth_estimated": True},
        {},
    ),
}


@pytest.mark.parametrize("recorded, checked", MATCHING.values(), ids=MATCHING.keys())
def test_spellings_of_one_child_match_across_organisations(
    organisation, elsewhere, places, recorded, checked
):
    person = stored(elsewhere, places["thmei"], **recorded)
    [match] = found(organisation, check(places["thmei"], **checked))
    assert (match.organisation_id, match.person_id) == (elsewhere.pk, person.pk)
    assert 80 <= match.band <= 100 and match.band % 10 == 0
    assert {"name", "sex", "date_of_birth"} <= set(match.kinds)


def test_the_same_child_scores_100_on_every_kind(organisation, elsewhere, places):
    stored(elsewhere, places["thmei"])
    [match] = found(organisation, check(places["tuol"]))  # another village of the commune
    assert match.band == 100
    assert match.kinds == ("name", "date_of_birth", "sex", "place")


def test_a_child_who_moved_to_another_province_still_matches(
    organisation, elsewhere, places, kampot
):
    stored(elsewhere, places["thmei"])
    [match] = found(organisation, check(kampot))
    assert match.kinds == ("name", "date_of_birth", "sex")


NOT_MATCHING = {
    "a sibling three years older": (
        {
            "given_name_latin": "Dara",
            "given_name_km": "ដារ៉ា",
            "date_of_birth": datetime.date(2011, 3, 2),
        },
        {},
    ),
    "a sibling three years older with a name that sounds alike": (
        {
            "given_name_latin": "Sophy",
            "given_name_km": "សុភី",
            "date_of_birth": datetime.date(2011, 3, 2),
        },
        {},
    ),
    "the same name, the other sex": ({"sex": "male"}, {}),
    "the same name, the other sex, Khmer only": (
        {"sex": "male", "family_name_latin": "", "given_name_latin": ""},
        {"family_name_latin": "", "given_name_latin": ""},
    ),
    "someone else of the same age": (
        {
            "family_name_latin": "Chan",
            "given_name_latin": "Vanna",
            "family_name_km": "ចាន់",
            "given_name_km": "វណ្ណា",
        },
        {},
    ),
}


@pytest.mark.parametrize("recorded, checked", NOT_MATCHING.values(), ids=NOT_MATCHING.keys())
def test_other_children_do_not_match(organisation, elsewhere, places, recorded, checked):
    stored(elsewhere, places["thmei"], **recorded)
    assert found(organisation, check(places["thmei"], **checked)) == []


@pytest.mark.parametrize("born", [datetime.date(2009, 2, 2), datetime.date(2016, 6, 15)])
def test_a_common_name_born_years_apart_in_another_province_does_not_match(
    organisation, elsewhere, places, kampot, born
):
    stored(elsewhere, kampot, date_of_birth=born)
    assert found(organisation, check(places["thmei"])) == []


def test_without_a_date_of_birth_the_place_is_needed(organisation, elsewhere, places, kampot):
    here = stored(elsewhere, places["thmei"], date_of_birth=None)
    stored(elsewhere, kampot, date_of_birth=None)
    [match] = found(organisation, check(places["thmei"], date_of_birth=None))
    assert match.person_id == here.pk
    assert match.kinds == ("name", "sex", "place")


def test_the_checking_organisation_and_the_excluded_ones_are_left_out(
    organisation, elsewhere, places
):
    stored(organisation, places["thmei"])
    stored(elsewhere, places["thmei"])
    assert [m.organisation_id for m in found(organisation, check(places["thmei"]))] == [
        elsewhere.pk
    ]
    excluded = found(organisation, check(places["thmei"]), excluded_organisation_ids=[elsewhere.pk])
    assert excluded == []


def test_records_made_with_another_key_are_not_compared(organisation, elsewhere, places, settings):
    stored(elsewhere, places["thmei"])
    settings.LINKAGE_KEYS = f"{OTHER_KEY.id}:{OTHER_KEY.secret.hex()}"
    KEYS.reload()
    assert found(organisation, check(places["thmei"])) == []


def test_the_closest_records_are_read_first_within_the_limit(
    organisation, elsewhere, places, kampot
):
    """Five children of the same name elsewhere share one blocking key with the check; the
    one of the same commune and year shares three, and is among the two records read."""
    for year in range(2001, 2006):
        stored(elsewhere, kampot, date_of_birth=datetime.date(year, 1, 1))
    same = stored(elsewhere, places["thmei"])
    assert [m.person_id for m in found(organisation, check(places["thmei"]), limit=2)] == [same.pk]


@pytest.mark.parametrize(
    "one, other",
    [("ធីតា", "ធីដា"), ("ពិសី", "ពិសិ"), ("ចាន់ថា", "ចន្ថា"), ("វណ្ណា", "វ៉ាន់ណា"), ("ឧត្តម", "អ៊ុត្តម")],
)
def test_khmer_spellings_that_sound_alike_have_one_skeleton(one, other):
    assert khmer_skeleton(one) == khmer_skeleton(other) != ""


def test_the_khmer_skeleton_keeps_different_names_apart():
    assert len({khmer_skeleton(name) for name in ("សុភា", "ដារ៉ា", "ស្រីពៅ", "វណ្ណា", "ធីតា")}) == 5
    assert khmer_skeleton("Sophea") == khmer_skeleton("") == ""


# --- the filters and the key --------------------------------------------------------------


def test_every_filter_has_the_same_weight_and_size(places):
    for recorded, checked in [*MATCHING.values(), *NOT_MATCHING.values()]:
        for values in (recorded, checked):
            encoding = encode(check(places["thmei"], **values))
            assert len(encoding.clk) == CLK_BYTES == 256
            assert weight(encoding.clk) == 1024
    assert weight(encode(LinkageFields()).clk) == 1024


def test_the_filters_and_blocks_depend_on_the_key(places):
    fields = check(places["thmei"])
    one, again, other = (
        encode(fields, key=KEY),
        encode(fields, key=KEY),
        encode(fields, key=OTHER_KEY),
    )
    assert one.clk == again.clk and one.blocks == again.blocks
    assert one.clk != other.clk
    assert not set(one.blocks) & set(other.blocks)
    assert not set(one.lookups) & set(other.lookups)
    assert (one.key_id, other.key_id) == ("test-a", "test-b")
    assert len(one.blocks) == 3 and all(len(b) == 16 and int(b, 16) >= 0 for b in one.blocks)
    assert len(one.lookups) <= 8


def test_the_stored_record_holds_no_plaintext(organisation, places):
    person = stored(organisation, places["thmei"])
    record = LinkageRecord.objects.get(person=person)
    raw = bytes(record.clk)
    for text in ("Sok", "Sophea", "sksp", "សុភា", "2014", "020101"):
        assert text.encode() not in raw
    keys = set(LinkageBlock.objects.filter(record=record).values_list("key", flat=True))
    assert keys == set(encode(check(places["thmei"])).blocks)
    assert not keys & {"sksp", "សុខសុភា"}


text = st.text(max_size=120)


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    family_latin=text,
    given_latin=text,
    family_km=text,
    given_km=text,
    sex=st.sampled_from(["", "female", "male", "x\x00"]),
    born=st.none() | st.dates(min_value=datetime.date(1, 1, 1)),
    estimated=st.booleans(),
    commune=st.text(max_size=8),
)
def test_any_input_encodes_to_a_filter_of_constant_weight(
    family_latin, given_latin, family_km, given_km, sex, born, estimated, commune
):
    fields = LinkageFields(
        family_latin, given_latin, family_km, given_km, sex, born, estimated, commune
    )
    encoding = encode(fields, key=KEY)
    assert len(encoding.clk) == 256 and weight(encoding.clk) == 1024
    assert all(weight(order.clk.tobytes()) == 1024 for order in encoding.orders)
    assert len(encoding.lookups) <= 8 and all(len(block) == 16 for block in encoding.lookups)


# --- the query ----------------------------------------------------------------------------


def test_a_check_is_one_query_however_many_people_share_its_keys(
    organisation, places, django_assert_num_queries
):
    fields = check(places["thmei"])
    for count in (4, 20):
        for _ in range(count - LinkageRecord.objects.count()):
            stored(OrganisationFactory(), places["thmei"])
        encoding = encode(fields)
        with django_assert_num_queries(1):
            matches = candidates_for(encoding, exclude_organisation_id=organisation.pk)
        assert len(matches) == count


# --- keeping the records current ------------------------------------------------------------


def test_registering_and_changing_a_person_makes_their_record(worker, places):
    person = services.person_create(actor=worker, village=places["thmei"], **SOPHEA)
    record = LinkageRecord.objects.get(person=person)
    assert (record.key_id, record.encoder_version) == (KEY.id, ENCODER_VERSION)
    assert bytes(record.clk) == encode(check(places["thmei"])).clk
    services.person_update(
        actor=worker, person_id=person.pk, expected_version=person.version, given_name_latin="Dara"
    )
    record.refresh_from_db()
    assert bytes(record.clk) == encode(check(places["thmei"], given_name_latin="Dara")).clk
    blocks = set(LinkageBlock.objects.filter(record=record).values_list("key", flat=True))
    assert blocks == set(encode(check(places["thmei"], given_name_latin="Dara")).blocks)
    assert set(LinkageBlock.objects.values_list("organisation_id", flat=True)) == {
        worker.organisation_id
    }


def test_a_person_of_an_organisation_left_out_has_no_record(organisation, places):
    person = stored(organisation, places["thmei"])
    assert linkage_record_refresh(person, participates=False) is None
    assert not LinkageRecord.objects.exists() and not LinkageBlock.objects.exists()


def run(*args) -> str:
    out = io.StringIO()
    call_command("linkage", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rebuild_makes_the_missing_records_once_and_check_reports_stale_ones(places, settings):
    people = [PersonFactory(village=places["thmei"]) for _ in range(5)]  # no services: no records
    with pytest.raises(
        CommandError, match="5 of 5 people have no current linkage record: 5 missing"
    ):
        run("check")
    assert "5 records made, 0 remade" in run("rebuild", "--batch", "2")
    assert LinkageRecord.objects.count() == 5 and LinkageBlock.objects.count() == 5 * 3
    assert "0 records made, 0 remade (0 with another key or version), 5 current" in run("rebuild")
    assert "OK: 5 people checked" in run("check")

    LinkageRecord.objects.filter(person=people[0]).update(clk=bytes(256))  # changed outside
    settings.LINKAGE_KEYS = f"{OTHER_KEY.id}:{OTHER_KEY.secret.hex()},{KEY.id}:{KEY.secret.hex()}"
    KEYS.reload()
    with pytest.raises(CommandError, match="5 with another key or version"):
        run("check")
    assert "0 records made, 5 remade (5 with another key or version)" in run("rebuild")
    assert set(LinkageRecord.objects.values_list("key_id", flat=True)) == {OTHER_KEY.id}
    expected = {b for p in people for b in encode(LinkageFields.of(p), key=OTHER_KEY).blocks}
    assert set(LinkageBlock.objects.values_list("key", flat=True)) == expected
    assert "OK" in run("check")


@pytest.mark.django_db
def test_rebuild_remakes_a_record_changed_outside_and_one_organisation_alone(places):
    one, two = OrganisationFactory(short_code="ONE"), OrganisationFactory(short_code="TWO")
    mine = PersonFactory(organisation=one, village=places["thmei"])
    PersonFactory(organisation=two)
    assert "1 people: 1 records made" in run("rebuild", "--organisation", "one")
    LinkageBlock.objects.filter(record__person=mine).delete()
    with pytest.raises(CommandError, match="1 that differ"):
        run("check", "--organisation", "ONE")
    assert "1 remade (0 with another key or version)" in run("rebuild", "--organisation", "ONE")
    assert LinkageRecord.objects.count() == 1
    with pytest.raises(CommandError, match="No organisation"):
        run("check", "--organisation", "nope")


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(places):
    PersonFactory(village=places["thmei"])
    counts = linkage_rebuild(write=False)
    assert (counts.people, counts.created, counts.missing) == (1, 1, 1)
    assert not LinkageRecord.objects.exists()


@pytest.mark.django_db
def test_rotate_makes_a_new_key_and_remakes_every_record(places, settings, tmp_path):
    settings.LINKAGE_KEYS = ""
    settings.LINKAGE_KEY_FILE = tmp_path / "linkage_keys"
    KEYS.reload()
    person = PersonFactory(village=places["thmei"])
    run("rebuild")
    old = KEYS.current()
    assert (tmp_path / "linkage_keys").stat().st_mode & 0o777 == 0o600
    out = run("rotate")
    new = KEYS.current()
    assert new.id != old.id and f"New linkage key {new.id}" in out and new.secret.hex() not in out
    assert "0 records made, 1 remade (1 with another key or version)" in out
    assert LinkageRecord.objects.get(person=person).key_id == new.id
    assert "OK" in run("check")


def test_rotate_is_refused_when_the_key_comes_from_the_setting():
    with pytest.raises(CommandError, match="LINKAGE_KEYS"):
        run("rotate")
