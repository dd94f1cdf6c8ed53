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
