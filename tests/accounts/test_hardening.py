"""Regression tests for problems found in review: cross-organisation takeover, two-factor
bypass, lockout evasion and behind-proxy lockout, secret key, audit hashing edge cases."""

import importlib
import os
import stat

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from phteah.accounts import services
from phteah.accounts.roles import Role
from phteah.core.audit import MASK, audit_log, audit_verify, audited_atomic, mask_secrets
from phteah.core.errors import ServiceError

from ..conftest import sign_in
from ..factories import PASSWORD, MembershipFactory

LOGIN = reverse("accounts:login")
HOME = reverse("accounts:home")


def post_login(client, email, password, **extra):
    extra.setdefault("REMOTE_ADDR", "10.1.1.1")
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


@pytest.mark.django_db
class TestNoCrossOrganisationTakeover:
    def test_an_admin_cannot_reset_an_account_shared_with_another_organisation(
        self, member, other_organisation
    ):
        their_admin = member(Role.ORG_ADMIN, org=other_organisation)
        my_admin = member(Role.ORG_ADMIN)
        # the account joined my organisation too (by accepting an invitation)
        added = MembershipFactory(
            user=their_admin.user, organisation=my_admin.organisation, role=Role.VIEWER
        )
        with pytest.raises(ServiceError):
            services.member_reset_password(actor=my_admin, membership_id=added.pk)
        with pytest.raises(ServiceError):
            services.member_reset_two_factor(actor=my_admin, membership_id=added.pk)
        their_admin.user.refresh_from_db()
        assert their_admin.user.check_password(PASSWORD)

    def test_the_refusal_is_explained_in_the_ui(self, client, member, other_organisation):
        my_admin = member(Role.ORG_ADMIN)
        shared = member(Role.VIEWER)
        MembershipFactory(user=shared.user, organisation=other_organisation)
        sign_in(client, my_admin.user)
        response = client.post(
            reverse("accounts:member_reset_password", args=[shared.pk]), follow=True
        )
        assert "also used in another organisation" in response.content.decode()


@pytest.mark.django_db
class TestTwoFactorCannotBeBypassed:
    def test_a_password_alone_cannot_replace_an_existing_authenticator(self, client, member):
        supervisor = member(Role.SUPERVISOR)
        TOTPDevice.objects.create(user=supervisor.user, name="phone", confirmed=True)
        post_login(client, supervisor.user.email, PASSWORD)
        response = client.get(reverse("accounts:two_factor_setup"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:two_factor_verify"))
        assert not TOTPDevice.objects.filter(user=supervisor.user, confirmed=False).exists()

    def test_anyone_who_set_up_an_authenticator_is_asked_for_it(self, client, member):
        worker = member(Role.CASE_WORKER)
        TOTPDevice.objects.create(user=worker.user, name="phone", confirmed=True)
        post_login(client, worker.user.email, PASSWORD)
        assert client.get(HOME).url.startswith(reverse("accounts:two_factor_verify"))


@pytest.mark.django_db
class TestLockoutCannotBeDodged:
    def test_case_variants_of_the_email_count_together(self, client, member):
        worker = member()
        email = worker.user.email
        variants = [email, email.upper(), email.title(), email.swapcase(), f" {email} "]
        for number, variant in enumerate(variants):
            post_login(client, variant, "wrong", REMOTE_ADDR=f"10.0.1.{number}")
        assert post_login(client, email, PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 429

    def test_behind_a_proxy_each_client_is_counted_separately(self, client, member, settings):
        settings.PHTEAH_PROXY_COUNT = 1
        victims = [member() for _ in range(5)]
        for victim in victims:
            post_login(
                client,
                victim.user.email,
                "wrong",
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.9",
            )
        other = member()
        ok = post_login(
            client,
            other.user.email,
            PASSWORD,
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
        assert ok.status_code == 302

    def test_the_locked_page_gives_the_configured_time(self, client, member, settings):
        import datetime

        settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=45)
        worker = member()
        client.cookies["phteah_language"] = "en"
        for _ in range(5):
            post_login(client, worker.user.email, "wrong")
        page = post_login(client, worker.user.email, "wrong")
        assert page.status_code == 429 and "45 minutes" in page.content.decode()


def test_without_a_secret_key_one_is_made_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PHTEAH_DATA_DIR", str(tmp_path))
    module = importlib.import_module("phteah.settings")
    try:
        first = importlib.reload(module).SECRET_KEY
        second = importlib.reload(module).SECRET_KEY
        key_file = tmp_path / "secret_key"
        assert first == second and len(first) >= 50
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        monkeypatch.setenv("SECRET_KEY", "from-the-environment")
        assert importlib.reload(module).SECRET_KEY == "from-the-environment"
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.django_db
def test_ipv6_addresses_do_not_cause_false_tamper_alarms(organisation):
    with audited_atomic():
        event = audit_log(
            actor=None, organisation=organisation, action="test.thing", ip="2001:DB8:0:0::1"
        )
    assert event.ip == "2001:db8::1"
    assert audit_verify().problems == []


def test_masking_matches_whole_words_only():
    masked = mask_secrets(
        {"opinion": "a", "keyword": "b", "mapping": "c", "api_token": "d", "secret_key": "e"}
    )
    assert masked == {
        "opinion": "a",
        "keyword": "b",
        "mapping": "c",
        "api_token": MASK,
        "secret_key": MASK,
    }
