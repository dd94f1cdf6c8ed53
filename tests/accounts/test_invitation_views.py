"""Inviting staff and answering an invitation, used as people would (accounts/views.py)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from phteah.accounts import services
from phteah.accounts.models import Invitation, Membership, User
from phteah.accounts.roles import Role
from phteah.accounts.services import invitations as invitation_services
from phteah.core.models import AuditEvent

from ..conftest import sign_in
from ..factories import PASSWORD, MembershipFactory, OfficeFactory, UserFactory

ADD = reverse("accounts:member_add")
RESPOND = reverse("accounts:invitation_respond")
HOME = reverse("accounts:home")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "a-fine-new-password-2026"


@pytest.fixture
def admin(member, client):
    membership = member(Role.ORG_ADMIN)
    sign_in(client, membership.user)
    return membership


def invite_by_page(client, email, role=Role.CASE_WORKER, **extra):
    return client.post(
        ADD, {"email": email, "full_name": "Keo Vannak", "role": role, "office": "", **extra}
    )


def link_path(response) -> str:
    return response.context["link"].removeprefix("http://testserver")


def normalised(response, *secrets) -> str:
    """The page without what differs on every response (CSRF tokens) and *secrets*."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode())
    for number, secret in enumerate(secrets):
        page = page.replace(secret, f"<secret {number}>")
    return page


def anonymous(ip="10.2.2.2"):
    client = Client(REMOTE_ADDR=ip)
    client.cookies["phteah_language"] = "en"
    return client


@pytest.mark.django_db
class TestInviting:
    def test_the_page_answers_the_same_for_an_account_elsewhere_and_a_new_address(
        self, client, admin, other_organisation, django_capture_on_commit_callbacks
    ):
        elsewhere = MembershipFactory(
            organisation=other_organisation, user__full_name="Chan Hidden Name"
        )
        with django_capture_on_commit_callbacks(execute=True):
            known = invite_by_page(client, elsewhere.user.email)
            unknown = invite_by_page(client, "nobody.yet@example.test")
        assert known.status_code == unknown.status_code == 200
        assert normalised(known, elsewhere.user.email, link_path(known)) == normalised(
            unknown, "nobody.yet@example.test", link_path(unknown)
        )
        page = known.content.decode()
        assert "An invitation was sent to" in page and "Chan Hidden Name" not in page
        assert other_organisation.name not in page
        # nobody was attached: the account is still in its own organisation only
        with scopes_disabled():
            assert list(Membership.objects.filter(user=elsewhere.user)) == [elsewhere]
        # both were e-mailed the same way
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [elsewhere.user.email, "nobody.yet@example.test"]
        )

    def test_the_link_is_shown_once_and_works(self, client, admin):
        response = invite_by_page(client, "new@example.test")
        path = link_path(response)
        assert path in response.content.decode()
        assert anonymous().get(path).status_code == 302
        listing = client.get(reverse("accounts:member_list")).content.decode()
        assert "new@example.test" in listing and path not in listing

    def test_a_refusal_is_explained_on_the_form(self, client, admin, monkeypatch):
        monkeypatch.setattr(invitation_services, "INVITATIONS_PER_HOUR", 1)
        invite_by_page(client, "first@example.test")
        response = invite_by_page(client, "second@example.test")
        assert response.status_code == 200 and "in the last hour" in response.content.decode()
        assert Invitation.objects.count() == 1

    def test_the_staff_page_lists_invitations_to_cancel_or_send_again(self, client, admin):
        invitation, token = services.invitation_create(
            actor=admin,
            email="waiting@example.test",
            full_name="Keo Vannak",
            role=Role.VIEWER,
            site_url="http://testserver",
        )
        listing = client.get(reverse("accounts:member_list")).content.decode()
        assert "waiting@example.test" in listing and "Keo Vannak" in listing
        resent = client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
        assert resent.status_code == 200
        new_path = link_path(resent)
        assert anonymous().get(f"/invitation/{token}/").status_code == 404
        new = Invitation.objects.get(cancelled_at__isnull=True)
        cancelled = client.post(reverse("accounts:invitation_cancel", args=[new.pk]))
        assert cancelled.status_code == 302
        assert anonymous().get(new_path).status_code == 404
        assert (
            "waiting@example.test"
            not in client.get(reverse("accounts:member_list")).content.decode()
        )

    def test_another_organisations_invitation_cannot_be_cancelled(
        self, client, admin, member, other_organisation
    ):
        theirs, token = services.invitation_create(
            actor=member(Role.ORG_ADMIN, org=other_organisation),
            email="theirs@example.test",
            full_name="X",
            role=Role.VIEWER,
            site_url="http://testserver",
        )
        assert (
            client.post(reverse("accounts:invitation_cancel", args=[theirs.pk])).status_code == 404
        )
        assert (
            client.post(reverse("accounts:invitation_resend", args=[theirs.pk])).status_code == 404
        )
        assert anonymous().get(f"/invitation/{token}/").status_code == 302


@pytest.mark.django_db
class TestAnswering:
    def invite(self, admin, email, role=Role.CASE_WORKER):
        return services.invitation_create(
            actor=admin, email=email, full_name="Keo Vannak", role=role, site_url="http://x"
        )

    def test_the_token_leaves_the_address_bar_at_once(self, admin):
        _invitation, token = self.invite(admin, "new@example.test")
        visitor = anonymous()
        response = visitor.get(f"/invitation/{token}/")
        assert response.status_code == 302 and response.url == RESPOND
        page = visitor.get(RESPOND)
        assert page.status_code == 200 and token not in page.content.decode()
        assert AuditEvent.all_chains.filter(action="accounts.invitation.opened").count() == 1

    def test_someone_with_an_account_signs_in_and_accepts(self, admin, other_organisation):
        elsewhere = MembershipFactory(organisation=other_organisation, role=Role.CASE_WORKER)
        _invitation, token = self.invite(admin, elsewhere.user.email)
        visitor = anonymous()
        visitor.get(f"/invitation/{token}/")
        page = visitor.get(RESPOND).content.decode()
        assert "Sign in to answer" in page
        signed = visitor.post(
            LOGIN, {"username": elsewhere.user.email, "password": PASSWORD, "next": RESPOND}
        )
        assert signed.status_code == 302 and signed.url == RESPOND
        assert not Membership.objects.filter(organisation=admin.organisation, user=elsewhere.user)
        page = visitor.get(RESPOND)
        invitation = page.context["invitation"]
        assert page.context["for_this_account"] and "Accept" in page.content.decode()
        accepted = visitor.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
        assert accepted.status_code == 302
        membership = Membership.objects.get(organisation=admin.organisation, user=elsewhere.user)
        assert membership.role == Role.CASE_WORKER
        # now working in the organisation they joined
        assert visitor.get(HOME).context["membership"] == membership
        assert visitor.get(RESPOND).status_code == 404  # the link is used

    def test_the_second_factor_comes_before_answering(self, admin, other_organisation):
        elsewhere = MembershipFactory(organisation=other_organisation, role=Role.SUPERVISOR)
        TOTPDevice.objects.create(user=elsewhere.user, name="phone", confirmed=True)
        invitation, token = self.invite(admin, elsewhere.user.email)
        visitor = anonymous()
        visitor.get(f"/invitation/{token}/")
        visitor.post(LOGIN, {"username": elsewhere.user.email, "password": PASSWORD})
        response = visitor.get(RESPOND)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:two_factor_verify"))
        refused = visitor.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
        assert refused.status_code == 302
        assert refused.url.startswith(reverse("accounts:two_factor_verify"))
        assert not Membership.objects.filter(organisation=admin.organisation, user=elsewhere.user)

    def test_a_new_person_chooses_a_name_and_password(self, admin):
        office = OfficeFactory(organisation=admin.organisation)
        invitation, token = services.invitation_create(
            actor=admin,
            email="new@example.test",
            full_name="Keo Vannak",
            role=Role.CASE_WORKER,
            office=office,
            site_url="http://x",
        )
        visitor = anonymous()
        visitor.get(f"/invitation/{token}/")
        form = visitor.get(RESPOND).context["form"]
        assert form.initial["full_name"] == "Keo Vannak"
        response = visitor.post(
            RESPOND,
            {
                "full_name": "Keo Vannak",
                "full_name_km": "កែវ វណ្ណៈ",
                "language": "en",
                "password": NEW_PASSWORD,
                "password_again": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302 and response.url == HOME
        user = User.objects.get(email="new@example.test")
        assert user.check_password(NEW_PASSWORD) and user.full_name_km == "កែវ វណ្ណៈ"
        membership = Membership.objects.get(user=user)
        assert membership.organisation == admin.organisation and membership.office == office
        assert visitor.get(HOME).status_code == 200  # signed in
        assert AuditEvent.all_chains.filter(action="accounts.login.succeeded", actor=user).exists()
        invitation.refresh_from_db()
        assert invitation.membership == membership

    def test_a_new_supervisor_sets_up_two_factor_next(self, admin):
        _invitation, token = self.invite(admin, "boss@example.test", role=Role.SUPERVISOR)
        visitor = anonymous()
        visitor.get(f"/invitation/{token}/")
        visitor.post(
            RESPOND,
            {
                "full_name": "Keo Vannak",
                "language": "km",
                "password": NEW_PASSWORD,
                "password_again": NEW_PASSWORD,
            },
        )
        response = visitor.get(HOME)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:two_factor_setup"))

    @pytest.mark.parametrize(
        "data",
        [
            {"full_name": "", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
            {"full_name": "K", "password": "short", "password_again": "short"},
            {"full_name": "K", "password": NEW_PASSWORD, "password_again": "different-one-2026"},
            {"full_name": "K", "password": "x" * 5000, "password_again": "x" * 5000},
            {"full_name": "K" * 500, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        ],
    )
    def test_bad_answers_are_explained_and_create_nothing(self, admin, data):
        _invitation, token = self.invite(admin, "new@example.test")
        visitor = anonymous()
        visitor.get(f"/invitation/{token}/")
        response = visitor.post(RESPOND, {"language": "km", **data})
        assert response.status_code == 200 and response.context["form"].errors
        assert not User.objects.filter(email="new@example.test").exists()

    def test_an_address_that_has_an_account_cannot_be_registered_again(self, admin):
        existing = UserFactory(email="taken@example.test")
        _invitation, token = self.invite(admin, existing.email)
        visitor = anonymous()
        visitor.get(f"/invitation/{token}/")
        response = visitor.post(
            RESPOND,
            {
                "full_name": "Someone",
                "language": "km",
                "password": NEW_PASSWORD,
                "password_again": NEW_PASSWORD,
            },
        )
        assert response.status_code == 200 and "Sign in with it" in response.content.decode()
        existing.refresh_from_db()
        assert existing.check_password(PASSWORD)
        assert not Membership.objects.filter(user=existing).exists()
        assert visitor.get(HOME).status_code == 302  # not signed in

    def test_signed_in_with_another_account_one_cannot_accept(self, admin, member):
        invitation, token = self.invite(admin, "someone.else@example.test")
        stranger = MembershipFactory(role=Role.CASE_WORKER)
        visitor = sign_in(anonymous(), stranger.user)
        visitor.get(f"/invitation/{token}/")
        page = visitor.get(RESPOND)
        assert page.status_code == 200 and not page.context["for_this_account"]
        assert "another email address" in page.content.decode()
        assert reverse("accounts:invitation_accept", args=[invitation.pk]) not in (
            page.content.decode()
        )
        accept = reverse("accounts:invitation_accept", args=[invitation.pk])
        assert visitor.post(accept).status_code == 404
        assert not Membership.objects.filter(user=stranger.user, organisation=admin.organisation)

    def test_pending_invitations_are_on_the_home_page(self, admin, other_organisation):
        elsewhere = MembershipFactory(organisation=other_organisation, role=Role.VIEWER)
        first, _token = self.invite(admin, elsewhere.user.email.upper())
        visitor = sign_in(anonymous(), elsewhere.user)
        page = visitor.get(HOME).content.decode()
        assert admin.organisation.name in page
        assert reverse("accounts:invitation_accept", args=[first.pk]) in page
        visitor.post(reverse("accounts:invitation_decline", args=[first.pk]))
        assert admin.organisation.name not in visitor.get(HOME).content.decode()
        assert not Membership.objects.filter(user=elsewhere.user, organisation=admin.organisation)
        second, _token = services.invitation_resend(
            actor=admin, invitation_id=first.pk, site_url="http://x"
        )
        visitor.post(reverse("accounts:invitation_accept", args=[second.pk]))
        assert Membership.objects.filter(user=elsewhere.user, organisation=admin.organisation)

    def test_every_unusable_link_gets_the_same_answer(self, admin):
        start = timezone.now()
        invitee = UserFactory()
        with time_machine.travel(start, tick=False):
            expired, expired_token = self.invite(admin, "late@example.test")
        cancelled, cancelled_token = self.invite(admin, "cancelled@example.test")
        services.invitation_cancel(actor=admin, invitation_id=cancelled.pk)
        used, used_token = self.invite(admin, invitee.email)
        services.invitation_accept(actor=invitee, invitation_id=used.pk)
        answers = []
        with time_machine.travel(start + datetime.timedelta(days=15), tick=False):
            for token in (expired_token, cancelled_token, used_token, "forged" * 7):
                response = anonymous().get(f"/invitation/{token}/")
                assert response.status_code == 404
                answers.append(normalised(response, token))
        assert len(set(answers)) == 1
        assert "This invitation link does not work" in answers[0]

    def test_the_answer_page_without_a_link_is_not_found(self):
        assert anonymous().get(RESPOND).status_code == 404
