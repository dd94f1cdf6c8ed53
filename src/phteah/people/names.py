"""Normalised name forms kept on each person, for search and duplicate matching.

- ``search_latin``: "family given nickname", case-folded, without punctuation;
- ``search_km``: the Khmer words, each in geography's search form, joined by spaces;
- ``name_key``: a phonetic key of the Latin given and family names, so that the spellings
  different agencies give the same child meet (Sophea / Sopheap / Sophia → "sp",
  Dara / Darra → "dr"): letters only; ph, th, kh, ch, gh, sh and f read as p, t, k, c, g, s
  and p, w as v; after the first letter vowels, h and y are dropped and repeated letters
  collapse. Each word is reduced on its own and the words are sorted, so the order of family
  and given name does not matter.
"""

import re
import unicodedata

from phteah.core.khmer import to_ascii_digits
from phteah.geography.normalise import search_form

KEY_LENGTH = 60
_DIGRAPHS = (
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("ch", "c"),
    ("gh", "g"),
    ("sh", "s"),
    ("f", "p"),
)
_DROPPED_AFTER_FIRST = set("aeiouhyw")
_KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")


def has_khmer(text: str) -> bool:
    return bool(_KHMER.search(text or ""))


def _words(text: str) -> list[str]:
    """Words without punctuation or symbols (letters, marks and digits kept)."""
    text = unicodedata.normalize("NFC", to_ascii_digits(str(text or "")))
    kept = "".join(
        " " if unicodedata.category(c)[0] in "PSZC" else c for c in text.replace("\u200b", "")
    )
    return kept.split()


def latin_search_form(*parts: str) -> str:
    return " ".join(word.casefold() for part in parts for word in _words(part))[:220]


def khmer_search_form(*parts: str) -> str:
    words = (search_form(word) for part in parts for word in str(part or "").split())
    return " ".join(word for word in words if word)[:220]


def _ascii_letters(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if "a" <= c <= "z")


def word_key(word: str) -> str:
    """The phonetic key of one Latin word ('' if it has no Latin letters)."""
    letters = _ascii_letters(word).replace("w", "v")
    for digraph, single in _DIGRAPHS:
        letters = letters.replace(digraph, single)
    if not letters:
        return ""
    rest = [c for c in letters[1:] if c not in _DROPPED_AFTER_FIRST]
    key = letters[0]
    for c in rest:
        if c != key[-1]:
            key += c
    return key


def name_key(*parts: str) -> str:
    keys = sorted(k for part in parts for k in (word_key(w) for w in _words(part)) if k)
    return " ".join(keys)[:KEY_LENGTH]


def person_search_fields(
    *,
    family_name_latin: str = "",
    given_name_latin: str = "",
    family_name_km: str = "",
    given_name_km: str = "",
    nickname: str = "",
) -> dict[str, str]:
    """The three normalised fields of a person, from their names."""
    km_nickname = nickname if has_khmer(nickname) else ""
    latin_nickname = "" if km_nickname else nickname
    return {
        "search_latin": latin_search_form(family_name_latin, given_name_latin, latin_nickname),
        "search_km": khmer_search_form(family_name_km, given_name_km, km_nickname),
        "name_key": name_key(given_name_latin, family_name_latin),
    }
