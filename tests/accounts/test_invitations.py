"""Invitations (accounts/services/invitations.py): nobody joins an organisation without
accepting, nothing about other organisations or existing accounts reaches the inviting
administrator, and links are one-time, expiring and rate-limited."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts import services
from phteah.accounts.models import Invitation, Membership, User
from phteah.accounts.roles import Role
from phteah.accounts.selectors import (
    invitation_get_by_token,
    invitation_list,
    invitation_list_for_invitee,
)
from phteah.accounts.services import invitations as invitation_services
from phteah.accounts.tasks import invitation_email_send
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent

from ..conftest import as_member
from ..factories import PASSWORD, OfficeFactory, UserFactory

SITE = "https://phteah.example.org"
NEW_PASSWORD = "a-fine-new-password-2026"


@pytest.fixture
def admin(member):
    return member(Role.ORG_ADMIN)


def invite(admin, email="new.person@example.test", **values):
    values = {"full_name": "Keo Vannak", "role": Role.CASE_WORKER, **values}
    return services.invitation_create(actor=admin, email=email, site_url=SITE, **values)


def events(**where):
    return list(AuditEvent.all_chains.filter(**where).order_by("id"))


def actions(**where):
    return [event.action for event in events(**where)]


@pytest.mark.django_db
class TestInviting:
    def test_an_invitation_is_recorded_and_no_membership_or_account_is_made(self, admin):
        office = OfficeFactory(organisation=admin.organisation)
        invitation, token = invite(admin, email=" New.Person@Example.TEST ", office=office)
        assert invitation.email == "new.person@example.test"
        assert invitation.token_hash == Invitation.hash_token(token) != token
        assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13)
        assert not User.objects.filter(email="new.person@example.test").exists()
        assert Membership.objects.filter(organisation=admin.organisation).count() == 1
        (event,) = events(action="accounts.invitation.created")
        assert event.organisation_id == admin.organisation_id and event.actor == admin.user
        assert event.target_id == str(invitation.pk)
        assert event.changes["role"] == [None, "case_worker"]
        assert event.changes["office"] == [None, str(office.pk)]
        # ids, never the address or the name
        stored = str(event.changes) + str(event.data)
        assert "new.person" not in stored and "Keo" not in stored

    def test_an_address_with_an_account_elsewhere_is_treated_like_any_other(
        self, admin, member, other_organisation
    ):
        elsewhere = member(Role.SUPERVISOR, org=other_organisation)
        invitation, _token = invite(admin, email=elsewhere.user.email.upper())
        assert invitation.email == elsewhere.user.email
        assert not Membership.objects.filter(
            organisation=admin.organisation, user=elsewhere.user
        ).exists()
        # nothing in the other organisation's trail, nothing about the account in ours
        assert actions(organisation=other_organisation) == []
        assert actions(organisation=admin.organisation) == ["accounts.invitation.created"]

    def test_the_email_is_sent_after_commit_in_khmer_and_english(
        self, admin, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation, token = invite(admin)
            assert mail.outbox == []
        (message,) = mail.outbox
        assert message.to == ["new.person@example.test"]
        link = f"{SITE}/invitation/{token}/"
        assert link in message.body
        # the invitee's language is not known: Khmer first, then English
        khmer, english = message.body.split("------------------------------")
        assert "បុគ្គលិកគ្រប់គ្រងករណី" in khmer and "Case worker" in english
        assert "Family Bridge" in message.subject

    def test_nothing_is_sent_for_a_refused_invitation(
        self, admin, member, django_capture_on_commit_callbacks
    ):
        existing = member(Role.VIEWER)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError):
            invite(admin, email=existing.user.email)
        assert mail.outbox == []
        assert not Invitation.objects.exists()

    def test_the_task_sends_nothing_for_an_invitation_no_longer_open_or_another_token(self, admin):
        invitation, token = invite(admin)
        assert not invitation_email_send(
            invitation_id=str(invitation.pk), token="forged", site_url=SITE
        )
        services.invitation_cancel(actor=admin, invitation_id=invitation.pk)
        assert not invitation_email_send(
            invitation_id=str(invitation.pk), token=token, site_url=SITE
        )
        assert mail.outbox == []

    @pytest.mark.parametrize(
        "values, field",
        [
            ({"email": "not-an-email"}, "email"),
            ({"email": "x" * 250 + "@example.test"}, "email"),
            ({"full_name": "  "}, "full_name"),
            ({"full_name": "x" * 151}, "full_name"),
            ({"role": "boss"}, "role"),
        ],
    )
    def test_bad_values_are_refused_with_a_message(self, admin, values, field):
        values = {"email": "ok@example.test", **values}
        with pytest.raises(ServiceError) as error:
            invite(admin, **values)
        assert error.value.field == field
        assert not Invitation.objects.exists()

    def test_an_office_of_another_organisation_or_closed_is_refused(
        self, admin, other_organisation
    ):
        with pytest.raises(ServiceError):
            invite(admin, office=OfficeFactory(organisation=other_organisation))
        with pytest.raises(ServiceError):
            invite(admin, office=OfficeFactory(organisation=admin.organisation, is_active=False))
        assert not Invitation.objects.exists()

    def test_a_member_or_a_waiting_invitation_of_the_same_organisation_is_refused(
        self, admin, member
    ):
        existing = member(Role.VIEWER)
        with pytest.raises(ServiceError) as error:
            invite(admin, email=existing.user.email)
        assert error.value.field == "email"
        invite(admin, email="waiting@example.test")
        with pytest.raises(ServiceError):
            invite(admin, email="Waiting@example.test")
        assert Invitation.objects.count() == 1

    def test_an_expired_invitation_does_not_block_a_new_one(self, admin):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            invite(admin)
        with time_machine.travel(start + datetime.timedelta(days=15), tick=False):
            invite(admin)
        assert Invitation.objects.count() == 2

    def test_issuing_is_rate_limited_per_organisation(self, admin, member, monkeypatch):
        monkeypatch.setattr(invitation_services, "INVITATIONS_PER_HOUR", 3)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            first, _token = invite(admin, email="a1@example.test")
            invite(admin, email="a2@example.test")
            invite(member(Role.ORG_ADMIN), email="a3@example.test")  # another administrator
            with pytest.raises(ServiceError):
                invite(admin, email="a4@example.test")
            with pytest.raises(ServiceError):  # a new link counts too
                services.invitation_resend(actor=admin, invitation_id=first.pk, site_url=SITE)
        with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
            invite(admin, email="a4@example.test")
        assert Invitation.objects.count() == 4

    def test_other_organisations_have_their_own_limit(
        self, admin, member, other_organisation, monkeypatch
    ):
        monkeypatch.setattr(invitation_services, "INVITATIONS_PER_HOUR", 1)
        invite(admin)
        elsewhere = member(Role.ORG_ADMIN, org=other_organisation)
        with as_member(elsewhere):
            invite(elsewhere)
        with scopes_disabled():
            assert Invitation.objects.count() == 2

    @pytest.mark.parametrize(
        "role", [Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER]
    )
    def test_only_administrators_invite(self, member, role):
        with pytest.raises(PermissionError):
            invite(member(role))

    def test_it_works_inside_the_organisations_scope(self, admin):
        with scope(organisation=admin.organisation_id):
            invitation, _token = invite(admin)
            assert invitation_list(actor=admin) == [invitation]


@pytest.mark.django_db
class TestAdministering:
    def test_cancelling_stops_the_link(self, admin):
        invitation, token = invite(admin)
        services.invitation_cancel(actor=admin, invitation_id=invitation.pk)
        with pytest.raises(NotFound):
            invitation_get_by_token(token=token)
        assert invitation_list(actor=admin) == []
        assert actions(target_id=str(invitation.pk), action__startswith="accounts.") == [
            "accounts.invitation.created",
            "accounts.invitation.cancelled",
        ]
        with pytest.raises(ServiceError):
            services.invitation_cancel(actor=admin, invitation_id=invitation.pk)

    def test_a_new_link_replaces_the_old_one(self, admin, django_capture_on_commit_callbacks):
        old, old_token = invite(admin)
        with django_capture_on_commit_callbacks(execute=True):
            new, new_token = services.invitation_resend(
                actor=admin, invitation_id=old.pk, site_url=SITE
            )
        assert new.pk != old.pk and new.email == old.email and new.role == old.role
        with pytest.raises(NotFound):
            invitation_get_by_token(token=old_token)
        assert invitation_get_by_token(token=new_token) == new
        assert invitation_list(actor=admin) == [new]
        (event,) = events(action="accounts.invitation.resent")
        assert event.target_id == str(new.pk) and event.data == {"replaces": str(old.pk)}
        (message,) = mail.outbox
        assert new_token in message.body

    def test_an_expired_or_declined_invitation_can_be_sent_again(self, admin, member):
        invitee = UserFactory()
        declined, _token = invite(admin, email=invitee.email)
        services.invitation_decline(actor=invitee, invitation_id=declined.pk)
        assert invitation_list(actor=admin) == [declined]
        again, token = services.invitation_resend(
            actor=admin, invitation_id=declined.pk, site_url=SITE
        )
        assert invitation_get_by_token(token=token) == again

    def test_an_accepted_invitation_cannot_be_sent_again_or_cancelled(self, admin):
        invitee = UserFactory()
        invitation, _token = invite(admin, email=invitee.email)
        services.invitation_accept(actor=invitee, invitation_id=invitation.pk)
        with pytest.raises(ServiceError):
            services.invitation_resend(actor=admin, invitation_id=invitation.pk, site_url=SITE)
        with pytest.raises(ServiceError):
            services.invitation_cancel(actor=admin, invitation_id=invitation.pk)

    def test_another_organisations_invitation_is_not_found_and_the_attempt_recorded(
        self, admin, member, other_organisation
    ):
        theirs, token = invite(member(Role.ORG_ADMIN, org=other_organisation))
        with pytest.raises(NotFound):
            services.invitation_cancel(actor=admin, invitation_id=theirs.pk)
        with pytest.raises(NotFound):
            services.invitation_resend(actor=admin, invitation_id=theirs.pk, site_url=SITE)
        assert invitation_get_by_token(token=token) == theirs
        assert "core.access.denied_outside" in actions(organisation=other_organisation)
        assert "core.access.refused" in actions(organisation=admin.organisation)

    def test_a_member_who_does_not_manage_staff_cannot_cancel(self, admin, member):
        invitation, _token = invite(admin)
        with pytest.raises(NotFound):
            services.invitation_cancel(actor=member(Role.SUPERVISOR), invitation_id=invitation.pk)


@pytest.mark.django_db
class TestAccepting:
    def test_a_person_with_an_account_accepts_and_only_then_becomes_a_member(
        self, admin, member, other_organisation
    ):
        elsewhere = member(Role.SUPERVISOR, org=other_organisation)
        office = OfficeFactory(organisation=admin.organisation)
        invitation, _token = invite(admin, email=elsewhere.user.email, office=office)
        assert invitation_list_for_invitee(user=elsewhere.user) == [invitation]
        # in production the person works in their own organisation's scope
        with scope(organisation=other_organisation.pk):
            membership = services.invitation_accept(
                actor=elsewhere.user, invitation_id=invitation.pk
            )
        assert membership.organisation == admin.organisation and membership.office == office
        assert membership.role == Role.CASE_WORKER and membership.user == elsewhere.user
        invitation.refresh_from_db()
        assert invitation.accepted_at and invitation.membership == membership
        assert invitation_list_for_invitee(user=elsewhere.user) == []
        assert actions(organisation=admin.organisation) == [
            "accounts.invitation.created",
            "accounts.membership.created",
            "accounts.invitation.accepted",
        ]
        accepted = events(action="accounts.invitation.accepted")[0]
        assert accepted.actor == elsewhere.user
        assert accepted.data == {"user": str(elsewhere.user.pk), "membership": str(membership.pk)}
        created = events(action="accounts.membership.created")[0]
        assert created.data == {"user": str(elsewhere.user.pk), "invitation": str(invitation.pk)}
        assert actions(organisation=other_organisation) == []

    def test_only_the_invited_address_can_accept(self, admin, member, other_organisation):
        invitation, _token = invite(admin, email="someone@example.test")
        stranger = member(Role.ORG_ADMIN, org=other_organisation)
        with pytest.raises(NotFound):
            services.invitation_accept(actor=stranger.user, invitation_id=invitation.pk)
        with pytest.raises(NotFound):
            services.invitation_decline(actor=stranger.user, invitation_id=invitation.pk)
        assert invitation_list_for_invitee(user=stranger.user) == []
        assert not Membership.objects.filter(user=stranger.user, organisation=admin.organisation)
        assert "core.access.denied_outside" in actions(organisation=admin.organisation)

    def test_a_person_without_an_account_chooses_a_name_and_password(self, admin):
        invitation, token = invite(admin, email="new@example.test", role=Role.SUPERVISOR)
        with scope(organisation=[]):  # an anonymous visitor's scope
            membership = services.invitation_accept_with_new_account(
                token=token,
                full_name="Touch Sovann",
                full_name_km="ទូច សុវណ្ណ",
                language="en",
                password=NEW_PASSWORD,
            )
        user = membership.user
        assert user.email == "new@example.test" and user.full_name == "Touch Sovann"
        assert user.check_password(NEW_PASSWORD) and not user.must_change_password
        assert user.language == "en" and membership.role == Role.SUPERVISOR
        assert actions(organisation=admin.organisation) == [
            "accounts.invitation.created",
            "accounts.user.created",
            "accounts.membership.created",
            "accounts.invitation.accepted",
        ]
        created = events(action="accounts.user.created")[0]
        assert created.actor == user
        with pytest.raises(NotFound):  # used
            invitation_get_by_token(token=token)

    @pytest.mark.parametrize(
        "values, field",
        [
            ({"password": "123"}, "password"),
            ({"password": "new@example.test"}, "password"),
            ({"full_name": ""}, "full_name"),
            ({"full_name_km": "ក" * 151}, "full_name_km"),
            ({"language": "fr"}, "language"),
        ],
    )
    def test_a_bad_name_or_password_creates_nothing(self, admin, values, field):
        _invitation, token = invite(admin, email="new@example.test")
        values = {"full_name": "Touch Sovann", "password": NEW_PASSWORD, **values}
        with pytest.raises(ServiceError) as error:
            services.invitation_accept_with_new_account(token=token, **values)
        assert error.value.field == field
        assert not User.objects.filter(email="new@example.test").exists()
        assert invitation_get_by_token(token=token)

    def test_an_address_with_an_account_must_sign_in_instead(self, admin, member):
        existing = UserFactory(email="has.account@example.test")
        _invitation, token = invite(admin, email=existing.email)
        with pytest.raises(ServiceError):
            services.invitation_accept_with_new_account(
                token=token, full_name="Someone Else", password=NEW_PASSWORD
            )
        existing.refresh_from_db()
        assert existing.check_password(PASSWORD) and existing.full_name != "Someone Else"
        assert not Membership.objects.filter(user=existing).exists()

    def test_declining(self, admin):
        invitee = UserFactory()
        invitation, token = invite(admin, email=invitee.email)
        with scope(organisation=[]):
            services.invitation_decline(actor=invitee, invitation_id=invitation.pk)
        invitation.refresh_from_db()
        assert invitation.declined_at and not invitation.membership
        assert not Membership.objects.filter(user=invitee).exists()
        (event,) = events(action="accounts.invitation.declined")
        assert event.organisation_id == admin.organisation_id and event.actor == invitee
        with pytest.raises(NotFound):
            services.invitation_accept(actor=invitee, invitation_id=invitation.pk)
        with pytest.raises(NotFound):
            invitation_get_by_token(token=token)

    def test_a_link_works_once(self, admin):
        invitee = UserFactory()
        invitation, token = invite(admin, email=invitee.email)
        services.invitation_accept(actor=invitee, invitation_id=invitation.pk)
        with pytest.raises(NotFound):
            services.invitation_accept(actor=invitee, invitation_id=invitation.pk)
        with pytest.raises(NotFound):
            invitation_get_by_token(token=token)
        with pytest.raises(NotFound):
            services.invitation_accept_with_new_account(
                token=token, full_name="Again", password=NEW_PASSWORD
            )
        assert Membership.objects.filter(user=invitee).count() == 1

    def test_links_expire_after_fourteen_days(self, admin):
        invitee = UserFactory()
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            invitation, token = invite(admin, email=invitee.email)
        with time_machine.travel(start + datetime.timedelta(days=13, hours=23), tick=False):
            assert invitation_get_by_token(token=token) == invitation
            assert invitation_list_for_invitee(user=invitee) == [invitation]
        with time_machine.travel(start + datetime.timedelta(days=14, minutes=1), tick=False):
            with pytest.raises(NotFound):
                invitation_get_by_token(token=token)
            with pytest.raises(NotFound):
                services.invitation_accept(actor=invitee, invitation_id=invitation.pk)
            assert invitation_list_for_invitee(user=invitee) == []
        assert not Membership.objects.filter(user=invitee).exists()

    def test_a_forged_token_is_not_found(self, admin):
        invite(admin)
        for forged in ["", "x", "x" * 43, "x" * 5000, "../../etc", "\x00"]:
            with pytest.raises(NotFound):
                invitation_get_by_token(token=forged)

    def test_opening_a_used_link_is_recorded_in_the_inviting_organisations_trail(self, admin):
        invitation, token = invite(admin)
        services.invitation_cancel(actor=admin, invitation_id=invitation.pk)
        with pytest.raises(NotFound):
            invitation_get_by_token(token=token)
        (event,) = events(action="core.access.denied_outside")
        assert event.organisation_id == admin.organisation_id
        assert event.target_id == str(invitation.pk) and event.actor is None

    def test_someone_already_a_member_is_told_so(self, admin, member):
        invitee = UserFactory()
        invitation, _token = invite(admin, email=invitee.email)
        member(Role.VIEWER, user=invitee)  # added meanwhile (e.g. another invitation)
        with pytest.raises(ServiceError):
            services.invitation_accept(actor=invitee, invitation_id=invitation.pk)
        assert Membership.objects.filter(user=invitee).count() == 1
