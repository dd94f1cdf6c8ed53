"""The partner directory and the capacity board: the one module of the referral network
that reads across organisations (docs/design/network.md §6; on the scope-crossing
allow-list). It reads only what organisations publish: their profiles and services, and,
for the care providers they show in the directory, aggregates of free places. A child, a
placement or a provider's name never leaves this module.

Free places are never stored: a provider's free places are its capacity less its valid
(not voided) open (not ended) placements; a provider over its capacity counts as none. In SQL,
one query per count: the open placements are counted once, in one aggregate grouped by
provider (from the partial index ``placement_open_per_provider``), joined to the
providers' care types and summed (not counted again for each care type of each provider:
9,248 correlated counts a request at 100,000 children)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import get_language

from phteah.accounts.models import Organisation
from phteah.care.models import Placement, ProviderCareType
from phteah.cases.models import CareType
from phteah.core.access import access_denied
from phteah.core.errors import NotFound

from ..models import PartnerProfile, PublishedService
from ..neighbours import neighbours

# Rank of a result: the nearer, the lower.
SAME_DISTRICT, SAME_PROVINCE, NEIGHBOURING_PROVINCE, ELSEWHERE = 0, 1, 2, 3
RESULT_LIMIT = 50
DISTRICT = "provider__village__commune__district"


@dataclass(frozen=True)
class PlaceCount:
    """Free places of one care type in one district, summed over an organisation's
    published providers there (no provider named)."""

    care_type: str
    district_code: str | None
    district_name: str | None  # None: counted over every district (no place asked for)
    free: int
    rank: int

    @property
    def care_type_label(self) -> str:
        return str(CareType(self.care_type).label)


# What a result of the search shows of a profile and its organisation.
LISTED_FIELDS = (
    "id",
    "organisation_id",
    "published",
    "accepts_referrals",
    "contact_name",
    "contact_phone",
    "contact_email",
    "organisation__id",
    "organisation__name",
    "organisation__name_km",
    "organisation__is_active",
)


@dataclass
class DirectoryResult:
    profile: PartnerProfile
    rank: int
    free: int = 0
    places: list[PlaceCount] = field(default_factory=list)
    services: list[PublishedService] = field(default_factory=list)

    @property
    def organisation(self) -> Organisation:
        return self.profile.organisation

    def by_care_type(self) -> list[dict]:
        """Free places per care type, over its districts, with the nearest district named
        (the places are sorted nearest first)."""
        summary: dict[str, dict] = {}
        for place in self.places:
            entry = summary.get(place.care_type)
            if entry is None:
                entry = summary[place.care_type] = {
                    "care_type_label": place.care_type_label,
                    "free": 0,
                    "nearest": place.district_name,
                    "districts": 0,
                }
            entry["free"] += place.free
            entry["districts"] += 1
        return list(summary.values())


def _open_placements() -> QuerySet:
    """The open (not ended) valid (not voided) placements of each provider: one aggregate
    grouped by provider, from the partial index ``placement_open_per_provider`` (``COUNT(*)``:
    on SQLite, counting the ids would read every placement's row too)."""
    return (
        Placement.objects.with_scopes_disabled()
        .filter(provider__isnull=False, ended_on__isnull=True, voided_at__isnull=True)
        .order_by()
        .values("provider_id")
        .annotate(placed=Count("*"))
    )


def _published_places() -> QuerySet:
    """The care types of every provider shown in the directory by a published, active
    organisation (their free places are summed by ``_free_places``)."""
    return ProviderCareType.objects.with_scopes_disabled().filter(
        provider__is_active=True,
        provider__network_published=True,
        organisation__is_active=True,
        organisation__partner_profile__published=True,
    )


def _free_places(places: QuerySet, keys: dict, *, order=(), providers=None) -> list[dict]:
    """The free places of *places* (provider care types) summed per *keys* (name: an
    expression over a provider care type), as rows of the keys and ``places``, ordered by
    *order* (names of the keys or ``places``, ``-`` first for descending); sums without a free
    place are dropped. Each provider's free places are its capacity less its open placements,
    floored at none. One query: the care types (the ORM's query) joined to the open
    placements counted per provider (of every provider, or of *providers* only: a query of
    their ids) and grouped by the keys."""
    rows = places.order_by().values(
        **{f"k{index}": expression for index, expression in enumerate(keys.values())},
        p_provider=F("provider_id"),
        p_capacity=F("provider__capacity"),
    )
    opened = _open_placements()
    if providers is not None:
        opened = opened.filter(provider_id__in=providers)
    rows_sql, rows_params = rows.query.sql_with_params()
    open_sql, open_params = opened.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [f"r.{quote(f'k{index}')}" for index in range(len(keys))]
    selected = ", ".join(
        f"{column} AS {quote(name)}" for column, name in zip(columns, keys, strict=True)
    )
    placed = "COALESCE(o.placed, 0)"
    sql = (
        f"SELECT {selected}, SUM(CASE WHEN r.p_capacity > {placed}"
        f" THEN r.p_capacity - {placed} ELSE 0 END) AS places"
        f" FROM ({rows_sql}) r LEFT JOIN ({open_sql}) o ON o.provider_id = r.p_provider"
        f" GROUP BY {', '.join(columns)}"
    )
    if order:
        terms = (
            f"{quote(term.lstrip('-'))} DESC" if term.startswith("-") else quote(term)
            for term in order
        )
        sql += f" ORDER BY {', '.join(terms)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, *open_params])
        fetched = cursor.fetchall()
    # The keys as the ORM would give them (a UUID from SQLite's text).
    fields = [rows.query.annotations[f"k{index}"].output_field for index in range(len(keys))]
    return [
        {
            name: field.to_python(value)
            for name, field, value in zip(keys, fields, row[:-1], strict=True)
        }
        | {"places": int(row[-1])}  # a sum of counts is numeric on PostgreSQL
        for row in fetched
        if row[-1] > 0
    ]


def _rank(district_field: str, province_field: str, *, district, province) -> Case | Value:
    whens = []
    if district is not None:
        whens.append(When(**{district_field: district.code}, then=Value(SAME_DISTRICT)))
    if province is not None:
        whens.append(When(**{province_field: province.code}, then=Value(SAME_PROVINCE)))
        near = sorted(neighbours(province.code))
        if near:
            whens.append(When(**{f"{province_field}__in": near}, then=Value(NEIGHBOURING_PROVINCE)))
    if not whens:
        return Value(ELSEWHERE)
    return Case(*whens, default=Value(ELSEWHERE), output_field=IntegerField())


def _coverage_rank(*, district, province) -> Case | Value:
    """How near an organisation works, from what it covers: the districts of its profile and
    the provinces of the organisation."""
    if district is None and province is None:
        return Value(ELSEWHERE)
    districts = PartnerProfile.districts.through.objects.filter(partnerprofile_id=OuterRef("pk"))
    provinces = Organisation.provinces.through.objects.filter(
        organisation_id=OuterRef("organisation_id")
    )
    whens = []
    if district is not None:
        whens.append(When(Exists(districts.filter(district_id=district.code)), then=SAME_DISTRICT))
    if province is not None:
        whens.append(
            When(
                Exists(provinces.filter(province_id=province.code))
                | Exists(districts.filter(district__province_id=province.code)),
                then=SAME_PROVINCE,
            )
        )
        near = sorted(neighbours(province.code))
        if near:
            whens.append(
                When(Exists(provinces.filter(province_id__in=near)), then=NEIGHBOURING_PROVINCE)
            )
    return Case(*whens, default=Value(ELSEWHERE), output_field=IntegerField())


def _place_counts(places: QuerySet, *, district, province, per_district=None, providers=None):
    """Free places per organisation, district and care type (one query); per organisation
    and care type only (*per_district* False), by default when no place is asked for: every
    district is then as far."""
    if per_district is None:
        per_district = district is not None or province is not None
    if not per_district:
        keys = {"organisation_id": F("organisation_id"), "care_type": F("care_type")}
        return [
            row | {"rank": ELSEWHERE, "district_code": None}
            for row in _free_places(
                places, keys, order=("organisation_id", "care_type"), providers=providers
            )
        ]
    keys = {
        "organisation_id": F("organisation_id"),
        "care_type": F("care_type"),
        "district_code": F(f"{DISTRICT}_id"),
        "district_en": F(f"{DISTRICT}__name_en"),
        "district_km": F(f"{DISTRICT}__name_km"),
        "rank": _rank(
            f"{DISTRICT}_id", f"{DISTRICT}__province_id", district=district, province=province
        ),
    }
    return _free_places(
        places,
        keys,
        order=("rank", "-places", "care_type", "district_code"),
        providers=providers,
    )


def _place(row, language) -> PlaceCount:
    if "district_en" not in row:
        name = None  # not counted per district
    elif language == "km" and row["district_km"]:
        name = row["district_km"]
    else:
        name = row["district_en"] or ""
    return PlaceCount(
        care_type=row["care_type"],
        district_code=row["district_code"],
        district_name=name,
        free=row["places"],
        rank=row["rank"],
    )


def _services() -> Prefetch:
    return Prefetch("services", queryset=PublishedService.objects.order_by("name_en"))


def _profiles() -> QuerySet:
    return PartnerProfile.objects.filter(
        published=True, organisation__is_active=True
    ).select_related("organisation")


def directory_search(
    *,
    actor,
    care_type: str = "",
    age: int | None = None,
    disability: bool = False,
    province=None,
    district=None,
    service_code: str = "",
    limit: int = RESULT_LIMIT,
) -> list[DirectoryResult]:
    """Published organisations for a child who needs *care_type* (a CareType value) at *age*
    (whole years), with a disability or not, near *district* / *province* (rows), offering
    *service_code*: nearest first (same district, same province, a neighbouring province,
    elsewhere), then most free places. With a care type, an age or a disability asked for,
    only organisations with free places that fit; otherwise every published organisation.
    Three queries whatever the number of organisations: the free places, the profiles and
    their services."""
    if actor is None:
        return []
    if district is not None and province is None:
        province = district.province
    language = get_language()
    places = _published_places()
    if care_type:
        places = places.filter(care_type=care_type)
    if age is not None:
        places = places.filter(age_min__lte=age, age_max__gte=age)
    if disability:
        places = places.filter(accepts_disability=True)
    listed = PublishedService.objects.filter(profile__organisation_id=OuterRef("organisation_id"))
    if service_code:
        places = places.filter(Exists(listed.filter(code=service_code)))
    counts = _place_counts(places, district=district, province=province)

    profiles = (
        _profiles()
        .only(*LISTED_FIELDS)
        .annotate(coverage=_coverage_rank(district=district, province=province))
    )
    if service_code:
        profiles = profiles.filter(services__code=service_code)
    if care_type or age is not None or disability:
        profiles = profiles.filter(organisation_id__in={row["organisation_id"] for row in counts})
    results = {
        profile.organisation_id: DirectoryResult(profile, profile.coverage) for profile in profiles
    }
    for row in counts:
        result = results.get(row["organisation_id"])
        if result is None:
            continue
        result.places.append(_place(row, language))
        result.free += row["places"]
        result.rank = min(result.rank, row["rank"])
    ranked = sorted(
        results.values(),
        key=lambda result: (result.rank, -result.free, result.organisation.name.casefold()),
    )
    shown = ranked[:limit]
    # The services of the organisations shown only (one query).
    by_profile = {result.profile.pk: result for result in shown}
    for service in PublishedService.objects.filter(profile_id__in=list(by_profile)).only(
        "profile_id", "code", "name_en", "name_km"
    ):
        by_profile[service.profile_id].services.append(service)
    return shown


@dataclass
class CapacityBoard:
    """Free places per province (rows) and care type (columns) over the network."""

    care_types: list[tuple[str, str]]
    rows: list[dict]  # code, name, cells [(care type label, free places)], total
    totals: list[int]  # per care type, in the order of care_types
    total: int


def capacity_board(*, actor) -> CapacityBoard:
    """Free places now across the network, per care type and province (providers without an
    address are counted under no province), naming no provider. One query."""
    if actor is None:
        return CapacityBoard([], [], [], 0)
    province = f"{DISTRICT}__province"
    # Grouped by province first: grouped by care type first, SQLite reads the care types in
    # the order of their (care type, provider) index, one row at a time (44 ms, not 25).
    keys = {
        "province_code": F(f"{province}_id"),
        "province_en": F(f"{province}__name_en"),
        "province_km": F(f"{province}__name_km"),
        "care_type": F("care_type"),
    }
    counts = _free_places(_published_places(), keys, order=("province_code", "care_type"))
    language = get_language()
    offered = {row["care_type"] for row in counts}
    care_types = [(value, str(label)) for value, label in CareType.choices if value in offered]
    rows: dict[str | None, dict] = {}
    totals = dict.fromkeys(offered, 0)
    for row in counts:
        code = row["province_code"]
        entry = rows.get(code)
        if entry is None:
            name = (
                row["province_km"]
                if language == "km" and row["province_km"]
                else row["province_en"]
            )
            entry = rows[code] = {"code": code, "name": name or "", "places": {}, "total": 0}
        entry["places"][row["care_type"]] = row["places"]
        entry["total"] += row["places"]
        totals[row["care_type"]] += row["places"]
    ordered = [rows[code] for code in sorted(rows, key=lambda code: (code is None, code or ""))]
    for entry in ordered:
        entry["cells"] = [(label, entry["places"].get(value, 0)) for value, label in care_types]
    return CapacityBoard(
        care_types=care_types,
        rows=ordered,
        totals=[totals[value] for value, _label in care_types],
        total=sum(totals.values()),
    )


def organisation_profile_get(*, actor, organisation_id) -> DirectoryResult:
    """A published organisation's page: its profile, services and free places per care type
    and district (its own organisation's, published or not, for a preview); NotFound
    otherwise."""
    if actor is None:
        raise NotFound
    profiles = _profiles().prefetch_related(
        _services(), "districts", "communes", "organisation__provinces"
    )
    try:
        if str(organisation_id) == str(actor.organisation_id):
            profile = (
                PartnerProfile.objects.select_related("organisation")
                .prefetch_related("services", "districts", "communes", "organisation__provinces")
                .get(organisation_id=organisation_id)
            )
        else:
            profile = profiles.get(organisation_id=organisation_id)
    except (PartnerProfile.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        hidden = None
        with suppress(ValueError, TypeError, ValidationError):
            hidden = PartnerProfile.objects.filter(organisation_id=organisation_id).first()
        record_id = hidden.pk if hidden is not None else organisation_id
        access_denied(actor=actor, model=PartnerProfile, record_id=record_id)
        raise NotFound from error
    result = DirectoryResult(profile, ELSEWHERE, services=list(profile.services.all()))
    places = _published_places().filter(organisation_id=profile.organisation_id)
    language = get_language()
    # The open placements of this organisation's providers only, not the network's.
    providers = places.values("provider_id")
    rows = _place_counts(
        places, district=None, province=None, per_district=True, providers=providers
    )
    for row in rows:
        result.places.append(_place(row, language))
        result.free += row["places"]
    return result


def published_service_choices(*, actor) -> list[tuple[str, str]]:
    """The services listed in the directory by published organisations, one per code (the
    seeded catalogues share codes), named in the reader's language. One query."""
    if actor is None:
        return []
    language = get_language()
    rows = (
        PublishedService.objects.filter(
            profile__published=True, profile__organisation__is_active=True
        )
        .values("code")
        .annotate(name_en=Min("name_en"), name_km=Min("name_km"))
        .order_by("code")
    )
    choices = [
        (row["code"], row["name_km"] if language == "km" and row["name_km"] else row["name_en"])
        for row in rows
    ]
    return sorted(choices, key=lambda choice: choice[1].casefold())
