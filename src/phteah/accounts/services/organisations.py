"""Organisations: created by the platform operator with their first administrator, then
configured by their own administrators."""

from __future__ import annotations

from django_scopes import scope

from phteah.core import events
from phteah.core.audit import audit_log, audited_atomic, audited_update, snapshot
from phteah.core.errors import NotFound
from phteah.core.limits import check_values

from ..events import OrganisationCreated
from ..models import Membership, Organisation, User
from ..roles import Capability, Role
from .common import clean_email, clean_name, require
from .members import account_create, membership_create

ORGANISATION_FIELDS = ("name", "name_km", "short_code", "kind", "require_two_factor_for_all")


def organisation_create(
    *,
    actor: User | None,
    name: str,
    short_code: str,
    kind: str,
    name_km: str = "",
    provinces=(),
    require_two_factor_for_all: bool = False,
    ip: str | None = None,
) -> Organisation:
    """Platform-level: a superuser (or the demo/set-up commands, actor None) adds one."""
    if actor is not None and not actor.is_superuser:
        raise PermissionError("only superusers create organisations")
    with audited_atomic():
        organisation = Organisation.objects.create(
            name=name,
            name_km=name_km,
            short_code=short_code.upper(),
            kind=kind,
            require_two_factor_for_all=require_two_factor_for_all,
        )
        organisation.provinces.set(provinces)
        audit_log(
            actor=actor,
            organisation=organisation,
            action="accounts.organisation.created",
            target=organisation,
            ip=ip,
            changes={k: [None, v] for k, v in snapshot(organisation, ORGANISATION_FIELDS).items()}
            | {"provinces": [None, sorted(p.code for p in provinces)]},
        )
        # Default domains, service catalogue and rule table (DOMAIN.md), from the apps that
        # own them, made in the new organisation's scope (whoever calls this — an operator's
        # command, the platform's admin — works above any organisation).
        with scope(organisation=organisation.pk):
            events.publish(OrganisationCreated(organisation_id=organisation.pk))
    return organisation


def organisation_update(
    *,
    actor: Membership,
    name_km: str,
    provinces,
    require_two_factor_for_all: bool,
    ip: str | None = None,
) -> Organisation:
    """The acting administrator's own organisation's settings."""
    require(actor, Capability.MANAGE_SETTINGS)
    check_values(Organisation, {"name_km": name_km})
    with audited_atomic():
        organisation = Organisation.objects.select_for_update(no_key=True).get(
            pk=actor.organisation_id
        )
        before_provinces = sorted(organisation.provinces.values_list("code", flat=True))
        after_provinces = sorted(p.code for p in provinces)
        organisation.provinces.set(provinces)
        audited_update(
            organisation,
            values={"name_km": name_km, "require_two_factor_for_all": require_two_factor_for_all},
            fields=ORGANISATION_FIELDS,
            actor=actor.user,
            organisation=organisation,
            action="accounts.organisation.updated",
            ip=ip,
            extra_changes=(
                {"provinces": [before_provinces, after_provinces]}
                if after_provinces != before_provinces
                else None
            ),
        )
    return organisation


def organisation_admin_add(
    *, actor: User | None, organisation_id, email: str, full_name: str, ip: str | None = None
) -> tuple[Membership, str | None]:
    """Platform-level: give an organisation an administrator (its first one, typically), for
    which no organisation administrator exists who could invite them. Only a superuser, or
    the operator's command line (actor None), may do it. A new account gets a temporary
    password, returned once; an existing account (the operator knows whose it is) keeps its
    own, and None is returned."""
    if actor is not None and not actor.is_superuser:
        raise PermissionError("only superusers appoint organisation administrators")
    email = clean_email(email)
    full_name = clean_name(full_name, field="full_name")
    with audited_atomic():
        if not Organisation.objects.filter(pk=organisation_id).exists():
            raise NotFound
        user = User.objects.filter(email__iexact=email).first()
        password = None
        if user is None:
            user, password = account_create(
                by=actor, organisation_id=organisation_id, email=email, full_name=full_name, ip=ip
            )
        membership = membership_create(
            by=actor, organisation_id=organisation_id, user=user, role=Role.ORG_ADMIN, ip=ip
        )
    return membership, password
