"""Six fictional organisations, their offices and staff. Idempotent: running it again changes
nothing that exists."""

import itertools
from dataclasses import dataclass

from django_scopes import scopes_disabled

from phteah.accounts.models import Membership, Office, Organisation, User
from phteah.accounts.roles import Role
from phteah.accounts.services import organisation_create
from phteah.core.audit import audit_log, audited_atomic
from phteah.geography.models import Commune, Province, Village

DEMO_PASSWORD = "phteah-demo-2026"  # noqa: S105 - printed on purpose; demo accounts only


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    name_km: str
    kind: str
    provinces: tuple[str, ...]
    offices: tuple[tuple[str, str], ...]  # (name, village code)
    # Its staff write their records in Khmer: office, provider and carer names (the models
    # store one name) and free text are Khmer.
    writes_khmer: bool = False


ORGANISATIONS = (
    OrgSpec(
        "HFM",
        "Hope for Mothers",
        "ក្តីសង្ឃឹមសម្រាប់ម្តាយ",
        Organisation.Kind.NGO,
        ("12",),
        (("Phnom Penh", "12010101"),),
    ),
    OrgSpec(
        "SCH",
        "Sunrise Children's Home",
        "មណ្ឌលកុមារថ្ងៃរះ",
        Organisation.Kind.NGO,
        ("17",),
        (("Siem Reap", "17100101"),),
    ),
    OrgSpec(
        "FBC",
        "Family Bridge Cambodia",
        "ស្ពានគ្រួសារកម្ពុជា",
        Organisation.Kind.NGO,
        ("12", "02"),
        (("Phnom Penh", "12020101"), ("Battambang", "02030101")),
    ),
    OrgSpec(
        "KCN",
        "Kumar Care Network",
        "បណ្តាញថែទាំកុមារ",
        Organisation.Kind.NGO,
        ("12", "15", "24"),
        (("ការិយាល័យភ្នំពេញ", "12030101"), ("ការិយាល័យពោធិ៍សាត់", "15070101")),
        writes_khmer=True,
    ),
    OrgSpec(
        "BDSVY",
        "Battambang Department of Social Affairs (DoSVY)",
        "មន្ទីរសង្គមកិច្ច អតីតយុទ្ធជន និងយុវនីតិសម្បទាខេត្តបាត់ដំបង",
        Organisation.Kind.PROVINCIAL_OFFICE,
        ("02",),
        (("ការិយាល័យកិច្ចការកុមារ", "02030101"),),
        writes_khmer=True,
    ),
    OrgSpec(
        "SKCC",
        "Svay Kang Commune Council (CCWC)",
        "ក្រុមប្រឹក្សាឃុំស្វាយកង",
        Organisation.Kind.COMMUNE_COUNCIL,
        ("02",),
        (("សាលាឃុំស្វាយកង", "02020101"),),
        writes_khmer=True,
    ),
)

# (Latin family, Latin given, Khmer family, Khmer given): written family name first.
STAFF_NAMES = (
    ("Sok", "Dara", "សុខ", "ដារ៉ា"),
    ("Chan", "Sophea", "ចាន់", "សុភា"),
    ("Keo", "Vannak", "កែវ", "វណ្ណៈ"),
    ("Lim", "Sreyneang", "លឹម", "ស្រីនាង"),
    ("Heng", "Pisey", "ហេង", "ពិសី"),
    ("Touch", "Sovann", "ទូច", "សុវណ្ណ"),
    ("Ly", "Channary", "លី", "ចាន់ណារី"),
    ("Mao", "Rithy", "ម៉ៅ", "រិទ្ធី"),
    ("Phan", "Sokunthea", "ផាន", "សុគន្ធា"),
    ("Nhem", "Bopha", "ញឹម", "បុប្ផា"),
    ("Prak", "Vichet", "ប្រាក់", "វិចិត្រ"),
    ("Sim", "Kanha", "ស៊ឹម", "កញ្ញា"),
    ("Chea", "Rotha", "ជា", "រដ្ឋា"),
    ("Ouk", "Sreymom", "អ៊ុក", "ស្រីមុំ"),
    ("Seng", "Piseth", "សេង", "ពិសិដ្ឋ"),
    ("Kim", "Sothea", "គីម", "សុធា"),
    ("Yim", "Chantha", "យឹម", "ចន្ថា"),
    ("Nov", "Sreypov", "នូវ", "ស្រីពៅ"),
    ("Pen", "Vuthy", "ប៉ែន", "វុទ្ធី"),
    ("Hok", "Malis", "ហុក", "ម្លិះ"),
    ("Sar", "Kosal", "សារ", "កុសល"),
    ("Meas", "Sophal", "មាស", "សុផល"),
    ("Tep", "Raksmey", "ទេព", "រស្មី"),
    ("Kong", "Bunthoeun", "គង់", "ប៊ុនធឿន"),
    ("Vong", "Leakhena", "វង្ស", "លក្ខិណា"),
    ("Eng", "Samnang", "អេង", "សំណាង"),
    ("Ros", "Davy", "រស់", "ដាវី"),
    ("Srun", "Makara", "ស្រ៊ុន", "មករា"),
    ("Hun", "Sreyleak", "ហ៊ុន", "ស្រីល័ក្ខ"),
    ("Thach", "Narith", "ថាច់", "ណារិទ្ធ"),
    ("Khiev", "Sokha", "ខៀវ", "សុខា"),
    ("Nuon", "Vibol", "នួន", "វិបុល"),
)

ROLE_SLUGS = {
    Role.ORG_ADMIN: "admin",
    Role.SUPERVISOR: "supervisor",
    Role.CASE_WORKER: "caseworker",
    Role.ME_OFFICER: "me",
    Role.VIEWER: "viewer",
}


@dataclass(frozen=True)
class DemoLogin:
    organisation: str
    role: str
    email: str
    name: str


def _village(code: str) -> Village | None:
    return (
        Village.objects.filter(code=code).first()
        or Village.objects.filter(code__startswith=code[:4]).order_by("code").first()
    )


def demo_network_create() -> list[DemoLogin]:
    """Create the six organisations with an office or two and one member in every role (two
    case workers where there are two offices). Returns the demo logins."""
    logins: list[DemoLogin] = []
    names = itertools.cycle(STAFF_NAMES)
    with scopes_disabled(), audited_atomic():
        for spec in ORGANISATIONS:
            organisation = Organisation.objects.filter(short_code=spec.code).first()
            if organisation is None:
                organisation = organisation_create(
                    actor=None,
                    name=spec.name,
                    name_km=spec.name_km,
                    short_code=spec.code,
                    kind=spec.kind,
                    provinces=list(Province.objects.filter(code__in=spec.provinces)),
                )
            if spec.kind == Organisation.Kind.COMMUNE_COUNCIL:
                # A commune council serves the commune(s) of its offices.
                organisation.communes.set(
                    Commune.objects.filter(code__in=[v[:6] for _name, v in spec.offices])
                )
            offices = []
            for office_name, village_code in spec.offices:
                office, created = Office.objects.get_or_create(
                    organisation=organisation,
                    name=office_name,
                    defaults={"village": _village(village_code)},
                )
                if created:
                    audit_log(
                        actor=None,
                        organisation=organisation,
                        action="accounts.office.created",
                        target=office,
                        data={"source": "demo"},
                    )
                offices.append(office)
            plan = [(ROLE_SLUGS[role], role, offices[0]) for role in ROLE_SLUGS]
            plan += [
                (f"caseworker{number}", Role.CASE_WORKER, office)
                for number, office in enumerate(offices[1:], start=2)
            ]
            for slug, role, office in plan:
                family, given, family_km, given_km = next(names)
                email = f"{slug}@{spec.code.lower()}.test"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email,
                        password=DEMO_PASSWORD,
                        full_name=f"{family} {given}",
                        full_name_km=f"{family_km} {given_km}",
                        language="km",
                    )
                    membership = Membership.objects.create(
                        user=user, organisation=organisation, role=role, office=office
                    )
                    audit_log(
                        actor=None,
                        organisation=organisation,
                        action="accounts.membership.created",
                        target=membership,
                        changes={"role": [None, role]},
                        data={"user": str(user.pk), "source": "demo"},
                    )
                logins.append(DemoLogin(spec.name, Role(role).label, email, user.full_name))
    return logins
