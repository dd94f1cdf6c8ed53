import datetime

from django import template
from django.template import defaultfilters
from django.utils.dates import MONTHS
from django.utils.formats import get_format
from django.utils.translation import get_language

register = template.Library()

USUAL_DATE_FORMAT = "j F Y"  # day month year, both languages (phteah.core.formats)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter (it replaces it in the templates that load this library),
    with the usual format written directly: Django parses the format again for every date, and
    a case page shows more than a hundred (11 µs a date instead of 2)."""
    if (
        arg is None
        and isinstance(value, datetime.date)
        and get_format("DATE_FORMAT") == USUAL_DATE_FORMAT
    ):
        return f"{value.day} {MONTHS[value.month]} {value.year:04d}"
    return defaultfilters.date(value, arg)


@register.filter
def shown(obj) -> str:
    """An object's name in the active language (Khmer name on Khmer pages when it has one)."""
    if obj is None:
        return ""
    display = getattr(obj, "display_name", None)
    return display(get_language()) if callable(display) else str(obj)
