"""Normalised name forms kept on each person, for search and duplicate matching.

- ``search_latin``: "family given nickname", case-folded, without punctuation;
- ``search_km``: the Khmer words, each in geography's search form, joined by spaces;
- ``name_key``: a phonetic key of the Latin family and given names, so that the spellings
  different agencies give the same child meet;
- ``name_key_km``: the Khmer family and given names with nothing between the letters.

**Spacing never matters.** Khmer is written without spaces between the syllables of a name
and romanisations split or join them at will ("Sim Srey Pov" / "Sim Sreypouv", "Sok Da-ra"
/ "Sok Dara"): both keys are made from the family name followed by the given name with every
space, hyphen, punctuation mark and zero-width character (U+200B–U+200D, U+2060, U+FEFF)
removed, so splitting or joining words, or moving a syllable between the two fields, gives
the same key. The order of the two names does matter to the stored key (family name first,
as Khmer names are written); the duplicate check looks up both orders (``name_keys``), so a
family name typed as the given name is still found.

**The Latin key** reads the name roughly as it sounds, with rules from the common
romanisations of Khmer names (UNGEGN, the French-based spellings on identity documents, and
what staff type):

1. letters only, accents removed, lower case (Sreÿ → srey);
2. one sound, one letter: ph → p, th → t, kh → k, ch → c, gh → g, sh → s, f → p, w → v
   (Phalla / Palla, Thida / Tida, Vanna / Wanna);
3. a ``v`` that closes a vowel is a glide, not a consonant, and is dropped: ov, ouv, euv,
   iv (Pov / Pou / Pouv / Po; but Sovann keeps its v, a vowel follows);
4. a vowel at the start of the name is any vowel (Ouk / Uk / Ok: one key);
5. after the first letter the vowels (a e i o u), y and h are dropped: vowel spellings vary
   most (ey / ei / ay, o / ou / au / ao, ea / ia, trailing h: Sokha / Sokhah, Srey / Srei);
6. a letter repeated is one (Darra / Dara, Chann / Chan, double letters in general).

So "Sophea", "Sopheap", "Sophia" and "Sofia" are all "sp", and "Sim Srey Pov" and "Sim
Sreypouv" are both "smsrp". The key is a net for candidates, never a verdict: each candidate
is then scored on the names, the date of birth, the sex and the place (people.selectors).
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


def _ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    return "".join(c for c in decomposed if "a" <= c <= "z")


_VOWELS = set("aeiou")
# Rule 3: a v after a vowel, not before one.
_GLIDE_V = re.compile(r"(?<=[aeiouy])v(?![aeiouy])")


def word_key(text: str) -> str:
    """The phonetic key of Latin text, its spaces and punctuation ignored ('' if it has no
    Latin letters). The rules are in the module's docstring."""
    letters = _ascii_letters(text).replace("w", "v")
    for digraph, single in _DIGRAPHS:
        letters = letters.replace(digraph, single)
    letters = _GLIDE_V.sub("", letters)
    if not letters:
        return ""
    key = "a" if letters[0] in _VOWELS else letters[0]
    for c in letters[1:]:
        if c not in _DROPPED_AFTER_FIRST and c != key[-1]:
            key += c
    return key


def name_key(family: str = "", given: str = "") -> str:
    """The key of a Latin name, family name first (the stored ``name_key``)."""
    return word_key(f"{family or ''}{given or ''}")[:KEY_LENGTH]


def khmer_key(family: str = "", given: str = "") -> str:
    """The Khmer name, family name first, without spaces, punctuation or zero-width
    characters, in geography's search form (the stored ``name_key_km``)."""
    text = "".join(c for c in f"{family or ''}{given or ''}" if has_khmer(c))
    return search_form(text)[:KEY_LENGTH]


def name_keys(family: str = "", given: str = "") -> set[str]:
    """The keys a duplicate of this Latin name may be stored under: either name first."""
    return {key for key in (name_key(family, given), name_key(given, family)) if key}


def khmer_keys(family: str = "", given: str = "") -> set[str]:
    """The Khmer keys a duplicate may be stored under: either name first."""
    return {key for key in (khmer_key(family, given), khmer_key(given, family)) if key}


def person_search_fields(
    *,
    family_name_latin: str = "",
    given_name_latin: str = "",
    family_name_km: str = "",
    given_name_km: str = "",
    nickname: str = "",
) -> dict[str, str]:
    """The normalised fields of a person, from their names."""
    km_nickname = nickname if has_khmer(nickname) else ""
    latin_nickname = "" if km_nickname else nickname
    return {
        "search_latin": latin_search_form(family_name_latin, given_name_latin, latin_nickname),
        "search_km": khmer_search_form(family_name_km, given_name_km, km_nickname),
        "name_key": name_key(family_name_latin, given_name_latin),
        "name_key_km": khmer_key(family_name_km, given_name_km),
    }
