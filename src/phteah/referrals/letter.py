"""The referral letter as a PDF (WeasyPrint), in the letter's language: English or Khmer
(Khmer month names and digits), with Noto Sans Khmer embedded from the installed font
package, so the letter prints the same on any computer."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dates import MONTHS

from phteah.core import numerals
from phteah.core.fonts import KHMER_FONT_SOURCE

from .models import ReferralLetter


def _date(value) -> str:
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"


def _address(office) -> str:
    if office is None:
        return ""
    parts = [office.address_detail]
    village = office.village
    if village is not None:
        language = translation.get_language()
        commune = village.commune
        district = commune.district
        parts += [
            place.display_name(language)
            for place in (village, commune, district, district.province)
        ]
    return ", ".join(part for part in parts if part)


def _village(letter: ReferralLetter, language: str) -> str:
    village = letter.village
    if village is None:
        return ""
    commune = village.commune
    district = commune.district
    return ", ".join(
        place.display_name(language) for place in (village, commune, district, district.province)
    )


def letter_html(letter: ReferralLetter, *, office=None) -> str:
    """The letter's page, in its own language (whatever the reader's)."""
    from django.utils import timezone

    language = letter.language
    with translation.override(language):
        khmer = f"{letter.family_name_km} {letter.given_name_km}".strip()
        latin = f"{letter.family_name_latin} {letter.given_name_latin}".strip()
        child_name = letter.display_name(language)
        other_name = latin if child_name == khmer else khmer
        organisation = letter.organisation
        html = render_to_string(
            "referrals/letter.html",
            {
                "letter": letter,
                "language": language,
                "font_url": KHMER_FONT_SOURCE.as_uri(),
                "organisation_name": organisation.display_name(language),
                "office": office,
                "address": _address(office),
                "written_on": _date(timezone.localtime(letter.sent_at).date()),
                "reference": letter.case.reference,
                "urgency": letter.get_urgency_display(),
                "child_name": child_name,
                "other_name": other_name if other_name != child_name else "",
                "sex": letter.get_sex_display(),
                "birth_date": _date(letter.date_of_birth) if letter.date_of_birth else "",
                "village": _village(letter, language),
                "risk_level": letter.get_risk_level_display(),
                "services": letter.service_names(language),
                "worker_name": (
                    letter.sent_by.full_name_km
                    if language == "km" and letter.sent_by.full_name_km
                    else letter.worker_name
                ),
            },
        )
    if language == "km":
        html = numerals.html_digits(html, numerals.KHMER)
    return html


def letter_pdf(letter: ReferralLetter, *, office=None) -> bytes:
    """The letter as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=letter_html(letter, office=office), base_url=None).write_pdf()
