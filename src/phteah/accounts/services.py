"""Every change to organisations, offices, users and memberships.

Each service takes the acting user (``actor``: their Membership for organisation work, or
the User for their own account), checks what it may do, and writes the change and its
audit event in one transaction."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from phteah.core import events
from phteah.core.audit import audit_log, audited_atomic, audited_update, snapshot
from phteah.core.errors import ServiceError

from .events import OrganisationCreated
from .models import Membership, Office, Organisation, User
from .roles import Capability, Role


def _require(actor: Membership, capability: Capability) -> None:
    if actor is None or not actor.can(capability):
        raise PermissionError(capability)


def temporary_password() -> str:
    return "-".join(secrets.token_urlsafe(4) for _ in range(3))


# --- organisations ---------------------------------------------------------------------

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
        # Default domains, service catalogue and rule table (DOMAIN.md), from the apps
        # that own them.
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
    _require(actor, Capability.MANAGE_SETTINGS)
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


# --- offices ---------------------------------------------------------------------------

OFFICE_FIELDS = ("name", "village", "address_detail", "phone", "is_active")


def _office_name_taken(organisation_id, name, exclude=None) -> bool:
    offices = Office.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if exclude is not None:
        offices = offices.exclude(pk=exclude.pk)
    return offices.exists()


def office_create(
    *,
    actor: Membership,
    name: str,
    village=None,
    address_detail: str = "",
    phone: str = "",
    ip: str | None = None,
) -> Office:
    _require(actor, Capability.MANAGE_OFFICES)
    with audited_atomic():
        if _office_name_taken(actor.organisation_id, name):
            raise ServiceError(
                _("Your organisation already has an office with this name."), field="name"
            )
        office = Office.objects.create(
            organisation_id=actor.organisation_id,
            name=name,
            village=village,
            address_detail=address_detail,
            phone=phone,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="accounts.office.created",
            target=office,
            ip=ip,
            changes={k: [None, v] for k, v in snapshot(office, OFFICE_FIELDS).items()},
        )
    return office


def office_update(
    *,
    actor: Membership,
    office: Office,
    name: str,
    village=None,
    address_detail: str = "",
    phone: str = "",
    is_active: bool = True,
    ip: str | None = None,
) -> Office:
    _require(actor, Capability.MANAGE_OFFICES)
    if office.organisation_id != actor.organisation_id:
        raise PermissionError("office of another organisation")
    with audited_atomic():
        office = Office.objects.select_for_update(no_key=True).get(pk=office.pk)
        if _office_name_taken(actor.organisation_id, name, exclude=office):
            raise ServiceError(
                _("Your organisation already has an office with this name."), field="name"
            )
        audited_update(
            office,
            values={
                "name": name,
                "village": village,
                "address_detail": address_detail,
                "phone": phone,
                "is_active": is_active,
            },
            fields=OFFICE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="accounts.office.updated",
            ip=ip,
        )
    return office


# --- staff and memberships -------------------------------------------------------------

MEMBERSHIP_FIELDS = ("role", "office", "is_active")


def _check_office(actor: Membership, office: Office | None) -> None:
    if office is not None and office.organisation_id != actor.organisation_id:
        raise ServiceError(_("Choose one of your organisation's offices."), field="office")


def _membership_create(
    *,
    by: User | None,
    organisation_id,
    email: str,
    full_name: str,
    full_name_km: str = "",
    phone: str = "",
    role: str,
    office: Office | None = None,
    language: str = "km",
    ip: str | None = None,
) -> tuple[Membership, str | None]:
    """The account (created with a temporary password if new) and its membership, with
    their audit events. Callers check who may do it; this runs inside their transaction."""
    email = email.strip().lower()
    password = None
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        password = temporary_password()
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            full_name_km=full_name_km,
            phone=phone,
            language=language,
            must_change_password=True,
        )
        audit_log(
            actor=by,
            organisation=organisation_id,
            ip=ip,
            action="accounts.user.created",
            target=user,
            changes={"email": [None, email], "full_name": [None, full_name]},
        )
    elif Membership.objects.filter(organisation_id=organisation_id, user=user).exists():
        raise ServiceError(
            _("This person is already a member of your organisation."), field="email"
        )
    membership = Membership.objects.create(
        user=user, organisation_id=organisation_id, role=role, office=office
    )
    audit_log(
        actor=by,
        organisation=organisation_id,
        ip=ip,
        action="accounts.membership.created",
        target=membership,
        changes={k: [None, v] for k, v in snapshot(membership, MEMBERSHIP_FIELDS).items()},
        data={"user": user.email},
    )
    return membership, password


def member_add(
    *,
    actor: Membership,
    email: str,
    full_name: str,
    full_name_km: str = "",
    phone: str = "",
    role: str,
    office: Office | None = None,
    language: str = "km",
    ip: str | None = None,
) -> tuple[Membership, str | None]:
    """Add a person to the actor's organisation. A new account gets a temporary password,
    returned once to be handed over, that must be changed at first sign-in."""
    _require(actor, Capability.MANAGE_USERS)
    _check_office(actor, office)
    if role not in Role.values:
        raise ServiceError(_("Choose a role."), field="role")
    with audited_atomic():
        return _membership_create(
            by=actor.user,
            organisation_id=actor.organisation_id,
            email=email,
            full_name=full_name,
            full_name_km=full_name_km,
            phone=phone,
            role=role,
            office=office,
            language=language,
            ip=ip,
        )


def organisation_admin_add(
    *, actor: User | None, organisation: Organisation, email: str, full_name: str
) -> tuple[Membership, str | None]:
    """Platform-level: give an organisation an administrator (its first one, typically).
    Only a superuser, or the operator's command line (actor None), may do it."""
    if actor is not None and not actor.is_superuser:
        raise PermissionError("only superusers appoint organisation administrators")
    with audited_atomic():
        return _membership_create(
            by=actor,
            organisation_id=organisation.pk,
            email=email,
            full_name=full_name,
            role=Role.ORG_ADMIN,
        )


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            organisation_id=membership.organisation_id,
            role=Role.ORG_ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def member_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    office: Office | None,
    is_active: bool,
    ip: str | None = None,
) -> Membership:
    """Change a member's role, office or access: a permission change, always audited."""
    _require(actor, Capability.MANAGE_USERS)
    _check_office(actor, office)
    if membership.organisation_id != actor.organisation_id:
        raise PermissionError("membership of another organisation")
    if role not in Role.values:
        raise ServiceError(_("Choose a role."), field="role")
    with audited_atomic():
        membership = Membership.objects.select_for_update(no_key=True).get(pk=membership.pk)
        loses_admin = (
            membership.role == Role.ORG_ADMIN
            and membership.is_active
            and (role != Role.ORG_ADMIN or not is_active)
        )
        if loses_admin and not _other_active_admins(membership):
            raise ServiceError(
                _(
                    "An organisation needs at least one active administrator. "
                    "Make someone else administrator first."
                )
            )
        audited_update(
            membership,
            values={"role": role, "office": office, "is_active": is_active},
            fields=MEMBERSHIP_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="accounts.membership.updated",
            ip=ip,
            data={"user": membership.user.email},
        )
    return membership


def _require_sole_organisation(actor: Membership, membership: Membership) -> None:
    """An administrator may reset the password or two-factor device of an account only when
    the account belongs to their organisation alone: an account shared with another
    organisation (or a platform operator's) would otherwise be taken over across it."""
    with scopes_disabled():
        elsewhere = (
            Membership.objects.filter(user_id=membership.user_id)
            .exclude(organisation_id=actor.organisation_id)
            .exists()
        )
    if elsewhere or membership.user.is_superuser:
        raise ServiceError(
            _(
                "This person's account is also used in another organisation, so only they "
                "(from My account) or the platform operator can change how they sign in."
            )
        )


def member_reset_password(
    *, actor: Membership, membership: Membership, ip: str | None = None
) -> str:
    _require(actor, Capability.MANAGE_USERS)
    if membership.organisation_id != actor.organisation_id:
        raise PermissionError("membership of another organisation")
    _require_sole_organisation(actor, membership)
    password = temporary_password()
    with audited_atomic():
        user = User.objects.select_for_update(no_key=True).get(pk=membership.user_id)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password", "updated_at"])
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="accounts.user.password_reset",
            target=user,
        )
    return password


def member_reset_two_factor(
    *, actor: Membership, membership: Membership, ip: str | None = None
) -> int:
    _require(actor, Capability.MANAGE_USERS)
    if membership.organisation_id != actor.organisation_id:
        raise PermissionError("membership of another organisation")
    _require_sole_organisation(actor, membership)
    with audited_atomic():
        removed, _detail = TOTPDevice.objects.filter(user_id=membership.user_id).delete()
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="accounts.user.two_factor_reset",
            target=membership.user,
        )
    return removed


# --- one's own account -----------------------------------------------------------------


def _home_organisation_id(user: User):
    with scopes_disabled():
        return (
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .order_by("created_at")
            .values_list("organisation_id", flat=True)
            .first()
        )


def user_change_password(
    *, actor: User, current_password: str, new_password: str, ip: str | None = None
) -> None:
    if not actor.check_password(current_password):
        raise ServiceError(_("Your current password is not correct."), field="current_password")
    try:
        validate_password(new_password, user=actor)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field="new_password") from error
    if current_password == new_password:
        raise ServiceError(
            _("Choose a password different from the current one."), field="new_password"
        )
    with audited_atomic():
        actor.set_password(new_password)
        actor.must_change_password = False
        actor.save(update_fields=["password", "must_change_password", "updated_at"])
        audit_log(
            actor=actor,
            organisation=_home_organisation_id(actor),
            ip=ip,
            action="accounts.user.password_changed",
            target=actor,
        )


def user_set_language(*, actor: User, language: str, ip: str | None = None) -> None:
    if actor.language == language:
        return
    with audited_atomic():
        before = actor.language
        actor.language = language
        actor.save(update_fields=["language", "updated_at"])
        audit_log(
            actor=actor,
            organisation=_home_organisation_id(actor),
            ip=ip,
            action="accounts.user.language_changed",
            target=actor,
            changes={"language": [before, language]},
        )


def two_factor_device_begin(*, actor: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan (replaces an earlier unconfirmed one)."""
    with audited_atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)


def two_factor_device_confirm(
    *, actor: User, device: TOTPDevice, token: str, ip: str | None = None
) -> None:
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionError("not this user's pending device")
    allowed, _detail = device.verify_is_allowed()
    if not allowed:
        raise ServiceError(_("Too many wrong codes. Wait a minute and try again."), field="token")
    if not device.verify_token(token):
        raise ServiceError(
            _("That code is not correct. Check your phone's clock and try again."), field="token"
        )
    with audited_atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_log(
            actor=actor,
            organisation=_home_organisation_id(actor),
            ip=ip,
            action="accounts.user.two_factor_enabled",
            target=actor,
        )


# --- sessions (called from the auth signal handlers) -----------------------------------


def session_record(
    *,
    action: str,
    actor: User | None = None,
    subject: User | None = None,
    email: str = "",
    ip: str | None = None,
    data=None,
) -> None:
    """Record a sign-in, sign-out or idle expiry (``actor``), or a failed sign-in or lock-out
    (``subject``: the account whose email was typed, if it exists)."""
    person = actor or subject
    with audited_atomic():
        audit_log(
            actor=actor,
            organisation=_home_organisation_id(person) if person else None,
            ip=ip,
            action=action,
            target=person,
            actor_label=(actor.email if actor else email)[:254],
            data=data,
        )
