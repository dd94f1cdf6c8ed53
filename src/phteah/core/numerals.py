"""The digits of a page: Khmer (០-៩) or Latin (0-9), one choice per user.

A user chooses Khmer digits, Latin digits, or "as the language" (the default: Khmer digits
on Khmer pages, Latin on English ones). ``NumeralsMiddleware`` puts the choice of the
signed-in user in a context variable for the request, as the language is activated;
``active()`` answers with the system of the moment (the choice, or the active language's).

There is one place where digits change: every HTML page is rewritten once, at the end of its
response, so counts, ages, percentages, sizes, durations, dates, page numbers and the digits
written inside translated sentences ("៦ ខ្ទង់", "2 MB") all follow the same choice, without
a filter on each number of each template. Kept as they are:

- markup: tag names and every attribute value (URLs, form inputs' values, data for scripts);
- the content of ``<script>``, ``<style>``, ``<textarea>``, ``<pre>``, ``<code>``, ``<kbd>``,
  ``<samp>`` and of any element marked ``translate="no"`` (an example "០១២៣", a code);
- character references (``&#39;``);
- codes: digits written in one word with Latin letters (a case reference ``PP-2026-0007``, an
  e-mail address, ``3G``, ``v1.2``), since codes are written in Latin digits in either
  language.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import translation

KHMER = "khmer"
LATIN = "latin"
SYSTEMS = (KHMER, LATIN)

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
LATIN_DIGITS = "0123456789"
_TO_KHMER = str.maketrans(LATIN_DIGITS, KHMER_DIGITS)
_TO_LATIN = str.maketrans(KHMER_DIGITS, LATIN_DIGITS)

_choice: ContextVar[str] = ContextVar("phteah_numerals", default="")


def numerals_for(*, choice: str, language: str | None) -> str:
    """The system for a user's *choice* ("" follows the *language*)."""
    if choice in SYSTEMS:
        return choice
    return KHMER if (language or "").startswith("km") else LATIN


def active() -> str:
    """The digits of the page being made: the user's choice, or the active language's."""
    return numerals_for(choice=_choice.get(), language=translation.get_language())


@contextmanager
def choosing(choice: str):
    """Within the block, *choice* ("khmer", "latin" or "" for the language's) is the user's."""
    token = _choice.set(choice or "")
    try:
        yield
    finally:
        _choice.reset(token)


def digits(text: str, system: str | None = None) -> str:
    """All digits of *text* in *system* (default: the active one), codes included."""
    system = system or active()
    return text.translate(_TO_KHMER if system == KHMER else _TO_LATIN)


# A character reference, or a "word" of Latin letters, digits and the joiners of codes.
_TEXT_TOKEN = re.compile(
    r"&#?[A-Za-z0-9]+;|[A-Za-z0-9](?:[A-Za-z0-9_./@:+\-]*[A-Za-z0-9])?", re.ASCII
)
_LETTER = re.compile(r"[A-Za-z]", re.ASCII)


def _khmer_word(match: re.Match) -> str:
    word = match.group()
    if word.startswith("&") or _LETTER.search(word):
        return word
    return word.translate(_TO_KHMER)


def text_digits(text: str, system: str) -> str:
    """The visible *text* (HTML text between tags) with its digits in *system*, codes and
    character references kept."""
    if system == LATIN:
        return text.translate(_TO_LATIN)
    return _TEXT_TOKEN.sub(_khmer_word, text)


_TAG = re.compile(
    r"<!--.*?-->|<![^>]*>|<\?[^>]*>"
    r"|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
_KEEP_ELEMENTS = frozenset({"script", "style", "textarea", "pre", "code", "kbd", "samp"})
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
_NO_TRANSLATE = re.compile(r"""\btranslate\s*=\s*(["']?)no\1(?![\w-])""", re.IGNORECASE)


def html_digits(html: str, system: str) -> str:
    """An HTML document (or fragment) with the digits of its visible text in *system*."""
    out: list[str] = []
    position = 0
    kept: str | None = None  # the element whose content is kept as it is
    depth = 0  # how deep inside that element (elements of the same name nest)
    for tag in _TAG.finditer(html):
        start, end = tag.span()
        if start > position:
            text = html[position:start]
            out.append(text if kept else text_digits(text, system))
        out.append(tag.group())
        position = end
        closing, name, attributes = tag.group(1), tag.group(2), tag.group(3)
        if name is None:
            continue
        name = name.lower()
        if kept:
            if name == kept:
                depth += -1 if closing else (0 if attributes.rstrip().endswith("/") else 1)
                if depth == 0:
                    kept = None
            continue
        if closing or name in _VOID_ELEMENTS or attributes.rstrip().endswith("/"):
            continue
        if name in _KEEP_ELEMENTS or _NO_TRANSLATE.search(attributes):
            kept, depth = name, 1
    text = html[position:]
    out.append(text if kept else text_digits(text, system))
    return "".join(out)


class NumeralsMiddleware:
    """Reads the signed-in user's choice of digits for the request and writes the digits of
    every HTML page in it. Sits after the user's language is activated, and inside the
    compression of responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        choice = getattr(user, "numerals", "") if user is not None and user.is_authenticated else ""
        with choosing(choice):
            response = self.get_response(request)
            system = active()
        if _is_html_page(response):
            charset = response.charset or "utf-8"
            response.content = html_digits(response.content.decode(charset), system).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response


def _is_html_page(response) -> bool:
    return (
        not getattr(response, "streaming", False)
        and not response.has_header("Content-Encoding")
        and response.get("Content-Type", "").startswith("text/html")
    )
