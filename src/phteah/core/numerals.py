"""The digits of a page: Khmer (០-៩) or Latin (0-9), one choice per user.

A user chooses Khmer digits, Latin digits, or "as the language" (the default: Khmer digits
on Khmer pages, Latin on English ones). ``NumeralsMiddleware`` puts the choice of the
signed-in user in a context variable for the request, as the language is activated;
``active()`` answers with the system of the moment (the choice, or the active language's).

There is one place where digits change: every HTML page is rewritten once, at the end of its
response, so counts, ages, percentages, sizes, durations, dates, page numbers and the digits
written inside translated sentences ("៦ ខ្ទង់", "2 MB") all follow the same choice, without
a filter on each number of each template. Kept as they are:

- markup: tag names and attribute values (URLs, form inputs' values, data for scripts) —
  except the attributes a reader sees or hears (``aria-label``, ``title``, ``alt``,
  ``placeholder``), whose digits follow the choice like the text's;
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


# A tag: kept as it is but for its shown attributes (Django escapes < and > in attribute
# values).
_TAG = r"<[^>]*>"
_LETTER = re.compile(r"[A-Za-z]", re.ASCII)


# The attributes a reader sees or hears (a tooltip, a screen reader's label, a placeholder, an
# image's text): their values are visible text too.
_SHOWN_ATTRIBUTE = re.compile(r"""(\s(?:aria-label|title|alt|placeholder)=")([^"]*)(")""")
_SHOWN_NAMES = ("aria-label=", "title=", "alt=", "placeholder=")


def _tag_digits(tag: str, system: str) -> str:
    if not any(name in tag for name in _SHOWN_NAMES):
        return tag
    return _SHOWN_ATTRIBUTE.sub(
        lambda m: m.group(1) + _text_digits(m.group(2), system) + m.group(3), tag
    )


# Text between tags: a "word" of Latin letters, digits and the joiners of codes that has a
# digit and is not inside a character reference (&#39;). Atomic and possessive: linear
# however long a value is.
_TEXT_DIGIT_WORD = re.compile(
    r"(?<![A-Za-z0-9_./@:+\-&#])(?>[A-Za-z_./@:+\-]*)[0-9][A-Za-z0-9_./@:+\-]*+", re.ASCII
)
_TEXT_KHMER_DIGITS = re.compile(rf"[{KHMER_DIGITS}]+")
_SPLIT_TAGS = re.compile(f"({_TAG})")


def _khmer_word(match: re.Match) -> str:
    word = match.group()
    return word if _LETTER.search(word) else word.translate(_TO_KHMER)


def _latin_run(match: re.Match) -> str:
    return match.group().translate(_TO_LATIN)


def _text_digits(html: str, system: str) -> str:
    """*html* without kept elements: the digits of its text (not of its tags) in *system*.
    Split at the tags in C, so that only the text with a digit in it and the tags with a
    shown attribute are looked at in Python (a page has thousands of tags)."""
    word, change = (
        (_TEXT_KHMER_DIGITS, _latin_run) if system == LATIN else (_TEXT_DIGIT_WORD, _khmer_word)
    )
    pieces = _SPLIT_TAGS.split(html)
    for index in range(0, len(pieces), 2):  # text
        if word.search(pieces[index]):
            pieces[index] = word.sub(change, pieces[index])
    for index in range(1, len(pieces), 2):  # tags
        if "=" in pieces[index]:
            pieces[index] = _tag_digits(pieces[index], system)
    return "".join(pieces)


_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_RAW_START = re.compile(
    rf"<(script|style|textarea|pre|code|kbd|samp)\b{_ATTRIBUTES}>", re.IGNORECASE
)
_NO_TRANSLATE = re.compile(r"""translate\s*=\s*["']?no\b""")
_TAG_AT = re.compile(rf"<([A-Za-z][A-Za-z0-9-]*){_ATTRIBUTES}>")
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


def _next_kept(html: str, position: int) -> tuple[int, int, str] | None:
    """(start, end of its start tag, name) of the next element whose content is kept."""
    found = None
    raw = _RAW_START.search(html, position)
    if raw:
        found = (raw.start(), raw.end(), raw.group(1).lower())
    search_from = position
    while (marker := _NO_TRANSLATE.search(html, search_from)) is not None:
        if found and marker.start() > found[0]:
            break
        search_from = marker.end()
        tag = _TAG_AT.match(html, html.rfind("<", position, marker.start()))
        if tag and tag.end() > marker.start():
            name = tag.group(1).lower()
            if name not in _VOID_ELEMENTS and not tag.group().endswith("/>"):
                return (tag.start(), tag.end(), name)
    return found


def _kept_end(html: str, name: str, position: int) -> int:
    """Where the kept element *name* whose start tag ends at *position* ends (the end of
    the document if it does not: keeping too much is the safe side)."""
    if _RAW_START.match(f"<{name}>"):
        close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, position)
        return close.end() if close else len(html)
    depth = 1
    tags = re.compile(rf"<(/?){name}\b{_ATTRIBUTES}>", re.IGNORECASE)
    for tag in tags.finditer(html, position):
        if tag.group(1):
            depth -= 1
        elif not tag.group().endswith("/>"):
            depth += 1
        if depth == 0:
            return tag.end()
    return len(html)


def html_digits(html: str, system: str) -> str:
    """An HTML document (or fragment) with the digits of its visible text in *system*."""
    out: list[str] = []
    position = 0
    while (kept := _next_kept(html, position)) is not None:
        start, tag_end, name = kept
        end = _kept_end(html, name, tag_end)
        out.append(_text_digits(html[position:start], system))
        out.append(html[start:end])
        position = end
    out.append(_text_digits(html[position:], system))
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
