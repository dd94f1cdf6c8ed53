"""Form fields for numbers, dates and times: Khmer digits (០-៩, U+17E0–U+17E9) accepted
wherever people type them, and every value bounded (phteah.core.limits): dates between 1900
and 2100, whole numbers within their column, decimals within their digits. A value beyond
its bound is refused with a message in the user's language, never passed on to fail in the
database or in date arithmetic."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import limits, numerals

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


DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    """A date typed as day/month/year, in Khmer or Latin digits (a Khmer keyboard types
    Khmer digits, which a native ``<input type="date">`` refuses), with its format written
    beside it and a calendar (static/phteah/date-picker.js) when scripts run. The value is
    shown in the user's digits (phteah.core.numerals)."""

    template_name = "core/widgets/date.html"
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})},
            format="%d/%m/%Y",
        )

    def format_value(self, value):
        shown = super().format_value(value)
        return numerals.digits(shown) if isinstance(value, datetime.date) and shown else shown

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"].setdefault("placeholder", _("dd/mm/yyyy"))
        widget["format_id"] = f"{widget['attrs'].get('id') or 'id_' + name}_format"
        widget["attrs"]["aria-describedby"] = " ".join(
            filter(None, [widget["attrs"].get("aria-describedby"), widget["format_id"]])
        )
        widget["calendar"] = {
            "digits": numerals.active(),
            "months": ",".join(str(MONTHS[month]) for month in range(1, 13)),
            "weekdays": ",".join(str(day) for day in _weekday_initials()),
            "first_day": formats.get_format("FIRST_DAY_OF_WEEK"),
        }
        return context


def _weekday_initials():
    """Sunday first, as JavaScript counts them."""
    return [
        pgettext_lazy("weekday initial", "Su"),
        pgettext_lazy("weekday initial", "Mo"),
        pgettext_lazy("weekday initial", "Tu"),
        pgettext_lazy("weekday initial", "We"),
        pgettext_lazy("weekday initial", "Th"),
        pgettext_lazy("weekday initial", "Fr"),
        pgettext_lazy("weekday initial", "Sa"),
    ]


class DateField(KhmerDigitsMixin, _DateBounds, forms.DateField):
    """A date typed as day/month/year (2/12/2026, ២/១២/២០២៦) or year-month-day
    (2026-12-02), in Khmer or Latin digits; the one date field of every form."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Enter the date as day/month/year, for example 2/12/2026."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)

    def to_python(self, value):
        # Spaces typed around the separators ("2 / 12 / 2026") are not a different date.
        if isinstance(value, str):
            value = re.sub(r"\s*([/.\-])\s*", r"\1", value.strip())
        return super().to_python(value)


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
