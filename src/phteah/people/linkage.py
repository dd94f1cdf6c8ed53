"""Linkage keys: finding the same child in another organisation without either side reading
the other's records.

**The encoder** makes each person a cryptographic long-term key (Schnell's CLK: one Bloom
filter over all of a record's features), following the layout of Data61 clkhash's linkage
schema v3 (per-feature keys, n-gram tokens, bits per token, random hashing) with the standard
library's ``hmac`` and ``bitarray``:

| feature     | tokens                                                    | bits per token |
|-------------|-----------------------------------------------------------|----------------|
| ``latin``   | padded bigrams of the Latin family and given names        | 15             |
| ``latinkey``| the phonetic ``name_key`` of the same (``people.names``)  | 30             |
| ``khmer``   | padded bigrams of the Khmer ``khmer_key``                 | 20             |
| ``khmerkey``| the Khmer name's consonant skeleton (below)               | 30             |
| ``dob``     | ``y:2014``, ``m:06``, ``d:15`` (the year alone when estimated) | 10        |
| ``sex``     | ``s:female``                                              | 5              |
| ``place``   | ``c:`` commune and ``d:`` district codes of the village   | 8              |

The Latin bigrams are made from ``latin_search_form`` with the spaces and accents removed, so
"Srey Pov" and "Sreypouv" share all but one bigram; the family name comes first, as the
stored keys have it, and a check tries both orders. The Khmer skeleton is to Khmer what
``name_key`` is to Latin letters: the consonants only (vowel signs, diacritics and the
subscript mark dropped, an independent vowel read as អ), the retroflex letters read as the
dental ones that sound alike (ដ ឋ ឌ ឍ ណ ឡ → ត ថ ទ ធ ន ល) and a letter repeated kept once. So
ធីតា and ធីដា, ពិសី and ពិសិ, ចាន់ថា and ចន្ថា, វណ្ណា and វ៉ាន់ណា meet, where a short name's
bigrams alone differ by more than a fifth. It is added to the features of clkhash's layout
that network.md §7 lists.

**Positions: random hashing.** A token of feature *f* sets the bits at the 16-bit chunks of
``HMAC-SHA256(K_f, i ‖ token)`` (i = 0, 1, … as many digests as the bits need) modulo 1,024,
with ``K_f = HMAC-SHA256(K, "phteah-clk-v1:" + f)``. Double hashing (position_i = h1 + i·h2)
would tie all of a token's bits to two numbers: the bit patterns it leaves are then few and
recognisable, which is what the pattern-mining attacks of Kroll and Christen and of
Niedermeyer et al. use. Independent positions per token and a key per feature take that away,
and the same bigram in two features sets unrelated bits.

**Balanced.** The 1,024-bit filter is joined with its complement and the 2,048 bits are put in
an order drawn from the key (``HMAC(K, "phteah-clk-v1:permutation")`` drives a Fisher–Yates
shuffle). Every stored key then has exactly 1,024 bits set, whatever the person's name length:
the weight of a filter tells nothing, and similarity is Dice = |a ∧ b| / 1,024.

**Blocking.** A record is stored with up to three blocking keys, each the first 16 hex digits
of ``HMAC(K_b, text)``: ``lat:`` + name_key, ``km:`` + khmer_key, ``scy:`` + sex + commune +
year of birth. A check looks up at most 7 keys (both name orders, years ±1) with one indexed
query and scores at most 200 records.

**Scoring.** The better name order's Dice must be at least 0.80, and the kinds matched, read
by testing the check's tokens in the candidate's filter, must include the name (80 % of the
Latin or the Khmer bigrams, or the Latin key, or the Khmer skeleton), the sex, and the date
of birth or its year ±1 (the commune or district instead when the check has no date of
birth). Dice alone cannot tell these apart from a match: the same name of the other sex, a
common name born years apart elsewhere, or a sibling of the same village with a name that
sounds alike differ in a handful of bits. The result is banded in tens and names only the
organisation, never the person's details.

**The key** ``K`` is the current ``LINKAGE_KEYS`` key, or that of the key file
(``LINKAGE_KEY_FILE``, by default ``$PHTEAH_DATA_DIR/linkage_keys``), read as the audit keys
are (``phteah.core.keyfile``); it is never stored in the database. Each record keeps the key's
id and the encoder's version; after a rotation or a new version, ``phteah linkage rebuild``
remakes the records, and until then a check only compares records made with its own key."""

from __future__ import annotations

import hmac
import struct
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import NamedTuple

from bitarray import bitarray
from bitarray.util import count_and
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from phteah.core.keyfile import KeyRing, SecretKey

from .models import LinkageBlock, LinkageRecord, Person
from .names import khmer_key, latin_search_form, name_key

ENCODER_VERSION = 1
PREFIX = "phteah-clk-v1:"
FILTER_BITS = 1024
CLK_BYTES = 2 * FILTER_BITS // 8
BITS = {
    "latin": 15,
    "latinkey": 30,
    "khmer": 20,
    "khmerkey": 30,
    "dob": 10,
    "sex": 5,
    "place": 8,
}
NAME_SHARE = 0.8
MATCH_DICE = 0.8
CANDIDATES = 200
BATCH = 2000

KEYS = KeyRing(setting="LINKAGE_KEYS", file_setting="LINKAGE_KEY_FILE", label="Linkage key")


# --- the fields encoded -------------------------------------------------------------------


@dataclass(frozen=True)
class LinkageFields:
    family_name_latin: str = ""
    given_name_latin: str = ""
    family_name_km: str = ""
    given_name_km: str = ""
    sex: str = ""
    date_of_birth: date | None = None
    date_of_birth_estimated: bool = False
    commune_code: str = ""

    @classmethod
    def of(cls, person: Person) -> LinkageFields:
        """A person's fields (their village is read: select_related it for many)."""
        return cls(
            family_name_latin=person.family_name_latin,
            given_name_latin=person.given_name_latin,
            family_name_km=person.family_name_km,
            given_name_km=person.given_name_km,
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            date_of_birth_estimated=person.date_of_birth_estimated,
            commune_code=person.village.commune_id if person.village_id else "",
        )


def _bigrams(text: str) -> tuple[str, ...]:
    """Padded bigrams, each once, in order ('' gives none)."""
    if not text:
        return ()
    padded = f" {text} "
    return tuple(dict.fromkeys(padded[i : i + 2] for i in range(len(padded) - 1)))


def _latin_text(family: str, given: str) -> str:
    folded = unicodedata.normalize("NFKD", latin_search_form(family, given))
    return "".join(c for c in folded if not c.isspace() and not unicodedata.combining(c))


_SOUNDS_ALIKE = str.maketrans("ដឋឌឍណឡ", "តថទធនល")


def khmer_skeleton(text: str) -> str:
    """The consonants of a Khmer name, as the module's docstring says ('' without any)."""
    skeleton = ""
    for c in khmer_key(text):
        if "\u17a3" <= c <= "\u17b3":  # an independent vowel
            c = "អ"
        elif not "\u1780" <= c <= "\u17a2":  # vowel signs, diacritics, the subscript mark
            continue
        c = c.translate(_SOUNDS_ALIKE)
        if not skeleton.endswith(c):
            skeleton += c
    return skeleton


def _name_tokens(family_latin, given_latin, family_km, given_km) -> dict[str, tuple[str, ...]]:
    key = name_key(family_latin, given_latin)
    skeleton = khmer_skeleton(f"{family_km}{given_km}")
    return {
        "latin": _bigrams(_latin_text(family_latin, given_latin)),
        "latinkey": (key,) if key else (),
        "khmer": _bigrams(khmer_key(family_km, given_km)),
        "khmerkey": (skeleton,) if skeleton else (),
    }


def _year_token(year: int) -> str:
    return f"y:{year:04d}"


def _tokens(fields: LinkageFields, *, swapped: bool = False) -> dict[str, tuple[str, ...]]:
    latin = (fields.family_name_latin or "", fields.given_name_latin or "")
    khmer = (fields.family_name_km or "", fields.given_name_km or "")
    if swapped:
        latin, khmer = latin[::-1], khmer[::-1]
    dob = fields.date_of_birth
    tokens = _name_tokens(*latin, *khmer)
    tokens["dob"] = ()
    if dob is not None:
        tokens["dob"] = (_year_token(dob.year),)
        if not fields.date_of_birth_estimated:
            tokens["dob"] += (f"m:{dob.month:02d}", f"d:{dob.day:02d}")
    tokens["sex"] = (f"s:{fields.sex}",) if fields.sex else ()
    commune = fields.commune_code or ""
    tokens["place"] = (f"c:{commune}", f"d:{commune[:4]}") if commune else ()
    return tokens


# --- keyed hashing ------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _feature_key(key: SecretKey, feature: str) -> bytes:
    return hmac.digest(key.secret, (PREFIX + feature).encode(), "sha256")


_CHUNKS = struct.Struct(">16H")  # a SHA-256 digest as sixteen 16-bit numbers


@lru_cache(maxsize=32768)  # bigrams, years and places repeat: a rebuild digests each once
def _positions(key: SecretKey, feature: str, token: str) -> tuple[int, ...]:
    """The bits of one token in the 1,024-bit filter: random hashing (see the top). 65,536 is
    a multiple of 1,024, so every position is equally likely."""
    feature_key, data = _feature_key(key, feature), token.encode("utf-8", "surrogatepass")
    bits, out = BITS[feature], []
    for counter in range((bits + 15) // 16):
        digest = hmac.digest(feature_key, bytes([counter]) + data, "sha256")
        out += (chunk % FILTER_BITS for chunk in _CHUNKS.unpack(digest))
    return tuple(out[:bits])


@lru_cache(maxsize=4)
def _permutation(key: SecretKey) -> tuple[int, ...]:
    """Where each of the 2,048 bits (filter, then complement) goes: a Fisher–Yates shuffle
    drawing 32-bit numbers from HMAC(K_p, counter), unbiased by rejection."""
    permutation_key = _feature_key(key, "permutation")
    order = list(range(2 * FILTER_BITS))

    def draws() -> Iterator[int]:
        counter = 0
        while True:
            digest = hmac.digest(permutation_key, counter.to_bytes(8, "big"), "sha256")
            counter += 1
            yield from (int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4))

    numbers = draws()
    for i in range(len(order) - 1, 0, -1):
        limit = 2**32 - 2**32 % (i + 1)
        n = next(numbers)
        while n >= limit:
            n = next(numbers)
        j = n % (i + 1)
        order[i], order[j] = order[j], order[i]
    return tuple(order)


def _block(key: SecretKey, text: str) -> str:
    data = text.encode("utf-8", "surrogatepass")
    return hmac.digest(_feature_key(key, "blocks"), data, "sha256").hex()[:16]


# --- the encoding -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Order:
    """One name order of a check: its filter and the masks of its tokens (in the 2,048-bit
    order), to test which of them a candidate holds."""

    clk: bitarray
    masks: dict[str, tuple[bitarray, ...]]


def _plain_filter(key: SecretKey, tokens: dict[str, tuple[str, ...]]) -> bitarray:
    plain = bitarray(FILTER_BITS)
    plain.setall(0)
    for feature, values in tokens.items():
        for token in values:
            plain[list(_positions(key, feature, token))] = 1
    return plain


@lru_cache(maxsize=4)
def _scatter(key: SecretKey) -> tuple[tuple[int, ...], ...]:
    """For each 4-bit group of the filter and each of its 16 values, the bits it sets in the
    stored key (as an integer): its set bits where the permutation puts them, and its clear
    bits' complements where it puts those. A key is then 256 lookups, not 1,024 moves."""
    permutation, table = _permutation(key), []
    for group in range(FILTER_BITS // 4):
        row = []
        for value in range(16):
            bits = 0
            for offset in range(4):
                p = group * 4 + offset
                set_ = value >> (3 - offset) & 1
                bits |= 1 << (2 * FILTER_BITS - 1 - permutation[p if set_ else p + FILTER_BITS])
            row.append(bits)
        table.append(tuple(row))
    return tuple(table)


def _balanced(key: SecretKey, plain: bitarray) -> bitarray:
    """The filter and its complement, in the key's order: 2,048 bits, 1,024 of them set."""
    table, bits = _scatter(key), 0
    for i, byte in enumerate(plain.tobytes()):
        bits |= table[2 * i][byte >> 4] | table[2 * i + 1][byte & 15]
    clk = bitarray()
    clk.frombytes(bits.to_bytes(CLK_BYTES, "big"))
    return clk


def _token_mask(key: SecretKey, feature: str, token: str) -> bitarray:
    """Where a token's bits are in a stored key (each is set when the token is in it)."""
    permutation = _permutation(key)
    mask = bitarray(2 * FILTER_BITS)
    mask.setall(0)
    mask[[permutation[p] for p in _positions(key, feature, token)]] = 1
    return mask


@dataclass(frozen=True)
class Encoding:
    """A person's linkage key: what is stored (``clk``, ``blocks``), and, made when a check
    first needs them, the check's lookups and its two name orders."""

    key: SecretKey = field(repr=False)
    fields: LinkageFields = field(repr=False)
    clk: bytes  # 256 bytes, family name first: what is stored
    blocks: tuple[str, ...]  # the record's blocking keys
    tokens: dict[str, tuple[str, ...]] = field(repr=False)  # in memory only, never stored

    @property
    def key_id(self) -> str:
        return self.key.id

    @cached_property
    def _years(self) -> tuple[int, ...]:
        dob = self.fields.date_of_birth
        if dob is None:
            return ()
        return tuple(y for y in (dob.year, dob.year - 1, dob.year + 1) if 1 <= y <= 9999)

    @cached_property
    def lookups(self) -> tuple[str, ...]:
        """The keys a check looks up (at most 7): both name orders, the years ±1."""
        keys = _blocks(self.key, self.fields, swapped=False, years=self._years)
        keys += _blocks(self.key, self.fields, swapped=True, years=())
        return tuple(dict.fromkeys(keys))

    @cached_property
    def orders(self) -> tuple[_Order, ...]:
        """Family name first, then given name first."""
        orders = []
        for tokens in (self.tokens, _tokens(self.fields, swapped=True)):
            clk = _balanced(self.key, _plain_filter(self.key, tokens))
            masks = {
                feature: tuple(_token_mask(self.key, feature, token) for token in values)
                for feature, values in tokens.items()
            }
            orders.append(_Order(clk, masks))
        return tuple(orders)

    @cached_property
    def years(self) -> tuple[bitarray, ...]:
        """The masks of the year of birth and the years either side."""
        return tuple(_token_mask(self.key, "dob", _year_token(y)) for y in self._years)


def _blocks(key: SecretKey, fields: LinkageFields, *, swapped: bool, years) -> list[str]:
    latin = (fields.family_name_latin or "", fields.given_name_latin or "")
    khmer = (fields.family_name_km or "", fields.given_name_km or "")
    if swapped:
        latin, khmer = latin[::-1], khmer[::-1]
    texts = []
    if lat := name_key(*latin):
        texts.append("lat:" + lat)
    if km := khmer_key(*khmer):
        texts.append("km:" + km)
    if fields.sex and fields.commune_code:
        texts += [f"scy:{fields.sex}{fields.commune_code}{year:04d}" for year in years]
    return [_block(key, text) for text in texts]


def encode(fields: LinkageFields, *, key: SecretKey | None = None) -> Encoding:
    """The linkage key of these fields with *key* (the current linkage key by default)."""
    key = key or KEYS.current()
    tokens = _tokens(fields)
    year = (fields.date_of_birth.year,) if fields.date_of_birth else ()
    return Encoding(
        key=key,
        fields=fields,
        clk=_balanced(key, _plain_filter(key, tokens)).tobytes(),
        blocks=tuple(dict.fromkeys(_blocks(key, fields, swapped=False, years=year))),
        tokens=tokens,
    )


def dice(a: bitarray, b: bitarray) -> float:
    """Dice similarity of two balanced filters (each has 1,024 bits set)."""
    return count_and(a, b) / FILTER_BITS


def _holds(clk: bitarray, mask: bitarray) -> bool:
    return count_and(clk, mask) == mask.count()


def _share(clk: bitarray, masks: tuple[bitarray, ...]) -> float:
    return sum(_holds(clk, mask) for mask in masks) / len(masks) if masks else 0.0


def kinds_matched(encoding: Encoding, order: _Order, clk: bitarray) -> tuple[str, ...]:
    """Which of "name", "date_of_birth", "sex", "place" the candidate's filter holds."""
    masks, kinds = order.masks, []
    if (
        _share(clk, masks["latin"]) >= NAME_SHARE
        or _share(clk, masks["khmer"]) >= NAME_SHARE
        or any(_holds(clk, mask) for mask in (*masks["latinkey"], *masks["khmerkey"]))
    ):
        kinds.append("name")
    if masks["dob"] and (
        all(_holds(clk, mask) for mask in masks["dob"])
        or any(_holds(clk, mask) for mask in encoding.years)
    ):
        kinds.append("date_of_birth")
    if masks["sex"] and all(_holds(clk, mask) for mask in masks["sex"]):
        kinds.append("sex")
    if any(_holds(clk, mask) for mask in masks["place"]):
        kinds.append("place")
    return tuple(kinds)


def is_match(similarity: float, kinds: Collection[str], *, dated: bool = True) -> bool:
    """Dice ≥ 0.80 with the name and the sex among the kinds, and the date of birth (or its
    year ±1) — or, for a check without a date of birth (*dated* False), the place. The place
    alone is not enough when the date is known: a brother or sister has the family name and
    the village, and often a name that sounds alike."""
    needed = "date_of_birth" if dated else "place"
    return similarity >= MATCH_DICE and {"name", "sex", needed} <= set(kinds)


class Candidate(NamedTuple):
    """A possible match in another organisation. ``person_id`` is for that organisation's
    own eyes (a contact request): it must never reach the checker."""

    organisation_id: object
    person_id: object
    band: int  # the similarity in tens: 80, 90, 100
    kinds: tuple[str, ...]


def candidates_for(
    encoding: Encoding,
    *,
    exclude_organisation_id,
    excluded_organisation_ids: Collection = (),
    limit: int = CANDIDATES,
) -> list[Candidate]:
    """The possible matches of *encoding* in the other organisations, best first: one query
    on the blocking index, reading at most *limit* records (those sharing the most keys
    first) made with the same key and encoder. *excluded_organisation_ids* leaves out more
    organisations (those that do not take part in the network's linkage)."""
    if not encoding.lookups:
        return []
    excluded = {exclude_organisation_id, *excluded_organisation_ids} - {None}
    rows = (
        LinkageBlock.objects.filter(
            key__in=encoding.lookups,
            record__key_id=encoding.key_id,
            record__encoder_version=ENCODER_VERSION,
        )
        .exclude(organisation_id__in=excluded)
        .values_list("organisation_id", "record__person_id", "record__clk")
        .annotate(hits=Count("id"))
        .order_by("-hits", "record__person_id")[:limit]
    )
    found = []
    for organisation_id, person_id, stored, _hits in rows:
        clk = bitarray()
        clk.frombytes(bytes(stored))
        if len(clk) != 2 * FILTER_BITS:
            continue
        order = max(encoding.orders, key=lambda o: count_and(o.clk, clk))
        similarity = dice(order.clk, clk)
        if similarity < MATCH_DICE:
            continue
        kinds = kinds_matched(encoding, order, clk)
        if is_match(similarity, kinds, dated=encoding.fields.date_of_birth is not None):
            found.append(Candidate(organisation_id, person_id, int(similarity * 10) * 10, kinds))
    return sorted(found, key=lambda c: (-c.band, str(c.organisation_id), str(c.person_id)))


# --- storing ------------------------------------------------------------------------------


def linkage_record_refresh(person: Person, *, participates: bool = True) -> LinkageRecord | None:
    """(Re)make a person's linkage record and blocks, in the caller's transaction. When the
    person's organisation does not take part (*participates* False) the record is removed,
    so it is left out on both sides."""
    if not participates:
        LinkageRecord.objects.filter(person_id=person.pk).delete()
        return None
    encoding = encode(LinkageFields.of(person))
    with transaction.atomic():
        # The person's row is locked by the service (or new): nobody else writes this record,
        # and no FOR UPDATE is taken (update_or_create would take one).
        record = LinkageRecord.objects.filter(person_id=person.pk).first()
        record = record or LinkageRecord(person_id=person.pk)
        record.clk, record.key_id, record.encoder_version = (
            encoding.clk,
            encoding.key_id,
            ENCODER_VERSION,
        )
        record.save()
        LinkageBlock.objects.filter(record=record).delete()
        LinkageBlock.objects.bulk_create(
            LinkageBlock(record=record, organisation_id=person.organisation_id, key=block)
            for block in encoding.blocks
        )
    return record


@dataclass
class LinkageCounts:
    people: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # made with another key or encoder version
    missing: int = 0  # no record yet


def linkage_rebuild(
    people=None, *, write: bool = True, batch: int = BATCH, progress=None
) -> LinkageCounts:
    """Remake the linkage records of *people* (a Person queryset, all by default; the caller
    disables scopes), *batch* people at a time, each batch in its own transaction. Records
    that are current are left alone, so running it twice changes nothing; with *write*
    False nothing is written and the counts say what would change."""
    people = Person.objects.all() if people is None else people
    key, counts, last = KEYS.current(), LinkageCounts(), None
    while True:
        page = people.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        page = list(page.values_list("pk", "organisation_id", *_READ)[:batch])
        if not page:
            return counts
        last = page[-1][0]
        with transaction.atomic():
            _rebuild_batch(page, key, counts, write)
        if progress is not None:
            progress(counts)


_READ = (  # a person's fields as LinkageFields takes them, read without the Person models
    "family_name_latin",
    "given_name_latin",
    "family_name_km",
    "given_name_km",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "village__commune_id",
)


def _rebuild_batch(page: list[tuple], key: SecretKey, counts: LinkageCounts, write: bool):
    records = {
        r.person_id: r for r in LinkageRecord.objects.filter(person_id__in=[row[0] for row in page])
    }
    blocks: dict = {}
    for record_id, block in LinkageBlock.objects.filter(record__in=records.values()).values_list(
        "record_id", "key"
    ):
        blocks.setdefault(record_id, set()).add(block)
    new, changed, wanted = [], [], {}
    for person_id, organisation_id, *values in page:
        counts.people += 1
        values[-1] = values[-1] or ""  # no village: no commune
        encoding = encode(LinkageFields(*values), key=key)
        record = records.get(person_id)
        if record is None:
            counts.missing += 1
            record = LinkageRecord(person_id=person_id)
            new.append(record)
        elif record.key_id != key.id or record.encoder_version != ENCODER_VERSION:
            counts.stale += 1
            changed.append(record)
        elif bytes(record.clk) != encoding.clk or blocks.get(record.pk, set()) != set(
            encoding.blocks
        ):
            changed.append(record)
        else:
            counts.unchanged += 1
            continue
        record.clk, record.key_id, record.encoder_version = (
            encoding.clk,
            key.id,
            ENCODER_VERSION,
        )
        wanted[person_id] = (record, organisation_id, encoding.blocks)
    counts.created += len(new)
    counts.updated += len(changed)
    if not write:
        return
    now = timezone.now()
    for record in changed:
        record.updated_at = now  # bulk_update does not set auto_now fields
    LinkageRecord.objects.bulk_create(new)
    LinkageRecord.objects.bulk_update(changed, ["clk", "key_id", "encoder_version", "updated_at"])
    LinkageBlock.objects.filter(record__in=changed).delete()
    LinkageBlock.objects.bulk_create(
        LinkageBlock(record=record, organisation_id=organisation_id, key=block)
        for record, organisation_id, keys in wanted.values()
        for block in keys
    )


# --- who takes part -----------------------------------------------------------------------

# Which organisations leave the network's duplicate check (``PartnerProfile.
# linkage_participates`` is kept by the referrals app, above this one): that app registers a
# function returning their ids, so people never imports it.
_opted_out: list = []


def opted_out_source(function) -> None:
    """Register ``function() -> set of organisation ids`` that do not take part (from an app's
    ``AppConfig.ready()``)."""
    if function not in _opted_out:
        _opted_out.append(function)


def opted_out() -> set:
    """The organisations that do not take part in the check, on either side."""
    found: set = set()
    for function in _opted_out:
        found |= {str(pk) for pk in function()}
    return found


def participates(organisation_id) -> bool:
    """Whether the organisation takes part in the check (its people have linkage records)."""
    return str(organisation_id) not in opted_out()


def linkage_records_remove(*, organisation_id) -> int:
    """Remove the linkage records of an organisation that stopped taking part, in the
    caller's transaction (``linkage_rebuild`` makes them again when it takes part again)."""
    removed, _ = LinkageRecord.objects.filter(person__organisation_id=organisation_id).delete()
    return removed
