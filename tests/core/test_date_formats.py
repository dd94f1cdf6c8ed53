"""Dates as Cambodians write them: day month year, Khmer month names on Khmer pages
(settings.FORMAT_MODULE_PATH = phteah.core.formats), digits per the user's choice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from phteah.core.numerals import KHMER, LATIN, html_digits

from ..factories import VisitFactory

KHMER_MONTHS = "មករា កុម្ភៈ មីនា មេសា ឧសភា មិថុនា កក្កដា សីហា កញ្ញា តុលា វិច្ឆិកា ធ្នូ".split()


def test_english_dates_are_day_month_year():
    with translation.override("en"):
        assert formats.date_format(datetime.date(2026, 12, 2)) == "2 December 2026"


@pytest.mark.parametrize("month", range(1, 13))
def test_khmer_dates_are_day_month_year_with_khmer_month_names(month):
    # March is "មីនា": the project's catalogue corrects Django's "មិនា".
    with translation.override("km"):
        shown = formats.date_format(datetime.date(2026, month, 2))
    assert shown == f"2 {KHMER_MONTHS[month - 1]} 2026"
    assert html_digits(shown, KHMER) == f"២ {KHMER_MONTHS[month - 1]} ២០២៦"


def test_times_are_on_the_24_hour_clock():
    moment = datetime.datetime(2026, 12, 2, 14, 30)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2 December 2026, 14:30"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "numerals", "expected"),
    [
        ("km", "", "២ ធ្នូ ២០២៥"),
        ("km", LATIN, "2 ធ្នូ 2025"),
        ("en", "", "2 December 2025"),
        ("en", KHMER, "២ December ២០២៥"),
    ],
)
def test_the_visit_list_shows_dates_as_the_user_reads_them(
    client, signed_in, worker, case, language, numerals, expected
):
    VisitFactory(
        case=case,
        recorded_by=worker.user,
        visited_on=datetime.date(2025, 12, 2),
        next_visit_due=datetime.date(2026, 1, 2),
    )
    worker.user.language, worker.user.numerals = language, numerals
    worker.user.save()
    signed_in(worker)
    page = client.get(reverse("cases:visit_list", args=[case.pk])).content.decode()
    assert expected in page
    assert "2025-12-02" not in page
