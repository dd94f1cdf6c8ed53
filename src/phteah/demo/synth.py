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

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from ulid import ULID

from phteah.accounts.models import Membership, Office, Organisation, User
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
from phteah.referrals.models import PartnerProfile, PublishedService

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
                   "closure_requested_on", "closed_on", "closure_approved_by_id")),
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
        PartnerProfile.objects.filter(organisation_id=self.org.pk).update(
            published=True,
            accepts_referrals=rnd.random() < 0.9,
            contact_name=f"{family} {given}",
            contact_phone=self.network_phone(),
            languages=["km", "en"] if rnd.random() < 0.5 else ["km"],
            answer_days=rnd.choice((2, 3, 3, 5)),
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
        return {
            "id": case_id,
            "row": [case_id, org, stamp, stamps[max(opened, last)], subject, None, str(case_type),
                    rnd.choice(Case.ReferralSource.values),
                    "Pregnant and alone; family refused to help." if pregnancy
                    else rnd.choice(REASONS),
                    identified_text, days[opened], risk, "closed" if closed else "open",
                    str(stage), supervisor, *closure],
            "year": date.fromordinal(opened).year,
            "identified": identified_text,
        }  # fmt: skip

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
        counters = self.ctx.w[CaseReferenceCounter]
        for year, last in sorted(numbers.items()):
            counters.append((self.org_id, year, last))
        return len(cases)


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
    progress=None,
) -> SynthSummary:
    """Create synthetic organisations with about *children* cases in all. Refuses if
    synthetic organisations exist already, unless *add* (then numbering continues)."""
    if children < 1:
        raise ServiceError(_("Give a number of children of 1 or more."), field="children")
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
                phase_done("indexes")
            # Fresh planner statistics, so the queries that follow (the due dates, then the
            # first pages) are planned well. Without them the due dates of 100,000 children
            # took 1.7 s an organisation on PostgreSQL, 8.5 minutes in all (SQLite has none
            # until something runs ANALYZE: see phteah.core.sqlite).
            phase_done("analyse")
            note("analyse: planner statistics of the loaded tables")
            with connection.cursor() as cursor:
                for table in tables:
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
                                "cases": counts["Case"],
                                "people": counts["Person"],
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
    summary.seconds = time.monotonic() - started
    return summary
