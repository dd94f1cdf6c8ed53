"""The organisation administrator's screens, used as a person would."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from phteah.accounts.models import Invitation, Membership, Office, Organisation
from phteah.accounts.roles import Role
from phteah.geography.models import Commune, District, Province, Village

from ..conftest import sign_in
from ..factories import MembershipFactory, OfficeFactory


@pytest.fixture
def admin(member, client):
    membership = member(Role.ORG_ADMIN)
    sign_in(client, membership.user)
    return membership


@pytest.fixture
def village(db):
    province = Province.objects.create(
        code="02",
        name_km="បាត់ដំបង",
        name_en="Battambang",
        search_km="បាត់ដំបង",
        search_en="battambang",
    )
    district = District.objects.create(
        code="0203",
        name_km="បាត់ដំបង",
        name_en="Battambang",
        search_km="x",
        search_en="x",
        province=province,
    )
    commune = Commune.objects.create(
        code="020301",
        name_km="ទួលតាឯក",
        name_en="Tuol Ta Ek",
        search_km="x",
        search_en="x",
        district=district,
    )
    return Village.objects.create(
        code="02030101",
        name_km="ភូមិ១",
        name_en="Phum Muoy",
        search_km="x",
        search_en="x",
        commune=commune,
    )


@pytest.mark.django_db
class TestStaff:
    def test_the_list_shows_only_this_organisations_staff(self, client, admin, other_organisation):
        mine = MembershipFactory(organisation=admin.organisation, user__full_name="Chan Sophea")
        MembershipFactory(organisation=other_organisation, user__full_name="Hidden Person")
        page = client.get(reverse("accounts:member_list")).content.decode()
        assert mine.user.full_name in page and "Hidden Person" not in page

    def test_search_and_role_filter(self, client, admin):
        MembershipFactory(
            organisation=admin.organisation, user__full_name="Keo Vannak", role=Role.VIEWER
        )
        MembershipFactory(
            organisation=admin.organisation, user__full_name="Lim Sreyneang", role=Role.CASE_WORKER
        )
        page = client.get(reverse("accounts:member_list"), {"q": "keo"}).content.decode()
        assert "Keo Vannak" in page and "Lim Sreyneang" not in page
        page = client.get(reverse("accounts:member_list"), {"role": "case_worker"}).content.decode()
        assert "Lim Sreyneang" in page and "Keo Vannak" not in page

    def test_invalid_input_changes_nothing_and_explains(self, client, admin, other_organisation):
        foreign_office = OfficeFactory(organisation=other_organisation)
        response = client.post(
            reverse("accounts:member_add"),
            {
                "email": "not-an-email",
                "full_name": "",
                "role": "boss",
                "office": foreign_office.pk,
            },
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) >= {"email", "full_name", "role", "office"}
        assert Membership.objects.filter(organisation=admin.organisation).count() == 1
        assert not Invitation.objects.exists()

    def test_the_password_reset_shows_the_temporary_password_once(self, client, admin):
        worker = MembershipFactory(organisation=admin.organisation, role=Role.CASE_WORKER)
        response = client.post(reverse("accounts:member_reset_password", args=[worker.pk]))
        assert response.status_code == 200
        password = response.context["password"]
        assert password in response.content.decode()
        worker.user.refresh_from_db()
        assert worker.user.check_password(password) and worker.user.must_change_password

    def test_another_organisations_member_is_not_found(self, client, admin, other_organisation):
        foreign = MembershipFactory(organisation=other_organisation, role=Role.VIEWER)
        for name in ("accounts:member_reset_password", "accounts:member_reset_two_factor"):
            assert client.post(reverse(name, args=[foreign.pk])).status_code == 404
        assert client.get(reverse("accounts:member_edit", args=[foreign.pk])).status_code == 404
        response = client.post(
            reverse("accounts:member_edit", args=[foreign.pk]),
            {"role": Role.ORG_ADMIN, "is_active": "on", "office": ""},
        )
        assert response.status_code == 404
        with scopes_disabled():
            assert Membership.objects.get(pk=foreign.pk).role == Role.VIEWER

    def test_changing_a_role(self, client, admin):
        worker = MembershipFactory(organisation=admin.organisation, role=Role.CASE_WORKER)
        response = client.post(
            reverse("accounts:member_edit", args=[worker.pk]),
            {"role": Role.SUPERVISOR, "is_active": "on", "office": ""},
        )
        assert response.status_code == 302
        assert Membership.objects.get(pk=worker.pk).role == Role.SUPERVISOR

    def test_the_last_admin_sees_why_they_cannot_step_down(self, client, admin):
        response = client.post(
            reverse("accounts:member_edit", args=[admin.pk]),
            {"role": Role.VIEWER, "is_active": "on", "office": ""},
        )
        assert response.status_code == 200
        assert "at least one active administrator" in response.content.decode()

    def test_deactivated_members_lose_access_at_once(self, client, admin):
        from django.test import Client

        worker = MembershipFactory(organisation=admin.organisation, role=Role.CASE_WORKER)
        their_client = sign_in(Client(), worker.user)
        assert their_client.get(reverse("geography:search")).status_code == 200
        client.post(
            reverse("accounts:member_edit", args=[worker.pk]),
            {"role": Role.CASE_WORKER, "office": ""},
        )
        assert their_client.get(reverse("geography:search")).status_code == 404


@pytest.mark.django_db
class TestOffices:
    def test_adding_an_office_with_an_address(self, client, admin, village):
        response = client.post(
            reverse("accounts:office_add"),
            {
                "name": "Battambang",
                "village": village.pk,
                "village_province": "02",
                "village_district": "0203",
                "village_commune": "020301",
                "phone": "០៩៩",
                "address_detail": "Street 3",
            },
        )
        assert response.status_code == 302
        office = Office.objects.get(organisation=admin.organisation)
        assert office.village == village and office.phone == "099"
        listing = client.get(reverse("accounts:office_list")).content.decode()
        assert "Phum Muoy" in listing and "Battambang" in listing

    def test_editing_shows_the_saved_address_and_saves_changes(self, client, admin, village):
        office = OfficeFactory(organisation=admin.organisation, village=village)
        page = client.get(reverse("accounts:office_edit", args=[office.pk])).content.decode()
        assert f'<option value="{village.pk}" selected>' in page
        response = client.post(
            reverse("accounts:office_edit", args=[office.pk]),
            {
                "name": "Battambang town",
                "village": "",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        office.refresh_from_db()
        assert office.name == "Battambang town" and office.village is None

    def test_an_office_of_another_organisation_is_not_found(
        self, client, admin, other_organisation
    ):
        foreign = OfficeFactory(organisation=other_organisation)
        assert client.get(reverse("accounts:office_edit", args=[foreign.pk])).status_code == 404
        assert (
            client.post(
                reverse("accounts:office_edit", args=[foreign.pk]), {"name": "mine"}
            ).status_code
            == 404
        )


@pytest.mark.django_db
def test_organisation_settings(client, admin, village):
    response = client.post(
        reverse("accounts:organisation_settings"),
        {
            "name_km": "ស្ពានគ្រួសារ",
            "provinces": ["02"],
            "require_two_factor_for_all": "on",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=admin.organisation_id)
    assert organisation.name_km == "ស្ពានគ្រួសារ" and organisation.require_two_factor_for_all
    assert list(organisation.provinces.values_list("code", flat=True)) == ["02"]


@pytest.mark.django_db
def test_switching_organisation(client, member, other_organisation):
    first = member(Role.CASE_WORKER)
    MembershipFactory(user=first.user, organisation=other_organisation, role=Role.ORG_ADMIN)
    sign_in(client, first.user)
    assert client.get(reverse("accounts:member_list")).status_code == 404
    client.post(
        reverse("accounts:organisation_switch"), {"organisation": str(other_organisation.pk)}
    )
    assert client.get(reverse("accounts:member_list")).status_code == 200
    # an organisation the user does not belong to is ignored
    stranger = MembershipFactory(role=Role.VIEWER)
    client.post(
        reverse("accounts:organisation_switch"), {"organisation": str(stranger.organisation_id)}
    )
    assert client.get(reverse("accounts:member_list")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accounts:member_list", "accounts:office_list"])
def test_list_pages_use_a_fixed_number_of_queries(
    client, admin, village, url_name, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            office = OfficeFactory(organisation=admin.organisation, village=village)
            MembershipFactory(organisation=admin.organisation, office=office)

    grow(2)
    client.get(reverse(url_name))  # warm caches (content types, session)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse(url_name))
    grow(20)
    with django_assert_max_num_queries(10) as large:
        client.get(reverse(url_name))
    assert len(large.captured_queries) == len(small.captured_queries)
