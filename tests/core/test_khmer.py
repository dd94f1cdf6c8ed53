import datetime

import pytest
from django import forms

from phteah.core import khmer


def test_khmer_digits_become_ascii():
    assert khmer.to_ascii_digits("០១២៣៤៥៦៧៨៩") == "0123456789"
    assert khmer.to_ascii_digits("ផ្ទះលេខ ១២") == "ផ្ទះលេខ 12"
    assert khmer.to_ascii_digits(None) is None


class _Form(forms.Form):
    number = khmer.IntegerField()
    when = khmer.DateField()
    amount = khmer.DecimalField(max_digits=8, decimal_places=2)


@pytest.mark.parametrize(
    "number, when, expected_date",
    [
        ("៤២", "២០២៤-០៣-១៥", datetime.date(2024, 3, 15)),
        ("42", "15/03/2024", datetime.date(2024, 3, 15)),
        ("៤២", "១៥/០៣/២០២៤", datetime.date(2024, 3, 15)),
    ],
)
def test_forms_accept_khmer_digits(number, when, expected_date):
    form = _Form({"number": number, "when": when, "amount": "១២.៥០"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == 42
    assert form.cleaned_data["when"] == expected_date
    assert str(form.cleaned_data["amount"]) == "12.50"


def test_invalid_input_is_still_refused():
    form = _Form({"number": "៤x", "when": "៣២/១៣/២០២៤", "amount": "abc"})
    assert not form.is_valid()
    assert set(form.errors) == {"number", "when", "amount"}


class _TimeForm(forms.Form):
    time = khmer.TimeField()


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("14:30", datetime.time(14, 30)),
        ("14.30", datetime.time(14, 30)),
        ("1430", datetime.time(14, 30)),
        ("14h30", datetime.time(14, 30)),
        (" 9:05 ", datetime.time(9, 5)),
        ("930", datetime.time(9, 30)),
        ("9", datetime.time(9, 0)),
        ("១៤:៣០", datetime.time(14, 30)),
        ("១៤៣០", datetime.time(14, 30)),
        ("១៤.៣០", datetime.time(14, 30)),
    ],
)
def test_time_fields_take_times_as_people_type_them(typed, expected):
    form = _TimeForm({"time": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time"] == expected


@pytest.mark.parametrize(
    "typed", ["24:00", "14:60", "14:3", "2:30pm", "abc", "14:30:00:00", "12345"]
)
def test_time_fields_refuse_what_is_not_a_time(typed):
    assert not _TimeForm({"time": typed}).is_valid()


def test_a_time_field_is_a_text_input_a_khmer_keyboard_can_fill():
    html = str(_TimeForm(initial={"time": datetime.time(9, 5)})["time"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'value="09:05"' in html


class _DateForm(forms.Form):
    day = khmer.DateField(label="Date", required=False)


@pytest.mark.parametrize(
    "typed",
    [
        "២/១២/២០២៦",
        "០២/១២/២០២៦",
        "2/12/2026",
        "02-12-2026",
        "2.12.2026",
        "2026-12-02",
        "២០២៦-១២-០២",
        " 2 / 12 / 2026 ",
    ],
)
def test_a_date_is_typed_day_month_year_or_iso_in_either_digits(typed):
    form = _DateForm({"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 2)


@pytest.mark.parametrize("typed", ["31/02/2026", "12/2026", "២/១៣/២០២៦", "tomorrow"])
def test_a_date_that_is_not_one_is_refused_with_its_format(typed):
    form = _DateForm({"day": typed})
    assert form.errors == {"day": ["Enter the date as day/month/year, for example 2/12/2026."]}


def test_the_date_field_is_a_text_input_with_its_format_and_a_calendar():
    from django.utils import translation

    from phteah.core.numerals import choosing

    form = _DateForm(initial={"day": datetime.date(2026, 12, 2)})
    with translation.override("en"):
        html = str(form["day"])
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="02/12/2026"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'aria-describedby="id_day_format"' in html
    assert 'id="id_day_format">Day/month/year, for example 2/12/2026.' in html
    assert "data-date-picker" in html and "phteah/date-picker.js" in html
    assert 'data-digits="latin"' in html and "December" in html
    with translation.override("km"):
        html = str(form["day"])
        assert 'value="០២/១២/២០២៦"' in html and 'data-digits="khmer"' in html
        assert "ធ្នូ" in html
        with choosing("latin"):
            html = str(form["day"])
    assert 'value="02/12/2026"' in html and 'data-digits="latin"' in html


def test_every_form_date_field_is_the_core_one():
    """No native date input left in a form of the project (it refuses Khmer digits)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("phteah."):
            continue
        try:
            module = __import__(f"{config.name}.forms", fromlist=["*"])
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                for name, field in value.base_fields.items():
                    if isinstance(field, forms.DateField) and not isinstance(
                        field, forms.DateTimeField
                    ):
                        assert isinstance(field, khmer.DateField), (value, name)
                        assert isinstance(field.widget, khmer.DateInput), (value, name)
