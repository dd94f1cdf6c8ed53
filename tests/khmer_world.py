"""Realistic data for the Khmer pages check (tests/test_khmer_pages.py): the permission
matrix's world, with every member reading in Khmer, names in Khmer beside Latin ones, places,
and audit events written by the services (their values: choices, booleans, empty ones)."""

import datetime

from phteah.care.models import ReunificationAssessment, TracingAction
from phteah.cases.models import Case
from phteah.core.audit import audit_log, audited_atomic
from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form
from tests.factories import CareProviderFactory, CarerFactory, RelativeFactory
from tests.matrix_support import SUPERVISOR, WORKER


def _place(model, code, name_km, name_en, **parent):
    return model.objects.create(
        code=code,
        name_km=name_km,
        name_en=name_en,
        search_km=search_form(name_km),
        search_en=search_form(name_en),
        **parent,
    )


def enrich(world) -> None:
    owner, case = world["owner"], world["case"]
    for membership in world["actors"].values():
        membership.user.language = "km"
        membership.user.save(update_fields=["language"])
    owner.name_km = "អង្គការ ផ្ទះ"
    owner.save(update_fields=["name_km"])

    province = _place(Province, "02", "បាត់ដំបង", "Battambang")
    _place(Province, "12", "ភ្នំពេញ", "Phnom Penh")
    district = _place(District, "0201", "បាណន់", "Banan", province=province)
    commune = _place(Commune, "020101", "កន្ទឺ ១", "Kantueu Muoy", district=district)
    village = _place(Village, "02010101", "ថ្មី", "Thmei", commune=commune)
    office = world["office"]
    office.village = village
    office.save(update_fields=["village"])
    person = world["person"]
    person.village = village
    person.birth_province = province
    person.save(update_fields=["village", "birth_province"])

    provider = CareProviderFactory(organisation=owner, name="គ្រួសារ សុខ ចាន់", village=village)
    CarerFactory(provider=provider, name="សុខ ចាន់ធី")
    relative = RelativeFactory(case=case, name="ចាន់ ស្រីពៅ", relationship="មីង", village=village)
    TracingAction.objects.create(
        organisation=owner,
        case=case,
        done_on=datetime.date.today() - datetime.timedelta(days=6),
        where_searched="ភូមិកំណើត ជាមួយមេភូមិ",
        done_by="សុខ ដារ៉ា",
        outcome="បានរកឃើញមីងរបស់កុមារ។",
    )
    ReunificationAssessment.objects.create(
        organisation=owner,
        case=case,
        assessed_on=datetime.date.today() - datetime.timedelta(days=2),
        relative=relative,
        recommendation=ReunificationAssessment.Recommendation.NOT_YET,
        notes="សាច់ញាតិសុខចិត្ត ប៉ុន្តែមិនទាន់មានប្រាក់ចំណូល។",
        assessed_by=world["actors"][WORKER].user,
    )

    _audit(world)


def _audit(world) -> None:
    """Events as the services write them, with values of every kind."""
    from phteah.cases.models import Goal
    from phteah.cases.services import case_update, goal_update, visit_record

    case = Case.objects.get(pk=world["case"].pk)
    worker = world["actors"][WORKER]
    case_update(
        actor=worker,
        case_id=case.pk,
        expected_version=case.version,
        case_type="reintegration",
        referral_source=case.referral_source,
        referral_source_detail="",
        referral_reason="រកឃើញនៅស្ថានីយ៍ឡានក្រុង។",
        risk_level="medium",
        supervisor=world["actors"][SUPERVISOR].user,
        workers=[worker.user],
    )
    visit_record(
        actor=worker,
        case_id=case.pk,
        visited_on=datetime.date.today() - datetime.timedelta(days=1),
        kind="home",
        people_seen="កុមារ និងជីដូន",
        next_visit_due=None,
    )
    goal = Goal.objects.filter(case=case).first()
    if goal is not None:
        goal_update(
            actor=worker,
            case_id=case.pk,
            goal_id=goal.pk,
            description=goal.description,
            status="achieved",
        )
    with audited_atomic():
        audit_log(
            actor=worker.user,
            organisation=world["owner"],
            action="accounts.office.updated",
            target=world["office"],
            changes={"is_active": [True, False], "phone": ["", None]},
        )
