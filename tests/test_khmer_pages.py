"""No English on a Khmer page: every page of the permission matrix (tests/test_permissions.py),
rendered in Khmer for each role of the owning organisation that may see it (and for the
anonymous visitor where the page is public), with data in Khmer and in Latin script, shows no
Latin word except

- data the test wrote to the database (names in Latin script, references, e-mail addresses,
  free text: what a member typed is shown as typed), read from the text fields of every row
  but not from fields with choices (a stored code such as "open" or "high" must be shown as
  its label) nor from the English twin of a name that has a Khmer one (``name_en``: a Khmer
  page shows ``name_km``);
- the short allow-list below (proper nouns and codes that have no Khmer form);
- text inside an element marked ``translate="no"`` (a code or key shown as such).

The same pages show no Latin digit outside a code: the reader's digits are the language's
(core/numerals.py), except in what a member typed into a text area and in code.

Text marked as being in another language (``lang="en"``: the language switcher names
English in English) is not Khmer text. Digits are not words (the Khmer or Latin digits of
numbers and dates are left to the number display). Visible text is the text of the page
outside <script>, <style> and <template>, and the attributes a reader sees or hears: title,
placeholder, aria-label, alt, and the value of a button."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled

from phteah.accounts.roles import Role
from tests.conftest import sign_in
from tests.matrix_support import ALL, ANON, COLUMNS, resolved

from .khmer_world import enrich
from .test_permissions import MATRIX, build_world

# Proper nouns and codes with no Khmer form, each for a reason:
ALLOWED = {
    "Phteah",  # the product's name
    "MoSVY",  # Ministry of Social Affairs: its acronym is used as is in Khmer documents
    "DoSVY",  # its provincial departments
    "OSCaR",  # the open-source case record system Phteah exchanges data with
    "CCWC",  # Commune Committee for Women and Children, used as is in Khmer
    "MEF",  # Ministry of Economy and Finance (the source of the geography), as MoSVY
    "PDF",  # file formats and sizes, as the reader's phone names them
    "CSV",
    "JPEG",
    "PNG",
    "MB",
    "ID",  # as in "ID card": the Khmer documents write "ID"
    "IP",  # as in "IP address"
    # authenticator apps, by the names the phone's app store gives them
    "FreeOTP",
    "Aegis",
    "Google",
    "Authenticator",
}
# Web addresses, e-mail addresses and case references (ABC-2026-0001) are codes, not words.
CODES = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|\b[\w-]+(\.[\w-]+)*\.(kh|org|com|net)\b|\b[A-Z]{2,10}-\d{4}-\d{3,}\b|\b\w+\.(pdf|png|jpg)\b"
)
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]+")
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
NOT_SHOWN = {"script", "style", "template"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class VisibleText(HTMLParser):
    """The text a reader of the page sees or hears, as a list of pieces."""

    not_shown = NOT_SHOWN

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden from this check)

    def _hidden(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        hidden = (
            self._hidden()
            or tag in self.not_shown
            or attributes.get("translate") == "no"
            or (attributes.get("lang") or "km")[:2] != "km"
            or (tag == "input" and attributes.get("type") == "hidden")
        )
        if not hidden:
            for name, value in attributes.items():
                if value and name in SHOWN_ATTRIBUTES:
                    self.pieces.append(value)
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.pieces.append(attributes.get("value") or "")
        if tag not in VOID:
            self._stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.pieces.append(data)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(piece.split()) for piece in parser.pieces if piece.strip()]


def latin_words(text: str) -> list[str]:
    return LATIN_WORD.findall(CODES.sub(" ", text))


def english_on(html: str, data: set[str]) -> list[str]:
    """The Latin words of a page that are neither *data* nor allowed, with where they are."""
    allowed = ALLOWED | data
    english = []
    for piece in visible_text(html):
        found = [word for word in latin_words(piece) if word not in allowed]
        if found:
            english.append(f"{' '.join(found)!r} in {piece!r}")
    return english


class TextWithDigits(VisibleText):
    """The visible text whose digits follow the reader's choice: not what a member typed
    into a text area, nor code and preformatted text (kept as written, core/numerals.py)."""

    not_shown = NOT_SHOWN | {"textarea", "pre", "code", "kbd", "samp"}


LATIN_DIGIT = re.compile(r"[0-9]")
# A word of Latin letters and digits is a code (3G, v1.2, FB-2026-0001): its digits stay Latin.
LATIN_CODE = re.compile(r"\S*[A-Za-z]\S*")


def latin_digits(html: str) -> list[str]:
    """The pieces of text with a Latin digit outside a code (for a reader of Khmer digits)."""
    parser = TextWithDigits()
    parser.feed(html)
    parser.close()
    pieces = [" ".join(piece.split()) for piece in parser.pieces if piece.strip()]
    return [p for p in pieces if LATIN_DIGIT.search(LATIN_CODE.sub(" ", CODES.sub(" ", p)))]


def data_words() -> set[str]:
    """Every Latin word stored in a free-text field of the database (see the module
    docstring for the fields left out)."""
    words = set()
    with scopes_disabled():
        for model in apps.get_models():
            if not model.__module__.startswith("phteah."):
                continue
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField))
                and not f.choices
                and not f.name.endswith("_en")
                and not f.name.startswith("search")
                and f.name not in ("password", "name_key")
            ]
            if not fields:
                continue
            for row in model._base_manager.values_list(*fields):
                for value in row:
                    if value:
                        words.update(latin_words(str(value)))
    return words


# A GET page, or a POST answered with the form again (its error messages), for each role of
# the owning organisation (and the anonymous visitor) that gets it.
PAGES = [
    (name, builder, method, data, actor)
    for name, builder, method, data, expected in MATRIX
    for actor in COLUMNS
    if resolved(expected, has_object=builder is not None)[actor] == 200
    # the other organisations' pages of their own are their roles' pages at home: each
    # outside column is checked where it sees the owner's rows (a referral, a shared case)
    and (actor in (*ALL, ANON) or builder is not None)
] + [
    # pages with what a search found or a form refused, beyond the matrix's requests
    ("geography:search", None, "get", {"q": "ba"}, Role.CASE_WORKER),
    ("people:person_list", None, "get", {"q": "សុខ"}, Role.CASE_WORKER),
    ("accounts:login", None, "post", {"username": "nobody@example.test", "password": "x"}, ANON),
    ("accounts:login", None, "post", {"username": "", "password": ""}, ANON),
]
# One Khmer word for one thing: Django's own catalogue spells "password" ពាក្យសំងាត់, Phteah's
# ពាក្យសម្ងាត់ (the modern spelling); a page shows only the latter.
VARIANT_SPELLINGS = {"សំងាត់": "សម្ងាត់"}


@pytest.fixture(scope="module")
def khmer_world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import transaction
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        scopes_disabled(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=str(media),
        ),
        transaction.atomic(),
    ):
        world = build_world()
        enrich(world)
        world["data_words"] = data_words()
        yield world
        transaction.set_rollback(True)


def _ids():
    return [
        f"{name}-{method}-{actor}{'-' + '-'.join(data) if data and name in _EXTRA else ''}"
        for name, _, method, data, actor in PAGES
    ]


_EXTRA = {"geography:search", "people:person_list", "accounts:login"}


@pytest.mark.django_db
@pytest.mark.parametrize("name, builder, method, data, actor", PAGES, ids=_ids())
def test_no_english_on_a_khmer_page(client, khmer_world, name, builder, method, data, actor):
    client.cookies["phteah_language"] = "km"
    if actor != ANON:
        sign_in(client, khmer_world["actors"][actor].user)
    url = reverse(name, kwargs=khmer_world["objects"][builder]) if builder else reverse(name)
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return  # a photo, a scan, the JSON of the place picker: not a page
    assert response["Content-Language"] == "km"
    english = english_on(response.content.decode(), khmer_world["data_words"])
    assert not english, f"{actor} {url}: Latin words on a Khmer page:\n" + "\n".join(english)
    # The reader's digits are the language's (Khmer): no Latin digit outside a code.
    digits = latin_digits(response.content.decode())
    assert not digits, f"{actor} {url}: Latin digits on a Khmer page:\n" + "\n".join(digits)
    text = " ".join(visible_text(response.content.decode()))
    for variant, spelling in VARIANT_SPELLINGS.items():
        assert variant not in text, f"{actor} {url}: {variant} where Phteah writes {spelling}"


def test_the_pages_cover_the_matrix_and_every_role():
    """Every GET view of the matrix is checked, and by more than one role."""
    from .test_permissions import MATRIX as rows

    checked = {name for name, *_ in PAGES}
    views = {name for name, _, method, _, expected in rows if method == "get"}
    shown = {name for name, _, method, _, e in rows if method == "get" and 200 in e.values()}
    assert shown <= checked, sorted(shown - checked)
    assert len(checked) > 0.8 * len(views)
    assert {*ALL, ANON} <= {actor for *_, actor in PAGES}
    assert Role.VIEWER in ALL


def test_the_check_finds_latin_digits_but_not_codes_or_typed_text():
    assert latin_digits("<p>អាយុ 12 ឆ្នាំ</p><p title='3 ថ្ងៃ'>x</p>") == ["អាយុ 12 ឆ្នាំ", "3 ថ្ងៃ"]
    assert (
        latin_digits(
            "<p>KCN-2026-0012 · អាយុ ១២ ឆ្នាំ · 3G · sok1@example.test</p>"
            '<textarea>Visit 3</textarea><p translate="no">0123</p><code>visit_every=7</code>'
        )
        == []
    )


def test_the_check_finds_english():
    """The extraction sees text, shown attributes and button labels; not scripts, styles,
    hidden inputs or codes marked translate="no"."""
    html = (
        "<html><head><title>Cases</title><style>.a{color:red}</style></head><body>"
        '<script>var x = "hidden";</script><p>ករណី <b>open</b></p>'
        '<input type="hidden" value="secret"><input placeholder="Search">'
        '<img alt="Photo"><input type="submit" value="Go"><button value="x">ផ្ញើ</button>'
        '<button lang="en">English</button>'
        '<code translate="no">visit_every</code><a href="https://x.example/path">វេប</a>'
        "<p>sok@example.test HOPE-2026-0001 12/03/2026</p></body></html>"
    )
    words = [w for piece in visible_text(html) for w in latin_words(piece)]
    assert words == ["Cases", "open", "Search", "Photo", "Go"]
