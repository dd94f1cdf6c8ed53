import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases.models import Case
from phteah.cases.selectors import case_list
from phteah.geography.models import Commune, District, Province, Village
from tests import factories
from tests.conftest import sign_in
from tests.factories import CaseFactory, PersonFactory, refresh_due

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def make_case(organisation, **person):
    return CaseFactory(
        organisation=organisation, person=PersonFactory(organisation=organisation, **person)
    )


def village(province_code):
    province, _ = Province.objects.get_or_create(
        code=province_code, defaults={"name_en": f"P{province_code}", "name_km": "ខេត្ត"}
    )
    district = District.objects.create(
        code=f"{province_code}01", province=province, name_en="D", name_km="ស្រុក"
    )
    commune = Commune.objects.create(
        code=f"{province_code}0101", district=district, name_en="C", name_km="ឃុំ"
    )
    return Village.objects.create(
        code=f"{province_code}010101", commune=commune, name_en="V", name_km="ភូមិ"
    )


def refs(queryset):
    return sorted(case.reference for case in queryset)


def test_search_in_both_scripts_nickname_and_reference(organisation, supervisor):
    dara = make_case(
        organisation,
        family_name_latin="Sok",
        given_name_latin="Dara",
        family_name_km="សុខ",
        given_name_km="ដារ៉ា",
        nickname="Mouse",
    )
    make_case(
        organisation,
        family_name_latin="Chan",
        given_name_latin="Sophea",
        family_name_km="ចាន់",
        given_name_km="សុភា",
    )
    for text in ("dara", "Sok Dara", "ដារ៉ា", "សុខ ដារ៉ា", "mouse", dara.reference.lower()):
        assert refs(case_list(actor=supervisor, search=text)) == [dara.reference], text
    assert refs(case_list(actor=supervisor, search="Sok Sophea")) == []


def test_filters(organisation, supervisor, member):
    from phteah.care.models import Placement

    worker = member(Role.CASE_WORKER)
    in_battambang = make_case(organisation, village=village("02"))
    in_siem_reap = make_case(organisation, village=village("17"))
    Case.objects.filter(pk=in_siem_reap.pk).update(
        status="closed", stage="closed", risk_level="low"
    )
    fostered = make_case(organisation)
    factories.goal(fostered)
    fostered.assignments.create(organisation=organisation, user=worker.user, is_primary=True)
    Placement.objects.create(
        organisation=organisation,
        case=fostered,
        care_type="emergency_foster",
        started_on=TODAY,
        reason="Danger at home",
        recorded_by=worker.user,
    )
    Placement.objects.create(
        organisation=organisation,
        case=in_battambang,
        care_type="emergency_foster",
        started_on=TODAY - datetime.timedelta(days=90),
        ended_on=TODAY - datetime.timedelta(days=10),
        reason="Danger",
        recorded_by=worker.user,
    )
    for case in (fostered, in_battambang):
        refresh_due(case)  # as the placement services do
    assert refs(case_list(actor=supervisor, status="closed")) == [in_siem_reap.reference]
    # A goal and a placement: implementing (the stage is derived, as the services leave it).
    assert refs(case_list(actor=supervisor, stage="implementing")) == [fostered.reference]
    assert refs(case_list(actor=supervisor, risk_level="low")) == [in_siem_reap.reference]
    assert refs(case_list(actor=supervisor, worker=worker.user)) == [fostered.reference]
    Case.objects.filter(pk=fostered.pk).update(supervisor=supervisor.user)
    assert refs(case_list(actor=supervisor, supervisor=supervisor.user)) == [fostered.reference]
    assert refs(case_list(actor=supervisor, care_type="emergency_foster")) == [fostered.reference]
    assert refs(case_list(actor=supervisor, province="02")) == [in_battambang.reference]
    assert refs(case_list(actor=supervisor, province="17")) == [in_siem_reap.reference]


def test_overdue_visits(organisation, supervisor):
    """By the organisation's rule table (default: every 30 days, every 7 for high risk)."""
    from phteah.care.services import care_rules_seed

    care_rules_seed(organisation=organisation)
    user = supervisor.user
    overdue = make_case(organisation)
    factories.visit(
        overdue, user, TODAY - datetime.timedelta(days=40), TODAY - datetime.timedelta(days=1)
    )
    # An older visit with a later due date does not count: only the latest one does.
    factories.visit(
        overdue, user, TODAY - datetime.timedelta(days=60), TODAY + datetime.timedelta(days=60)
    )
    on_time = make_case(organisation)
    factories.visit(
        on_time, user, TODAY - datetime.timedelta(days=5), TODAY + datetime.timedelta(days=25)
    )
    never_visited_old = make_case(organisation)
    Case.objects.filter(pk=never_visited_old.pk).update(
        opened_on=TODAY - datetime.timedelta(days=31)
    )
    never_visited_new = make_case(organisation)
    Case.objects.filter(pk=never_visited_new.pk).update(
        opened_on=TODAY - datetime.timedelta(days=3)
    )
    for case in (never_visited_old, never_visited_new):
        refresh_due(case)
    assert refs(case_list(actor=supervisor, due="visits_overdue")) == sorted(
        [overdue.reference, never_visited_old.reference]
    )


def test_list_page_filters_sorts_and_paginates(client, organisation, supervisor):
    older = make_case(organisation, given_name_latin="Older")
    Case.objects.filter(pk=older.pk).update(opened_on=TODAY - datetime.timedelta(days=400))
    for _ in range(25):
        make_case(organisation)
    sign_in(client, supervisor.user)
    url = reverse("cases:case_list")
    first = client.get(url)
    assert first.status_code == 200
    assert older.reference not in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    oldest_first = client.get(url, {"sort": "opened_on"})
    assert older.reference in oldest_first.content.decode()
    found = client.get(url, {"search": "Older"})
    assert older.reference in found.content.decode()
    assert "1 case" in found.content.decode()


def test_the_filter_panel_is_closed_once_applied_and_names_the_active_filters(
    client, organisation, supervisor
):
    make_case(organisation, given_name_latin="Older")
    sign_in(client, supervisor.user)
    text = client.get(reverse("cases:case_list"), {"risk_level": "high", "search": "Older"})
    text = text.content.decode()
    panel = text[text.index('<details class="card case-filters"') :]
    opening, summary = panel.split(">", 1)[0], panel[: panel.index("</summary>")]
    assert " open" not in opening  # the results come first
    assert '<span class="filter-chip">Risk level: High</span>' in summary
    assert "Name or reference: Older</span>" in summary
    assert "filter-chip" not in client.get(reverse("cases:case_list")).content.decode()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_uses_the_same_number_of_queries_for_3_or_25_cases(
    client, organisation, supervisor, member
):
    worker = member(Role.CASE_WORKER)
    sign_in(client, supervisor.user)
    url = reverse("cases:case_list") + "?due=visits_overdue&search=sok"

    def add(n):
        for _ in range(n):
            case = make_case(organisation)
            case.assignments.create(organisation=organisation, user=worker.user, is_primary=True)
            factories.visit(case, worker.user, TODAY, TODAY - datetime.timedelta(days=1))

    add(3)
    client.get(url)  # warm up: the first request of a session loads more
    small = count_queries(client, url)
    add(22)
    assert count_queries(client, url) == small
    assert small <= 15
