"""Reads of the geography tables: children of a place, name/code search, one village.

Geography is public reference data (not organisation-owned), so these selectors take no
actor; the views that expose them still require a signed-in member.
"""

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phteah.core.khmer import to_ascii_digits

from .models import Commune, District, Place, Province, Village
from .normalise import search_form

LEVELS: tuple[str, ...] = ("province", "district", "commune", "village")

LEVEL_MODELS: dict[str, type[Place]] = {
    "province": Province,
    "district": District,
    "commune": Commune,
    "village": Village,
}

LEVEL_LABELS: dict[str, Promise] = {
    "province": _("Province"),
    "district": _("District"),
    "commune": _("Commune"),
    "village": _("Village"),
}

# The foreign key from a level to its parent level.
PARENT_FIELDS: dict[str, str] = {
    "district": "province_id",
    "commune": "district_id",
    "village": "commune_id",
}

# What select_related needs to load a place's whole chain of parents in the same query.
_CHAINS: dict[str, tuple[str, ...]] = {
    "province": (),
    "district": ("province",),
    "commune": ("district__province",),
    "village": ("commune__district__province",),
}

# Longest code of each level: a code prefix longer than that cannot match the level.
_CODE_LENGTHS: dict[str, int] = {"province": 2, "district": 4, "commune": 6, "village": 8}

# Full paths, innermost first. Whole phrases with named placeholders, so that a translation
# can reorder them. No level words (ភូមិ, ឃុំ, ស្រុក, ខេត្ត) are added: many published names
# already carry one ("ភូមិ ២", "រាជធានីភ្នំពេញ"), and the data does not say whether a district
# is a ស្រុក, ខណ្ឌ or ក្រុង, or a commune a ឃុំ or សង្កាត់.
_PATH_FORMATS: dict[str, Promise] = {
    "district": _("%(district)s, %(province)s"),
    "commune": _("%(commune)s, %(district)s, %(province)s"),
    "village": _("%(village)s, %(commune)s, %(district)s, %(province)s"),
}


class PlaceRow(NamedTuple):
    """A place without its parents: what a picker option or the JSON endpoint needs.

    ``key`` identifies the place in forms: its code, except for villages, whose published
    codes are not unique (see ``Village``), where it is the village's id."""

    key: str
    code: str
    name_km: str
    name_en: str

    def display_name(self, language: str | None = None) -> str:
        return self.name_km if language == "km" and self.name_km else self.name_en


@dataclass(frozen=True)
class PlaceMatch:
    """A search result: a place of any level with its parents already loaded."""

    level: str
    place: Place
    starts_with: bool = True

    @property
    def code(self) -> str:
        return self.place.code

    @property
    def name_km(self) -> str:
        return self.place.name_km

    @property
    def name_en(self) -> str:
        return self.place.name_en

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def display_name(self) -> str:
        return self.place.display_name(get_language())

    @property
    def display_path(self) -> str:
        """The full path in the active language."""
        return self.path(get_language())

    def path(self, language: str | None = None) -> str:
        """'Thmei, Kantueu Muoy, Banan, Battambang' (innermost first) in *language*."""
        return place_path(self.place, language)


def _chain(place: Place) -> dict[str, Place]:
    """The place and its parents by level, following relations already loaded."""
    chain: dict[str, Place] = {}
    current: Place | None = place
    for level, parent_attr in (
        ("village", "commune"),
        ("commune", "district"),
        ("district", "province"),
        ("province", None),
    ):
        if isinstance(current, LEVEL_MODELS[level]):
            chain[level] = current
            current = getattr(current, parent_attr) if parent_attr else None
    return chain


def place_path(place: Place, language: str | None = None) -> str:
    """The full path of *place* ("village, commune, district, province") in *language*.

    The parents must be loaded (select_related) by the caller to avoid extra queries."""
    language = language or get_language()
    chain = _chain(place)
    level = next(level for level in LEVELS[::-1] if level in chain)
    if level == "province":
        return place.display_name(language)
    with translation.override(language):
        return str(_PATH_FORMATS[level]) % {
            name: item.display_name(language) for name, item in chain.items()
        }


def place_children(*, level: str, parent_code: str = "") -> list[PlaceRow]:
    """The places of *level* inside the parent *parent_code*, ordered by code.

    ``level="province"`` lists every province (the parent is ignored); an unknown level
    or a missing parent gives an empty list."""
    model = LEVEL_MODELS.get(level)
    if model is None:
        return []
    queryset = model.objects.all()
    if level != "province":
        parent_code = to_ascii_digits(parent_code or "").strip()
        if not parent_code:
            return []
        queryset = queryset.filter(**{PARENT_FIELDS[level]: parent_code})
    key = "id" if model is Village else "code"
    rows = queryset.order_by("code", "name_en").values_list(key, "code", "name_km", "name_en")
    return [PlaceRow(str(row[0]), *row[1:]) for row in rows]


def village_get(key: str | int | None) -> Village | None:
    """The village with this form key (its id; Khmer digits accepted) and its parents."""
    key = to_ascii_digits(str(key or "")).strip()
    if not key.isdigit() or len(key) > 18:
        return None
    return Village.objects.select_related(*_CHAINS["village"]).filter(pk=int(key)).first()


def village_get_by_code(code: str | None, *, commune: str = "") -> Village | None:
    """The village with the published *code* (Khmer digits accepted) and its parents.

    A few published village codes belong to two villages of different communes: give the
    *commune* code to tell them apart (without it the one with the lower id is returned)."""
    code = to_ascii_digits(code or "").strip()
    if not (code.isdigit() and len(code) == _CODE_LENGTHS["village"]):
        return None
    villages = Village.objects.select_related(*_CHAINS["village"]).filter(code=code)
    commune = to_ascii_digits(commune or "").strip()
    if commune:
        villages = villages.filter(commune_id=commune)
    return villages.order_by("id").first()


def province_matches() -> list[PlaceMatch]:
    """Every province, as search results (what the search page shows before a query)."""
    return [PlaceMatch(level="province", place=p) for p in Province.objects.order_by("code")]


def place_search(*, query: str, limit: int = 30) -> list[PlaceMatch]:
    """Places of any level whose name (in Khmer or English) contains *query*, or whose code
    starts with it when it is a number (Khmer digits accepted).

    Names that start with the query come before names that only contain it, then larger
    places before smaller ones, then by code. One query per level (at most four), each
    loading the parents with select_related and limited in SQL."""
    query = (query or "").strip()
    digits = to_ascii_digits(query).replace(" ", "")
    if digits.isdigit():
        return _code_search(digits, limit)
    term = search_form(query)
    if not term or limit <= 0:
        return []
    matches: list[PlaceMatch] = []
    for level in LEVELS:
        queryset = (
            LEVEL_MODELS[level]
            .objects.select_related(*_CHAINS[level])
            .filter(Q(search_km__contains=term) | Q(search_en__contains=term))
            .annotate(
                rank=Case(
                    When(Q(search_km__startswith=term) | Q(search_en__startswith=term), then=0),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "code", "name_en", "pk")[:limit]
        )
        matches += [
            PlaceMatch(level=level, place=place, starts_with=place.rank == 0) for place in queryset
        ]
    matches.sort(key=lambda m: (not m.starts_with, LEVELS.index(m.level), m.code))
    return matches[:limit]


def _code_search(prefix: str, limit: int) -> list[PlaceMatch]:
    matches: list[PlaceMatch] = []
    for level in LEVELS:
        if len(matches) >= limit:
            break
        if len(prefix) > _CODE_LENGTHS[level]:
            continue
        queryset = (
            LEVEL_MODELS[level]
            .objects.select_related(*_CHAINS[level])
            .filter(code__startswith=prefix)
            .order_by("code", "name_en", "pk")[: limit - len(matches)]
        )
        matches += [PlaceMatch(level=level, place=place) for place in queryset]
    return matches
