"""What a user changes on their own account: password, language, authenticator. The actor
is the ``User``."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import check_text

from ..models import User
from ..selectors import user_has_authenticator
from .common import home_organisation_id

PASSWORD_MAX_LENGTH = 128


def check_new_password(password: str, *, user: User, field: str = "new_password") -> None:
    check_text(password, field=field, max_length=PASSWORD_MAX_LENGTH)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field=field) from error


def user_change_password(
    *,
    actor: User,
    current_password: str,
    new_password: str,
    second_factor_verified: bool,
    ip: str | None = None,
) -> None:
    """Change one's own password. An account with an authenticator needs its code first
    (*second_factor_verified*: this session passed it): a password alone must not be
    enough to take the account over and sign its owner out everywhere. An account without
    one (a temporary password, no device yet) needs only the current password."""
    if not second_factor_verified and user_has_authenticator(user=actor):
        raise ServiceError(
            _("Enter a code from your authenticator app before changing your password.")
        )
    if not actor.check_password(current_password):
        raise ServiceError(_("Your current password is not correct."), field="current_password")
    check_new_password(new_password, user=actor)
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
            organisation=home_organisation_id(actor),
            ip=ip,
            action="accounts.user.password_changed",
            target=actor,
        )


def _user_preference_set(actor: User, field: str, value: str, *, action: str, ip) -> None:
    """Store one of *actor*'s own preferences (audited, nothing written when unchanged)."""
    before = getattr(actor, field)
    if before == value:
        return
    with audited_atomic():
        setattr(actor, field, value)
        actor.save(update_fields=[field, "updated_at"])
        audit_log(
            actor=actor,
            organisation=home_organisation_id(actor),
            ip=ip,
            action=action,
            target=actor,
            changes={field: [before, value]},
        )


def user_set_language(*, actor: User, language: str, ip: str | None = None) -> None:
    _user_preference_set(
        actor, "language", language, action="accounts.user.language_changed", ip=ip
    )


def user_set_numerals(*, actor: User, numerals: str, ip: str | None = None) -> None:
    """Choose the digits of one's pages: "khmer", "latin", or "" (those of the language)."""
    if numerals not in dict(User._meta.get_field("numerals").choices):
        raise ServiceError(_("Choose the digits."), field="numerals")
    _user_preference_set(
        actor, "numerals", numerals, action="accounts.user.numerals_changed", ip=ip
    )


def two_factor_device_begin(*, actor: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan (replaces an earlier unconfirmed one)."""
    with audited_atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)


def two_factor_device_confirm(
    *, actor: User, device_id, token: str, ip: str | None = None
) -> TOTPDevice:
    """Confirm the user's pending authenticator with a code from it; it replaces the one they
    had. NotFound unless *device_id* is the actor's own pending device."""
    try:
        device = TOTPDevice.objects.filter(pk=device_id, user=actor, confirmed=False).first()
    except (ValueError, TypeError):
        device = None
    if device is None:
        raise NotFound
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
            organisation=home_organisation_id(actor),
            ip=ip,
            action="accounts.user.two_factor_enabled",
            target=actor,
        )
    return device
