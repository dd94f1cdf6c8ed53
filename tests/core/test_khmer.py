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
