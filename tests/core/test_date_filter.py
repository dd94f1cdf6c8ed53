"""The ``date`` filter of ``{% load phteah %}`` writes what Django's writes, in both languages,
for dates and (local) datetimes, with and without a format."""

import datetime

from django.template import Context, Template
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

OURS = Template("{% load phteah %}{{ value|date }}|{{ value|date:'d/m/Y' }}")
DJANGOS = Template("{{ value|date }}|{{ value|date:'d/m/Y' }}")


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.dates(datetime.date(1, 1, 1), datetime.date(2100, 12, 31)),
        st.datetimes(datetime.datetime(1900, 1, 1), datetime.datetime(2100, 12, 31)).map(
            lambda moment: timezone.make_aware(moment, datetime.UTC)
        ),
        st.sampled_from([None, "", "not a date", 7]),
    ),
    language=st.sampled_from(["en", "km"]),
)
def test_ours_writes_what_djangos_writes(value, language):
    with translation.override(language):
        context = {"value": value}
        assert OURS.render(Context(context)) == DJANGOS.render(Context(context))


def test_khmer_months():
    with translation.override("km"):
        text = OURS.render(Context({"value": datetime.date(2026, 3, 2)}))
    assert text.startswith("2 មីនា 2026|")
