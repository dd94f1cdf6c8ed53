import pytest
from django.urls import reverse

from phteah.accounts.roles import Role
from phteah.cases.access import cases_for
from tests.conftest import sign_in
from tests.factories import CaseFactory, OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(organisation):
    return OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)


def test_who_sees_a_case(client, organisation, other_organisation, member, offices):
    phnom_penh, battambang = offices
    owner = member(Role.CASE_WORKER, office=phnom_penh)
    colleague = member(Role.CASE_WORKER, office=phnom_penh)
    far_away = member(Role.CASE_WORKER, office=battambang)
    supervisor = member(Role.SUPERVISOR, office=battambang)
    case = CaseFactory(organisation=organisation, workers=[owner.user])
    url = reverse("cases:case_detail", args=[case.pk])
    expected = {
        owner: 200,
        colleague: 200,  # team: a colleague of the same office
        far_away: 404,
        supervisor: 200,  # supervisors see every case of the organisation
        member(Role.ME_OFFICER): 404,
        member(Role.ORG_ADMIN): 404,
        member(Role.VIEWER): 404,
        member(Role.ORG_ADMIN, org=other_organisation): 404,
    }
    for actor, status in expected.items():
        client.logout()
        sign_in(client, actor.user)
        assert client.get(url).status_code == status, actor.role
        listed = client.get(reverse("cases:case_list")) if actor.can("view_own_cases") else None
        if listed is not None:
            assert (case.reference in listed.content.decode()) == (status == 200)
    assert set(cases_for(far_away)) == set()


def test_a_viewer_reads_but_cannot_change(client, organisation, member):
    viewer = member(Role.VIEWER)
    case = CaseFactory(organisation=organisation, workers=[viewer.user])
    sign_in(client, viewer.user)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:case_edit", args=[case.pk])).status_code == 404
    response = client.post(reverse("cases:goal_add", args=[case.pk]), {"description": "x"})
    assert response.status_code == 404
    assert not case.goals.exists()
