"""A prepared query (phteah.core.prepared) gives the rows the queryset gives, for any ids
and scope, and compiles once per database and scope kind."""

import datetime

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from phteah.cases.models import Visit
from phteah.core.prepared import Prepared
from tests.factories import CaseFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _visits(case):
    return Visit.objects.filter(case_id=case).order_by().values_list("pk", flat=True)


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(str(row[0]).replace("-", "") for row in cursor.fetchall())


def _ids(queryset):
    return sorted(pk.hex for pk in queryset)


def test_prepared_query_gives_the_querysets_rows(organisation, other_organisation, worker):
    cases = [CaseFactory(organisation=organisation) for _ in range(3)]
    theirs = CaseFactory(organisation=other_organisation)
    day = datetime.date(2026, 1, 5)
    for number, case in enumerate([*cases, theirs]):
        for _ in range(number + 1):
            VisitFactory(case=case, visited_on=day, recorded_by=worker.user)
    compiled = []
    prepared = Prepared(lambda case: compiled.append(case) or _visits(case), "case")
    with scope(organisation=organisation.pk):
        for case in cases:
            assert _run(*prepared.sql(case=case.pk)) == _ids(_visits(case.pk))
        # Another organisation's case is outside the scope: nothing, as with the queryset.
        assert _run(*prepared.sql(case=theirs.pk)) == [] == _ids(_visits(theirs.pk))
    with scope(organisation=other_organisation.pk):
        assert _run(*prepared.sql(case=theirs.pk)) == _ids(_visits(theirs.pk))
        assert len(_ids(_visits(theirs.pk))) == 4
    with scopes_disabled():
        assert _run(*prepared.sql(case=theirs.pk)) == _ids(_visits(theirs.pk))
    # Built once for "one organisation" (with a stand-in) and once with scopes disabled.
    assert len(compiled) == 2
    assert not {case.pk for case in cases} & set(compiled)


def test_a_scope_of_several_organisations_is_compiled_every_time(
    organisation, other_organisation, worker
):
    case = CaseFactory(organisation=organisation)
    VisitFactory(case=case, recorded_by=worker.user)
    compiled = []
    prepared = Prepared(lambda case: compiled.append(case) or _visits(case), "case")
    with scope(organisation=[organisation.pk, other_organisation.pk]):
        assert _run(*prepared.sql(case=case.pk)) == _ids(_visits(case.pk))
        prepared.sql(case=case.pk)
    assert compiled == [case.pk, case.pk]
