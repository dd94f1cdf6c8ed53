"""Text normalisation shared by geography search and, later, name matching."""

import unicodedata

_IGNORED = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff-'\u2019.,"}


def search_form(text: str) -> str:
    """NFC, no spaces, punctuation or zero-width characters, case-folded."""
    text = unicodedata.normalize("NFC", str(text or ""))
    return "".join(text.split()).translate(_IGNORED).casefold()
