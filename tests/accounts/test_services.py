"""Each accounts service: what it changes, what it refuses, and exactly which audit events
it writes."""

import pytest

from phteah.accounts import services
from phteah.accounts.models import Membership, Organisation, User
from phteah.accounts.roles import Role
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent

from ..factories import OfficeFactory


def actions(**where):
    return list(
        AuditEvent.all_chains.filter(**where).order_by("id").values_list("action", flat=True)
    )


# What creating an organisation also records: its default catalogues being set up.
SEEDED = ["care.service_type.seeded"]


@pytest.fixture
def admin(member):
    return member(Role.ORG_ADMIN)


@pytest.mark.django_db
class TestOrganisations:
    def test_create_writes_one_event_in_the_new_organisations_chain(self):
        org = services.organisation_create(actor=None, name="Hope", short_code="hope", kind="ngo")
        assert org.short_code == "HOPE"
        assert actions(organisation=org) == [
            "accounts.organisation.created",
            *SEEDED,
        ]

    def test_only_superusers_create_organisations(self, admin):
        with pytest.raises(PermissionError):
            services.organisation_create(actor=admin.user, name="X", short_code="X", kind="ngo")

    def test_update_records_old_and_new_values(self, admin, organisation):
        services.organisation_update(
            actor=admin, name_km="ស្ពានគ្រួសារ", provinces=[], require_two_factor_for_all=True
        )
        event = AuditEvent.all_chains.get(action="accounts.organisation.updated")
        assert event.changes == {
            "name_km": ["", "ស្ពានគ្រួសារ"],
            "require_two_factor_for_all": [False, True],
        }
        assert Organisation.objects.get(pk=organisation.pk).require_two_factor_for_all

    def test_update_without_change_writes_nothing(self, admin):
        services.organisation_update(
            actor=admin, name_km="", provinces=[], require_two_factor_for_all=False
        )
        assert actions(action="accounts.organisation.updated") == []

    @pytest.mark.parametrize(
        "role", [Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER]
    )
    def test_other_roles_cannot_change_settings(self, member, role):
        with pytest.raises(PermissionError):
            services.organisation_update(
                actor=member(role), name_km="x", provinces=[], require_two_factor_for_all=True
            )


@pytest.mark.django_db
class TestOffices:
    def test_create_and_update(self, admin):
        office = services.office_create(actor=admin, name="Battambang", phone="012 345 678")
        services.office_update(
            actor=admin, office=office, name="Battambang", phone="099", is_active=False
        )
        assert actions(target_id=str(office.pk)) == [
            "accounts.office.created",
            "accounts.office.updated",
        ]
        updated = AuditEvent.all_chains.get(action="accounts.office.updated")
        assert updated.changes == {"phone": ["012 345 678", "099"], "is_active": [True, False]}

    def test_duplicate_names_are_refused_with_a_message(self, admin):
        services.office_create(actor=admin, name="Phnom Penh")
        with pytest.raises(ServiceError) as error:
            services.office_create(actor=admin, name="phnom penh")
        assert error.value.field == "name"
        assert actions(action="accounts.office.created") == ["accounts.office.created"]

    def test_an_office_of_another_organisation_cannot_be_changed(self, admin, other_organisation):
        foreign = OfficeFactory(organisation=other_organisation)
        with pytest.raises(PermissionError):
            services.office_update(actor=admin, office=foreign, name="Mine now")

    def test_supervisors_cannot_add_offices(self, member):
        with pytest.raises(PermissionError):
            services.office_create(actor=member(Role.SUPERVISOR), name="X")


@pytest.mark.django_db
class TestMembers:
    def test_adding_a_new_person_creates_the_account_and_the_membership(self, admin):
        membership, password = services.member_add(
            actor=admin,
            email="New.Worker@Example.test",
            full_name="Keo Vannak",
            role=Role.CASE_WORKER,
        )
        assert password and membership.user.email == "new.worker@example.test"
        assert membership.user.check_password(password)
        assert membership.user.must_change_password
        assert actions(organisation=admin.organisation) == [
            "accounts.user.created",
            "accounts.membership.created",
        ]

    def test_adding_an_existing_account_only_adds_the_membership(
        self, admin, member, other_organisation
    ):
        elsewhere = member(Role.SUPERVISOR, org=other_organisation)
        membership, password = services.member_add(
            actor=admin, email=elsewhere.user.email, full_name="ignored", role=Role.VIEWER
        )
        assert password is None and membership.user == elsewhere.user
        assert actions(organisation=admin.organisation) == ["accounts.membership.created"]

    def test_adding_someone_twice_is_refused(self, admin, member):
        existing = member(Role.VIEWER)
        with pytest.raises(ServiceError):
            services.member_add(
                actor=admin, email=existing.user.email, full_name="x", role=Role.VIEWER
            )

    def test_an_office_of_another_organisation_is_refused(self, admin, other_organisation):
        with pytest.raises(ServiceError):
            services.member_add(
                actor=admin,
                email="a@b.test",
                full_name="A",
                role=Role.VIEWER,
                office=OfficeFactory(organisation=other_organisation),
            )
        assert not User.objects.filter(email="a@b.test").exists()

    def test_role_change_is_a_recorded_permission_change(self, admin, member):
        worker = member(Role.CASE_WORKER)
        services.member_update(
            actor=admin, membership=worker, role=Role.SUPERVISOR, office=None, is_active=True
        )
        event = AuditEvent.all_chains.get(action="accounts.membership.updated")
        assert event.changes == {"role": ["case_worker", "supervisor"]}
        assert event.actor == admin.user and event.target_id == str(worker.pk)

    def test_the_last_administrator_cannot_remove_themselves(self, admin):
        with pytest.raises(ServiceError):
            services.member_update(
                actor=admin, membership=admin, role=Role.VIEWER, office=None, is_active=True
            )
        with pytest.raises(ServiceError):
            services.member_update(
                actor=admin, membership=admin, role=Role.ORG_ADMIN, office=None, is_active=False
            )
        assert Membership.objects.get(pk=admin.pk).role == Role.ORG_ADMIN

    def test_an_administrator_can_step_down_when_another_remains(self, admin, member):
        member(Role.ORG_ADMIN)
        services.member_update(
            actor=admin, membership=admin, role=Role.SUPERVISOR, office=None, is_active=True
        )
        assert Membership.objects.get(pk=admin.pk).role == Role.SUPERVISOR

    def test_members_of_other_organisations_cannot_be_changed(
        self, admin, member, other_organisation
    ):
        foreign = member(Role.VIEWER, org=other_organisation)
        with pytest.raises(PermissionError):
            services.member_update(
                actor=admin, membership=foreign, role=Role.ORG_ADMIN, office=None, is_active=True
            )

    def test_password_reset(self, admin, member):
        worker = member(Role.CASE_WORKER)
        password = services.member_reset_password(actor=admin, membership=worker)
        worker.user.refresh_from_db()
        assert worker.user.check_password(password) and worker.user.must_change_password
        event = AuditEvent.all_chains.get(action="accounts.user.password_reset")
        assert password not in str(event.changes) + str(event.data)

    def test_two_factor_reset(self, admin, member):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        worker = member(Role.SUPERVISOR)
        TOTPDevice.objects.create(user=worker.user, name="phone")
        assert services.member_reset_two_factor(actor=admin, membership=worker) == 1
        assert actions(action="accounts.user.two_factor_reset") == [
            "accounts.user.two_factor_reset"
        ]

    @pytest.mark.parametrize(
        "role", [Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER]
    )
    def test_only_administrators_manage_staff(self, member, role):
        actor = member(role)
        with pytest.raises(PermissionError):
            services.member_add(actor=actor, email="x@y.test", full_name="X", role=Role.ORG_ADMIN)
        with pytest.raises(PermissionError):
            services.member_update(
                actor=actor, membership=actor, role=Role.ORG_ADMIN, office=None, is_active=True
            )


@pytest.mark.django_db
class TestOwnAccount:
    def test_change_password(self, member):
        user = member().user
        services.user_change_password(
            actor=user,
            current_password="correct-horse-battery",
            new_password="a-much-better-one-2026",
        )
        assert user.check_password("a-much-better-one-2026")
        assert actions(actor=user) == ["accounts.user.password_changed"]

    @pytest.mark.parametrize(
        "current, new, field",
        [
            ("wrong", "a-much-better-one-2026", "current_password"),
            ("correct-horse-battery", "123", "new_password"),
            ("correct-horse-battery", "correct-horse-battery", "new_password"),
        ],
    )
    def test_bad_password_changes_are_refused(self, member, current, new, field):
        user = member().user
        with pytest.raises(ServiceError) as error:
            services.user_change_password(actor=user, current_password=current, new_password=new)
        assert error.value.field == field
        assert actions(actor=user) == []

    def test_language(self, member):
        user = member().user
        services.user_set_language(actor=user, language="km")
        services.user_set_language(actor=user, language="km")
        assert actions(actor=user) == ["accounts.user.language_changed"]


@pytest.mark.django_db
def test_the_operator_creates_an_organisation_with_its_first_administrator(capsys):
    from django.core.management import call_command

    from phteah.geography.models import Province

    Province.objects.create(code="02", name_km="បាត់ដំបង", name_en="Battambang")
    call_command(
        "organisation",
        "create",
        "--name",
        "Hope NGO",
        "--short-code",
        "hope",
        "--kind",
        "ngo",
        "--provinces",
        "02",
        "--admin-email",
        "Boss@Hope.test",
        "--admin-name",
        "Sok Dara",
    )
    output = capsys.readouterr().out
    organisation = Organisation.objects.get(short_code="HOPE")
    admin = Membership.objects.get(organisation=organisation)
    assert admin.role == Role.ORG_ADMIN and admin.user.email == "boss@hope.test"
    assert list(organisation.provinces.values_list("code", flat=True)) == ["02"]
    password = output.split("temporary password ")[1].split()[0]
    assert admin.user.check_password(password) and admin.user.must_change_password
    assert actions(organisation=organisation) == [
        "accounts.organisation.created",
        *SEEDED,
        "accounts.user.created",
        "accounts.membership.created",
    ]


@pytest.mark.django_db
def test_only_superusers_appoint_organisation_administrators(admin, organisation):
    with pytest.raises(PermissionError):
        services.organisation_admin_add(
            actor=admin.user, organisation=organisation, email="x@y.test", full_name="X"
        )


@pytest.mark.django_db
def test_a_new_organisation_starts_with_default_domains_services_and_rules():
    from phteah.care.models import CareRule
    from phteah.cases.models import AssessmentDomain, ServiceType

    org = services.organisation_create(actor=None, name="New", short_code="NEW", kind="ngo")
    assert AssessmentDomain.objects.filter(organisation=org).count() == 12
    assert ServiceType.objects.filter(organisation=org).count() >= 15
    assert CareRule.objects.filter(organisation=org, kind="visit_every").exists()
