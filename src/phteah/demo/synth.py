"""Synthetic national-scale data for load tests and benchmarks: ``phteah synth --children N``.

At N = 100,000: ~300 organisations (NGOs, provincial offices, commune councils) with 1–3
offices, ~3,000 staff, ~150,000 people in families, 100,000 cases opened over five years
(about half closed) with assessments and domain scores, plans (goals, actions, reviews),
~1,000,000 visits, ~500,000 services, ~150,000 placements with care providers, consents and
identity documents. Everything scales linearly with N. Distributions: most case workers
carry 20–40 open cases, some about 60; most cases have 2–15 visits with a long tail up to
~200; some visits, reviews, placements and follow-ups are overdue so that "My work" has
content.

Synthetic seed data, not user actions: organisations are created by the service
(``organisation_create``: it seeds domains, services and rules and audits the creation);
every other row is generated in Python from a seeded ``random.Random`` and written in large
batches straight into the tables (executemany on SQLite, COPY on PostgreSQL), organisation
by organisation, one transaction per chunk of about ``CHUNK_ROWS`` rows, with one
``synth.created`` audit event per organisation. Columns the generator does not fill take
their model defaults. Deterministic for a given seed (apart from the day it runs)."""

import bisect
import itertools
import math
import random
import time
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from ulid import ULID

from phteah.accounts.models import GOVERNMENT_KINDS, Membership, Office, Organisation, User
from phteah.accounts.roles import Role
from phteah.accounts.services import organisation_create
from phteah.care.models import CareProvider, Carer, CareType, Placement, ProviderCareType
from phteah.care.progress import cases_progress_refresh
from phteah.cases.models import (
    Action,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    Case,
    CaseGrant,
    CaseReferenceCounter,
    CaseWorkerAssignment,
    Conference,
    Goal,
    PlanReview,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import ServiceError
from phteah.demo.cases import FAMILY_NAMES, GIVEN_FEMALE, GIVEN_MALE, GOALS, REASONS
from phteah.geography.models import Commune, Province, Village
from phteah.people.linkage import linkage_rebuild
from phteah.people.models import (
    Consent,
    Household,
    HouseholdMember,
    IdentityDocument,
    LinkageBlock,
    LinkageRecord,
    Person,
)
from phteah.people.names import person_search_fields
from phteah.referrals.models import (
    PartnerProfile,
    PublishedService,
    Referral,
    ReferralGroup,
    ReferralUpdate,
)

SYNTH_PASSWORD = "phteah-synth-2026"  # noqa: S105 - printed on purpose; synthetic accounts only
DEFAULT_SEED = 2026
CHILDREN_PER_ORGANISATION = 333
CHUNK_ROWS = 60_000  # rows written per transaction
# From this many children on, the secondary indexes (and, on PostgreSQL, the foreign keys)
# of the loaded tables are dropped before loading and created again afterwards (unique ones
# and primary keys stay: the generator and organisation_create rely on them). Creating them
# reads whole tables, including the rows already there with --add, so it pays off only for
# big loads: at 100,000 children it took 31 s and saved minutes (docs/performance.md); the
# threshold itself is a judgement, not a measurement.
DROP_INDEXES_FROM = 20_000
HISTORY_DAYS = 5 * 365  # cases opened over the last five years
REFERRALS_PER_CHILD = 0.5  # the default of --referrals: one for every two children
# Cases set aside to be referred, over what the ratio needs (a group may find fewer partners
# than it asks for); the referrals phase uses as many as it takes, evenly across them.
CANDIDATES_OVER = 1.5
RECENT_DAYS = 25  # referrals still waiting were sent in the last RECENT_DAYS (grants: 30 days)
CODE_PREFIX = "S"  # synthetic organisations: S001, S002, ...
EMAIL_DOMAIN = "synth.test"

# --- word lists ---------------------------------------------------------------------------

NGO_FIRST = (
    ("Hope", "សង្ឃឹម"), ("Bright", "ភ្លឺ"), ("Sunrise", "ថ្ងៃរះ"), ("Friends", "មិត្ត"),
    ("Safe", "សុវត្ថិភាព"), ("Lotus", "ឈូក"), ("Mekong", "មេគង្គ"), ("Kind", "ចិត្តល្អ"),
    ("Together", "រួមគ្នា"), ("New Life", "ជីវិតថ្មី"), ("Golden", "មាស"), ("Green", "បៃតង"),
    ("Rising", "រីកចម្រើន"),
)  # fmt: skip
NGO_SECOND = (
    ("Children", "កុមារ"), ("Families", "គ្រួសារ"), ("Futures", "អនាគត"), ("Homes", "ផ្ទះ"),
    ("Hands", "ដៃ"), ("Bridge", "ស្ពាន"), ("Care", "ការថែទាំ"), ("Steps", "ជំហាន"),
    ("Path", "ផ្លូវ"), ("Roots", "ឫស"),
)  # fmt: skip
NICKNAMES = ("Pov", "Mom", "Toch", "Nang", "Pich", "Chhay", "Ny", "Ah Bo", "Srey", "Ah Pheak")
SCORE_REASONS = (
    "Not enough food in the last month.",
    "The house leaks and is not safe.",
    "No adult at home most of the day.",
    "Signs of violence at home.",
    "No birth certificate yet.",
    "Often ill; no health check-up this year.",
    "Withdrawn and sad at the visit.",
    "Few friends; fights at school.",
    "Misses school several days a week.",
)
ASSESSMENT_SUMMARIES = (
    "Needs support with food, schooling and care at home.",
    "Safe for now; the family needs regular support.",
    "High needs: protection and health first.",
    "Improving steadily since the last assessment.",
)
ACTIONS = (
    "Visit the family and agree the next steps.",
    "Refer to the health centre for a check-up.",
    "Apply for a birth certificate at the commune office.",
    "Meet the school director about enrolment.",
    "Deliver the monthly food package.",
    "Hold a family mediation session.",
    "Trace relatives in the home village.",
)
EXTERNAL_OWNERS = ("Commune council focal point", "Village chief", "School director", "DoSVY")
PEOPLE_SEEN = ("Child and carer", "Child", "Carer only", "Child, mother and siblings", "Mother")
WELLBEING = (
    "Healthy and eating well; attends school most days.",
    "Tired and thin; the family ran out of rice this week.",
    "Happy at home; the carer is supportive.",
    "Worried about debts; the father is working in Thailand.",
    "Recovered from fever; took the medicine.",
    "",
)
PLACEMENT_REASONS = {
    True: "Family assessed as safe; reintegration agreed at the case conference.",
    False: "No safe adult at home.",
}
PROVIDER_NAMES = ("Provincial referral hospital", "Health centre", "Commune office", "Local NGO")
PLAN_NOTES = (
    "Goals reviewed with the family; progress on schooling.",
    "Food support continues for three months.",
    "Carer attends parenting sessions; next review in three months.",
)
CONFERENCE_PARTICIPANTS = (
    "Case worker\nSupervisor\nCommune council focal point\nThe child's mother",
    "Case worker\nDoSVY officer\nVillage chief\nGrandmother",
)

# Case types and their weights (crisis pregnancies: the mother is the case's person).
CASE_TYPES = (
    (Case.Type.COMMUNITY_SUPPORT, 25),
    (Case.Type.REINTEGRATION, 22),
    (Case.Type.EMERGENCY, 15),
    (Case.Type.RESIDENTIAL_CARE, 15),
    (Case.Type.FOSTER_CARE, 14),
    (Case.Type.CRISIS_PREGNANCY, 9),
)
RISKS = (("high", 15), ("medium", 35), ("low", 35), ("no_action", 15))
VISIT_EVERY = {"high": 7, "medium": 14, "low": 30, "no_action": 30}
FAMILY_CARE = (CareType.BIRTH_FAMILY, CareType.KINSHIP)
PROVIDER_KIND = {
    CareType.EMERGENCY_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
    CareType.LONG_TERM_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
    CareType.TEMPORARY_CENTRE: CareProvider.Kind.TEMPORARY_CENTRE,
    CareType.FAMILY_HOUSE: CareProvider.Kind.FAMILY_HOUSE,
    CareType.RESIDENTIAL: CareProvider.Kind.RESIDENTIAL,
    CareType.PAGODA: CareProvider.Kind.PAGODA,
}
# Providers per organisation: (kind, cases per provider, capacity range).
PROVIDER_PLAN = (
    (CareProvider.Kind.FOSTER_FAMILY, 25, (1, 3)),
    (CareProvider.Kind.TEMPORARY_CENTRE, 400, (15, 40)),
    (CareProvider.Kind.FAMILY_HOUSE, 150, (6, 12)),
    (CareProvider.Kind.RESIDENTIAL, 300, (20, 80)),
    (CareProvider.Kind.PAGODA, 500, (10, 30)),
)


_CHOOSERS: dict = {}


def _pick(rnd: random.Random, weighted: tuple):
    """One value of a ((value, weight), ...) tuple, by weight."""
    chooser = _CHOOSERS.get(weighted)
    if chooser is None:
        values = [v for v, _w in weighted]
        cumulative = list(itertools.accumulate(w for _v, w in weighted))
        chooser = _CHOOSERS[weighted] = (values, cumulative, cumulative[-1])
    values, cumulative, total = chooser
    return values[bisect.bisect(cumulative, rnd.random() * total)]


# --- the writer ---------------------------------------------------------------------------


class _Table:
    """Rows of one model as tuples of database-ready values (uuids as 32 hex digits, dates
    and times as ISO text, booleans as bool), in the order of ``fields``. Every other
    concrete column gets its model default (or its database default)."""

    def __init__(self, model, fields: tuple[str, ...]):
        self.model = model
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in fields if name not in by_name]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {unknown}")
        extra = []
        for f in model._meta.concrete_fields:
            if f.attname in fields or isinstance(f, AutoFieldMixin):
                continue
            if f.db_default is not NOT_PROVIDED:
                continue  # the database fills it in
            if f.null and not f.has_default():
                value = None
            else:
                value = f.get_db_prep_save(f.get_default(), connection)
            extra.append((f.column, value))
        self.columns = [by_name[name].column for name in fields] + [c for c, _ in extra]
        self.constant = tuple(v for _, v in extra)
        self.rows: list[tuple] = []
        self.written = 0
        self.append = self.rows.append

    @property
    def pending(self) -> int:
        return len(self.rows)

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        rows = self.rows
        if self.constant:
            constant = self.constant
            rows = [row + constant for row in rows]
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marks = ", ".join("?" for _i in self.columns)
            for start in range(0, len(rows), 5000):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[start : start + 5000]
                )
        self.written += len(self.rows)
        self.rows.clear()


BASE = ("id", "organisation_id", "created_at", "updated_at")
TABLES = (  # in foreign-key order
    (User, ("id", "password", "is_superuser", "email", "full_name", "full_name_km", "language",
            "is_active", "created_at", "updated_at")),
    (Office, ("id", "organisation_id", "created_at", "updated_at", "name", "village_id")),
    (Membership, BASE + ("user_id", "role", "office_id", "is_active")),
    (CareProvider, BASE + ("kind", "name", "village_id", "capacity", "phone",
                           "network_published")),
    (ProviderCareType, BASE + ("provider_id", "care_type", "age_min", "age_max",
                               "accepts_disability")),
    (Carer, BASE + ("provider_id", "name", "phone")),
    (Person, BASE + ("family_name_km", "given_name_km", "family_name_latin", "given_name_latin",
                     "nickname", "sex", "date_of_birth", "date_of_birth_estimated", "village_id",
                     "has_disability", "disability_notes", "phone", "search_latin", "search_km",
                     "name_key", "name_key_km", "created_by_id", "global_id")),
    (Household, BASE + ("name", "village_id")),
    (HouseholdMember, BASE + ("household_id", "person_id", "relationship", "is_primary_carer",
                              "lives_in_household")),
    (IdentityDocument, BASE + ("person_id", "kind", "status", "number", "obtained_on")),
    (Consent, BASE + ("person_id", "given_as", "given_by_name", "given_on", "purpose",
                      "for_referral", "method", "witness_name", "withdrawn_on")),
    (Consent.organisations.through, ("consent_id", "organisation_id")),
    (Case, BASE + ("person_id", "reference", "case_type", "referral_source", "referral_reason",
                   "identified_at", "opened_on", "risk_level", "status", "stage", "supervisor_id",
                   "closure_reason", "closure_notes", "closure_requested_by_id",
                   "closure_requested_on", "closed_on", "closure_approved_by_id",
                   "referral_source_detail")),
    (CaseReferenceCounter, ("organisation_id", "year", "last_number")),
    (CaseWorkerAssignment, BASE + ("case_id", "user_id", "is_primary")),
    (Assessment, BASE + ("case_id", "kind", "assessed_on", "assessed_by_id", "risk_level",
                         "summary")),
    (AssessmentScore, BASE + ("assessment_id", "domain_id", "score", "reason")),
    (Goal, BASE + ("case_id", "domain_id", "description", "status")),
    (Action, BASE + ("goal_id", "description", "owner_id", "owner_text", "due_on", "status")),
    (PlanReview, BASE + ("case_id", "reviewed_on", "reviewed_by_id", "notes")),
    (Conference, BASE + ("case_id", "held_on", "participants", "child_views", "family_views",
                         "decisions", "next_steps", "recorded_by_id")),
    (Placement, BASE + ("case_id", "care_type", "provider_id", "started_on", "ended_on", "reason",
                        "outcome", "recorded_by_id")),
    (Visit, BASE + ("case_id", "visited_on", "kind", "people_seen", "schooling",
                    "wellbeing_notes", "next_visit_due", "recorded_by_id")),
    (ServiceDelivery, BASE + ("case_id", "service_type_id", "provider_id", "provider_name",
                              "delivered_on", "quantity", "cost", "currency", "recipient",
                              "notes", "recorded_by_id")),
    (CaseGrant, BASE + ("case_id", "grantee_id", "level", "purpose", "consent_id",
                        "granted_by_id", "granted_at", "valid_until", "revoked_at",
                        "revoked_by_id", "revoke_reason")),
    (ReferralGroup, BASE + ("case_id", "consent_id", "sent_by_id", "sent_at", "urgency",
                            "reason", "family_name_km", "given_name_km", "family_name_latin",
                            "given_name_latin", "sex", "date_of_birth",
                            "date_of_birth_estimated", "village_id", "has_disability",
                            "global_id", "risk_level", "worker_name")),
    (Referral, BASE + ("group_id", "receiver_id", "service_code", "service_name_en",
                       "service_name_km", "state", "state_on", "answer_due_on",
                       "decline_reason", "withdraw_reason", "answered_by_id", "grant_id",
                       "receiver_case_id", "outcome", "overdue_notified_at")),
    (ReferralUpdate, ("id", "created_at", "updated_at", "referral_id", "kind", "by_id",
                      "by_organisation_id", "on", "note")),
)  # fmt: skip


_EPOCH = date(1970, 1, 1).toordinal()


def _global_id(day: int, row_id: str) -> str:
    """A person's ULID as registration would have made it on that day (a time of day taken
    from the row's id), then 80 bits of the row's own seeded random id: a seed gives the same
    ids every run."""
    millis = (day - _EPOCH) * 86_400_000 + int(row_id[:8], 16) % 86_400_000
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + bytes.fromhex(row_id)[6:]))


class _Writer:
    def __init__(self):
        self.tables = {model: _Table(model, fields) for model, fields in TABLES}

    def __getitem__(self, model) -> _Table:
        return self.tables[model]

    @property
    def pending(self) -> int:
        return sum(t.pending for t in self.tables.values())

    def counts(self) -> Counter:
        return Counter({m.__name__: t.written + t.pending for m, t in self.tables.items()})

    def flush(self) -> None:
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        try:
            for table in self.tables.values():
                table.flush(cursor)
        finally:
            cursor.close()


# --- dates as text --------------------------------------------------------------------------


class _Days(dict):
    """Day ordinal → ISO date text (cached)."""

    def __missing__(self, day: int) -> str:
        text = self[day] = date.fromordinal(day).isoformat()
        return text


class _Stamps(dict):
    """Day ordinal → a timestamp that day (for created_at / updated_at), as stored text."""

    def __init__(self, suffix: str, now_text: str, today: int):
        super().__init__()
        self.suffix, self.now_text, self.today = suffix, now_text, today

    def __missing__(self, day: int) -> str:
        if day >= self.today:
            text = self.now_text
        else:
            hour = 8 + day * 7 % 9
            text = f"{date.fromordinal(day).isoformat()} {hour:02d}:{day * 13 % 60:02d}:00"
            text += self.suffix
        self[day] = text
        return text


def _datetime_text(value: datetime, suffix: str) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + suffix


def _id_factory(stream: str):
    """Random version-4 UUIDs as 32 hex digits, from a seeded stream."""
    bits = random.Random(stream).getrandbits
    keep = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))
    version = (0x4 << 76) | (0x2 << 62)

    def new_id() -> str:
        return "%032x" % ((bits(128) & keep) | version)

    return new_id


# --- the plan -------------------------------------------------------------------------------


@dataclass
class OrgPlan:
    number: int
    code: str
    name: str
    name_km: str
    kind: str
    provinces: list
    cases: int


@dataclass
class SynthSummary:
    organisations: int = 0
    children: int = 0
    seconds: float = 0.0
    counts: Counter = field(default_factory=Counter)
    logins: list = field(default_factory=list)
    phases: dict = field(default_factory=dict)  # phase -> seconds
    referral_states: Counter = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def synth_organisations():
    """The synthetic organisations (short codes S followed by digits)."""
    return Organisation.objects.filter(short_code__regex=rf"^{CODE_PREFIX}[0-9]{{3,}}$")


def _plan(children: int, seed: int, first_number: int, provinces, communes) -> list[OrgPlan]:
    rnd = random.Random(f"{seed}-plan-{first_number}")
    count = max(1, round(children / CHILDREN_PER_ORGANISATION))
    kinds = []
    for _i in range(count):
        r = rnd.random()
        kinds.append(
            Organisation.Kind.PROVINCIAL_OFFICE
            if r < 0.08
            else Organisation.Kind.COMMUNE_COUNCIL
            if r < 0.13
            else Organisation.Kind.NGO
        )
    scale = {
        Organisation.Kind.NGO: 1.0,
        Organisation.Kind.PROVINCIAL_OFFICE: 0.6,
        Organisation.Kind.COMMUNE_COUNCIL: 0.2,
    }
    weights = [rnd.lognormvariate(0, 0.6) * scale[k] for k in kinds]
    total = sum(weights)
    exact = [children * w / total for w in weights]
    sizes = [int(x) for x in exact]
    for index in sorted(range(count), key=lambda i: exact[i] - sizes[i], reverse=True)[
        : children - sum(sizes)
    ]:
        sizes[index] += 1
    plans, names = [], set(Organisation.objects.values_list("name", flat=True))
    for offset, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
        number = first_number + offset
        code = f"{CODE_PREFIX}{number:03d}"
        chosen = rnd.sample(provinces, rnd.choice([1, 1, 1, 2, 2, 3]))
        home = chosen[0]
        if kind == Organisation.Kind.PROVINCIAL_OFFICE:
            name = f"{home.name_en} Department of Social Affairs"
            name_km = f"មន្ទីរសង្គមកិច្ច ខេត្ត{home.name_km}"
            chosen = [home]
        elif kind == Organisation.Kind.COMMUNE_COUNCIL:
            options = [c for c in communes if c[0][:2] == home.code] or communes
            commune = rnd.choice(options)
            name = f"{commune[1]} Commune Council (CCWC)"
            name_km = f"ក្រុមប្រឹក្សាឃុំ{commune[2]}"
            chosen = [home]
        else:
            (first, first_km), (second, second_km) = rnd.choice(NGO_FIRST), rnd.choice(NGO_SECOND)
            name = f"{first} {second} {home.name_en}"
            name_km = f"អង្គការ{second_km}{first_km} {home.name_km}"
        if name in names:
            name = f"{name} ({code})"
        names.add(name)
        plans.append(OrgPlan(number, code, name, name_km, kind, chosen, size))
    return plans


# What each kind of provider offers in the partner directory: (care type, the age ranges one
# of which it takes).
NETWORK_CARE_TYPES = {
    CareProvider.Kind.FOSTER_FAMILY: (
        (CareType.EMERGENCY_FOSTER, ((0, 5), (0, 17), (0, 12))),
        (CareType.LONG_TERM_FOSTER, ((0, 17), (6, 17))),
    ),
    CareProvider.Kind.TEMPORARY_CENTRE: ((CareType.TEMPORARY_CENTRE, ((0, 17), (6, 17))),),
    CareProvider.Kind.FAMILY_HOUSE: ((CareType.FAMILY_HOUSE, ((6, 17), (0, 17))),),
    CareProvider.Kind.RESIDENTIAL: ((CareType.RESIDENTIAL, ((6, 17), (12, 17))),),
    CareProvider.Kind.PAGODA: ((CareType.PAGODA, ((10, 17), (6, 17))),),
}


@dataclass
class _Partner:
    """What the referrals need of one synthetic organisation, kept after it is loaded."""

    id: str
    code: str
    name: str
    government: bool
    provinces: set
    accepts: bool
    answer_days: int
    published: list
    services: dict  # code -> (name_en, name_km): its active catalogue
    size: int
    numbers: Counter = field(default_factory=Counter)  # year -> last case reference number
    workers: list = field(default_factory=list)
    supervisors: list = field(default_factory=list)
    candidates: list = field(default_factory=list)  # its cases to refer (_Candidate)


@dataclass
class _Candidate:
    """A case that will be referred, as its organisation's builder made it."""

    case_id: str
    person: tuple  # the person's row (Person columns of TABLES)
    case_type: str
    risk: str
    opened: int
    closed: int | None  # the day it closed
    worker: str
    supervisor: str


# --- one organisation ---------------------------------------------------------------------


class _OrgBuilder:
    def __init__(self, ctx: "_Context", plan: OrgPlan, organisation: Organisation):
        self.ctx, self.plan, self.org = ctx, plan, organisation
        self.org_id = organisation.pk.hex
        self.rnd = random.Random(f"{ctx.seed}-{plan.code}")
        self.domains = [
            d.hex
            for d in AssessmentDomain.objects.filter(organisation=organisation)
            .order_by("position")
            .values_list("id", flat=True)
        ]
        self.services = {
            code: pk.hex
            for code, pk in ServiceType.objects.filter(organisation=organisation).values_list(
                "code", "id"
            )
        }
        self.villages = [v for p in plan.provinces for v in ctx.villages.get(p.code, ())]
        self.logins: list[tuple[str, str]] = []
        self.network_rnd = random.Random(f"{ctx.seed}-{plan.code}-network")
        self.referral_rnd = random.Random(f"{ctx.seed}-{plan.code}-referrals")
        self.network_id = _id_factory(f"{ctx.seed}-{plan.code}-network-ids")

    # -- small helpers ---------------------------------------------------------------------

    def village(self):
        if self.rnd.random() < 0.1:
            return self.rnd.choice(self.ctx.all_villages)
        return self.rnd.choice(self.villages) if self.villages else None

    def phone(self) -> str:
        r = self.rnd.randint
        return f"0{r(10, 99)} {r(100, 999)} {r(100, 999)}"

    # -- cases: the skeleton first (staff numbers depend on the open caseload) -------------

    def skeleton(self) -> list[dict]:
        rnd, today = self.rnd, self.ctx.today
        cases = []
        for _i in range(self.plan.cases):
            new = rnd.random() < 0.006
            age = rnd.randint(0, 3) if new else int(HISTORY_DAYS * rnd.random() ** 1.15)
            closed = not new and age >= 60 and rnd.random() < 0.78 * (1 - math.exp(-age / 550))
            cases.append({"age": age, "new": new, "closed": closed, "opened": today - age})
        return cases

    def staff(self, skeleton: list[dict]) -> None:
        rnd, ctx, plan = self.rnd, self.ctx, self.plan
        users, members, offices_table = ctx.w[User], ctx.w[Membership], ctx.w[Office]
        open_cases = sum(1 for c in skeleton if not c["closed"])
        n_offices = 1 if plan.cases < 250 else 2 if plan.cases < 700 else 3
        stamp = ctx.stamps[ctx.today - rnd.randint(HISTORY_DAYS, HISTORY_DAYS + 200)]
        self.offices = []
        used_names = set()
        for index in range(n_offices):
            province = plan.provinces[index % len(plan.provinces)]
            name, number = province.name_en, 1
            while name in used_names:
                number += 1
                name = f"{province.name_en} {number}"
            used_names.add(name)
            villages = ctx.villages.get(province.code) or ctx.all_villages
            office_id = ctx.new_id()
            offices_table.append((office_id, self.org_id, stamp, stamp, name, rnd.choice(villages)))
            self.offices.append(office_id)
        counter = Counter()

        def person(role: str, office: str, active: bool = True) -> str:
            family, family_km = rnd.choice(FAMILY_NAMES)
            given, given_km = rnd.choice(GIVEN_FEMALE if rnd.random() < 0.55 else GIVEN_MALE)
            counter[role] += 1
            slug = {
                Role.ORG_ADMIN: "admin",
                Role.SUPERVISOR: "supervisor",
                Role.CASE_WORKER: "caseworker",
                Role.ME_OFFICER: "me",
                Role.VIEWER: "viewer",
            }[role]
            email = f"{slug}{counter[role]}@{plan.code.lower()}.{EMAIL_DOMAIN}"
            user_id = ctx.new_id()
            ctx.user_names[user_id] = f"{family} {given}"
            users.append(
                (user_id, ctx.password, False, email, f"{family} {given}",
                 f"{family_km} {given_km}", "km" if rnd.random() < 0.7 else "en",
                 active, stamp, stamp)
            )  # fmt: skip
            members.append(
                (ctx.new_id(), self.org_id, stamp, stamp, user_id, str(role), office, active)
            )
            if active and counter[role] == 1 and role in (Role.SUPERVISOR, Role.CASE_WORKER):
                self.logins.append((role, email))
            return user_id

        main = self.offices[0]
        person(Role.ORG_ADMIN, main)
        if plan.cases >= 150:
            person(Role.ME_OFFICER, main)
        if rnd.random() < 0.3:
            person(Role.VIEWER, rnd.choice(self.offices))
        n_workers = max(1, round(open_cases / 31))
        by_office: dict[str, list] = {office: [] for office in self.offices}
        self.workers, self.weights, self.office_of = [], [], {}
        for index in range(n_workers):
            office = self.offices[index % len(self.offices)] if index else main
            user_id = person(Role.CASE_WORKER, office)
            # A few carry about twice the usual caseload (one in every fourth organisation).
            heavy = (index == 0 and n_workers >= 3 and plan.number % 4 == 1) or rnd.random() < 0.05
            self.workers.append(user_id)
            self.weights.append(2.0 if heavy else rnd.uniform(0.75, 1.25))
            self.office_of[user_id] = office
            by_office[office].append(user_id)
        self.by_office = by_office
        self.supervisor_of = {}
        for office, workers in by_office.items():
            supervisor = person(Role.SUPERVISOR, office)
            if len(workers) > 8:
                person(Role.SUPERVISOR, office)
            self.supervisor_of[office] = supervisor
        # Staff who have left: their memberships are inactive; they keep some closed cases.
        self.former = [
            person(Role.CASE_WORKER, rnd.choice(self.offices), active=False)
            for _i in range(sum(1 for _i in range(n_workers) if rnd.random() < 0.12))
        ]

    # -- care providers ----------------------------------------------------------------------

    def providers(self) -> None:
        rnd, ctx = self.rnd, self.ctx
        table, carers = ctx.w[CareProvider], ctx.w[Carer]
        stamp = ctx.stamps[ctx.today - HISTORY_DAYS]
        self.provider_ids: dict[str, list[str]] = {}
        used = set()
        for kind, per, (low, high) in PROVIDER_PLAN:
            ids = []
            for _number in range(max(1, self.plan.cases // per)):
                family, _family_km = rnd.choice(FAMILY_NAMES)
                label = {
                    CareProvider.Kind.FOSTER_FAMILY: f"{family} foster family",
                    CareProvider.Kind.TEMPORARY_CENTRE: f"{self.plan.code} transit centre",
                    CareProvider.Kind.FAMILY_HOUSE: f"{family} family house",
                    CareProvider.Kind.RESIDENTIAL: f"{self.plan.code} children's centre",
                    CareProvider.Kind.PAGODA: f"Wat {family}",
                }[kind]
                name, suffix = label, 1
                while name in used:
                    suffix += 1
                    name = f"{label} {suffix}"
                used.add(name)
                provider_id = ctx.new_id()
                table.append(
                    (provider_id, self.org_id, stamp, stamp, str(kind), name, self.village(),
                     rnd.randint(low, high), self.phone(), True)
                )  # fmt: skip
                self.network_care_types(provider_id, kind, stamp)
                for _i in range(2 if kind == CareProvider.Kind.FOSTER_FAMILY else 1):
                    given, _given_km = rnd.choice(GIVEN_FEMALE + GIVEN_MALE)
                    carers.append(
                        (ctx.new_id(), self.org_id, stamp, stamp, provider_id,
                         f"{family} {given}", self.phone())
                    )  # fmt: skip
                ids.append(provider_id)
            self.provider_ids[kind] = ids

    def network_care_types(self, provider_id: str, kind: str, stamp: str) -> None:
        """What the provider offers in the partner directory, from a stream of its own (the
        rest of the data set stays what the seed gave before the directory existed)."""
        rnd, ctx = self.network_rnd, self.ctx
        for care_type, ages in NETWORK_CARE_TYPES[kind]:
            low, high = rnd.choice(ages)
            ctx.w[ProviderCareType].append(
                (self.network_id(), self.org_id, stamp, stamp, provider_id, str(care_type),
                 low, high, rnd.random() < 0.3)
            )  # fmt: skip

    def network_profile(self) -> None:
        """The organisation's partner profile, published with a contact and a few services of
        its catalogue (every synthetic organisation is in the directory)."""
        rnd = self.network_rnd
        family, given = rnd.choice(FAMILY_NAMES)[0], rnd.choice(GIVEN_FEMALE + GIVEN_MALE)[0]
        accepts = rnd.random() < 0.9
        contact = self.network_phone()
        languages = ["km", "en"] if rnd.random() < 0.5 else ["km"]
        answer_days = rnd.choice((2, 3, 3, 5))
        PartnerProfile.objects.filter(organisation_id=self.org.pk).update(
            published=True,
            accepts_referrals=accepts,
            contact_name=f"{family} {given}",
            contact_phone=contact,
            languages=languages,
            answer_days=answer_days,
        )
        profile = PartnerProfile.objects.get(organisation_id=self.org.pk)
        catalogue = list(
            ServiceType.objects.filter(organisation=self.org, is_active=True).order_by("code")
        )
        chosen = rnd.sample(catalogue, min(len(catalogue), rnd.randint(3, 8)))
        PublishedService.objects.bulk_create(
            PublishedService(
                profile=profile, code=row.code, name_en=row.name_en, name_km=row.name_km
            )
            for row in chosen
        )
        self.partner = _Partner(
            id=self.org_id,
            code=self.plan.code,
            name=self.org.name,
            government=self.org.kind in GOVERNMENT_KINDS,
            provinces={p.code for p in self.plan.provinces},
            accepts=accepts,
            answer_days=answer_days,
            published=sorted(row.code for row in chosen),
            services={row.code: (row.name_en, row.name_km) for row in catalogue},
            size=self.plan.cases,
        )

    def network_phone(self) -> str:
        r = self.network_rnd.randint
        return f"0{r(10, 99)} {r(100, 999)} {r(100, 999)}"

    # -- people --------------------------------------------------------------------------------

    def person(self, sex, born: int, created: int, by: str, *, family=None, nickname="",
               village=None, adult=False) -> tuple[str, tuple]:  # fmt: skip
        rnd, ctx = self.rnd, self.ctx
        family_latin, family_km = family or rnd.choice(FAMILY_NAMES)
        given_latin, given_km = rnd.choice(GIVEN_FEMALE if sex == "female" else GIVEN_MALE)
        key = (family_latin, given_latin, family_km, given_km, nickname)
        search = ctx.search_cache.get(key)
        if search is None:
            search = ctx.search_cache[key] = person_search_fields(
                family_name_latin=family_latin,
                given_name_latin=given_latin,
                family_name_km=family_km,
                given_name_km=given_km,
                nickname=nickname,
            )
        disabled = rnd.random() < 0.07
        person_id = ctx.new_id()
        stamp = ctx.stamps[created]
        ctx.w[Person].append(
            (person_id, self.org_id, stamp, stamp, family_km, given_km, family_latin, given_latin,
             nickname, sex, ctx.days[born], rnd.random() < 0.2,
             village if village is not None else self.village(), disabled,
             "Uses a wheelchair; weekly physiotherapy." if disabled else "",
             self.phone() if adult and rnd.random() < 0.7 else "",
             search["search_latin"], search["search_km"], search["name_key"],
             search["name_key_km"], by, _global_id(created, person_id))
        )  # fmt: skip
        return person_id, (family_latin, family_km), given_latin

    def document(self, person_id, kind, status, created, on=None):
        ctx = self.ctx
        stamp = ctx.stamps[created]
        number = f"{self.rnd.randint(100000, 999999)}" if status == "has" else ""
        ctx.w[IdentityDocument].append(
            (ctx.new_id(), self.org_id, stamp, stamp, person_id, kind, status, number,
             ctx.days[on] if on and status == "has" else None)
        )  # fmt: skip

    def consent(self, person_id, given_as, by_name, on, purpose, *, shared=None, method=None,
                witness=""):  # fmt: skip
        ctx, rnd = self.ctx, self.rnd
        withdrawn = on + rnd.randint(30, 400) if rnd.random() < 0.02 else None
        if withdrawn is not None and withdrawn > ctx.today:
            withdrawn = None
        stamp = ctx.stamps[on]
        consent_id = ctx.new_id()
        ctx.w[Consent].append(
            (consent_id, self.org_id, stamp, stamp, person_id, given_as, by_name, ctx.days[on],
             purpose, shared is not None, method or rnd.choice(Consent.Method.values), witness,
             ctx.days[withdrawn] if withdrawn else None)
        )  # fmt: skip
        if shared is not None:
            ctx.w[Consent.organisations.through].append((consent_id, shared))

    # -- one case ------------------------------------------------------------------------------

    def case(self, sk: dict) -> dict:  # noqa: C901, PLR0912, PLR0915 - one linear story
        rnd, ctx, org = self.rnd, self.ctx, self.org_id
        days, stamps, new_id, today = ctx.days, ctx.stamps, ctx.new_id, ctx.today
        opened, closed = sk["opened"], sk["closed"]
        case_type = _pick(rnd, CASE_TYPES)
        risk = _pick(rnd, RISKS)
        pregnancy = case_type == Case.Type.CRISIS_PREGNANCY
        # Who works on it.
        if closed and self.former and rnd.random() < 0.15:
            worker = rnd.choice(self.former)
            office = self.offices[0]
        else:
            worker = rnd.choices(self.workers, self.weights)[0]
            office = self.office_of[worker]
        supervisor = self.supervisor_of.get(office) or next(iter(self.supervisor_of.values()))
        team = self.by_office.get(office, ())
        second = None
        if len(team) > 1 and rnd.random() < 0.15:
            second = rnd.choice(team)
            if second == worker:
                second = None
        # When: identification, end of the case, last activity.
        if sk["new"]:
            identified = ctx.now - timedelta(hours=rnd.randint(4, 90))
            opened = timezone.localtime(identified).date().toordinal()
            identified_text = _datetime_text(identified, ctx.suffix)
        else:
            identified_day = opened - rnd.choice((0, 0, 0, 1, 2))
            identified_text = (
                f"{days[identified_day]} {rnd.randint(7, 17):02d}:{rnd.randint(0, 59):02d}:00"
                f"{ctx.suffix}"
            )
        if closed:
            end = opened + rnd.randint(45, min(sk["age"] - 1, 1100))
            last = end
        else:
            end = today
            behind = rnd.random() < 0.3
            last = today - (rnd.randint(20, 150) if behind else rnd.randint(0, 6))
            last = max(opened, last)
        span = last - opened
        # The person: a child, or the mother in a crisis pregnancy.
        if pregnancy:
            born = opened - rnd.randint(15 * 365, 32 * 365)
            subject, family, given = self.person(
                "female", born, opened, worker, village=None, adult=True
            )
        else:
            sex = "female" if rnd.random() < 0.52 else "male"
            born = opened - rnd.randint(30, 17 * 365)
            nickname = rnd.choice(NICKNAMES) if rnd.random() < 0.15 else ""
            subject, family, given = self.person(sex, born, opened, worker, nickname=nickname)
        subject_row = ctx.w[Person].rows[-1]
        age_years = (opened - born) // 365
        stamp = stamps[opened]
        self.family_and_papers(subject, family, given, opened, worker, pregnancy, age_years, span)
        case_id = new_id()
        ctx.w[CaseWorkerAssignment].append((new_id(), org, stamp, stamp, case_id, worker, True))
        if second:
            ctx.w[CaseWorkerAssignment].append(
                (new_id(), org, stamp, stamp, case_id, second, False)
            )
        # Assessments.
        assessed = False
        scored = []
        if not (sk["new"] and rnd.random() < 0.6):
            if rnd.random() < 0.95:
                day = min(opened + rnd.choice((0, 0, 0, 1, 1, 2, 3)), max(opened, last))
                self.assessment(case_id, "initial", day, worker, risk, scores=None)
                assessed = True
            if span >= 10:
                full = opened + rnd.randint(7, min(30, span))
                scored.append(("full", full))
                assessed = True
                day = full + rnd.randint(150, 365)
                while day <= last:
                    scored.append(("review", day))
                    day += rnd.randint(170, 400)
            if closed:
                scored.append(("closure", end))
        base = [rnd.choice((1, 2, 2, 3, 3, 4)) for _i in self.domains]
        for index, (kind, day) in enumerate(scored):
            self.assessment(case_id, kind, day, worker, risk, scores=base, step=index)
        # The plan.
        planned = done_action = False
        if assessed and span >= 14:
            plan_day = opened + rnd.randint(7, min(45, span))
            planned = True
            for description in rnd.sample(GOALS, _pick(rnd, ((1, 30), (2, 40), (3, 20), (4, 10)))):
                goal_id = new_id()
                if closed:
                    status = _pick(rnd, (("achieved", 75), ("dropped", 10), ("open", 15)))
                else:
                    status = "achieved" if rnd.random() < 0.3 else "open"
                low = [d for d, s in zip(self.domains, base, strict=True) if s <= 2]
                domain = rnd.choice(low or self.domains) if self.domains else None
                goal_stamp = stamps[plan_day]
                ctx.w[Goal].append(
                    (goal_id, org, goal_stamp, goal_stamp, case_id, domain, description, status)
                )
                for _i in range(_pick(rnd, ((1, 55), (2, 30), (3, 15)))):
                    due = plan_day + rnd.randint(14, 120)
                    if closed:
                        state = "done" if rnd.random() < 0.85 else "cancelled"
                    elif due < today:
                        state = _pick(rnd, (("done", 70), ("to_do", 25), ("cancelled", 5)))
                    else:
                        state = "done" if rnd.random() < 0.2 else "to_do"
                    done_action = done_action or state == "done"
                    external = rnd.random() < 0.1
                    ctx.w[Action].append(
                        (new_id(), org, goal_stamp, goal_stamp, goal_id, rnd.choice(ACTIONS),
                         None if external else worker,
                         rnd.choice(EXTERNAL_OWNERS) if external else "", days[due], state)
                    )  # fmt: skip
            day = plan_day + rnd.randint(90, 180)
            while day <= last and rnd.random() < 0.8:
                ctx.w[PlanReview].append(
                    (new_id(), org, stamps[day], stamps[day], case_id, days[day], worker,
                     rnd.choice(PLAN_NOTES))
                )  # fmt: skip
                day += rnd.randint(90, 180)
            if rnd.random() < 0.15:
                held = opened + rnd.randint(7, span)
                ctx.w[Conference].append(
                    (new_id(), org, stamps[held], stamps[held], case_id, days[held],
                     rnd.choice(CONFERENCE_PARTICIPANTS), "Wants to stay with grandmother.",
                     "Agree to weekly visits.", "Continue the plan; review in three months.",
                     "", worker)
                )  # fmt: skip
        # Placements, visits, services.
        placed, home = self.placements(case_id, case_type, opened, end, last, closed, worker,
                                       age_years)  # fmt: skip
        self.visits(case_id, opened, last, closed, worker, second, risk, age_years, sk["new"])
        serviced = self.services_delivered(case_id, opened, last, worker, pregnancy, sk["new"])
        # Stage, as phteah.care.progress derives it (and recomputes below).
        if closed:
            stage = Case.Stage.CLOSED
        elif home:
            stage = Case.Stage.FOLLOW_UP
        elif planned and (serviced or done_action or placed):
            stage = Case.Stage.IMPLEMENTING
        elif planned:
            stage = Case.Stage.PLANNED
        elif assessed:
            stage = Case.Stage.ASSESSED
        else:
            stage = Case.Stage.REGISTERED
        if closed:
            requested = max(opened, end - rnd.randint(0, 7))
            reason = _pick(
                rnd,
                (("reintegrated", 45), ("aged_out", 15), ("transferred", 10),
                 ("moved_away", 15), ("adopted", 3), ("other", 12)),
            )  # fmt: skip
            closure = (reason, "Goals reached; the family manages without support.",
                       worker, days[requested], days[end], supervisor)  # fmt: skip
        elif sk["age"] > 90 and rnd.random() < 0.03:
            requested = today - rnd.randint(0, 12)
            closure = ("reintegrated", "The child is settled at home; no more support needed.",
                       worker, days[requested], None, None)  # fmt: skip
        else:
            closure = ("", "", None, None, None, None)
        result = {
            "id": case_id,
            "row": [case_id, org, stamp, stamps[max(opened, last)], subject, None, str(case_type),
                    rnd.choice(Case.ReferralSource.values),
                    "Pregnant and alone; family refused to help." if pregnancy
                    else rnd.choice(REASONS),
                    identified_text, days[opened], risk, "closed" if closed else "open",
                    str(stage), supervisor, *closure, ""],
            "year": date.fromordinal(opened).year,
            "identified": identified_text,
        }  # fmt: skip
        self.referral_candidate(case_id, subject_row, case_type, risk, opened,
                                end if closed else None, worker, supervisor)  # fmt: skip
        return result

    def referral_candidate(self, case_id, person, case_type, risk, opened, closed, worker,
                           supervisor) -> None:  # fmt: skip
        """Whether the case is referred (from a stream of its own: the rest of the data set
        stays what the seed gave before referrals were generated)."""
        chance = CANDIDATES_OVER * self.ctx.referral_ratio / REFERRALS_PER_GROUP
        if self.referral_rnd.random() >= chance:
            return
        self.partner.candidates.append(
            _Candidate(case_id, person, str(case_type), risk, opened, closed, worker, supervisor)
        )

    def family_and_papers(self, subject, family, given, opened, worker, pregnancy, age, span):
        rnd, ctx, org = self.rnd, self.ctx, self.org_id
        stamp = ctx.stamps[opened]
        full_name = f"{family[0]} {given}"
        status = _pick(rnd, (("has", 60), ("in_process", 20), ("none", 20)))
        self.document(subject, "birth_certificate", status, opened, opened + rnd.randint(0, 90))
        if rnd.random() < 0.5:
            self.document(subject, "family_book", "has", opened)
        if pregnancy or (age >= 15 and rnd.random() < 0.4):
            self.document(subject, "national_id", _pick(rnd, (("has", 70), ("none", 30))), opened)
        carer_name = full_name
        if pregnancy:
            household = ctx.new_id()
            ctx.w[Household].append(
                (household, org, stamp, stamp, f"{full_name} and baby", self.village())
            )
            ctx.w[HouseholdMember].append(
                (ctx.new_id(), org, stamp, stamp, household, subject, "mother", True, True)
            )
            if span > 150 and rnd.random() < 0.85:
                baby_born = opened + rnd.randint(10, 140)
                baby, _f, _g = self.person(
                    rnd.choice(("female", "male")), baby_born, baby_born, worker, family=family
                )
                ctx.w[HouseholdMember].append(
                    (ctx.new_id(), org, stamp, stamp, household, baby, "child", False, True)
                )
            self.consent(subject, "adult", full_name, opened, "services")
        else:
            if rnd.random() < 0.45:
                relationship = _pick(rnd, (("mother", 60), ("grandparent", 25), ("aunt_uncle", 15)))
                years = (50, 75) if relationship == "grandparent" else (22, 45)
                carer_born = opened - rnd.randint(years[0] * 365, years[1] * 365)
                carer, _f, carer_given = self.person(
                    "female" if relationship == "mother" or rnd.random() < 0.7 else "male",
                    carer_born, opened, worker, family=family, adult=True,
                )  # fmt: skip
                carer_name = f"{family[0]} {carer_given}"
                household = ctx.new_id()
                ctx.w[Household].append(
                    (household, org, stamp, stamp, f"{family[0]} family", self.village())
                )
                ctx.w[HouseholdMember].append(
                    (ctx.new_id(), org, stamp, stamp, household, subject, "child", False,
                     rnd.random() < 0.8)
                )  # fmt: skip
                ctx.w[HouseholdMember].append(
                    (ctx.new_id(), org, stamp, stamp, household, carer, relationship, True, True)
                )
                if rnd.random() < 0.6:
                    self.document(carer, "national_id", "has", opened)
                if rnd.random() < 0.12:
                    sibling, _f, _g = self.person(
                        rnd.choice(("female", "male")), opened - rnd.randint(365, 16 * 365),
                        opened, worker, family=family,
                    )  # fmt: skip
                    ctx.w[HouseholdMember].append(
                        (ctx.new_id(), org, stamp, stamp, household, sibling, "sibling", False,
                         True)
                    )  # fmt: skip
            else:
                carer_name = f"{family[0]} {rnd.choice(GIVEN_FEMALE)[0]}"
            self.consent(subject, "guardian", carer_name, opened, "services")
            if age >= 7 and rnd.random() < 0.5:
                self.consent(
                    subject, "child_assent", full_name, opened, "services",
                    method="verbal_witnessed", witness=carer_name,
                )  # fmt: skip
        if rnd.random() < 0.4:
            self.consent(subject, "guardian" if not pregnancy else "adult", carer_name, opened,
                         "share_government", method="signed_form")  # fmt: skip
        partners = self.ctx.partners
        if partners and rnd.random() < 0.08:
            self.consent(subject, "guardian" if not pregnancy else "adult", carer_name, opened,
                         "share_organisation", shared=rnd.choice(partners),
                         method="signed_form")  # fmt: skip

    def assessment(self, case_id, kind, day, worker, risk, *, scores, step=0):
        rnd, ctx, org = self.rnd, self.ctx, self.org_id
        stamp = ctx.stamps[day]
        assessment_id = ctx.new_id()
        ctx.w[Assessment].append(
            (assessment_id, org, stamp, stamp, case_id, kind, ctx.days[day], worker, risk,
             rnd.choice(ASSESSMENT_SUMMARIES))
        )  # fmt: skip
        if scores is None:
            return
        append, new_id, random_ = ctx.w[AssessmentScore].append, ctx.new_id, rnd.random
        chance = 0.25 * step
        for domain, base in zip(self.domains, scores, strict=True):
            score = base + 1 if base < 4 and random_() < chance else base
            append(
                (new_id(), org, stamp, stamp, assessment_id, domain, score,
                 rnd.choice(SCORE_REASONS) if score <= 2 else "")
            )  # fmt: skip

    def placements(self, case_id, case_type, opened, end, last, closed, worker, age):
        """Returns (placed, back home now)."""
        rnd = self.rnd
        T = CareType
        seq: list[str] = []
        if case_type == Case.Type.REINTEGRATION:
            seq.append(
                _pick(
                    rnd,
                    (
                        (T.TEMPORARY_CENTRE, 35),
                        (T.EMERGENCY_FOSTER, 25),
                        (T.RESIDENTIAL, 20),
                        (T.PAGODA, 10),
                        (T.FAMILY_HOUSE, 10),
                    ),
                )
            )
            if rnd.random() < 0.15:
                seq.append(T.FAMILY_HOUSE)
            if closed or rnd.random() < 0.8:
                seq.append(_pick(rnd, ((T.BIRTH_FAMILY, 70), (T.KINSHIP, 30))))
        elif case_type == Case.Type.FOSTER_CARE:
            seq.append(T.EMERGENCY_FOSTER)
            r = rnd.random()
            if r < 0.5:
                seq.append(T.LONG_TERM_FOSTER)
            elif r < 0.75:
                seq.append(T.BIRTH_FAMILY)
            elif r < 0.8 and closed:
                seq.append(T.DOMESTIC_ADOPTION)
        elif case_type == Case.Type.RESIDENTIAL_CARE:
            seq.append(
                _pick(
                    rnd,
                    (
                        (T.TEMPORARY_CENTRE, 30),
                        (T.RESIDENTIAL, 35),
                        (T.FAMILY_HOUSE, 20),
                        (T.PAGODA, 15),
                    ),
                )
            )
            if rnd.random() < 0.6:
                seq.append(
                    T.INDEPENDENT_LIVING
                    if age >= 15 and rnd.random() < 0.5
                    else _pick(rnd, ((T.BIRTH_FAMILY, 50), (T.KINSHIP, 30), (T.FAMILY_HOUSE, 20)))
                )
        elif case_type == Case.Type.EMERGENCY:
            seq.append(_pick(rnd, ((T.EMERGENCY_FOSTER, 55), (T.TEMPORARY_CENTRE, 45))))
            if rnd.random() < 0.75:
                seq.append(_pick(rnd, ((T.BIRTH_FAMILY, 70), (T.KINSHIP, 30))))
        elif case_type == Case.Type.COMMUNITY_SUPPORT:
            if rnd.random() < 0.65:
                seq.append(_pick(rnd, ((T.KINSHIP, 60), (T.BIRTH_FAMILY, 40))))
        elif rnd.random() < 0.6:  # crisis pregnancy: a shelter, then home
            seq.append(T.TEMPORARY_CENTRE)
            if rnd.random() < 0.7:
                seq.append(T.BIRTH_FAMILY)
        span = max(0, last - opened)
        if not seq or span < 2 and len(seq) > 1:
            seq = seq[:1]
        if not seq:
            return False, False
        # Cut the case's time into consecutive placements.
        cuts = sorted(opened + rnd.randint(1, max(1, span)) for _i in range(len(seq) - 1))
        starts = [opened, *cuts]
        ctx, org = self.ctx, self.org_id
        days, stamps = ctx.days, ctx.stamps
        home = False
        for index, care_type in enumerate(seq):
            start = starts[index]
            final = index == len(seq) - 1
            if not final:
                ended = starts[index + 1]
                outcome = "reintegrated" if seq[index + 1] in FAMILY_CARE else "moved"
            elif closed:
                ended = max(start, end)
                outcome = {
                    T.DOMESTIC_ADOPTION: "adopted",
                    T.INDEPENDENT_LIVING: "aged_out",
                }.get(care_type, "reintegrated" if care_type in FAMILY_CARE else "moved")
            else:
                ended, outcome = None, ""
                home = care_type in FAMILY_CARE
            kind = PROVIDER_KIND.get(care_type)
            provider = rnd.choice(self.provider_ids[kind]) if kind else None
            ctx.w[Placement].append(
                (ctx.new_id(), org, stamps[start], stamps[ended or start], case_id, str(care_type),
                 provider, days[start], days[ended] if ended else None,
                 PLACEMENT_REASONS[care_type in FAMILY_CARE], outcome, worker)
            )  # fmt: skip
        return True, home

    def visits(self, case_id, opened, last, closed, worker, second, risk, age, new):
        rnd, ctx, org = self.rnd, self.ctx, self.org_id
        first = opened + rnd.randint(0, 3)
        if first > last:
            if new:
                return
            first = last
        span = last - first
        r = rnd.random()
        if r < 0.004 and span >= 600:
            target = rnd.randint(180, 220)
        elif r < 0.09:
            target = rnd.randint(16, 70)
        else:
            target = rnd.randint(2, 13)
        count = max(1, min(target, span // 3 + 1))
        step = (span + 1) / count
        append, new_id, days, stamps = ctx.w[Visit].append, ctx.new_id, ctx.days, ctx.stamps
        choice, random_ = rnd.choice, rnd.random
        kinds = ("home", "home", "home", "phone", "phone", "office", "school", "authorities")
        school_age = 6 <= age <= 17
        every = VISIT_EVERY[risk]
        for index in range(count):
            day = min(last, first + int(index * step + random_() * step))
            due = None
            if index == count - 1 and not closed and random_() < 0.6:
                due = days[day + every]
            stamp = stamps[day]
            append(
                (new_id(), org, stamp, stamp, case_id, days[day], choice(kinds),
                 choice(PEOPLE_SEEN),
                 (choice(("attending", "attending", "attending", "dropped_out", "not_enrolled"))
                  if school_age else ""),
                 choice(WELLBEING), due, second if second and random_() < 0.2 else worker)
            )  # fmt: skip

    def services_delivered(self, case_id, opened, last, worker, pregnancy, new) -> bool:
        rnd, ctx, org = self.rnd, self.ctx, self.org_id
        if new or not self.services:
            return False
        codes = list(self.services)
        count = min(30, round(rnd.expovariate(0.2)))
        chosen = [rnd.choice(codes) for _i in range(count)]
        if pregnancy:
            chosen += [c for c in ("antenatal", "emergency_package") if c in self.services]
        span = max(0, last - opened)
        partners = ctx.partners
        days, stamps = ctx.days, ctx.stamps
        for code in chosen:
            day = opened + rnd.randint(0, span)
            r = rnd.random()
            partner = rnd.choice(partners) if partners and r < 0.08 else None
            provider_name = rnd.choice(PROVIDER_NAMES) if 0.08 <= r < 0.25 else ""
            if rnd.random() < 0.7:
                cost, currency = str(rnd.choice((5, 10, 15, 25, 40, 70, 120))), "USD"
            elif rnd.random() < 0.5:
                cost, currency = str(rnd.choice((20000, 40000, 100000, 200000))), "KHR"
            else:
                cost, currency = None, "USD"
            ctx.w[ServiceDelivery].append(
                (ctx.new_id(), org, stamps[day], stamps[day], case_id, self.services[code],
                 partner, provider_name, days[day], "1", cost, currency,
                 "family" if rnd.random() < 0.3 else "child", "", worker)
            )  # fmt: skip
        return bool(chosen)

    # -- all of it -------------------------------------------------------------------------------

    def build(self) -> int:
        skeleton = self.skeleton()
        self.staff(skeleton)
        self.providers()
        self.network_profile()
        cases = [self.case(sk) for sk in skeleton]
        # References: per year, in order of identification (as the registration service does).
        cases.sort(key=lambda c: (c["year"], c["identified"]))
        numbers: Counter = Counter()
        table = self.ctx.w[Case]
        for case in cases:
            numbers[case["year"]] += 1
            case["row"][5] = f"{self.plan.code}-{case['year']}-{numbers[case['year']]:04d}"
            table.append(tuple(case["row"]))
        # The counters are written after the referrals (an accepted referral opens a case in
        # its receiver, numbered on from these).
        self.partner.numbers = numbers
        self.partner.workers = [w for w in self.workers if w not in self.former]
        self.partner.supervisors = list(dict.fromkeys(self.supervisor_of.values()))
        self.ctx.partner_plans.append(self.partner)
        return len(cases)


# --- referrals between the organisations ----------------------------------------------------

REFERRAL_REASONS = (
    "The family needs emergency foster care while the mother is in hospital.",
    "The child needs a place near a school that can support a disability.",
    "The grandmother can no longer care for the child; we have no foster family in the district.",
    "The child needs counselling after abuse; the partner has a trained counsellor.",
    "The family has moved to the partner's province and needs follow-up there.",
    "The child needs legal support for the court case.",
    "The family needs vocational training and a small business grant.",
)
DECLINE_NOTES = {
    Referral.DeclineReason.NO_PLACE: "All our foster families are full this month.",
    Referral.DeclineReason.NOT_OFFERED: "",
    Referral.DeclineReason.OUT_OF_AREA: "The village is outside the districts we cover.",
    Referral.DeclineReason.NOT_ELIGIBLE: "We take children from 6 years only.",
    Referral.DeclineReason.OTHER: "Our social worker for the district is on leave this month.",
}
FEEDBACK_NOTES = (
    "First home visit done; the child is settling in.",
    "The child started school this week.",
    "Counselling twice a week; the child talks more.",
    "The carer needs more support with the baby.",
)
OUTCOMES = (
    "The service was delivered; the child is back with the family.",
    "Six counselling sessions done; no further need.",
    "The child finished the course and has work.",
    "Placed with a long-term foster family.",
)
CLOSE_NOTES = ("The family moved away.", "The family refused the service.", "")
# (value, weight): how many services one group asks for, and of how many organisations.
GROUP_SERVICES = ((1, 85), (2, 12), (3, 3))
GROUP_RECEIVERS = ((1, 62), (2, 25), (3, 10), (4, 3))


def _mean(weighted) -> float:
    return sum(v * w for v, w in weighted) / sum(w for _v, w in weighted)


# Referrals of one group on average (services x receivers): how many cases are referred.
REFERRALS_PER_GROUP = _mean(GROUP_SERVICES) * _mean(GROUP_RECEIVERS)


class _Referrals:
    """Referrals between the organisations of this run, with what the services of
    ``phteah.referrals.services.referrals`` leave behind at each step: the group and its frozen
    details, one referral per receiver and service, a consent of the child's parent or
    guardian (or the mother) naming the receivers and covering referrals, one minimal grant per
    receiver (active while a referral to it waits; ended as the last answer, withdrawal or
    closure ended it), the history (``ReferralUpdate``) of every step, and the receiver's own
    person and case of the child when it accepted. Unlike the services, no audit event per
    step: the organisation's ``synth.created`` event stands for all of them."""

    def __init__(self, ctx: "_Context"):
        self.ctx = ctx
        self.rnd = random.Random(f"{ctx.seed}-referrals-{ctx.first_number}")
        self.new_id = _id_factory(f"{ctx.seed}-referral-ids-{ctx.first_number}")
        self.takers = [p for p in ctx.partner_plans if p.accepts]
        self.pools: dict = {None: self._pool(self.takers)}
        for partner in self.takers:
            for province in partner.provinces:
                self.pools.setdefault(province, [])
        for province in [k for k in self.pools if k is not None]:
            self.pools[province] = self._pool([p for p in self.takers if province in p.provinces])
        self.receiver_cases: dict = {}

    @staticmethod
    def _pool(partners):
        """Partners and their cumulative weights: the larger receive more."""
        return partners, list(itertools.accumulate(p.size for p in partners))

    # -- times ---------------------------------------------------------------------------------

    def moment(self, day: int, after: datetime | None = None) -> datetime:
        """A time in office hours on *day* (Phnom Penh: 01:00-09:59 UTC), after *after* if
        given, never later than now."""
        r = self.rnd.randint
        value = datetime(*date.fromordinal(day).timetuple()[:3], r(1, 9), r(0, 59), r(0, 59),
                         tzinfo=UTC)  # fmt: skip
        if after is not None and value <= after:
            value = after + timedelta(minutes=r(5, 90))
        return min(value, self.ctx.now)

    def text(self, value: datetime | None) -> str | None:
        return None if value is None else _datetime_text(value, self.ctx.suffix)

    # -- choosing ------------------------------------------------------------------------------

    def _choose(self, pool, exclude: set):
        partners, cumulative = pool
        if len(partners) <= len(exclude):
            return None
        for _attempt in range(20):
            chosen = self.rnd.choices(partners, cum_weights=cumulative)[0]
            if chosen.id not in exclude:
                return chosen
        left = [p for p in partners if p.id not in exclude]
        return self.rnd.choice(left) if left else None

    def receivers_and_services(self, sender: _Partner):
        rnd = self.rnd
        exclude = {sender.id}
        home = [self.pools[p] for p in sorted(sender.provinces) if self.pools.get(p)]
        first = None
        if home and rnd.random() < 0.7:
            first = self._choose(rnd.choice(home), exclude)
        first = first or self._choose(self.pools[None], exclude)
        if first is None:
            return [], []
        offered = [code for code in first.published if code in sender.services]
        if not offered:
            return [], []
        codes = rnd.sample(offered, min(len(offered), _pick(rnd, GROUP_SERVICES)))
        receivers = [first]
        exclude.add(first.id)
        wanted = _pick(rnd, GROUP_RECEIVERS)
        for _i in range(wanted - 1):
            pool = rnd.choice(home) if home and rnd.random() < 0.7 else self.pools[None]
            other = self._choose(pool, exclude) or self._choose(self.pools[None], exclude)
            if other is None:
                break
            receivers.append(other)
            exclude.add(other.id)
        receivers.sort(key=lambda p: p.name)  # as the service orders them
        return receivers, codes

    # -- one group -----------------------------------------------------------------------------

    def group(self, sender: _Partner, c: _Candidate) -> None:  # noqa: C901, PLR0912, PLR0915
        rnd, ctx, w, days, new_id = self.rnd, self.ctx, self.ctx.w, self.ctx.days, self.new_id
        today = ctx.today
        receivers, codes = self.receivers_and_services(sender)
        if not receivers:
            return
        # When: a recent group still has referrals waiting; older ones were all answered.
        recent = c.closed is None and (c.opened >= today - RECENT_DAYS or rnd.random() < 0.35)
        if recent:
            sent_day = max(c.opened, today - rnd.randint(0, RECENT_DAYS))
        else:
            last = c.closed - 15 if c.closed is not None else today - RECENT_DAYS - 1
            sent_day = rnd.randint(min(c.opened + 1, last), last)
        sent_at = self.moment(sent_day)
        if sent_at >= ctx.now - timedelta(hours=1):
            # Sent today, before office hours are over: a while before now, the same day, so
            # that the steps after it come after it (none is later than now).
            local = timezone.localtime(ctx.now)
            since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
            back = min(timedelta(hours=5), since_midnight) * rnd.uniform(0.5, 1.0)
            sent_at = ctx.now - back
        sent_text = self.text(sent_at)
        person = c.person
        # The consent: the parent or guardian (the mother herself in a crisis pregnancy)
        # names the receivers, for referrals; government offices under the government purpose.
        adult = c.case_type == Case.Type.CRISIS_PREGNANCY
        given_as = Consent.GivenAs.ADULT if adult else Consent.GivenAs.GUARDIAN
        by_name = f"{person[6]} {person[7] if adult else rnd.choice(GIVEN_FEMALE)[0]}"
        consent_day = max(c.opened, sent_day - rnd.randint(0, 5))
        consent_stamp = ctx.stamps[consent_day]
        consent_of = {}
        for purpose, named in (
            (Consent.Purpose.SHARE_ORGANISATION, [r for r in receivers if not r.government]),
            (Consent.Purpose.SHARE_GOVERNMENT, [r for r in receivers if r.government]),
        ):
            if not named:
                continue
            consent_id = new_id()
            w[Consent].append(
                (consent_id, sender.id, consent_stamp, consent_stamp, person[0], str(given_as),
                 by_name, days[consent_day], str(purpose), True, "signed_form", "", None)
            )  # fmt: skip
            for receiver in named:
                w[Consent.organisations.through].append((consent_id, receiver.id))
                consent_of[receiver.id] = consent_id
        group_id = new_id()
        reason = rnd.choice(REFERRAL_REASONS)
        w[ReferralGroup].append(
            (group_id, sender.id, sent_text, sent_text, c.case_id, consent_of[receivers[0].id],
             c.worker, sent_text, _pick(rnd, (("routine", 70), ("urgent", 22), ("emergency", 8))),
             reason, person[4], person[5], person[6], person[7], person[9], person[10],
             person[11], person[12], person[13], person[21], c.risk,
             ctx.user_names.get(c.worker, ""))
        )  # fmt: skip
        # What happened to each (receiver, service): its steps, in order.
        plans = {(r.id, code): {"steps": [("sent", c.worker, sender.id, sent_at, "")]}
                 for r in receivers for code in codes}  # fmt: skip
        answerer = {r.id: rnd.choice(r.supervisors) for r in receivers}

        def answer_day(receiver, slack=2):
            return min(today, sent_day + rnd.randint(0, receiver.answer_days + slack))

        def decline(receiver, code, day):
            plan = plans[(receiver.id, code)]
            why = _pick(rnd, (("no_place", 40), ("not_offered", 10), ("out_of_area", 20),
                              ("not_eligible", 15), ("other", 15)))  # fmt: skip
            on = self.moment(day, after=plan["steps"][-1][3])
            plan["steps"].append(("declined", answerer[receiver.id], receiver.id, on,
                                  DECLINE_NOTES[why] if rnd.random() < 0.7 or why == "other"
                                  else ""))  # fmt: skip
            plan.update(state="declined", decline=why, answered_by=answerer[receiver.id],
                        grant=("answered", answerer[receiver.id], on))  # fmt: skip

        def withdraw(receiver, code, on, why, by, by_org):
            plan = plans[(receiver.id, code)]
            on = max(on, plan["steps"][-1][3])
            plan["steps"].append(("withdrawn", by, by_org, on, ""))
            grant_reason = "case_closed" if why == "case_closed" else "withdrawn"
            plan.update(state="withdrawn", withdraw=why, grant=(grant_reason, by, on))

        for code in codes:
            if recent:
                mode = "taken" if rnd.random() < 0.2 else "open"
            else:
                mode = _pick(rnd, (("taken", 60), ("declined", 28), ("withdrawn", 12)))
            if mode == "open":
                for receiver in receivers:
                    if rnd.random() < 0.15:
                        decline(receiver, code, answer_day(receiver))
                    else:
                        plans[(receiver.id, code)]["state"] = "pending"
            elif mode == "declined":
                for receiver in receivers:
                    decline(receiver, code, answer_day(receiver, slack=4))
            elif mode == "withdrawn":
                closing = c.closed is not None and c.closed - sent_day <= 30
                day = c.closed if closing else min(today, sent_day + rnd.randint(1, 7))
                on = self.moment(day, after=sent_at)
                for receiver in receivers:
                    if rnd.random() < 0.3 and day > sent_day:
                        decline(receiver, code, rnd.randint(sent_day, day - 1))
                        continue
                    if closing:
                        withdraw(receiver, code, on, "case_closed", c.supervisor, sender.id)
                    else:
                        withdraw(receiver, code, on, "sender", c.worker, sender.id)
            else:  # taken: the first to accept gets it; the others' requests are withdrawn
                taker = rnd.choice(receivers)
                day = answer_day(taker)
                accepted_on = self.moment(day, after=sent_at)
                for receiver in receivers:
                    if receiver is taker:
                        continue
                    if rnd.random() < 0.4:
                        decline(receiver, code, rnd.randint(sent_day, day))
                    else:
                        withdraw(receiver, code, accepted_on, "taken", answerer[taker.id],
                                 taker.id)  # fmt: skip
                self.taken(sender, c, taker, code, plans[(taker.id, code)], accepted_on,
                           answerer[taker.id], reason, sent_text, recent)  # fmt: skip
        # The grants: one per receiver, active while one of its referrals waits.
        grants = {}
        for receiver in receivers:
            grant_id = grants[receiver.id] = new_id()
            ends = [plans[(receiver.id, code)] for code in codes]
            if any(plan["state"] == "pending" for plan in ends):
                revoked = (None, None, "")
            else:
                reason_, by, on = max((plan["grant"] for plan in ends), key=lambda g: g[2])
                revoked = (self.text(on), by, reason_)
            w[CaseGrant].append(
                (grant_id, sender.id, sent_text, revoked[0] or sent_text, c.case_id, receiver.id,
                 "minimal", "referral", consent_of[receiver.id], c.worker, sent_text,
                 self.text(sent_at + timedelta(days=settings.GRANT_DAYS["referral"])), *revoked)
            )  # fmt: skip
        for receiver in receivers:
            for code in codes:
                plan = plans[(receiver.id, code)]
                referral_id = new_id()
                state_on = plan["steps"][-1][3]
                due = sent_day + receiver.answer_days
                notified = None
                if plan["state"] == "pending" and due < today:
                    notified = self.text(self.moment(due + 1, after=sent_at))
                name_en, name_km = sender.services[code]
                w[Referral].append(
                    (referral_id, sender.id, sent_text, self.text(state_on), group_id,
                     receiver.id, code, name_en, name_km, plan["state"], self.text(state_on),
                     days[due], plan.get("decline", ""), plan.get("withdraw", ""),
                     plan.get("answered_by"), grants[receiver.id], plan.get("receiver_case"),
                     plan.get("outcome", ""), notified)
                )  # fmt: skip
                for kind, by, by_org, on, note in plan["steps"]:
                    on_text = self.text(on)
                    w[ReferralUpdate].append(
                        (new_id(), on_text, on_text, referral_id, kind, by, by_org, on_text, note)
                    )
                ctx.referral_states[plan["state"]] += 1

    def taken(self, sender, c, taker, code, plan, accepted_on, answerer, reason, sent_text,
              recent) -> None:  # fmt: skip
        """The taker accepts (its own case of the child opened, or the one it opened for
        another service of the group reused), then perhaps reports back, completes or
        closes."""
        rnd, today = self.rnd, self.ctx.today
        accepted_day = timezone.localtime(accepted_on).date().toordinal()
        plan["steps"].append(("accepted", answerer, taker.id, accepted_on, ""))
        plan.update(state="accepted", answered_by=answerer,
                    grant=("answered", answerer, accepted_on))  # fmt: skip
        final, final_on = "accepted", None
        if not recent:
            final = _pick(rnd, (("completed", 50), ("closed", 15), ("accepted", 35)))
            if final == "completed":
                day = accepted_day + rnd.randint(14, 240)
            elif final == "closed":
                day = accepted_day + rnd.randint(7, 150)
            else:
                day = None
            if day is None or day > today:
                final = "accepted"
            else:
                final_on = self.moment(day, after=accepted_on)
        if final != "closed" and rnd.random() < 0.5:
            until = final_on or self.ctx.now
            step = accepted_on
            for _i in range(rnd.choice((1, 1, 2))):
                span = (until - step).total_seconds()
                if span < 3600:
                    break
                step = step + timedelta(seconds=rnd.uniform(0.2, 0.6) * span)
                plan["steps"].append(("feedback", answerer, taker.id, step,
                                      rnd.choice(FEEDBACK_NOTES)))  # fmt: skip
        if final == "completed":
            outcome = rnd.choice(OUTCOMES)
            plan["steps"].append(("completed", answerer, taker.id, final_on, outcome))
            plan.update(state="completed", outcome=outcome)
        elif final == "closed":
            by, by_org = (answerer, taker.id) if rnd.random() < 0.5 else (c.worker, sender.id)
            plan["steps"].append(("closed", by, by_org, final_on, rnd.choice(CLOSE_NOTES)))
            plan["state"] = "closed"
        plan["receiver_case"] = self.receiver_case(
            sender, c, taker, accepted_day, answerer, reason, sent_text, final, final_on
        )

    def receiver_case(self, sender, c, taker, day, answerer, reason, sent_text, final,
                      final_on) -> str:  # fmt: skip
        """The receiver's own person (the child's global id) and case, opened from the
        referral's details on the day it accepted, with one of its workers and the
        accepting supervisor; closed a while after a service completed long ago."""
        key = (c.case_id, taker.id)
        if key in self.receiver_cases:
            return self.receiver_cases[key]
        rnd, ctx, w, days, new_id = self.rnd, self.ctx, self.ctx.w, self.ctx.days, self.new_id
        person = c.person
        stamp = ctx.stamps[day]
        search = ctx.search_cache.get((person[6], person[7], person[4], person[5], ""))
        if search is None:
            search = ctx.search_cache[(person[6], person[7], person[4], person[5], "")] = (
                person_search_fields(
                    family_name_latin=person[6], given_name_latin=person[7],
                    family_name_km=person[4], given_name_km=person[5], nickname="",
                )
            )  # fmt: skip
        person_id = new_id()
        w[Person].append(
            (person_id, taker.id, stamp, stamp, *person[4:8], "", *person[9:14], "", "",
             search["search_latin"], search["search_km"], search["name_key"],
             search["name_key_km"], answerer, person[21])
        )  # fmt: skip
        worker = rnd.choice(taker.workers) if taker.workers else answerer
        year = date.fromordinal(day).year
        taker.numbers[year] += 1
        case_id = new_id()
        closed_day = None
        if final == "completed" and rnd.random() < 0.7:
            closed_day = timezone.localtime(final_on).date().toordinal() + rnd.randint(0, 30)
            if closed_day > ctx.today - 30:
                closed_day = None
        if closed_day is None:
            closure = ("", "", None, None, None, None)
        else:
            closure = ("reintegrated", "The service was delivered; the referring organisation "
                       "follows the child.", worker, days[closed_day], days[closed_day],
                       answerer)  # fmt: skip
        w[Case].append(
            (case_id, taker.id, stamp, ctx.stamps[closed_day or day], person_id,
             f"{taker.code}-{year}-{taker.numbers[year]:04d}", c.case_type,
             str(Case.ReferralSource.GOVERNMENT if sender.government else Case.ReferralSource.NGO),
             reason, sent_text, days[day], c.risk, "open" if closed_day is None else "closed",
             str(Case.Stage.REGISTERED if closed_day is None else Case.Stage.CLOSED), answerer,
             *closure, sender.name[:200])
        )  # fmt: skip
        w[CaseWorkerAssignment].append((new_id(), taker.id, stamp, stamp, case_id, worker, True))
        ctx.received_cases[taker.id] += 1
        self.receiver_cases[key] = case_id
        return case_id


def _referrals_load(ctx: "_Context", note) -> None:
    """About ``ctx.referral_ratio`` referrals a child: the candidates are taken in order
    while the referrals made stay under the target for the share of candidates seen."""
    maker = _Referrals(ctx)
    target = ctx.referral_ratio * sum(p.size for p in ctx.partner_plans)
    total = max(1, sum(len(p.candidates) for p in ctx.partner_plans))
    done = seen = 0
    for sender in ctx.partner_plans:
        for candidate in sender.candidates:
            seen += 1
            if sum(ctx.referral_states.values()) < target * seen / total:
                maker.group(sender, candidate)
        sender.candidates = []
        done += 1
        if ctx.w.pending >= CHUNK_ROWS or done == len(ctx.partner_plans):
            with audited_atomic():
                ctx.w.flush()
            note(
                f"referrals: {done}/{len(ctx.partner_plans)} organisations, "
                f"{ctx.w.counts()['Referral']} referrals"
            )
    counters = ctx.w[CaseReferenceCounter]
    for partner in ctx.partner_plans:
        for year, last in sorted(partner.numbers.items()):
            counters.append((partner.id, year, last))
    with audited_atomic():
        ctx.w.flush()


# --- indexes ----------------------------------------------------------------------------------


def secondary_indexes(tables) -> dict[str, str]:
    """Name -> CREATE INDEX statement of the non-unique indexes of *tables*, as the
    database's catalogue gives them (primary keys, unique indexes and indexes behind
    constraints are left out)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                " JOIN pg_index x"
                " ON x.indexrelid = format('%%I.%%I', i.schemaname, i.indexname)::regclass"
                " WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)"
                " AND NOT x.indisunique AND NOT x.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
                " ORDER BY i.indexname",
                [list(tables)],
            )
            return dict(cursor.fetchall())
        marks = ", ".join("%s" for _t in tables)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name",
            list(tables),
        )
        return {
            name: sql
            for name, sql in cursor.fetchall()
            if not sql.upper().startswith("CREATE UNIQUE")
        }


def foreign_keys(tables) -> dict[str, tuple[str, str]]:
    """PostgreSQL: name -> (table, definition) of the foreign keys of *tables*, as the
    catalogue gives them. SQLite: none (its foreign keys are part of the table)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
            " AND t.relname = ANY(%s) ORDER BY c.conname",
            [list(tables)],
        )
        return {name: (table, definition) for name, table, definition in cursor.fetchall()}


@contextmanager
def _indexes_dropped(tables, note):
    """Drop the secondary indexes and (PostgreSQL) the foreign keys of *tables* for the
    block; create them again afterwards, exactly as the catalogue defined them, whatever
    happens in the block. Checking a foreign key once over the whole table is a join;
    checking it row by row at each commit was most of PostgreSQL's work during the load."""
    quote = connection.ops.quote_name
    indexes, keys = secondary_indexes(tables), foreign_keys(tables)
    dropped_keys, dropped = [], []
    try:
        with connection.cursor() as cursor:
            for name, (table, _definition) in keys.items():
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                dropped_keys.append(name)
            for name in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
                dropped.append(name)
        note(
            f"indexes: {len(dropped)} secondary indexes and {len(dropped_keys)} foreign keys "
            "dropped for the load"
        )
        yield
    finally:
        if not connection.in_atomic_block and not connection.is_usable():
            connection.close()  # interrupted mid-COPY: build the indexes on a new connection
        started = time.monotonic()
        note(f"indexes: building {len(dropped)} indexes, then checking {len(dropped_keys)} keys")
        with connection.cursor() as cursor:
            deferred = connection.vendor == "postgresql" and connection.in_atomic_block
            if deferred:
                # Inside a caller's transaction the rows' foreign-key checks are still pending
                # (Django's are deferred), and PostgreSQL alters no table that has them.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if connection.vendor == "postgresql":
                # For this session only: big sorts in memory, one helper process (2 cores).
                cursor.execute("SET maintenance_work_mem = '1GB'")
                cursor.execute("SET max_parallel_maintenance_workers = 1")
            for name in dropped:
                cursor.execute(indexes[name])
            for name in dropped_keys:
                table, definition = keys[name]
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
            if connection.vendor == "postgresql":
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute("RESET max_parallel_maintenance_workers")
            if deferred:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        note(f"indexes: built and keys checked in {time.monotonic() - started:.0f} s")


@contextmanager
def _load_session():
    """PostgreSQL: commits of this session do not wait for the disk (a crash loses the last
    chunks, never consistency: acceptable for generated data)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        if connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


# --- the run ----------------------------------------------------------------------------------


class _Context:
    def __init__(self, *, seed: int, first_number: int, password: str):
        self.seed = seed
        self.w = _Writer()
        self.new_id = _id_factory(f"{seed}-ids-{first_number}")
        self.now = timezone.now()
        self.today = timezone.localdate().toordinal()
        self.suffix = "+00" if connection.vendor == "postgresql" else ""
        self.days = _Days()
        self.stamps = _Stamps(self.suffix, _datetime_text(self.now, self.suffix), self.today)
        self.password = password
        self.search_cache: dict = {}
        self.partners: list[str] = []
        self.first_number = first_number
        self.referral_ratio = REFERRALS_PER_CHILD
        self.partner_plans: list[_Partner] = []
        self.user_names: dict[str, str] = {}
        self.referral_states: Counter = Counter()
        self.received_cases: Counter = Counter()  # organisation -> cases opened by referrals
        self.villages: dict[str, list[int]] = {}
        self.all_villages: list[int] = []
        for village_id, code in Village.objects.order_by("pk").values_list("id", "code"):
            self.villages.setdefault(code[:2], []).append(village_id)
            self.all_villages.append(village_id)


def synth_create(
    *,
    children: int = 1000,
    seed: int = DEFAULT_SEED,
    add: bool = False,
    referrals: int | None = None,
    progress=None,
) -> SynthSummary:
    """Create synthetic organisations with about *children* cases in all, and about
    *referrals* referrals between them (default: one for every two children). Refuses if
    synthetic organisations exist already, unless *add* (then numbering continues; the
    referrals are between the new organisations)."""
    if children < 1:
        raise ServiceError(_("Give a number of children of 1 or more."), field="children")
    if referrals is not None and not 0 <= referrals <= children * REFERRALS_PER_GROUP:
        raise ServiceError(
            _("Give a number of referrals from 0 to %(most)s.")
            % {"most": int(children * REFERRALS_PER_GROUP)},
            field="referrals",
        )
    started = time.monotonic()
    summary = SynthSummary(children=children)
    with scopes_disabled():
        existing = list(synth_organisations().values_list("short_code", flat=True))
        if existing and not add:
            raise ServiceError(
                _(
                    "Synthetic organisations exist already (%(count)s). Add more with --add, "
                    "or start from an empty database."
                )
                % {"count": len(existing)}
            )
        first_number = max((int(code[len(CODE_PREFIX) :]) for code in existing), default=0) + 1
        if not Village.objects.exists():
            from phteah.geography.services import geography_load

            geography_load()
        provinces = list(Province.objects.order_by("code"))
        communes = list(Commune.objects.order_by("code").values_list("code", "name_en", "name_km"))
        plans = _plan(children, seed, first_number, provinces, communes)
        ctx = _Context(seed=seed, first_number=first_number, password=make_password(SYNTH_PASSWORD))
        if referrals is not None:
            ctx.referral_ratio = referrals / children
        ctx.partners = [pk.hex for pk in synth_organisations().values_list("id", flat=True)]
        phase = {"name": "loading", "started": time.monotonic()}

        def note(line: str) -> None:
            if progress is not None:
                progress(line)

        def phase_done(next_name: str) -> None:
            now = time.monotonic()
            summary.phases[phase["name"]] = now - phase["started"]
            phase.update(name=next_name, started=now)

        tables = [model._meta.db_table for model, _fields in TABLES]
        dropping = children >= DROP_INDEXES_FROM
        groups: list[list[tuple]] = []
        with _load_session():
            with _indexes_dropped(tables, note) if dropping else nullcontext():
                index = 0
                while index < len(plans):
                    done = []
                    with audited_atomic():
                        while index < len(plans) and (not done or ctx.w.pending < CHUNK_ROWS):
                            plan = plans[index]
                            index += 1
                            organisation = organisation_create(
                                actor=None,
                                name=plan.name,
                                name_km=plan.name_km,
                                short_code=plan.code,
                                kind=plan.kind,
                                provinces=plan.provinces,
                            )
                            before = ctx.w.counts()
                            builder = _OrgBuilder(ctx, plan, organisation)
                            builder.build()
                            if not summary.logins:
                                summary.logins = [(plan.code, *login) for login in builder.logins]
                            done.append((organisation, ctx.w.counts() - before))
                            ctx.partners.append(organisation.pk.hex)
                        ctx.w.flush()
                    groups.append(done)
                    summary.organisations += len(done)
                    written = sum(ctx.w.counts().values())
                    note(
                        f"loading: {summary.organisations}/{len(plans)} organisations, "
                        f"{ctx.w.counts()['Case']} cases, {written} rows, "
                        f"{time.monotonic() - started:.0f} s"
                    )
                # Referrals between them, once every organisation is there (a receiver's case
                # is numbered on from its own), then the case reference counters.
                phase_done("referrals")
                _referrals_load(ctx, note)
                phase_done("indexes")
            # Fresh planner statistics, so the queries that follow (the due dates, then the
            # first pages) are planned well. Without them the due dates of 100,000 children
            # took 1.7 s an organisation on PostgreSQL, 8.5 minutes in all (SQLite has none
            # until something runs ANALYZE: see phteah.core.sqlite).
            # Every table: also those the services wrote (organisations, their profiles,
            # catalogues and provinces), which a server without autovacuum would otherwise
            # plan with no statistics at all (the directory search did, on PostgreSQL).
            phase_done("analyse")
            note("analyse: planner statistics of every table")
            with connection.cursor() as cursor:
                for table in sorted(set(connection.introspection.table_names(cursor))):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            # The indexes exist again: the due dates are computed with them.
            phase_done("due dates")
            refreshed = 0
            for done in groups:
                with audited_atomic():
                    for organisation, counts in done:
                        cases_progress_refresh(Case.objects.filter(organisation=organisation))
                        audit_log(
                            actor=None,
                            organisation=organisation,
                            action="synth.created",
                            target=organisation,
                            data={
                                "cases": counts["Case"] + ctx.received_cases[organisation.pk.hex],
                                "people": counts["Person"]
                                + ctx.received_cases[organisation.pk.hex],
                                "users": counts["User"],
                                "visits": counts["Visit"],
                                "services": counts["ServiceDelivery"],
                                "placements": counts["Placement"],
                                "rows": sum(counts.values()),
                                "source": "synth",
                            },
                        )
                refreshed += len(done)
                note(
                    f"due dates: {refreshed}/{len(plans)} organisations, "
                    f"{time.monotonic() - started:.0f} s"
                )
            with connection.cursor() as cursor:  # the due dates changed the cases
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Case._meta.db_table)}")
            # The linkage keys of the duplicate check across organisations, as `phteah
            # linkage rebuild` makes them (the people were written by bulk insert, without
            # the services that make them one by one).
            phase_done("linkage")
            linked = 0
            for done in groups:
                for organisation, _counts in done:
                    people = Person.objects.filter(organisation=organisation)
                    linked += linkage_rebuild(people).people
                note(f"linkage: {linked} people, {time.monotonic() - started:.0f} s")
            with connection.cursor() as cursor:
                for model in (LinkageRecord, LinkageBlock):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            phase_done("")
        summary.counts = ctx.w.counts()
        summary.counts["Organisation"] = summary.organisations
        summary.referral_states = ctx.referral_states
    summary.seconds = time.monotonic() - started
    return summary
