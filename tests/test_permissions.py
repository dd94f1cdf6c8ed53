"""The permission matrix: every view, for each role of the owning organisation, an
administrator of another organisation, and an anonymous visitor.

Object views are requested with an object of the owning organisation, so the "other" column
proves organisation scoping (404, the same answer as for a missing object). A test below fails
when a view is added without a row here."""

import importlib

import pytest
from django.urls import get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from phteah.accounts.roles import Role
from phteah.core.audit import audit_log, audited_atomic

from .conftest import sign_in
from .factories import CaseFactory, MembershipFactory, OfficeFactory, OrganisationFactory
from .matrix_support import ADMIN, ALL, ANON, OTHER, SUPERVISOR, WORKER, expect, only_admin

AREAS = ("people", "cases", "care", "work")

# (url name, kwargs builder, method, data, expected statuses)
MATRIX = [
    ("accounts:home", None, "get", None, expect(200)),
    ("core:about", None, "get", None, expect(200, anon=200)),
    ("accounts:set_language", None, "post", {"language": "km", "next": "/"}, expect(302)),
    ("accounts:audit_list", None, "get", None, expect(404, admin=200, supervisor=200, other=200)),
    ("accounts:audit_erase", "audit_event", "get", None, only_admin()),
    ("accounts:login", None, "get", None, expect(302, anon=200)),
    ("accounts:logout", None, "post", None, expect(302)),
    ("accounts:profile", None, "get", None, expect(200)),
    ("accounts:password_change", None, "get", None, expect(200)),
    ("accounts:two_factor_setup", None, "get", None, expect(200)),
    ("accounts:two_factor_verify", None, "get", None, expect(200)),
    ("accounts:organisation_switch", None, "post", {"organisation": ""}, expect(302)),
    ("accounts:organisation_settings", None, "get", None, only_admin(other=200)),
    ("accounts:member_list", None, "get", None, only_admin(other=200)),
    ("accounts:member_add", None, "get", None, only_admin(other=200)),
    ("accounts:member_edit", "member", "get", None, only_admin()),
    ("accounts:member_reset_password", "member", "post", None, only_admin()),
    ("accounts:member_reset_two_factor", "member", "post", None, only_admin(ok=302)),
    ("accounts:office_list", None, "get", None, only_admin(other=200)),
    ("accounts:office_add", None, "get", None, only_admin(other=200)),
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


@pytest.fixture
def world(db):
    owner = OrganisationFactory(name="Owner", short_code="OWN")
    other = OrganisationFactory(name="Elsewhere", short_code="ELS")
    office = OfficeFactory(organisation=owner)
    target = MembershipFactory(organisation=owner, role=Role.VIEWER)
    TOTPDevice.objects.create(user=target.user, name="phone", confirmed=True)
    actors = {role: MembershipFactory(organisation=owner, role=role) for role in ALL}
    actors[OTHER] = MembershipFactory(organisation=other, role=ADMIN)
    MembershipFactory(organisation=owner, role=ADMIN)  # so the admin is never the last one
    case = CaseFactory(
        organisation=owner, workers=[actors[WORKER].user], supervisor=actors[SUPERVISOR].user
    )
    world = {
        "owner": owner,
        "other": other,
        "actors": actors,
        "case": case,
        "person": case.person,
        "objects": {
            "member": {"membership_id": target.pk},
            "office": {"office_id": office.pk},
            "case": {"case_id": case.pk},
            "person": {"person_id": case.person.pk},
            "audit_event": {"event_id": _audit_event(owner).pk},
        },
    }
    for module in AREA_MODULES:
        world["objects"].update(module.objects(world))
    return world


def _audit_event(organisation):
    with audited_atomic():
        return audit_log(
            actor=None, organisation=organisation, action="test.thing", data={"note": "x"}
        )


def _url(name, builder, world):
    if builder is None:
        return reverse(name)
    return reverse(name, kwargs=world["objects"][builder])


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [*ALL, OTHER, ANON])
@pytest.mark.parametrize(
    "name, builder, method, data, expected", MATRIX, ids=[row[0] for row in MATRIX]
)
def test_permission_matrix(client, world, actor, name, builder, method, data, expected):
    if actor != ANON:
        sign_in(client, world["actors"][actor].user)
    url = _url(name, builder, world)
    response = getattr(client, method)(url, data or {})
    assert response.status_code == expected[actor], f"{actor} {method.upper()} {url}"


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
