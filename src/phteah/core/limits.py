"""The bounds of what people may enter: dates, numbers and free text.

Forms refuse a value beyond its bound at once, with a message next to the field (the form
fields of ``phteah.core.khmer`` and ``max_length`` on every text field); the services refuse
the same values with a ``ServiceError`` (``check_values``), because the API, the command line
and tasks call them without a form. Nothing beyond a bound reaches the database, where it
would fail (a number too large for its column, a NUL character in PostgreSQL text) or be
kept without limit (a note of 100,000 characters).

- Dates are between 1900-01-01 and 2100-12-31: nobody served today was born before 1900,
  and nothing is planned beyond 2100; outside these years the date arithmetic of ages, due
  dates and filters would overflow.
- Whole numbers fit their column: PostgreSQL's ranges, which Django's fields follow (SQLite
  keeps 64-bit integers and fails beyond them).
- Free text: names of at most 150 characters, one-line texts of at most 300, notes and other
  longer texts of at most 5,000 (a TextField column itself stays unlimited); NUL characters
  are refused everywhere.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from .errors import ServiceError

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

NAME_LENGTH = 150
LINE_LENGTH = 300
NOTE_LENGTH = 5000

# The range of each kind of integer column (PostgreSQL's; Django validates model fields
# against the same ranges).
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
INTEGER_MIN, INTEGER_MAX = INTEGER_RANGES["IntegerField"]


def date_in_range(value: datetime.date) -> bool:
    day = value.date() if isinstance(value, datetime.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_range_message() -> str:
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST_DATE.year,
        "latest": LATEST_DATE.year,
    }


def column_range(model, name: str) -> tuple[int, int]:
    """The smallest and largest value an integer column of *model* can hold."""
    field = model._meta.get_field(name)
    return INTEGER_RANGES[field.get_internal_type()]


def text_length(model, name: str) -> int:
    """The most characters a text field of *model* takes: its column's ``max_length``, or
    NOTE_LENGTH for a TextField."""
    field = model._meta.get_field(name)
    return field.max_length or NOTE_LENGTH


# --- checks for the services -------------------------------------------------------------


def check_text(value, *, field: str, max_length: int) -> None:
    """A text of at most *max_length* characters without NUL characters (None counts as
    empty: requiredness is the service's own rule)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise ServiceError(_("Enter a text."), field=field)
    if "\x00" in value:
        raise ServiceError(_("Null characters are not allowed."), field=field)
    if len(value) > max_length:
        raise ServiceError(
            _("Use at most %(count)d characters.") % {"count": max_length}, field=field
        )


def check_date(value, *, field: str) -> None:
    """A date (or a datetime) between EARLIEST_DATE and LATEST_DATE; None passes."""
    if value is None:
        return
    if not isinstance(value, datetime.date):
        raise ServiceError(_("Enter a valid date."), field=field)
    if not date_in_range(value):
        raise ServiceError(date_range_message(), field=field)


def check_integer(value, *, field: str, min_value: int, max_value: int, message=None) -> None:
    """A whole number from *min_value* to *max_value*; None passes. *message* replaces the
    general one (to say why the bound is what it is)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(_("Enter a whole number."), field=field)
    if not min_value <= value <= max_value:
        raise ServiceError(
            message
            or _("Enter a number from %(min)s to %(max)s.") % {"min": min_value, "max": max_value},
            field=field,
        )


def check_decimal(value, *, field: str, max_digits: int, decimal_places: int) -> None:
    """A finite number that fits a decimal column of *max_digits* digits, *decimal_places*
    of them after the point; None passes."""
    if value is None:
        return
    if isinstance(value, bool):
        raise ServiceError(_("Enter a number."), field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as error:
        raise ServiceError(_("Enter a number."), field=field) from error
    if not number.is_finite():
        raise ServiceError(_("Enter a number."), field=field)
    places = max(0, -number.as_tuple().exponent)
    whole = number.adjusted() + 1 if number.copy_abs() >= 1 else 0
    if places > decimal_places:
        raise ServiceError(
            _("Enter at most %(count)d digits after the decimal point.")
            % {"count": decimal_places},
            field=field,
        )
    if whole > max_digits - decimal_places:
        raise ServiceError(
            _("Enter a number below %(limit)s.")
            % {"limit": f"{10 ** (max_digits - decimal_places):,}"},
            field=field,
        )


def check_values(model, values: dict, *, lengths: dict[str, int] | None = None) -> None:
    """Check the values a service is about to store in a row of *model* against the bounds
    of their fields: texts (``max_length``, or NOTE_LENGTH for a TextField unless *lengths*
    gives another), NUL characters, dates, whole numbers (the column's range) and decimals
    (``max_digits``), and a choice must be one of the field's choices. Fields are named as
    the model names them; other keys are ignored."""
    lengths = lengths or {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a field of the model (an id, a relation)
            continue
        if isinstance(field, (models.CharField, models.TextField)):
            check_text(value, field=name, max_length=lengths.get(name) or text_length(model, name))
            if field.choices and value and value not in {key for key, _label in field.choices}:
                raise ServiceError(_("Choose one of the options in the list."), field=name)
        elif isinstance(field, models.DateField):  # DateTimeField is a DateField
            check_date(value, field=name)
        elif isinstance(field, models.DecimalField):
            check_decimal(
                value,
                field=name,
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
            )
        elif isinstance(field, models.IntegerField) and not isinstance(
            field, (models.AutoField, models.BigAutoField, models.SmallAutoField)
        ):
            low, high = column_range(model, name)
            check_integer(value, field=name, min_value=low, max_value=high)
