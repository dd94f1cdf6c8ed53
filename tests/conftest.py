import uuid
from contextlib import contextmanager

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client as DjangoClient
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled
from django_scopes.state import state as scope_state

from phteah.accounts.roles import Role
from phteah.core.models import AuditEvent
from phteah.core.submissions import FIELD as SUBMISSION_FIELD
from phteah.core.submissions import submission_issue
from tests.factories import CaseFactory, MembershipFactory, OrganisationFactory

ROLES = [role.value for role in Role]


def pytest_sessionstart(session):
    """Tests read the Khmer catalogue: compile it so a stale .mo never hides a change. Pages
    load the light Khmer web font: build it (skipped when up to date), as `make` does."""
    import io

    from django.core.management import call_command

    call_command("i18n", "compile", stdout=io.StringIO())
    call_command("fonts", "build", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _fast_and_english(settings):
    """Fast password hashing in tests; each test starts in English whatever the previous one
    left active (requests still pick their own language: Khmer by default, or the user's)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


# --- ORM scopes, as in production ---------------------------------------------------------
#
# Organisation-owned models raise outside a django-scopes scope. In production a request runs
# in its member's organisation's scope (MembershipMiddleware) and a task or command opens the
# scope it needs. Tests do the same: building test data (fixtures) is not what is tested and
# runs with scopes disabled, but the body of a test that uses the ``organisation`` fixture
# runs in that organisation's scope — so a service that reaches outside it, or a task that
# forgets to open its own, fails here as it would in production. A test that acts as a member
# of another organisation does it in that organisation's scope (``as_member``), and one that
# looks at every organisation's rows says so (``scopes_disabled()``). A test without the
# fixture runs with scopes disabled (pages requested through the client run in the scope
# the middleware opens, as in production), and so does one marked ``unscoped`` (a command
# that works on every organisation, as the command line runs).


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    with scopes_disabled():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    funcargs = getattr(pyfuncitem, "funcargs", {})
    organisation = funcargs.get("organisation")
    if organisation is not None and pyfuncitem.get_closest_marker("unscoped") is None:
        with scope(organisation=organisation.pk):
            return (yield)
    with scopes_disabled():
        return (yield)


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


class Client(DjangoClient):
    """The test client, sending a create form's one-time token as a browser does: a post
    without a ``submission`` field gets a fresh token issued to the signed-in user, as the
    page the browser showed would have held (see phteah.core.submissions). The check itself
    is the production one; tests of the token post their own (the same twice, none, a
    forged one) and get exactly what they post."""

    def post(self, path, data=None, *args, **kwargs):
        user_id = self.session.get(SESSION_KEY)
        if user_id and (data is None or isinstance(data, dict)):
            data = data.copy() if isinstance(data, MultiValueDict) else dict(data or {})
            if SUBMISSION_FIELD not in data:
                data[SUBMISSION_FIELD] = submission_issue(str(user_id))
        return super().post(path, data, *args, **kwargs)


@pytest.fixture
def client():
    """pytest-django's ``client``, with the one-time tokens of create forms (``Client``)."""
    return Client()


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


@pytest.fixture
def worker(member):
    """A case worker of the organisation."""
    return member(Role.CASE_WORKER)


@pytest.fixture
def supervisor(member):
    return member(Role.SUPERVISOR)


@pytest.fixture
def admin(member):
    """An administrator of the organisation."""
    return member(Role.ORG_ADMIN)


@pytest.fixture
def case(organisation, worker, supervisor):
    """A case of the organisation assigned to the worker, supervised by the supervisor."""
    return CaseFactory(organisation=organisation, workers=[worker.user], supervisor=supervisor.user)


@pytest.fixture
def events(organisation):
    """events() → the actions written for the organisation so far, oldest first."""

    def read():
        return list(
            AuditEvent.all_chains.filter(organisation=organisation)
            .order_by("id")
            .values_list("action", flat=True)
        )

    return read


def as_member(membership):
    """The scope a request of *membership* runs in (what MembershipMiddleware opens)."""
    return scope(organisation=membership.organisation_id)


@contextmanager
def no_scope():
    """No scope at all, as a command or a task starts: what they run must open its own (a
    query on organisation-owned data raises otherwise)."""
    token = scope_state.set({"_enabled": True})
    try:
        yield
    finally:
        scope_state.reset(token)


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings, tmp_path_factory):
    """Each test anchors into a folder of its own (made only if it anchors): a checkpoint of
    one test's database, or a developer's own var/audit-anchors, never meets another's."""
    base = tmp_path_factory.getbasetemp()
    settings.AUDIT_ANCHOR_DIR = base / "audit-anchors" / uuid.uuid4().hex
