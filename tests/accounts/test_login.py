"""Sign-in, lock-out, two-factor enforcement and the idle timeout."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from phteah.accounts.roles import Role
from phteah.core.models import AuditEvent

from ..conftest import sign_in
from ..factories import PASSWORD

LOGIN = reverse("accounts:login")
HOME = reverse("accounts:home")


def post_login(client, email, password, ip="10.1.1.1"):
    client.cookies["phteah_language"] = "en"
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def actions(**where):
    return list(
        AuditEvent.all_chains.filter(**where).order_by("id").values_list("action", flat=True)
    )


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _reset_throttle(device):
    """Time passing after a wrong code (django-otp throttles retries for a few seconds)."""
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


@pytest.mark.django_db
class TestSignIn:
    def test_a_case_worker_signs_in_and_it_is_recorded(self, client, member):
        worker = member(Role.CASE_WORKER)
        response = post_login(client, worker.user.email.upper(), PASSWORD)
        # a case worker starts from their work list
        assert response.status_code == 302 and response.url == reverse("work:my_work")
        assert client.get(HOME).status_code == 200
        event = AuditEvent.all_chains.get(action="accounts.login.succeeded")
        assert event.actor == worker.user and event.ip == "10.1.1.1"
        assert event.organisation_id == worker.organisation_id

    def test_a_failed_sign_in_is_recorded_with_the_email_typed(self, client, member):
        worker = member()
        response = post_login(client, worker.user.email, "wrong")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
        event = AuditEvent.all_chains.get(action="accounts.login.failed")
        assert event.actor is None and event.actor_label == worker.user.email
        assert event.organisation_id == worker.organisation_id

    def test_sign_out_is_recorded(self, client, member):
        worker = member()
        post_login(client, worker.user.email, PASSWORD)
        client.post(reverse("accounts:logout"))
        assert actions(actor=worker.user) == ["accounts.login.succeeded", "accounts.logout"]
        assert client.get(HOME).status_code == 302


@pytest.mark.django_db
class TestLockout:
    def test_five_failures_lock_the_account_even_with_the_right_password(self, client, member):
        worker = member()
        for attempt in range(5):
            post_login(client, worker.user.email, f"wrong-{attempt}", ip=f"10.0.0.{attempt}")
        response = post_login(client, worker.user.email, PASSWORD, ip="10.9.9.9")
        assert response.status_code == 429
        assert "locked" in response.content.decode().lower()
        assert "accounts.login.locked_out" in actions()
        assert client.get(HOME).status_code == 302

    def test_five_failures_from_one_address_lock_that_address(self, client, member):
        victims = [member() for _ in range(5)]
        for victim in victims:
            post_login(client, victim.user.email, "wrong", ip="10.6.6.6")
        other = member()
        assert post_login(client, other.user.email, PASSWORD, ip="10.6.6.6").status_code == 429
        assert post_login(client, other.user.email, PASSWORD, ip="10.7.7.7").status_code == 302

    def test_four_failures_do_not_lock(self, client, member):
        worker = member()
        for _ in range(4):
            post_login(client, worker.user.email, "wrong")
        assert post_login(client, worker.user.email, PASSWORD).status_code == 302

    def lock_address(self, member, ip="10.6.6.6"):
        for victim in [member() for _ in range(5)]:
            post_login(Client(), victim.user.email, "wrong", ip=ip)

    def test_a_locked_address_does_not_count_against_another_account(self, client, member):
        self.lock_address(member)
        colleague = member()
        email = colleague.user.email
        for _ in range(6):  # more than enough to lock the account, were they counted
            assert post_login(client, email, PASSWORD, ip="10.6.6.6").status_code == 429
        # the account is not locked: from another address it signs in
        assert post_login(client, email, PASSWORD, ip="10.7.7.7").status_code == 302
        assert not AccessAttempt.objects.filter(username=email).exists()
        # recorded as refusals because of the address, not as its failures or lock-out
        assert actions(actor_label=email) == ["accounts.login.refused"] * 6
        refused = AuditEvent.all_chains.filter(action="accounts.login.refused").first()
        assert refused.organisation_id == colleague.organisation_id
        assert refused.data == {"locked": "ip_address"}

    def test_attempts_while_an_address_is_locked_still_count_for_the_address(self, client, member):
        start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
        colleague = member()
        with time_machine.travel(start, tick=False):
            self.lock_address(member)
        with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
            for _ in range(5):
                post_login(client, colleague.user.email, PASSWORD, ip="10.6.6.6")
        with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
            # the first failures are over, the refused attempts keep the address locked...
            assert (
                post_login(client, colleague.user.email, PASSWORD, ip="10.6.6.6").status_code == 429
            )
            # ...and never the account
            assert (
                post_login(client, colleague.user.email, PASSWORD, ip="10.7.7.7").status_code == 302
            )
        with time_machine.travel(start + datetime.timedelta(minutes=32), tick=False):
            assert (
                post_login(Client(), colleague.user.email, PASSWORD, ip="10.6.6.6").status_code
                == 302
            )

    def test_an_account_locked_itself_still_counts_attempts_from_a_locked_address(
        self, client, member
    ):
        worker = member()
        for attempt in range(5):
            post_login(client, worker.user.email, "wrong", ip=f"10.0.0.{attempt}")
        self.lock_address(member)
        assert post_login(client, worker.user.email, PASSWORD, ip="10.6.6.6").status_code == 429
        assert sorted(actions(actor_label=worker.user.email)[-2:]) == [
            "accounts.login.failed",
            "accounts.login.locked_out",
        ]
        assert AccessAttempt.objects.filter(username=worker.user.email, ip_address="10.6.6.6")

    def test_the_lock_ends_after_fifteen_minutes(self, client, member):
        worker = member()
        start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            for _ in range(5):
                post_login(client, worker.user.email, "wrong")
            assert post_login(client, worker.user.email, PASSWORD).status_code == 429
        with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
            assert post_login(client, worker.user.email, PASSWORD).status_code == 302


@pytest.mark.django_db
class TestTwoFactor:
    @pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.SUPERVISOR])
    def test_roles_that_need_it_are_sent_to_set_it_up(self, client, member, role):
        manager = member(role)
        post_login(client, manager.user.email, PASSWORD)
        response = client.get(HOME)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:two_factor_setup"))
        # nothing else is reachable before it is done
        assert client.get(reverse("accounts:profile")).status_code == 302

    @pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER])
    def test_other_roles_are_not_asked(self, client, member, role):
        post_login(client, member(role).user.email, PASSWORD)
        assert client.get(HOME).status_code == 200

    def test_an_organisation_can_require_it_for_everyone(self, client, member, organisation):
        organisation.require_two_factor_for_all = True
        organisation.save()
        post_login(client, member(Role.VIEWER).user.email, PASSWORD)
        assert client.get(HOME).url.startswith(reverse("accounts:two_factor_setup"))

    def test_setting_it_up_with_a_real_code(self, client, member):
        admin = member(Role.ORG_ADMIN)
        post_login(client, admin.user.email, PASSWORD)
        page = client.get(reverse("accounts:two_factor_setup"))
        assert b"<svg" in page.content
        device = TOTPDevice.objects.get(user=admin.user, confirmed=False)
        wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
        assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
        throttled = client.post(
            reverse("accounts:two_factor_setup"), {"token": current_code(device)}
        )
        assert "Wait a minute" in throttled.content.decode()
        _reset_throttle(device)
        response = client.post(
            reverse("accounts:two_factor_setup"), {"token": current_code(device)}
        )
        assert response.status_code == 302
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert client.get(HOME).status_code == 200
        assert "accounts.user.two_factor_enabled" in actions(actor=admin.user)

    def test_the_code_is_asked_at_each_sign_in_and_khmer_digits_work(self, client, member):
        admin = member(Role.SUPERVISOR)
        device = TOTPDevice.objects.create(user=admin.user, name="phone", confirmed=True)
        post_login(client, admin.user.email, PASSWORD)
        assert client.get(HOME).url.startswith(reverse("accounts:two_factor_verify"))
        bad = client.post(reverse("accounts:two_factor_verify"), {"token": "123456"})
        assert bad.status_code == 200
        assert "accounts.two_factor.failed" in actions(actor=admin.user)
        khmer_code = current_code(device).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
        _reset_throttle(device)
        ok = client.post(reverse("accounts:two_factor_verify"), {"token": khmer_code})
        assert ok.status_code == 302
        assert client.get(HOME).status_code == 200


@pytest.mark.django_db
class TestTemporaryPassword:
    def test_a_temporary_password_must_be_changed_first(self, client, member):
        worker = member()
        worker.user.must_change_password = True
        worker.user.save()
        post_login(client, worker.user.email, PASSWORD)
        assert client.get(HOME).url == reverse("accounts:password_change")
        response = client.post(
            reverse("accounts:password_change"),
            {
                "current_password": PASSWORD,
                "new_password": "my-own-secret-2026",
                "new_password_again": "my-own-secret-2026",
            },
        )
        assert response.status_code == 302
        assert client.get(HOME).status_code == 200


@pytest.mark.django_db
class TestPasswordChangeNeedsTheSecondFactor:
    CHANGE = {
        "current_password": PASSWORD,
        "new_password": "my-own-secret-2026",
        "new_password_again": "my-own-secret-2026",
    }

    def test_a_password_alone_cannot_change_the_password_of_an_account_with_an_authenticator(
        self, client, member
    ):
        worker = member(Role.CASE_WORKER)
        device = TOTPDevice.objects.create(user=worker.user, name="phone", confirmed=True)
        post_login(client, worker.user.email, PASSWORD)
        url = reverse("accounts:password_change")
        for response in (client.get(url), client.post(url, self.CHANGE)):
            assert response.status_code == 302
            assert response.url.startswith(reverse("accounts:two_factor_verify"))
        worker.user.refresh_from_db()
        assert worker.user.check_password(PASSWORD)
        assert "accounts.user.password_changed" not in actions()
        # with the code, it can
        client.post(reverse("accounts:two_factor_verify"), {"token": current_code(device)})
        assert client.post(url, self.CHANGE).status_code == 302
        worker.user.refresh_from_db()
        assert worker.user.check_password("my-own-secret-2026")

    def test_a_temporary_password_is_changed_before_setting_up_two_factor(self, client, member):
        supervisor = member(Role.SUPERVISOR)
        supervisor.user.must_change_password = True
        supervisor.user.save()
        post_login(client, supervisor.user.email, PASSWORD)
        response = client.post(reverse("accounts:password_change"), self.CHANGE)
        assert response.status_code == 302
        supervisor.user.refresh_from_db()
        assert supervisor.user.check_password("my-own-secret-2026")
        assert client.get(HOME).url.startswith(reverse("accounts:two_factor_setup"))

    def test_nothing_else_opens_before_the_second_factor(self, client, member):
        supervisor = member(Role.SUPERVISOR)
        supervisor.user.must_change_password = True
        supervisor.user.save()
        post_login(client, supervisor.user.email, PASSWORD)
        assert client.get(reverse("accounts:profile")).url.startswith(
            reverse("accounts:two_factor_setup")
        )


@pytest.mark.django_db
class TestIdleTimeout:
    def test_thirty_idle_minutes_sign_the_user_out(self, client, member):
        worker = member()
        start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            sign_in(client, worker.user)
            assert client.get(HOME).status_code == 200
        with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
            assert client.get(HOME).status_code == 200
        with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
            assert client.get(HOME).status_code == 200  # 29 minutes after the last request
        with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
            response = client.get(HOME)
            assert response.status_code == 302 and response.url.startswith(LOGIN)
            assert client.get(HOME).status_code == 302
        assert "accounts.session.expired" in actions(actor=worker.user)


@pytest.mark.django_db
def test_other_roles_start_from_the_home_page(client, member):
    me = member(Role.ME_OFFICER)
    response = post_login(client, me.user.email, PASSWORD)
    assert response.status_code == 302 and response.url == "/"


@pytest.mark.django_db
def test_a_member_without_an_authenticator_costs_no_device_query_per_request(client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = member(Role.CASE_WORKER)
    post_login(client, worker.user.email, PASSWORD)

    def device_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("core:about")).status_code == 200
        return [q for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]

    device_queries()  # the first request looks once
    assert device_queries() == []
    # the member's own set-up verifies this session, so they stay signed in and unasked
    TOTPDevice.objects.create(user=worker.user, name="phone", confirmed=True)
    client.post(reverse("accounts:logout"))
    post_login(client, worker.user.email, PASSWORD)  # a new sign-in asks again
    assert client.get(HOME).url.startswith(reverse("accounts:two_factor_verify"))
