"""Search, the person and case page sections, and their query counts."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from phteah.accounts.roles import Role
from phteah.people.access import households_for
from phteah.people.names import person_search_fields
from phteah.people.selectors import (
    age_in_years,
    person_case_context,
    person_page_context,
    person_search,
)
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    IdentityDocumentFactory,
    PersonFactory,
)


def named(organisation, **names):
    return PersonFactory(organisation=organisation, **names, **person_search_fields(**names))


def test_search_finds_any_part_of_a_name_in_either_script(supervisor):
    dara = named(
        supervisor.organisation,
        family_name_latin="Sok",
        given_name_latin="Dara",
        family_name_km="សុខ",
        given_name_km="ដារ៉ា",
    )
    named(supervisor.organisation, family_name_latin="Chan", given_name_latin="Vanna")
    for query in ("dar", "SOK", "sok dara", "ដារ៉ា", "សុខ", "dara ១២", "Sok-"):
        assert list(person_search(actor=supervisor, query=query)) == [dara], query
    assert list(person_search(actor=supervisor, query="")) == []
    assert list(person_search(actor=supervisor, query="១២")) == []


def test_search_shows_only_visible_persons(member):
    worker = member(Role.CASE_WORKER)
    mine = CaseFactory(organisation=worker.organisation, workers=[worker.user]).person
    CaseFactory(organisation=worker.organisation)  # somebody else's case, also "Sok"
    for p in type(mine).objects.all():
        p.search_latin = "sok dara"
        p.save()
    assert list(person_search(actor=worker, query="sok")) == [mine]


def test_age_counts_whole_years():
    today = datetime.date(2026, 5, 10)
    assert age_in_years(datetime.date(2016, 5, 10), today) == 10
    assert age_in_years(datetime.date(2016, 5, 11), today) == 9
    assert age_in_years(None, today) is None


def test_a_household_is_visible_when_a_member_is(member):
    worker = member(Role.CASE_WORKER)
    mine = CaseFactory(organisation=worker.organisation, workers=[worker.user]).person
    shared, hidden = (
        HouseholdFactory(organisation=worker.organisation),
        HouseholdFactory(organisation=worker.organisation),
    )
    HouseholdMemberFactory(household=shared, person=mine)
    HouseholdMemberFactory(
        household=hidden, person=CaseFactory(organisation=worker.organisation).person
    )
    assert list(households_for(worker)) == [shared]


def build(case, size):
    """*size* documents, households, members and consents around the case's person."""
    person = case.person
    kinds = ["birth_certificate", "national_id", "family_book", "residence_book"]
    for kind in kinds[:size]:
        IdentityDocumentFactory(person=person, kind=kind)
    for n in range(size):
        household = HouseholdFactory(organisation=case.organisation)
        HouseholdMemberFactory(household=household, person=person)
        for _ in range(size):
            HouseholdMemberFactory(
                household=household,
                person=PersonFactory(organisation=case.organisation),
                relationship="sibling",
            )
        ConsentFactory(person=person, withdrawn_on=None if n % 2 else datetime.date.today())


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def render_case_sections(actor, case):
    from django.template.loader import render_to_string

    return render_to_string(
        "people/case_sections.html", person_case_context(actor=actor, case=case)
    )


def test_the_case_sections_take_a_constant_number_of_queries(member):
    worker = member(Role.CASE_WORKER)
    small = CaseFactory(organisation=worker.organisation, workers=[worker.user])
    large = CaseFactory(organisation=worker.organisation, workers=[worker.user])
    build(small, 1)
    build(large, 4)
    counts = [count_queries(lambda c=c: render_case_sections(worker, c)) for c in (small, large)]
    assert counts[0] == counts[1] <= 6
    html = render_case_sections(worker, large)
    assert len(re.findall(r'href="/people/households/[0-9a-f-]+/"', html)) == 4
    assert "A member you may not see" not in html  # the child's household is visible


def test_the_case_sections_show_the_person(member, places):
    worker = member(Role.CASE_WORKER)
    case = CaseFactory(organisation=worker.organisation, workers=[worker.user])
    person = case.person
    person.village = places["thmei"]
    person.date_of_birth = datetime.date.today().replace(year=datetime.date.today().year - 8)
    person.date_of_birth_estimated = True
    person.has_disability, person.disability_notes = True, "Hearing"
    person.save()
    IdentityDocumentFactory(person=person, status="in_process")
    ConsentFactory(person=person, withdrawn_on=datetime.date.today())
    html = render_case_sections(worker, case)
    assert "សុខ ដារ៉ា" in html
    assert "about 8 years" in html
    assert "Thmei, Kantueu Muoy, Banan, Battambang" in html
    assert "Hearing" in html
    assert "In process" in html
    assert "Withdrawn on" in html
    assert f"/people/{person.pk}/consents/add/" in html
    assert f"/people/{person.pk}/documents/national_id/" in html


def test_the_person_page_context_takes_a_constant_number_of_queries(member):
    worker = member(Role.CASE_WORKER)
    small = CaseFactory(organisation=worker.organisation, workers=[worker.user])
    large = CaseFactory(organisation=worker.organisation, workers=[worker.user])
    build(small, 1)
    build(large, 4)
    counts = [
        count_queries(lambda c=c: person_page_context(actor=worker, person=c.person))
        for c in (small, large)
    ]
    assert counts[0] == counts[1]
