"""Each accounts service: what it changes, what it refuses, and exactly which audit events
it writes."""

import pytest
from django_scopes import scopes_disabled

from phteah.accounts import services
from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.care.models import CareRule
from phteah.cases.models import AssessmentDomain
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent

from ..conftest import no_scope
from ..factories import OfficeFactory, UserFactory


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
            actor=admin, office_id=office.pk, name="Battambang", phone="099", is_active=False
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

    def test_an_office_of_another_organisation_is_not_found_and_the_attempt_recorded(
        self, admin, other_organisation
    ):
        foreign = OfficeFactory(organisation=other_organisation, name="Theirs")
        with pytest.raises(NotFound):
            services.office_update(actor=admin, office_id=foreign.pk, name="Mine now")
        foreign.refresh_from_db()
        assert foreign.name == "Theirs"
        assert actions(organisation=other_organisation) == ["core.access.denied_outside"]
        assert actions(organisation=admin.organisation) == ["core.access.refused"]

    @pytest.mark.parametrize("office_id", ["not-a-uuid", None, 12, "00000000-0000-0000-0000-0"])
    def test_a_malformed_id_is_not_found(self, admin, office_id):
        with pytest.raises(NotFound):
            services.office_update(actor=admin, office_id=office_id, name="x")

    def test_a_name_is_required_and_limited(self, admin):
        with pytest.raises(ServiceError):
            services.office_create(actor=admin, name=" ")
        with pytest.raises(ServiceError):
            services.office_create(actor=admin, name="x" * 151)

    def test_supervisors_cannot_add_or_change_offices(self, member, admin):
        office = OfficeFactory(organisation=admin.organisation)
        with pytest.raises(PermissionError):
            services.office_create(actor=member(Role.SUPERVISOR), name="X")
        with pytest.raises(NotFound):
            services.office_update(actor=member(Role.SUPERVISOR), office_id=office.pk, name="X")


@pytest.mark.django_db
class TestMembers:
    def test_role_change_is_a_recorded_permission_change(self, admin, member):
        worker = member(Role.CASE_WORKER)
        services.member_update(
            actor=admin, membership_id=worker.pk, role=Role.SUPERVISOR, office=None, is_active=True
        )
        event = AuditEvent.all_chains.get(action="accounts.membership.updated")
        assert event.changes == {"role": ["case_worker", "supervisor"]}
        assert event.actor == admin.user and event.target_id == str(worker.pk)
        assert event.data == {"user": str(worker.user_id)}  # an id, not the email

    def test_an_office_of_another_organisation_is_refused(self, admin, member, other_organisation):
        worker = member(Role.CASE_WORKER)
        with pytest.raises(ServiceError) as error:
            services.member_update(
                actor=admin,
                membership_id=worker.pk,
                role=Role.CASE_WORKER,
                office=OfficeFactory(organisation=other_organisation),
                is_active=True,
            )
        assert error.value.field == "office"
        assert Membership.objects.get(pk=worker.pk).office is None

    def test_the_last_administrator_cannot_remove_themselves(self, admin):
        with pytest.raises(ServiceError):
            services.member_update(
                actor=admin, membership_id=admin.pk, role=Role.VIEWER, office=None, is_active=True
            )
        with pytest.raises(ServiceError):
            services.member_update(
                actor=admin,
                membership_id=admin.pk,
                role=Role.ORG_ADMIN,
                office=None,
                is_active=False,
            )
        assert Membership.objects.get(pk=admin.pk).role == Role.ORG_ADMIN

    def test_an_administrator_can_step_down_when_another_remains(self, admin, member):
        member(Role.ORG_ADMIN)
        services.member_update(
            actor=admin, membership_id=admin.pk, role=Role.SUPERVISOR, office=None, is_active=True
        )
        assert Membership.objects.get(pk=admin.pk).role == Role.SUPERVISOR

    def test_members_of_other_organisations_cannot_be_changed(
        self, admin, member, other_organisation
    ):
        foreign = member(Role.VIEWER, org=other_organisation)
        for change in (
            lambda: services.member_update(
                actor=admin,
                membership_id=foreign.pk,
                role=Role.ORG_ADMIN,
                office=None,
                is_active=True,
            ),
            lambda: services.member_reset_password(actor=admin, membership_id=foreign.pk),
            lambda: services.member_reset_two_factor(actor=admin, membership_id=foreign.pk),
        ):
            with pytest.raises(NotFound):
                change()
        with scopes_disabled():
            assert Membership.objects.get(pk=foreign.pk).role == Role.VIEWER
        assert actions(organisation=other_organisation) == ["core.access.denied_outside"] * 3

    def test_password_reset(self, admin, member):
        worker = member(Role.CASE_WORKER)
        password = services.member_reset_password(actor=admin, membership_id=worker.pk)
        worker.user.refresh_from_db()
        assert worker.user.check_password(password) and worker.user.must_change_password
        event = AuditEvent.all_chains.get(action="accounts.user.password_reset")
        assert password not in str(event.changes) + str(event.data)

    def test_two_factor_reset(self, admin, member):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        worker = member(Role.SUPERVISOR)
        TOTPDevice.objects.create(user=worker.user, name="phone")
        assert services.member_reset_two_factor(actor=admin, membership_id=worker.pk) == 1
        assert actions(action="accounts.user.two_factor_reset") == [
            "accounts.user.two_factor_reset"
        ]

    @pytest.mark.parametrize(
        "role", [Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER]
    )
    def test_only_administrators_manage_staff(self, member, role):
        actor = member(role)
        with pytest.raises(NotFound):
            services.member_update(
                actor=actor,
                membership_id=actor.pk,
                role=Role.ORG_ADMIN,
                office=None,
                is_active=True,
            )
        with pytest.raises(NotFound):
            services.member_reset_password(actor=actor, membership_id=actor.pk)
        assert Membership.objects.get(pk=actor.pk).role == role
        # recorded in the member's own trail as a refusal about their own membership
        assert actions(organisation=actor.organisation) == ["core.access.denied"] * 2


@pytest.mark.django_db
class TestOwnAccount:
    def test_change_password(self, member):
        user = member().user
        services.user_change_password(
            actor=user,
            current_password="correct-horse-battery",
            new_password="a-much-better-one-2026",
            second_factor_verified=False,
        )
        assert user.check_password("a-much-better-one-2026")
        assert actions(actor=user) == ["accounts.user.password_changed"]

    def test_an_account_with_an_authenticator_needs_its_code_first(self, member):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user = member().user
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        change = dict(
            actor=user,
            current_password="correct-horse-battery",
            new_password="a-much-better-one-2026",
        )
        with pytest.raises(ServiceError):
            services.user_change_password(**change, second_factor_verified=False)
        user.refresh_from_db()
        assert user.check_password("correct-horse-battery")
        assert actions(actor=user) == []
        services.user_change_password(**change, second_factor_verified=True)
        assert user.check_password("a-much-better-one-2026")

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
            services.user_change_password(
                actor=user,
                current_password=current,
                new_password=new,
                second_factor_verified=True,
            )
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
    created = AuditEvent.all_chains.get(action="accounts.membership.created")
    assert created.data == {"user": str(admin.user.pk)}


@pytest.mark.django_db
def test_the_operator_can_appoint_an_existing_account(capsys, member, other_organisation):
    from django.core.management import call_command

    existing = member(Role.SUPERVISOR, org=other_organisation).user
    with no_scope():  # as the command line starts: the command opens what it needs
        call_command(
            "organisation",
            "create",
            "--name",
            "Second NGO",
            "--short-code",
            "sec",
            "--kind",
            "ngo",
            "--admin-email",
            existing.email.upper(),
            "--admin-name",
            "Ignored",
        )
    output = capsys.readouterr().out
    assert f"Administrator {existing.email} uses their existing account." in output
    organisation = Organisation.objects.get(short_code="SEC")
    with scopes_disabled():
        assert Membership.objects.get(organisation=organisation).user == existing
        # The new organisation got its defaults (made in its own scope).
        assert AssessmentDomain.objects.filter(organisation=organisation).exists()
        assert CareRule.objects.filter(organisation=organisation).exists()
    existing.refresh_from_db()
    assert existing.check_password("correct-horse-battery")


@pytest.mark.django_db
def test_the_operators_command_explains_a_bad_email():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command(
            "organisation",
            "create",
            "--name",
            "Third NGO",
            "--short-code",
            "thr",
            "--kind",
            "ngo",
            "--admin-email",
            "not-an-email",
            "--admin-name",
            "Sok Dara",
        )
    assert not Organisation.objects.filter(short_code="THR").exists()  # nothing half-made


@pytest.mark.django_db
def test_only_superusers_appoint_organisation_administrators(admin, organisation):
    with pytest.raises(PermissionError):
        services.organisation_admin_add(
            actor=admin.user, organisation_id=organisation.pk, email="x@y.test", full_name="X"
        )
    superuser = UserFactory(is_superuser=True)
    membership, password = services.organisation_admin_add(
        actor=superuser, organisation_id=organisation.pk, email="x@y.test", full_name="X"
    )
    assert membership.role == Role.ORG_ADMIN and password


@pytest.mark.django_db
def test_a_new_organisation_starts_with_default_domains_services_and_rules():
    from phteah.care.models import CareRule
    from phteah.cases.models import AssessmentDomain, ServiceType

    org = services.organisation_create(actor=None, name="New", short_code="NEW", kind="ngo")
    assert AssessmentDomain.objects.filter(organisation=org).count() == 12
    assert ServiceType.objects.filter(organisation=org).count() >= 15
    assert CareRule.objects.filter(organisation=org, kind="visit_every").exists()
