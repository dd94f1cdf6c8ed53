"""Form fields for numbers, dates and times: Khmer digits (០-៩, U+17E0–U+17E9) accepted
wherever people type them, and every value bounded (phteah.core.limits): dates between 1900
and 2100, whole numbers within their column, decimals within their digits. A value beyond
its bound is refused with a message in the user's language, never passed on to fail in the
database or in date arithmetic."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import limits

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_ASCII = str.maketrans(KHMER_DIGITS, "0123456789")


def to_ascii_digits(value):
    """'០៣/១២/២០២៤' → '03/12/2024'. Anything that is not a string is returned unchanged."""
    return value.translate(_TO_ASCII) if isinstance(value, str) else value


class KhmerDigitsMixin:
    """For form fields: normalise Khmer digits before Django parses the value."""

    def to_python(self, value):
        return super().to_python(to_ascii_digits(value))


NUMBER_MESSAGES = {
    "max_value": _("Enter a number of at most %(limit_value)s."),
    "min_value": _("Enter a number of at least %(limit_value)s."),
}


class IntegerField(KhmerDigitsMixin, forms.IntegerField):
    """A whole number; without explicit bounds, those of an integer column."""

    default_error_messages = NUMBER_MESSAGES

    def __init__(self, *, max_value=None, min_value=None, **kwargs):
        super().__init__(
            max_value=limits.INTEGER_MAX if max_value is None else max_value,
            min_value=limits.INTEGER_MIN if min_value is None else min_value,
            **kwargs,
        )


class DecimalField(KhmerDigitsMixin, forms.DecimalField):
    """A decimal number; give ``max_digits`` and ``decimal_places`` of its column."""

    default_error_messages = NUMBER_MESSAGES | {
        "max_digits": _("Enter a number with at most %(max)s digits."),
        "max_decimal_places": _("Enter at most %(max)s digits after the decimal point."),
        "max_whole_digits": _("Enter at most %(max)s digits before the decimal point."),
    }

    def __init__(self, *, max_digits, decimal_places, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


class _DateBounds:
    """Refuses a date (or the date of a datetime) outside 1900–2100."""

    default_error_messages = {
        "out_of_range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values and not limits.date_in_range(value):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={
                    "earliest": limits.EARLIEST_DATE.year,
                    "latest": limits.LATEST_DATE.year,
                },
            )


class DateField(KhmerDigitsMixin, _DateBounds, forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"])
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(min=limits.EARLIEST_DATE.isoformat(), max=limits.LATEST_DATE.isoformat())
        return attrs


class DateTimeField(KhmerDigitsMixin, _DateBounds, forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        )
        super().__init__(**kwargs)


_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:\s*[:.h ]\s*(?P<minute>\d{2})|(?P<packed>\d{2}))?$")


def normalise_time(value):
    """'14:30', '14.30', '14h30', '1430', '9' and the same in Khmer digits (១៤:៣០) → 'HH:MM';
    None for anything else that is not blank."""
    if not isinstance(value, str):
        return value
    text = to_ascii_digits(value).strip()
    match = _TIME.match(text)
    if not match:
        return None if text else text
    minute = match["minute"] or match["packed"] or "00"
    return f"{int(match['hour']):02d}:{minute}"


class TimeField(forms.TimeField):
    """A time typed as people write it: a text input (a phone's time picker cannot take
    Khmer digits) accepting 14:30, 14.30, 14h30, 1430 and ១៤:៣០."""

    widget = forms.TimeInput(
        attrs={
            "class": "time-input",
            "inputmode": "decimal",
            "autocomplete": "off",
            "placeholder": "14:30",
        },
        format="%H:%M",
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%H:%M"])
        kwargs.setdefault("help_text", _("Hours and minutes, for example 14:30."))
        super().__init__(**kwargs)

    def to_python(self, value):
        normalised = normalise_time(value)
        if normalised is None and value is not None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(normalised)


class CharField(KhmerDigitsMixin, forms.CharField):
    """A text field whose content is a number-like code (phone, ID number, one-time code)."""
