import re

import pytest
from django import forms
from django.utils import translation

from phteah.core.khmer import KHMER_DIGITS
from phteah.geography.forms import VillageField
from phteah.geography.models import Village
from phteah.geography.widgets import AddressChoice, AddressPickerWidget


class AddressForm(forms.Form):
    address = VillageField(label="Address")


class OptionalAddressForm(forms.Form):
    address = VillageField(label="Address", required=False)


def submitted(province="", district="", commune="", village="") -> dict:
    return {
        "address_province": province,
        "address_district": district,
        "address_commune": commune,
        "address": village,
    }


def selected(html: str, name: str) -> str | None:
    """The value of the selected option of the select called *name*, if any."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    option = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return option.group(1) if option else None


def options(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the non-empty options of the select called *name*."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    found = re.findall(r'<option value="([^"]*)"(?: selected)?>([^<]*)</option>', select)
    return [(value, label) for value, label in found if value]


def option_values(html: str, name: str) -> list[str]:
    return [value for value, _label in options(html, name)]


def key(village) -> str:
    """The form value of a village: its id (published village codes are not unique)."""
    return str(village.pk)


def khmer(value) -> str:
    return str(value).translate(str.maketrans("0123456789", KHMER_DIGITS))


def test_it_cleans_a_village_key_to_the_village(places):
    form = AddressForm(submitted("02", "0201", "020101", key(places["tuol"])))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == places["tuol"]


def test_it_accepts_the_village_key_alone(places):
    form = AddressForm({"address": key(places["tuol"])})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == places["tuol"]


def test_it_accepts_khmer_digits(places):
    form = AddressForm(submitted("០២", "០២០១", "០២០១០១", khmer(key(places["tuol"]))))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == places["tuol"]


def test_it_rejects_the_village_code_as_value(places):
    # The published code is not the form value (it may belong to several villages).
    form = AddressForm(submitted("02", "0201", "020101", "02010102"))
    assert form.errors["address"] == ["Choose a village from the list."]


@pytest.mark.parametrize("value", ["nowhere", "0506140-", "-1", "1" * 19])
def test_it_rejects_a_malformed_village(places, value):
    form = AddressForm(submitted(village=value))
    assert form.errors["address"] == ["Choose a village from the list."]


def test_it_rejects_an_unknown_village(places):
    unknown = max(village.pk for village in Village.objects.all()) + 1
    form = AddressForm(submitted("02", "0201", "020101", str(unknown)))
    assert form.errors["address"] == ["Choose a village from the list."]


def test_it_asks_for_the_village_when_required_and_partly_chosen(places):
    form = AddressForm(submitted("02", "0201"))
    assert form.errors["address"] == ["Choose the village."]


def test_it_asks_for_the_village_or_nothing_when_optional_and_partly_chosen(places):
    form = OptionalAddressForm(submitted("02"))
    assert form.errors["address"] == [
        "Choose the village, or clear the province to leave the address empty."
    ]


def test_it_is_required_by_default(places):
    form = AddressForm(submitted())
    assert form.errors["address"] == ["This field is required."]


def test_optional_and_empty_is_none(places):
    form = OptionalAddressForm(submitted())
    assert form.is_valid()
    assert form.cleaned_data["address"] is None
    assert OptionalAddressForm({}).is_valid()


def test_a_village_left_over_from_another_province_is_not_taken(places):
    # Without JavaScript the village select still holds the old choice.
    form = AddressForm(submitted("12", "0201", "020101", key(places["thmei"])))
    assert form.errors["address"] == ["Choose the village."]
    # Or from another commune: the commune chosen is not the village's.
    form = AddressForm(submitted("12", "1201", "120101", key(places["thmei"])))
    assert form.errors["address"] == ["Choose the village."]


def test_it_renders_four_selects_with_the_initial_village_chosen(places):
    form = AddressForm(initial={"address": places["tuol"]})
    with translation.override("en"):
        html = str(form["address"])
    assert selected(html, "address_province") == "02"
    assert selected(html, "address_district") == "0201"
    assert selected(html, "address_commune") == "020101"
    assert selected(html, "address") == key(places["tuol"])
    assert option_values(html, "address_province") == ["02", "12"]
    assert options(html, "address") == [
        (key(places["thmei"]), "Thmei"),
        (key(places["tuol"]), "Tuol Thnung"),
    ]
    for level in ("Province", "District", "Commune", "Village"):
        assert f">{level}</label>" in html
    assert f'<option value="{key(places["tuol"])}" selected>Tuol Thnung</option>' in html
    assert 'id="id_address_province"' in html
    assert "phteah/address-picker.js" in html
    assert " disabled" not in html


def test_it_renders_names_in_khmer_when_the_language_is_khmer(places):
    form = AddressForm(initial={"address": key(places["tuol"])})
    with translation.override("km"):
        html = str(form["address"])
    assert f'<option value="{key(places["tuol"])}" selected>ទួលធ្នង់</option>' in html
    assert '<option value="02" selected>បាត់ដំបង</option>' in html
    assert '<option value="020101" selected>កន្ទឺ ១</option>' in html
    assert "Tuol Thnung" not in html and "Battambang" not in html


def test_it_renders_the_partial_choice_again_after_an_error(places):
    form = AddressForm(submitted("02", "0201"))
    assert not form.is_valid()
    html = str(form["address"])
    assert selected(html, "address_province") == "02"
    assert selected(html, "address_district") == "0201"
    assert selected(html, "address_commune") is None
    assert option_values(html, "address_commune") == ["020101"]
    assert option_values(html, "address") == []
    assert re.search(r'<select name="address" [^>]*disabled', html)
    assert 'aria-invalid="true"' in html


def test_it_renders_only_the_provinces_when_empty(places, django_assert_num_queries):
    form = OptionalAddressForm()
    with django_assert_num_queries(1):
        html = str(form["address"])
    assert option_values(html, "address_province") == ["02", "12"]
    assert selected(html, "address_province") is None
    assert re.search(r'<select name="address_district" [^>]*disabled', html)
    assert " required" not in html


def test_rendering_a_chosen_village_takes_a_fixed_number_of_queries(
    places, django_assert_num_queries
):
    # The village alone: one query to complete its chain, then one per level.
    form = AddressForm(initial={"address": key(places["tuol"])})
    with django_assert_num_queries(5):
        html = str(form["address"])
    assert selected(html, "address") == key(places["tuol"])
    # The whole chain: one query per level.
    form = AddressForm(initial={"address": AddressChoice.coerce(places["tuol"])})
    with django_assert_num_queries(4):
        html = str(form["address"])
    assert selected(html, "address_commune") == "020101"
    assert selected(html, "address") == key(places["tuol"])


def test_the_label_points_at_the_province_select(places):
    assert 'for="id_address_province"' in AddressForm()["address"].label_tag()


def test_has_changed_compares_village_keys(places):
    tuol = places["tuol"]
    for initial in (tuol, key(tuol), tuol.pk):
        form = AddressForm(
            submitted("02", "0201", "020101", key(tuol)), initial={"address": initial}
        )
        assert not form.has_changed(), initial
    form = AddressForm(
        submitted("02", "0201", "020101", key(places["thmei"])), initial={"address": tuol}
    )
    assert form.changed_data == ["address"]


def test_has_changed_between_villages_sharing_a_code(shared_codes):
    form = AddressForm(
        submitted("02", "0201", "020101", key(shared_codes["tuol_svay"])),
        initial={"address": shared_codes["kbal_kaoh"]},
    )
    assert form.changed_data == ["address"]


def test_villages_sharing_a_code_are_all_offered(shared_codes):
    kbal_kaoh, tuol_svay = shared_codes["kbal_kaoh"], shared_codes["tuol_svay"]
    html = str(AddressForm(submitted("02", "0201", "020101"))["address"])
    assert options(html, "address") == [
        (key(shared_codes["thmei"]), "Thmei"),
        (key(shared_codes["tuol"]), "Tuol Thnung"),
        (key(kbal_kaoh), "Kbal Kaoh"),
        (key(tuol_svay), "Tuol Svay"),
    ]
    assert selected(html, "address") is None


@pytest.mark.parametrize("name", ["kbal_kaoh", "tuol_svay"])
def test_each_village_sharing_a_code_can_be_chosen(shared_codes, name):
    village = shared_codes[name]
    form = AddressForm(submitted("02", "0201", "020101", key(village)))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == village
    assert form.cleaned_data["address"].name_en == village.name_en
    # Rendered again (e.g. after another field's error), the same one stays chosen.
    html = str(form["address"])
    assert selected(html, "address") == key(village)
    assert f'<option value="{key(village)}" selected>{village.name_en}</option>' in html
    # And as the initial value of an edit form.
    html = str(AddressForm(initial={"address": village})["address"])
    assert selected(html, "address") == key(village)
    assert selected(html, "address_commune") == "020101"


def test_a_code_shared_with_another_commune_picks_the_right_village(shared_codes):
    kaoh_thum = shared_codes["kaoh_thum"]
    form = AddressForm(submitted("02", "0201", "020102", key(kaoh_thum)))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == kaoh_thum
    html = str(AddressForm(initial={"address": key(kaoh_thum)})["address"])
    assert selected(html, "address_commune") == "020102"
    assert options(html, "address") == [(key(kaoh_thum), "Kaoh Thum")]
    # Thmei has the same code, but it is not in Kantueu Pir.
    form = AddressForm(submitted("02", "0201", "020102", key(shared_codes["thmei"])))
    assert form.errors["address"] == ["Choose the village."]


def test_coerce_a_village_gives_its_whole_chain(places):
    assert AddressChoice.coerce(places["tuol"]) == AddressChoice(
        "02", "0201", "020101", key(places["tuol"])
    )
    assert AddressChoice.coerce(places["tuol"].pk) == AddressChoice(village=key(places["tuol"]))
    assert AddressChoice.coerce(("០២", "០២០១", "", "")) == AddressChoice("02", "0201", "", "")
    assert AddressChoice.coerce(None).is_empty


def test_widget_reads_the_four_selects():
    widget = AddressPickerWidget()
    assert widget.value_from_datadict(submitted("02", "0201"), {}, "address") == AddressChoice(
        "02", "0201", "", ""
    )
    assert widget.value_omitted_from_data({}, {}, "address")
    assert not widget.value_omitted_from_data({"address_province": ""}, {}, "address")
