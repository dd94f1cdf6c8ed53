"""The bounds of what people may enter (phteah.core.limits) and the bounded form fields of
phteah.core.khmer."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from phteah.cases.models import ServiceDelivery, Visit
from phteah.core import khmer, limits
from phteah.core.errors import ServiceError


class _Form(forms.Form):
    day = khmer.DateField(required=False)
    when = khmer.DateTimeField(required=False)
    time = khmer.TimeField(required=False)
    number = khmer.IntegerField(required=False)
    amount = khmer.DecimalField(required=False, max_digits=9, decimal_places=2)


def _errors(**data):
    form = _Form(data)
    form.is_valid()
    return {name: " ".join(errors) for name, errors in form.errors.items()}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_dates_outside_1900_to_2100_are_refused(day):
    assert _errors(day=day) == {"day": "Enter a date between 1900 and 2100."}


@pytest.mark.parametrize("day", ["1900-01-01", "2100-12-31", "១៥/០៣/២០២៤"])
def test_dates_within_the_bounds_pass(day):
    assert _errors(day=day) == {}


def test_datetimes_and_times_are_bounded_and_take_khmer_digits():
    assert _errors(when="0001-01-01 10:00") == {"when": "Enter a date between 1900 and 2100."}
    form = _Form({"when": "២០២៤-០៣-១៥ ០៩:៣០", "time": "១២:៣០"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time"] == datetime.time(12, 30)
    assert form.cleaned_data["when"].date() == datetime.date(2024, 3, 15)


def test_a_date_field_is_typed_as_text_and_bounded_on_the_server():
    # A native date input refuses Khmer digits: the field is text, its bounds the server's.
    field = _Form().fields["day"]
    assert field.widget.input_type == "text" and "min" not in field.widget.attrs
    assert _errors(day="01/01/1899") == {"day": "Enter a date between 1900 and 2100."}


def test_whole_numbers_have_the_bounds_of_an_integer_column_by_default():
    assert _errors(number="2147483647") == {}
    assert _errors(number="2147483648") == {"number": "Enter a number of at most 2147483647."}
    assert _errors(number="-2147483649") == {"number": "Enter a number of at least -2147483648."}
    assert _errors(number="9" * 5000) == {"number": "Enter a whole number."}


def test_decimals_fit_their_column():
    assert _errors(amount="9999999.99") == {}
    assert _errors(amount="10000000") == {
        "amount": "Enter at most 7 digits before the decimal point."
    }
    assert _errors(amount="1.005") == {"amount": "Enter at most 2 digits after the decimal point."}
    assert "amount" in _errors(amount="NaN")


def test_the_field_messages_are_translatable():
    with translation.override("km"):
        assert str(khmer.NUMBER_MESSAGES["max_value"]) == str(
            translation.gettext("Enter a number of at most %(limit_value)s.")
        )


def test_check_values_refuses_what_the_columns_cannot_hold():
    ok = {"visited_on": datetime.date(2024, 1, 1), "kind": "home", "wellbeing_notes": "x" * 5000}
    limits.check_values(Visit, ok)
    refused = [
        ({"visited_on": datetime.date(1, 1, 1)}, "visited_on", "between 1900 and 2100"),
        ({"next_visit_due": datetime.date(9999, 12, 31)}, "next_visit_due", "between 1900"),
        ({"wellbeing_notes": "x" * 5001}, "wellbeing_notes", "at most 5000 characters"),
        ({"people_seen": "x" * 301}, "people_seen", "at most 300 characters"),
        ({"people_seen": "a\x00b"}, "people_seen", "Null characters"),
        ({"kind": "party"}, "kind", "one of the options"),
        ({"visited_on": "2024-01-01"}, "visited_on", "valid date"),
    ]
    for values, field, message in refused:
        with pytest.raises(ServiceError, match=message) as error:
            limits.check_values(Visit, values)
        assert error.value.field == field


def test_check_values_refuses_numbers_beyond_their_column():
    limits.check_values(ServiceDelivery, {"quantity": Decimal("9999999.99"), "cost": None})
    for values in (
        {"quantity": Decimal("10000000")},
        {"quantity": Decimal("0.001")},
        {"cost": Decimal("Infinity")},
        {"cost": "abc"},
    ):
        with pytest.raises(ServiceError):
            limits.check_values(ServiceDelivery, values)
    low, high = limits.INTEGER_RANGES["IntegerField"]
    assert (low, high) == (-(2**31), 2**31 - 1)


def test_check_integer():
    limits.check_integer(5, field="n", min_value=1, max_value=5)
    for value in (0, 6, True, "5", 2**63):
        with pytest.raises(ServiceError):
            limits.check_integer(value, field="n", min_value=1, max_value=5)
