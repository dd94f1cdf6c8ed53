"""Accounts and memberships: creating them (for the operator's first administrator and for
accepted invitations), and an administrator's changes to their staff's role, office, access,
password and two-factor device.

Staff join an organisation by accepting an invitation (``invitations``): an administrator
never attaches an existing account, nor learns whether one exists."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from phteah.core.audit import audit_log, audited_atomic, audited_update, snapshot
from phteah.core.errors import ServiceError

from ..models import Membership, Office, User
from ..roles import Role
from ..selectors import member_get_for_user
from .common import check_office, check_role, temporary_password

MEMBERSHIP_FIELDS = ("role", "office", "is_active")


def account_create(
    *,
    by: User | None,
    organisation_id,
    email: str,
    full_name: str,
    full_name_km: str = "",
    language: str = "km",
    password: str | None = None,
    by_themselves: bool = False,
    ip: str | None = None,
) -> tuple[User, str | None]:
    """A new account, logged in *organisation_id*'s chain as made *by* someone (None: the
    operator's command line) or *by_themselves* (accepting an invitation). Without
    *password* it gets a temporary one (returned, to be handed over and changed at first
    sign-in). Inside the caller's ``audited_atomic()`` block; callers check who may do it."""
    temporary = None
    if password is None:
        password = temporary = temporary_password()
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        full_name_km=full_name_km,
        language=language,
        must_change_password=temporary is not None,
    )
    audit_log(
        actor=user if by_themselves else by,
        organisation=organisation_id,
        ip=ip,
        action="accounts.user.created",
        target=user,
        changes={"email": [None, user.email], "full_name": [None, full_name]},
    )
    return user, temporary


def membership_create(
    *,
    by: User | None,
    organisation_id,
    user: User,
    role: str,
    office: Office | None = None,
    ip: str | None = None,
    data: dict | None = None,
) -> Membership:
    """*user*'s membership of *organisation_id*, logged in its chain. Inside the caller's
    ``audited_atomic()`` block; callers check who may do it."""
    with scopes_disabled():
        if Membership.objects.filter(organisation_id=organisation_id, user=user).exists():
            raise ServiceError(
                _("This person is already a member of the organisation."), field="email"
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
        data={"user": user.pk, **(data or {})},
    )
    return membership


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


def _locked_member(actor: Membership, membership_id) -> Membership:
    member = member_get_for_user(actor=actor, membership_id=membership_id)
    return (
        Membership.objects.select_for_update(no_key=True).select_related("user").get(pk=member.pk)
    )


def member_update(
    *,
    actor: Membership,
    membership_id,
    role: str,
    office: Office | None,
    is_active: bool,
    ip: str | None = None,
) -> Membership:
    """Change a member's role, office or access: a permission change, always audited."""
    with audited_atomic():
        membership = _locked_member(actor, membership_id)
        check_office(actor, office)
        check_role(role)
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
            data={"user": membership.user_id},
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


def member_reset_password(*, actor: Membership, membership_id, ip: str | None = None) -> str:
    """A new temporary password for a member (returned once, to be handed over)."""
    with audited_atomic():
        membership = _locked_member(actor, membership_id)
        _require_sole_organisation(actor, membership)
        password = temporary_password()
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


def member_reset_two_factor(*, actor: Membership, membership_id, ip: str | None = None) -> int:
    """Remove a member's authenticators: they set one up again at their next sign-in."""
    with audited_atomic():
        membership = _locked_member(actor, membership_id)
        _require_sole_organisation(actor, membership)
        removed, _detail = TOTPDevice.objects.filter(user_id=membership.user_id).delete()
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="accounts.user.two_factor_reset",
            target=membership.user,
            data={"removed": removed},
        )
    return removed
