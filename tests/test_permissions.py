"""The permission matrix: every view, for each role of the owning organisation, the
supervisor, case worker and administrator of another organisation, and an anonymous visitor
(the columns: tests/matrix_support.py).

Object views are requested with an object of the owning organisation, so the other
organisation's columns prove organisation scoping (404, the same answer as for a missing
object) by members who hold the same capabilities at home. Reading and changing a case
record are separate columns: the viewer reads the case (a colleague of its case worker's
office) but may not change it. The world is built once for the module. A test below fails
when a view is added without a row here."""

import datetime
import importlib

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Role
from phteah.cases.models import CaseGrant
from phteah.people.models import Consent, SharingPurpose
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MembershipFactory,
    OfficeFactory,
    OrganisationFactory,
)

from .conftest import sign_in
from .matrix_support import (
    ADMIN,
    ALL,
    ANON,
    COLUMNS,
    GOV_WORKER,
    GRANTED,
    OTHERS,
    SUPERVISOR,
    VIEWER,
    WORKER,
    expect,
    only_admin,
    resolved,
)

AREAS = ("accounts", "people", "cases", "care", "referrals", "notifications", "work")

# (url name, kwargs builder, method, data, expected statuses)
MATRIX = [
    ("accounts:home", None, "get", None, expect(200)),
    ("core:about", None, "get", None, expect(200, anon=200)),
    ("accounts:set_language", None, "post", {"language": "km", "next": "/"}, expect(302)),
    ("accounts:audit_list", None, "get", None, expect(404, admin=200, supervisor=200)),
    ("accounts:audit_erase", "audit_event", "get", None, only_admin()),
    ("accounts:login", None, "get", None, expect(302, anon=200)),
    ("accounts:logout", None, "post", None, expect(302)),
    ("accounts:profile", None, "get", None, expect(200)),
    ("accounts:password_change", None, "get", None, expect(200)),
    ("accounts:two_factor_setup", None, "get", None, expect(200)),
    ("accounts:two_factor_verify", None, "get", None, expect(200)),
    ("accounts:organisation_switch", None, "post", {"organisation": ""}, expect(302)),
    ("accounts:organisation_settings", None, "get", None, only_admin()),
    ("accounts:member_list", None, "get", None, only_admin()),
    ("accounts:member_add", None, "get", None, only_admin()),
    ("accounts:member_edit", "member", "get", None, only_admin()),
    ("accounts:member_reset_password", "member", "post", None, only_admin()),
    ("accounts:member_reset_two_factor", "member", "post", None, only_admin(ok=302)),
    ("accounts:office_list", None, "get", None, only_admin()),
    ("accounts:office_add", None, "get", None, only_admin()),
    ("accounts:office_edit", "office", "get", None, only_admin()),
    ("geography:search", None, "get", None, expect(200)),
    ("geography:children", None, "get", {"level": "district", "parent": "02"}, expect(200)),
]

# Routes checked elsewhere (the Django admin is for superusers only: test_security.py).
NOT_IN_MATRIX = {"admin"}


def _area_modules():
    for area in AREAS:
        try:
            yield importlib.import_module(f"tests.{area}.matrix")
        except ModuleNotFoundError as error:
            if error.name not in (f"tests.{area}", f"tests.{area}.matrix"):
                raise


AREA_MODULES = list(_area_modules())
MATRIX = MATRIX + [row for module in AREA_MODULES for row in module.ROWS]


def build_world() -> dict:
    owner = OrganisationFactory(name="Owner", short_code="OWN")
    other = OrganisationFactory(name="Elsewhere", short_code="ELS")
    office = OfficeFactory(organisation=owner)
    target = MembershipFactory(organisation=owner, role=Role.VIEWER)
    TOTPDevice.objects.create(user=target.user, name="phone", confirmed=True)
    actors = {role: MembershipFactory(organisation=owner, role=role) for role in ALL}
    for role in (WORKER, VIEWER):  # colleagues of one office: the viewer sees the case
        actors[role].office = office
        actors[role].save()
    for column, role in OTHERS.items():
        actors[column] = MembershipFactory(organisation=other, role=role)
    # A government office the case is shared with; its supervisor gave it to its officer.
    office_gov = OrganisationFactory(
        name="Shared DoSVY", short_code="GOV", kind=Organisation.Kind.PROVINCIAL_OFFICE
    )
    for column, role in GRANTED.items():
        actors[column] = MembershipFactory(organisation=office_gov, role=role)
    # The ministry serves every child: the case can be shared with it too.
    OrganisationFactory(
        name="Ministry", short_code="MIN", kind=Organisation.Kind.NATIONAL_GOVERNMENT
    )
    MembershipFactory(organisation=owner, role=ADMIN)  # so the admin is never the last one
    MembershipFactory(organisation=other, role=ADMIN)
    case = CaseFactory(
        organisation=owner, workers=[actors[WORKER].user], supervisor=actors[SUPERVISOR].user
    )
    consent = ConsentFactory(
        person=case.person,
        purpose=Consent.Purpose.SHARE_GOVERNMENT,
        method=Consent.Method.SIGNED_FORM,
    )
    now = timezone.now()
    CaseGrant.objects.create(
        organisation=owner,
        case=case,
        grantee=office_gov,
        level=CaseGrant.Level.VIEW,
        purpose=SharingPurpose.GOVERNMENT_SHARE,
        consent=consent,
        granted_by=actors[SUPERVISOR].user,
        granted_at=now - datetime.timedelta(days=1),
        valid_until=now + datetime.timedelta(days=90),
        handled_by=actors[GOV_WORKER].user,
    )
    # The other organisation has work of its own, so its members' pages are not empty.
    CaseFactory(
        organisation=other,
        workers=[actors["other_worker"].user],
        supervisor=actors["other_supervisor"].user,
    )
    for membership in actors.values():
        TOTPDevice.objects.create(user=membership.user, name="test", confirmed=True)
    world = {
        "owner": owner,
        "other": other,
        "government": office_gov,
        "office": office,
        "actors": actors,
        "case": case,
        "person": case.person,
        "objects": {
            "member": {"membership_id": target.pk},
            "office": {"office_id": office.pk},
            "case": {"case_id": case.pk},
            "person": {"person_id": case.person.pk},
        },
    }
    for module in AREA_MODULES:
        world["objects"].update(module.objects(world))
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module and rolled back after it; each test runs in its own
    transaction inside, rolled back after the test."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        scopes_disabled(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=str(media),
        ),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        yield build_world()
        transaction.set_rollback(True)


def _url(name, builder, world):
    if builder is None:
        return reverse(name)
    return reverse(name, kwargs=world["objects"][builder])


@pytest.mark.django_db
@pytest.mark.parametrize("actor", COLUMNS)
@pytest.mark.parametrize(
    "name, builder, method, data, expected", MATRIX, ids=[row[0] for row in MATRIX]
)
def test_permission_matrix(client, world, actor, name, builder, method, data, expected):
    if actor != ANON:
        sign_in(client, world["actors"][actor].user)
    url = _url(name, builder, world)
    response = getattr(client, method)(url, data or {})
    wanted = resolved(expected, has_object=builder is not None)[actor]
    assert response.status_code == wanted, f"{actor} {method.upper()} {url}"


def test_reading_and_changing_are_different_columns():
    """The viewer reads a case record but may not change it: the two helpers differ."""
    from .matrix_support import case_editors, case_readers

    assert case_readers() != case_editors()
    assert case_readers()[VIEWER] == 200 and case_editors()[VIEWER] == 404


def test_the_other_organisation_columns_hold_case_capabilities(world):
    """A 404 for another organisation's supervisor or case worker proves scoping, not a
    missing capability: they may see and change cases at home."""
    from phteah.accounts.roles import Capability

    for column in ("other_supervisor", "other_worker"):
        membership = world["actors"][column]
        assert membership.organisation_id == world["other"].pk
        assert membership.can(Capability.EDIT_CASES)


def _named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in NOT_IN_MATRIX:
                continue
            yield from _named_routes(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_view_is_in_the_matrix():
    covered = {row[0] for row in MATRIX}
    missing = sorted(set(_named_routes()) - covered)
    assert not missing, f"add these views to the permission matrix: {missing}"
