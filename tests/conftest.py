import uuid

import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from phteah.accounts.roles import Role

from .factories import MembershipFactory, OrganisationFactory

ROLES = [role.value for role in Role]


def pytest_sessionstart(session):
    """Tests read the Khmer catalogue: compile it so a stale .mo never hides a change. Pages
    load the light Khmer web font: build it (skipped when up to date), as `make` does."""
    import io

    from django.core.management import call_command

    call_command("i18n", "compile", stdout=io.StringIO())
    call_command("fonts", "build", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _fast_and_unscoped(settings):
    """Fast password hashing in tests, ORM scopes off for test set-up and assertions (requests
    still run scoped: the middleware opens a scope of its own), English outside requests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts in English whatever the previous one left active (requests still pick
    # their own language: Khmer by default, or the user's).
    with scopes_disabled(), translation.override("en"):
        yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Family Bridge", short_code="FB")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Other NGO", short_code="OTH")


@pytest.fixture
def member(organisation):
    """member(role) → a Membership in the organisation, with a fresh user."""

    def make(role=Role.CASE_WORKER, org=None, **kwargs):
        return MembershipFactory(organisation=org or organisation, role=role, **kwargs)

    return make


def sign_in(client, user):
    """Force-login and, where the role needs it, pass the two-factor check."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in(client):
    def make(membership_or_user):
        user = getattr(membership_or_user, "user", membership_or_user)
        return sign_in(client, user)

    return make


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings, tmp_path_factory):
    """Each test anchors into a folder of its own (made only if it anchors): a checkpoint of
    one test's database, or a developer's own var/audit-anchors, never meets another's."""
    base = tmp_path_factory.getbasetemp()
    settings.AUDIT_ANCHOR_DIR = base / "audit-anchors" / uuid.uuid4().hex
