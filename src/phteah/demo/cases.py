"""About 300 fictional cases across the demo organisations, with varied histories: children
reunified and followed up, in emergency foster care, in temporary centres past their limit,
closed, newly identified and not yet assessed; mothers in crisis pregnancy with their
babies. Synthetic seed data written with bulk_create (not user actions): one audit event
per organisation. Deterministic for a given seed; dates are relative to today so the
overdue lists always have something in them. Idempotent: organisations that already have
cases are skipped."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.care.models import (
    CareProvider,
    Carer,
    CareType,
    Placement,
    Relative,
    ReunificationAssessment,
    TracingAction,
)
from phteah.care.progress import cases_progress_refresh
from phteah.care.services import care_rules_seed
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
    ServiceDelivery,
    ServiceType,
    Visit,
)
from phteah.cases.services import assessment_domains_seed, service_types_seed
from phteah.core.audit import audit_log, audited_atomic
from phteah.demo.network import ORGANISATIONS
from phteah.geography.models import Village
from phteah.people.linkage import linkage_rebuild
from phteah.people.models import Consent, Household, HouseholdMember, IdentityDocument, Person
from phteah.people.names import person_search_fields

DEFAULT_SEED = 2026
# Cases per organisation (mostly the NGOs; DoSVY a few; the commune council a handful).
CASES_PER_ORGANISATION = {"HFM": 60, "SCH": 70, "FBC": 75, "KCN": 65, "BDSVY": 20, "SKCC": 8}

# (Latin, Khmer). Family names come first when written in full.
FAMILY_NAMES = (
    ("Sok", "សុខ"), ("Chan", "ចាន់"), ("Keo", "កែវ"), ("Lim", "លឹម"), ("Heng", "ហេង"),
    ("Touch", "ទូច"), ("Ly", "លី"), ("Mao", "ម៉ៅ"), ("Phan", "ផាន"), ("Nhem", "ញឹម"),
    ("Prak", "ប្រាក់"), ("Sim", "ស៊ឹម"), ("Chea", "ជា"), ("Ouk", "អ៊ុក"), ("Seng", "សេង"),
    ("Kim", "គីម"), ("Yim", "យឹម"), ("Nov", "នូវ"), ("Pen", "ប៉ែន"), ("Hok", "ហុក"),
    ("Sar", "សារ"), ("Meas", "មាស"), ("Tep", "ទេព"), ("Kong", "គង់"), ("Vong", "វង្ស"),
    ("Eng", "អេង"), ("Ros", "រស់"), ("Srun", "ស្រ៊ុន"), ("Thach", "ថាច់"), ("Khiev", "ខៀវ"),
    ("Nuon", "នួន"), ("Chhim", "ឈឹម"), ("Pich", "ពេជ្រ"), ("Long", "ឡុង"), ("Hem", "ហែម"),
)  # fmt: skip
GIVEN_FEMALE = (
    ("Sophea", "សុភា"), ("Sreyneang", "ស្រីនាង"), ("Pisey", "ពិសី"), ("Channary", "ចាន់ណារី"),
    ("Sokunthea", "សុគន្ធា"), ("Bopha", "បុប្ផា"), ("Kanha", "កញ្ញា"), ("Sreymom", "ស្រីមុំ"),
    ("Sothea", "សុធា"), ("Chantha", "ចន្ថា"), ("Sreypov", "ស្រីពៅ"), ("Malis", "ម្លិះ"),
    ("Raksmey", "រស្មី"), ("Leakhena", "លក្ខិណា"), ("Davy", "ដាវី"), ("Sreyleak", "ស្រីល័ក្ខ"),
    ("Sokha", "សុខា"), ("Theary", "ធារី"), ("Vanna", "វណ្ណា"), ("Kunthea", "គន្ធា"),
    ("Chenda", "ចិន្តា"), ("Rachana", "រចនា"), ("Nary", "ណារី"), ("Thida", "ធីតា"),
)  # fmt: skip
GIVEN_MALE = (
    ("Dara", "ដារ៉ា"), ("Vannak", "វណ្ណៈ"), ("Sovann", "សុវណ្ណ"), ("Rithy", "រិទ្ធី"),
    ("Vichet", "វិចិត្រ"), ("Rotha", "រដ្ឋា"), ("Piseth", "ពិសិដ្ឋ"), ("Vuthy", "វុទ្ធី"),
    ("Kosal", "កុសល"), ("Sophal", "សុផល"), ("Bunthoeun", "ប៊ុនធឿន"), ("Samnang", "សំណាង"),
    ("Makara", "មករា"), ("Narith", "ណារិទ្ធ"), ("Vibol", "វិបុល"), ("Visal", "វិសាល"),
    ("Sambath", "សម្បត្តិ"), ("Rathana", "រតនា"), ("Veasna", "វាសនា"), ("Sokun", "សុគុណ"),
)  # fmt: skip

REASONS = (
    "Found alone at the bus station; parents working in Thailand.",
    "Neglect reported by the commune council: no adult at home for weeks.",
    "Domestic violence at home; the mother asked for help.",
    "Extreme poverty: the family cannot feed the children.",
    "Dropped out of school to work at a brick kiln.",
    "Abandoned at the health centre after birth.",
    "Living on the street near the market.",
    "Grandmother too ill to care for the child.",
)
GOALS = (
    "Return safely to the family with regular follow-up.",
    "Enrol in school and attend every week.",
    "Obtain a birth certificate.",
    "The family has enough food each month.",
    "Reduce violence at home through family mediation.",
    "Regular health check-ups and vaccinations.",
)
# The same texts as written by the staff of an organisation that keeps its records in Khmer.
REASONS_KM = (
    "រកឃើញនៅស្ថានីយ៍ឡានក្រុងម្នាក់ឯង ឪពុកម្តាយទៅធ្វើការនៅប្រទេសថៃ។",
    "ក្រុមប្រឹក្សាឃុំរាយការណ៍ពីការធ្វេសប្រហែស៖ គ្មានមនុស្សពេញវ័យនៅផ្ទះច្រើនសប្តាហ៍។",
    "អំពើហិង្សាក្នុងគ្រួសារ ម្តាយបានសុំជំនួយ។",
    "ភាពក្រីក្រខ្លាំង៖ គ្រួសារមិនអាចផ្គត់ផ្គង់អាហារដល់កុមារបាន។",
    "បោះបង់ការសិក្សាដើម្បីធ្វើការនៅឡឥដ្ឋ។",
    "ត្រូវបានគេបោះបង់ចោលនៅមណ្ឌលសុខភាពក្រោយពេលកើត។",
    "រស់នៅតាមចិញ្ចើមផ្លូវក្បែរផ្សារ។",
    "ជីដូនឈឺធ្ងន់ មិនអាចមើលថែកុមារបាន។",
)
GOALS_KM = (
    "ត្រឡប់ទៅរស់នៅជាមួយគ្រួសារដោយសុវត្ថិភាព និងមានការតាមដានជាប្រចាំ។",
    "ចុះឈ្មោះចូលរៀន និងទៅសាលារៀនរៀងរាល់សប្តាហ៍។",
    "ទទួលបានសំបុត្រកំណើត។",
    "គ្រួសារមានអាហារគ្រប់គ្រាន់ជារៀងរាល់ខែ។",
    "កាត់បន្ថយអំពើហិង្សាក្នុងគ្រួសារតាមរយៈការសម្រុះសម្រួលគ្រួសារ។",
    "ពិនិត្យសុខភាព និងចាក់វ៉ាក់សាំងជាប្រចាំ។",
)
# (English, Khmer) pairs of the other free text of the records.
TEXTS = {
    "pregnant": (
        "Pregnant and alone; family refused to help.",
        "មានផ្ទៃពោះ និងនៅម្នាក់ឯង គ្រួសារមិនព្រមជួយ។",
    ),
    "closure": (
        "Goals reached; the family manages without support.",
        "សម្រេចគោលដៅ គ្រួសារអាចរស់នៅដោយខ្លួនឯងបានដោយគ្មានជំនួយ។",
    ),
    "settled": (
        "The child is settled at home; no more support needed.",
        "កុមាររស់នៅផ្ទះបានល្អ លែងត្រូវការជំនួយទៀតហើយ។",
    ),
    "summary": (
        "Needs support with food, schooling and care at home.",
        "ត្រូវការជំនួយផ្នែកអាហារ ការសិក្សា និងការថែទាំនៅផ្ទះ។",
    ),
    "score_reason": ("Seen at the home visit.", "បានឃើញនៅពេលចុះសួរសុខទុក្ខតាមផ្ទះ។"),
    "action": (
        "Visit the family and agree the next steps.",
        "ចុះជួបគ្រួសារ និងឯកភាពលើជំហានបន្ទាប់។",
    ),
    "no_safe_adult": ("No safe adult at home.", "គ្មានមនុស្សពេញវ័យដែលមានសុវត្ថិភាពនៅផ្ទះ។"),
    "reintegration": (
        "Family assessed as safe; reintegration agreed at the case conference.",
        "គ្រួសារត្រូវបានវាយតម្លៃថាមានសុវត្ថិភាព ការធ្វើសមាហរណកម្មត្រូវបានឯកភាពនៅក្នុងសន្និសីទករណី។",
    ),
    "people_seen": ("Child and carer", "កុមារ និងអ្នកថែទាំ"),
    "wellbeing": (
        "Healthy and eating well; attends school most days.",
        "មានសុខភាពល្អ ញ៉ាំបាយបានល្អ ទៅសាលារៀនស្ទើររាល់ថ្ងៃ។",
    ),
    "disability": (
        "Uses a wheelchair; weekly physiotherapy.",
        "ប្រើរទេះរុញ ព្យាបាលដោយចលនាជារៀងរាល់សប្តាហ៍។",
    ),
    "participants": (
        "{worker}, case worker\n{supervisor}, supervisor\nCCWC focal point\n"
        "Commune chief\nThe child's {relative}",
        "{worker} បុគ្គលិកសង្គមកិច្ច\n{supervisor} អ្នកគ្រប់គ្រង\nអ្នកសម្របសម្រួល CCWC\nមេឃុំ\n{relative}របស់កុមារ",
    ),
    "child_views": (
        "Wants to go home and go back to school.",
        "ចង់ត្រឡប់ទៅផ្ទះវិញ និងចូលរៀនឡើងវិញ។",
    ),
    "family_views": (
        "The family is ready to care for the child with some support.",
        "គ្រួសារត្រៀមខ្លួនមើលថែកុមារ ដោយមានជំនួយខ្លះ។",
    ),
    "decisions": (
        "Keep in care for now; trace the family and assess the relatives found.",
        "បន្តការថែទាំសិន ស្វែងរកគ្រួសារ និងវាយតម្លៃសាច់ញាតិដែលរកឃើញ។",
    ),
    "decisions_home": (
        "Reunify with the family; monthly follow-up visits for six months.",
        "ជួបជុំកុមារជាមួយគ្រួសារវិញ និងចុះតាមដានប្រចាំខែរយៈពេលប្រាំមួយខែ។",
    ),
    "next_steps": (
        "Case worker visits the family before the next conference.",
        "បុគ្គលិកសង្គមកិច្ចចុះជួបគ្រួសារមុនសន្និសីទលើកក្រោយ។",
    ),
    "searched_village": ("Home village, with the village chief", "ភូមិកំណើត ជាមួយមេភូមិ"),
    "searched_pagoda": ("Pagoda and neighbours near the market", "វត្ត និងអ្នកជិតខាងក្បែរផ្សារ"),
    "searched_phone": (
        "Phone numbers given by the child",
        "លេខទូរស័ព្ទដែលកុមារបានផ្តល់ឱ្យ",
    ),
    "traced_nobody": (
        "Nobody knew the family; asked the commune council to help.",
        "គ្មាននរណាស្គាល់គ្រួសារនេះទេ បានស្នើក្រុមប្រឹក្សាឃុំឱ្យជួយ។",
    ),
    "traced_found": ("Found the child's {relative}.", "បានរកឃើញ{relative}របស់កុមារ។"),
    "relative_notes": (
        "Lives with her own two children; farms rice.",
        "រស់នៅជាមួយកូនពីរនាក់ ធ្វើស្រែ។",
    ),
    "assessed_reunify": (
        "Safe home, enough food; the relative is willing and the child agrees.",
        "ផ្ទះមានសុវត្ថិភាព មានអាហារគ្រប់គ្រាន់ សាច់ញាតិសុខចិត្ត ហើយកុមារយល់ព្រម។",
    ),
    "assessed_not_yet": (
        "The relative is willing but has no income yet; support first.",
        "សាច់ញាតិសុខចិត្ត ប៉ុន្តែមិនទាន់មានប្រាក់ចំណូល ត្រូវជួយជាមុនសិន។",
    ),
}
# (English, Khmer) relationships of relatives found by family tracing.
RELATIVES = (
    ("grandmother", "ជីដូន"),
    ("aunt", "មីង"),
    ("uncle", "ពូ"),
    ("mother", "ម្តាយ"),
    ("older sister", "បងស្រី"),
)
SCENARIOS = (
    # (name, weight)
    ("reunified", 22),
    ("emergency_foster", 13),
    ("temporary_centre", 12),
    ("community", 16),
    ("closed", 14),
    ("new", 8),
    ("closure_requested", 4),
    ("family_house", 5),
    ("long_term", 6),
)


@dataclass
class Summary:
    organisations: int = 0
    cases: int = 0
    people: int = 0
    visits: int = 0
    by_scenario: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        kinds = ", ".join(f"{n} {name}" for name, n in sorted(self.by_scenario.items()))
        return (
            f"Demo cases: {self.cases} cases ({kinds}), {self.people} people and "
            f"{self.visits} visits in {self.organisations} organisations."
        )


def _seed_domains(organisation) -> list[AssessmentDomain]:
    assessment_domains_seed(organisation=organisation)
    return list(AssessmentDomain.objects.filter(organisation=organisation))


def _seed_service_types(organisation) -> list[ServiceType]:
    service_types_seed(organisation=organisation)
    return list(ServiceType.objects.filter(organisation=organisation))


class _Builder:
    """Collects rows for one organisation, then writes them with bulk_create."""

    def __init__(
        self, organisation, rnd: random.Random, today: date, provinces, *, khmer: bool = False
    ):
        self.org = organisation
        self.khmer = khmer
        self.rnd = rnd
        self.today = today
        members = list(
            Membership.objects.filter(organisation=organisation, is_active=True).select_related(
                "user"
            )
        )
        self.workers = [m.user for m in members if m.role == Role.CASE_WORKER]
        supervisors = [m.user for m in members if m.role == Role.SUPERVISOR]
        self.supervisor = supervisors[0] if supervisors else None
        if self.supervisor is not None:
            self.workers.append(self.supervisor)
        self.villages = list(
            Village.objects.filter(commune__district__province__code__in=provinces)
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )
        self.domains = _seed_domains(organisation)
        self.service_types = {s.code: s for s in _seed_service_types(organisation)}
        self.rows: dict[type, list] = defaultdict(list)
        self.counters: Counter = Counter()
        self.providers: dict[str, list[CareProvider]] = defaultdict(list)
        self.occupied: Counter = Counter()  # provider name -> open placements
        self.returned_on: dict[int, date] = {}  # id(case) -> day the child went home

    # -- helpers -------------------------------------------------------------------------

    def add(self, obj):
        self.rows[type(obj)].append(obj)
        return obj

    def text(self, key: str, **values) -> str:
        """One of the texts above, in the language the organisation writes its records in."""
        english, khmer = TEXTS[key]
        return (khmer if self.khmer else english).format(**values)

    def village(self):
        return self.rnd.choice(self.villages) if self.villages else None

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def person(self, sex: str, age_days: int, *, family=None):
        family_latin, family_km = family or self.rnd.choice(FAMILY_NAMES)
        given_latin, given_km = self.rnd.choice(GIVEN_FEMALE if sex == "female" else GIVEN_MALE)
        names = {
            "family_name_latin": family_latin,
            "given_name_latin": given_latin,
            "family_name_km": family_km,
            "given_name_km": given_km,
        }
        person = Person(
            organisation=self.org,
            sex=sex,
            date_of_birth=self.days_ago(age_days),
            date_of_birth_estimated=self.rnd.random() < 0.2,
            village_id=self.village(),
            has_disability=self.rnd.random() < 0.07,
            **names,
            **person_search_fields(**names),
        )
        if person.has_disability:
            person.disability_notes = self.text("disability")
        return self.add(person)

    PROVIDERS = (
        (CareProvider.Kind.FOSTER_FAMILY, 5, 2),
        (CareProvider.Kind.TEMPORARY_CENTRE, 1, 25),
        (CareProvider.Kind.FAMILY_HOUSE, 2, 8),
    )

    def providers_create(self):
        self.provider_names: set[str] = set()
        for kind, count, capacity in self.PROVIDERS:
            for _ in range(count):
                self.provider_create(kind, capacity)

    def provider_create(self, kind, capacity) -> CareProvider:
        """A provider and its carers, named in the organisation's language (the models store
        one name)."""
        family_latin, family_km = self.rnd.choice(FAMILY_NAMES)
        family = family_km if self.khmer else family_latin
        if kind == CareProvider.Kind.FOSTER_FAMILY:
            name = f"គ្រួសារអាណាព្យាបាល {family}" if self.khmer else f"{family} foster family"
        elif kind == CareProvider.Kind.TEMPORARY_CENTRE:
            code = self.org.short_code
            name = f"មណ្ឌលបណ្តោះអាសន្ន {code}" if self.khmer else f"{code} transit centre"
        else:
            name = f"ផ្ទះសហគមន៍ {family}" if self.khmer else f"{family} family house"
        base, number = name, 1
        while name in self.provider_names:
            number += 1
            name = f"{base} {number}"
        self.provider_names.add(name)
        provider = self.add(
            CareProvider(
                organisation=self.org,
                kind=kind,
                name=name,
                village_id=self.village(),
                capacity=capacity,
                phone=f"012 {self.rnd.randint(100, 999)} {self.rnd.randint(100, 999)}",
            )
        )
        self.providers[kind].append(provider)
        for _ in range(2 if kind == CareProvider.Kind.FOSTER_FAMILY else 1):
            given_latin, given_km = self.rnd.choice(GIVEN_FEMALE + GIVEN_MALE)
            self.add(
                Carer(
                    organisation=self.org,
                    provider=provider,
                    name=f"{family_km} {given_km}" if self.khmer else f"{family} {given_latin}",
                )
            )
        return provider

    def provider_with_room(self, kind) -> CareProvider:
        """A provider of *kind* with a free place for a placement that has not ended (a new
        one when all are full): the demo never places more children than a provider takes."""
        free = [p for p in self.providers[kind] if self.occupied[p.name] < p.capacity]
        if free:
            return self.rnd.choice(free)
        capacity = next(c for k, _, c in self.PROVIDERS if k == kind)
        return self.provider_create(kind, capacity)

    def providers_leave_room(self):
        """Every kind of provider has a free place somewhere, as a real network does."""
        for kind, _, capacity in self.PROVIDERS:
            if all(self.occupied[p.name] >= p.capacity for p in self.providers[kind]):
                self.provider_create(kind, capacity)

    # -- one case ------------------------------------------------------------------------

    def case(self, scenario: str, crisis_pregnancy: bool):
        rnd, today = self.rnd, self.today
        worker = rnd.choice(self.workers)
        if crisis_pregnancy:
            mother = self.person("female", rnd.randint(16 * 365, 32 * 365))
            subject = mother
        else:
            subject = self.person(rnd.choice(["female", "male"]), rnd.randint(200, 17 * 365))
        age_of_case = {
            "new": rnd.randint(0, 3),
            "closed": rnd.randint(200, 900),
            "reunified": rnd.randint(120, 700),
            "temporary_centre": rnd.randint(80, 320),
            "emergency_foster": rnd.randint(30, 160),
            "long_term": rnd.randint(400, 1000),
            "family_house": rnd.randint(200, 900),
        }.get(scenario, rnd.randint(40, 600))
        opened_on = self.days_ago(age_of_case)
        if scenario == "new":
            hours = rnd.choice([6, 30, 52, 60, 80])
            identified_at = timezone.now() - timedelta(hours=hours)
            opened_on = timezone.localdate(identified_at)
        else:
            identified_at = datetime.combine(
                opened_on - timedelta(days=rnd.randint(0, 2)), time(rnd.randint(7, 17)), UTC
            )
        risk = rnd.choice(["high", "medium", "medium", "low", "low", "no_action"])
        case_type = (
            Case.Type.CRISIS_PREGNANCY
            if crisis_pregnancy
            else {
                "reunified": Case.Type.REINTEGRATION,
                "emergency_foster": Case.Type.FOSTER_CARE,
                "long_term": Case.Type.FOSTER_CARE,
                "temporary_centre": Case.Type.RESIDENTIAL_CARE,
                "family_house": Case.Type.RESIDENTIAL_CARE,
                "community": Case.Type.COMMUNITY_SUPPORT,
            }.get(scenario, Case.Type.EMERGENCY)
        )
        case = self.add(
            Case(
                organisation=self.org,
                person=subject,
                reference="",
                case_type=case_type,
                referral_source=rnd.choice(Case.ReferralSource.values),
                referral_reason=(
                    self.text("pregnant")
                    if crisis_pregnancy
                    else rnd.choice(REASONS_KM if self.khmer else REASONS)
                ),
                identified_at=identified_at,
                opened_on=opened_on,
                risk_level=risk,
                supervisor=self.supervisor,
            )
        )
        self.add(
            CaseWorkerAssignment(organisation=self.org, case=case, user=worker, is_primary=True)
        )
        others = [w for w in self.workers if w != worker]
        if others and rnd.random() < 0.25:
            self.add(
                CaseWorkerAssignment(organisation=self.org, case=case, user=rnd.choice(others))
            )
        self.documents_and_consent(subject, opened_on)
        if crisis_pregnancy:
            self.household_with_baby(mother, opened_on)
        if scenario == "new":
            return case
        until = today
        if scenario == "closed":
            case.status = Case.Status.CLOSED
            case.closure_reason = rnd.choice(
                ["reintegrated", "reintegrated", "aged_out", "transferred", "moved_away"]
            )
            case.closure_notes = self.text("closure")
            case.closed_on = until = self.days_ago(rnd.randint(5, min(150, age_of_case - 100)))
        self.assessments(case, worker, opened_on, until)
        self.placements_and_visits(case, worker, scenario, opened_on, until)
        self.services(case, worker, opened_on, until, crisis_pregnancy)
        self.family_work(case, worker, scenario, opened_on, until)
        if scenario == "closed":
            case.closure_requested_by = worker
            case.closure_requested_on = case.closed_on - timedelta(days=rnd.randint(0, 5))
            case.closure_approved_by = self.supervisor
        elif scenario == "closure_requested":
            case.closure_reason = "reintegrated"
            # Back with family (placements_and_visits): that placement ends with the closure.
            case.closure_placement_outcome = "reintegrated"
            case.closure_notes = self.text("settled")
            case.closure_requested_by = worker
            case.closure_requested_on = self.days_ago(rnd.randint(0, 10))
        return case

    def documents_and_consent(self, person, opened_on):
        rnd = self.rnd
        status = rnd.choice(["has", "has", "in_process", "none"])
        self.add(
            IdentityDocument(
                organisation=self.org,
                person=person,
                kind=IdentityDocument.Kind.BIRTH_CERTIFICATE,
                status=status,
                number=f"{rnd.randint(10000, 99999)}" if status == "has" else "",
                obtained_on=opened_on + timedelta(days=40) if status == "has" else None,
            )
        )
        if rnd.random() < 0.5:
            self.add(
                IdentityDocument(
                    organisation=self.org,
                    person=person,
                    kind=IdentityDocument.Kind.FAMILY_BOOK,
                    status="has",
                )
            )
        guardian = f"{person.family_name_latin} {rnd.choice(GIVEN_FEMALE)[0]}"
        self.add(
            Consent(
                organisation=self.org,
                person=person,
                given_as=Consent.GivenAs.GUARDIAN,
                given_by_name=guardian,
                given_on=opened_on,
                purpose=Consent.Purpose.SERVICES,
                method=rnd.choice(Consent.Method.values),
            )
        )
        if rnd.random() < 0.4:
            self.add(
                Consent(
                    organisation=self.org,
                    person=person,
                    given_as=Consent.GivenAs.GUARDIAN,
                    given_by_name=guardian,
                    given_on=opened_on,
                    purpose=Consent.Purpose.SHARE_GOVERNMENT,
                    method=Consent.Method.SIGNED_FORM,
                )
            )
        if self.rnd.random() < 0.5:
            self.add(
                Consent(
                    organisation=self.org,
                    person=person,
                    given_as=Consent.GivenAs.CHILD_ASSENT,
                    given_by_name=f"{person.family_name_latin} {person.given_name_latin}",
                    given_on=opened_on,
                    purpose=Consent.Purpose.SERVICES,
                    method=Consent.Method.VERBAL_WITNESSED,
                    witness_name=guardian,
                )
            )

    def household_with_baby(self, mother, opened_on):
        family = (mother.family_name_latin, mother.family_name_km)
        household = self.add(
            Household(
                organisation=self.org,
                name=f"{mother.family_name_latin} {mother.given_name_latin} and baby",
                village_id=mother.village_id,
            )
        )
        self.add(
            HouseholdMember(
                organisation=self.org,
                household=household,
                person=mother,
                relationship=HouseholdMember.Relationship.MOTHER,
                is_primary_carer=True,
            )
        )
        born = max(1, (self.today - opened_on).days - self.rnd.randint(30, 150))
        if (self.today - opened_on).days > 60:
            baby = self.person(self.rnd.choice(["female", "male"]), born, family=family)
            baby.village_id = mother.village_id
            self.add(
                HouseholdMember(
                    organisation=self.org,
                    household=household,
                    person=baby,
                    relationship=HouseholdMember.Relationship.CHILD,
                )
            )

    def assessments(self, case, worker, opened_on, until):
        rnd = self.rnd
        plan = [(Assessment.Kind.INITIAL, opened_on + timedelta(days=rnd.choice([0, 0, 1, 3])))]
        plan.append((Assessment.Kind.FULL, opened_on + timedelta(days=rnd.randint(7, 20))))
        day = plan[-1][1]
        while True:
            day += timedelta(days=rnd.choice([150, 170, 200, 240]))
            if day >= until:
                break
            plan.append((Assessment.Kind.REVIEW, day))
        plan = [(kind, day) for kind, day in plan if day <= until]
        for kind, day in plan:
            assessment = self.add(
                Assessment(
                    organisation=self.org,
                    case=case,
                    kind=kind,
                    assessed_on=day,
                    assessed_by=worker,
                    risk_level=case.risk_level,
                    summary=self.text("summary"),
                )
            )
            for domain in self.domains:
                score = rnd.choice([1, 2, 2, 3, 3, 4])
                self.add(
                    AssessmentScore(
                        organisation=self.org,
                        assessment=assessment,
                        domain=domain,
                        score=score,
                        reason=self.text("score_reason") if score < 3 else "",
                    )
                )
        for description in rnd.sample(GOALS_KM if self.khmer else GOALS, rnd.randint(1, 3)):
            goal = self.add(
                Goal(
                    organisation=self.org,
                    case=case,
                    domain=rnd.choice(self.domains) if self.domains else None,
                    description=description,
                    status=rnd.choice(["open", "open", "achieved"]),
                )
            )
            self.add(
                Action(
                    organisation=self.org,
                    goal=goal,
                    description=self.text("action"),
                    owner=worker,
                    due_on=opened_on + timedelta(days=rnd.randint(20, 90)),
                    status=rnd.choice(["to_do", "done", "done"]),
                )
            )

    def placement(self, case, worker, care_type, start, end=None, outcome=""):
        kind = {
            CareType.EMERGENCY_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
            CareType.LONG_TERM_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
            CareType.TEMPORARY_CENTRE: CareProvider.Kind.TEMPORARY_CENTRE,
            CareType.FAMILY_HOUSE: CareProvider.Kind.FAMILY_HOUSE,
        }.get(care_type)
        provider = None
        if kind is not None:
            if end is None:
                provider = self.provider_with_room(kind)
                self.occupied[provider.name] += 1
            else:
                provider = self.rnd.choice(self.providers[kind])
        return self.add(
            Placement(
                organisation=self.org,
                case=case,
                care_type=care_type,
                provider=provider,
                started_on=start,
                ended_on=end,
                outcome=outcome,
                reason=self.text("no_safe_adult")
                if care_type not in (CareType.BIRTH_FAMILY, CareType.KINSHIP)
                else self.text("reintegration"),
                recorded_by=worker,
            )
        )

    def placements_and_visits(self, case, worker, scenario, opened_on, until):
        rnd, today = self.rnd, until
        age = (today - opened_on).days
        returned_on = None
        if scenario in ("reunified", "closed", "closure_requested"):
            first = rnd.choice([CareType.TEMPORARY_CENTRE, CareType.EMERGENCY_FOSTER])
            returned_on = opened_on + timedelta(days=rnd.randint(20, max(21, min(age - 10, 200))))
            returned_on = min(returned_on, today - timedelta(days=1))
            self.returned_on[id(case)] = returned_on
            self.placement(case, worker, first, opened_on, returned_on, "reintegrated")
            home = rnd.choice([CareType.BIRTH_FAMILY, CareType.BIRTH_FAMILY, CareType.KINSHIP])
            self.placement(
                case,
                worker,
                home,
                returned_on,
                today if scenario == "closed" else None,
                "reintegrated" if scenario == "closed" else "",
            )
        elif scenario == "emergency_foster":
            self.placement(case, worker, CareType.EMERGENCY_FOSTER, opened_on)
        elif scenario == "temporary_centre":
            self.placement(case, worker, CareType.TEMPORARY_CENTRE, opened_on)
        elif scenario == "family_house":
            self.placement(case, worker, CareType.FAMILY_HOUSE, opened_on)
        elif scenario == "long_term":
            moved = opened_on + timedelta(days=rnd.randint(30, 90))
            self.placement(case, worker, CareType.EMERGENCY_FOSTER, opened_on, moved, "moved")
            self.placement(case, worker, CareType.LONG_TERM_FOSTER, moved)
        # Visits: roughly monthly, with gaps; most are up to date, some overdue.
        heavy = rnd.random() < 0.06
        gap = 7 if heavy else rnd.choice([14, 25, 30, 30, 35])
        last_allowed = today
        if scenario != "closed" and rnd.random() < 0.3:  # this case has fallen behind
            last_allowed = today - timedelta(days=rnd.randint(35, 120))
        if scenario == "reunified" and returned_on and rnd.random() < 0.45:
            # missed follow-ups: no visit since a few days after the return
            last_allowed = min(last_allowed, returned_on + timedelta(days=rnd.randint(0, 10)))
        day, visits = opened_on + timedelta(days=rnd.randint(1, 5)), []
        limit = 40
        while day <= last_allowed and len(visits) < limit:
            visits.append(day)
            day += timedelta(days=max(3, gap + rnd.randint(-5, 6)))
        if not visits and opened_on <= last_allowed:
            visits.append(opened_on)
        for index, day in enumerate(visits):
            is_last = index == len(visits) - 1
            self.add(
                Visit(
                    organisation=self.org,
                    case=case,
                    visited_on=day,
                    kind=rnd.choice(
                        [Visit.Kind.HOME, Visit.Kind.HOME, Visit.Kind.PHONE, Visit.Kind.SCHOOL]
                    ),
                    people_seen=self.text("people_seen"),
                    schooling=rnd.choice(Visit.Schooling.values + [""]),
                    wellbeing_notes=self.text("wellbeing"),
                    next_visit_due=day + timedelta(days=gap)
                    if is_last and rnd.random() < 0.5
                    else None,
                    recorded_by=worker,
                )
            )

    def family_work(self, case, worker, scenario, opened_on, until):
        """Family tracing (searches, relatives found), reunification assessments and case
        conferences for the children who were in care."""
        rnd = self.rnd
        if scenario not in (
            "reunified",
            "closed",
            "emergency_foster",
            "temporary_centre",
            "long_term",
            "family_house",
        ):
            return
        returned_on = self.returned_on.get(id(case))
        # Work on the family happens before the return, or by now for those still in care.
        end = returned_on or until
        span = max(1, (end - opened_on).days)
        if returned_on is None and rnd.random() < 0.3:
            return  # not traced yet
        person = case.person
        relationship_en, relationship_km = rnd.choice(RELATIVES)
        relationship = relationship_km if self.khmer else relationship_en
        found = returned_on is not None or rnd.random() < 0.6
        searches = sorted(rnd.sample(range(span), min(span, rnd.randint(1, 3))))
        by = worker.display_name("km" if self.khmer else "en")
        for number, offset in enumerate(searches):
            last = number == len(searches) - 1
            self.add(
                TracingAction(
                    organisation=self.org,
                    case=case,
                    done_on=opened_on + timedelta(days=offset),
                    where_searched=self.text(
                        rnd.choice(["searched_village", "searched_pagoda", "searched_phone"])
                    ),
                    done_by=by,
                    outcome=self.text("traced_found", relative=relationship)
                    if found and last
                    else self.text("traced_nobody"),
                )
            )
        if not found:
            return
        found_on = opened_on + timedelta(days=searches[-1])
        given_latin, given_km = rnd.choice(GIVEN_FEMALE + GIVEN_MALE)
        relative = self.add(
            Relative(
                organisation=self.org,
                case=case,
                name=f"{person.family_name_km} {given_km}"
                if self.khmer
                else f"{person.family_name_latin} {given_latin}",
                relationship=relationship,
                village_id=person.village_id or self.village(),
                phone=f"097 {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
                willing_to_care=returned_on is not None or rnd.random() < 0.5,
                found_on=found_on,
                notes=self.text("relative_notes") if rnd.random() < 0.5 else "",
            )
        )
        conference_on = found_on + timedelta(days=max(0, (end - found_on).days // 2))
        self.add(
            Conference(
                organisation=self.org,
                case=case,
                held_on=conference_on,
                participants=self.text(
                    "participants",
                    worker=by,
                    supervisor=self.supervisor.display_name("km" if self.khmer else "en")
                    if self.supervisor
                    else by,
                    relative=relationship,
                ),
                child_views=self.text("child_views"),
                family_views=self.text("family_views"),
                decisions=self.text("decisions_home" if returned_on else "decisions"),
                next_steps=self.text("next_steps"),
                recorded_by=worker,
            )
        )
        if returned_on is not None:
            assessed_on = max(found_on, returned_on - timedelta(days=rnd.randint(1, 10)))
            recommendation = ReunificationAssessment.Recommendation.REUNIFY
        elif rnd.random() < 0.5:
            assessed_on = found_on + timedelta(days=max(0, (until - found_on).days // 3))
            recommendation = ReunificationAssessment.Recommendation.NOT_YET
        else:
            return
        self.add(
            ReunificationAssessment(
                organisation=self.org,
                case=case,
                assessed_on=min(assessed_on, until),
                relative=relative,
                recommendation=recommendation,
                notes=self.text("assessed_reunify" if returned_on else "assessed_not_yet"),
                reunified_on=returned_on,
                assessed_by=worker,
            )
        )

    def services(self, case, worker, opened_on, until, crisis_pregnancy):
        rnd = self.rnd
        codes = list(self.service_types)
        if not codes:
            return
        wanted = ["antenatal", "emergency_package", "counselling"] if crisis_pregnancy else []
        wanted += rnd.sample(codes, rnd.randint(0, 4))
        for code in wanted:
            service_type = self.service_types.get(code)
            if service_type is None:
                continue
            delivered = opened_on + timedelta(days=rnd.randint(0, max(0, (until - opened_on).days)))
            self.add(
                ServiceDelivery(
                    organisation=self.org,
                    case=case,
                    service_type=service_type,
                    delivered_on=delivered,
                    cost=rnd.choice([None, 15, 25, 40, 70]),
                    recipient=rnd.choice(ServiceDelivery.Recipient.values),
                    recorded_by=worker,
                )
            )

    # -- writing -------------------------------------------------------------------------

    # Mistakes voided (never deleted): (English, Khmer) reasons, Khmer for the government
    # offices' records.
    VOID_REASONS = (
        (
            "Recorded twice: the same visit was saved again.",
            "កត់ត្រាពីរដង៖ ការចុះសួរសុខទុក្ខដដែលត្រូវបានរក្សាទុកម្តងទៀត។",
        ),
        (
            "Recorded in the wrong case: this was another child's.",
            "កត់ត្រាក្នុងករណីខុស៖ នេះជារបស់កុមារម្នាក់ទៀត។",
        ),
        (
            "Wrong date and details: recorded again correctly.",
            "កាលបរិច្ឆេទ និងព័ត៌មានខុស៖ បានកត់ត្រាឡើងវិញត្រឹមត្រូវហើយ។",
        ),
    )

    def voided_records(self):
        """Void a few records, as a case worker correcting a mistake would: two visits, a
        service, a review assessment and an earlier placement (never the current one)."""
        if self.supervisor is None:
            return
        khmer = self.org.kind != Organisation.Kind.NGO
        now = timezone.now()
        picks = (
            self.rnd.sample(self.rows[Visit], min(2, len(self.rows[Visit])))
            + self.rnd.sample(self.rows[ServiceDelivery], min(1, len(self.rows[ServiceDelivery])))
            + [a for a in self.rows[Assessment] if a.kind == Assessment.Kind.REVIEW][:1]
            + [p for p in self.rows[Placement] if p.ended_on is not None][:1]
        )
        for index, record in enumerate(picks):
            english, khmer_reason = self.VOID_REASONS[index % len(self.VOID_REASONS)]
            record.voided_at = now - timedelta(hours=self.rnd.randint(1, 48))
            # The one who recorded it, else the supervisor.
            record.voided_by = (
                getattr(record, "recorded_by", None)
                or getattr(record, "assessed_by", None)
                or self.supervisor
            )
            record.void_reason = khmer_reason if khmer else english

    def references(self):
        by_year = defaultdict(list)
        for case in self.rows[Case]:
            by_year[case.opened_on.year].append(case)
        for year, cases in by_year.items():
            counter, _ = CaseReferenceCounter.objects.get_or_create(
                organisation=self.org, year=year
            )
            for case in sorted(cases, key=lambda c: (c.identified_at, c.opened_on)):
                counter.last_number += 1
                case.reference = f"{self.org.short_code}-{year}-{counter.last_number:04d}"
            counter.save(update_fields=["last_number"])

    def write(self):
        order = (
            CareProvider, Carer, Person, Household, HouseholdMember, IdentityDocument, Consent,
            Case, CaseWorkerAssignment, Assessment, AssessmentScore, Goal, Action, Placement,
            Visit, ServiceDelivery, TracingAction, Relative, Conference, ReunificationAssessment,
        )  # fmt: skip
        self.references()
        self.voided_records()
        for model in order:
            rows = self.rows.get(model, [])
            if rows:
                model.objects.bulk_create(rows, batch_size=500)
        # Stages and due dates, and the people's linkage records, as the services would have
        # left them.
        cases_progress_refresh(Case.objects.filter(organisation=self.org))
        linkage_rebuild(Person.objects.filter(organisation=self.org))


def demo_cases_create(*, seed: int = DEFAULT_SEED, today: date | None = None) -> Summary:
    """Create the demo cases in the demo organisations that have none yet."""
    today = today or timezone.localdate()
    summary = Summary()
    scenarios = [name for name, _ in SCENARIOS]
    weights = [weight for _, weight in SCENARIOS]
    with scopes_disabled(), audited_atomic():
        for spec in ORGANISATIONS:
            organisation = Organisation.objects.filter(short_code=spec.code).first()
            if organisation is None:
                continue
            care_rules_seed(organisation=organisation)
            if Case.objects.filter(organisation=organisation).exists():
                continue
            # A separate stream per organisation: adding one never changes the others.
            org_rnd = random.Random(f"{seed}-{spec.code}")
            builder = _Builder(
                organisation, org_rnd, today, spec.provinces, khmer=spec.writes_khmer
            )
            if not builder.workers:
                continue
            builder.providers_create()
            crisis_share = 0.6 if spec.code == "HFM" else 0.03
            counts = Counter()
            for _ in range(CASES_PER_ORGANISATION.get(spec.code, 10)):
                scenario = org_rnd.choices(scenarios, weights)[0]
                crisis = org_rnd.random() < crisis_share and scenario not in (
                    "emergency_foster",
                    "temporary_centre",
                    "family_house",
                    "long_term",
                )
                if crisis and scenario == "reunified":
                    scenario = "community"
                builder.case(scenario, crisis)
                counts["crisis_pregnancy" if crisis else scenario] += 1
            builder.providers_leave_room()
            builder.write()
            cases = len(builder.rows[Case])
            audit_log(
                actor=None,
                organisation=organisation,
                action="demo.cases.created",
                data={
                    "cases": cases,
                    "people": len(builder.rows[Person]),
                    "visits": len(builder.rows[Visit]),
                    "source": "demo",
                },
            )
            summary.organisations += 1
            summary.cases += cases
            summary.people += len(builder.rows[Person])
            summary.visits += len(builder.rows[Visit])
            summary.by_scenario.update(counts)
    return summary
