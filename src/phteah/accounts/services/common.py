"""What the accounts services share.

The service contract (the web UI, the command line and the coming API call the same
functions):

- keyword-only arguments, ``actor`` first: the acting ``Membership`` for work in an
  organisation, the ``User`` for their own account and invitations, ``None`` only for the
  operator's command line and the demo loader;
- the records acted on are given by id (``office_id``, ``membership_id``,
  ``invitation_id``) and reached through their access function (``office_get_for_user``,
  ``member_get_for_user``, ``invitation_get_for_user``...), which raise
  ``phteah.core.errors.NotFound`` and record the refusal; values chosen in a form (an
  office) may be rows, and are checked to be the organisation's;
- validation happens here (forms only parse): a refusal is a ``ServiceError`` with a
  translated message; asking for a capability the role does not grant is a programming
  error (``PermissionError``: views check the capability first);
- everything runs in one ``audited_atomic()`` block; audit events hold ids and codes (a
  user by their id, never their email or name)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from phteah.core.errors import ServiceError
from phteah.core.limits import check_text

from ..models import Membership, Office, User
from ..roles import Capability, Role


def require(actor: Membership | None, capability: Capability) -> None:
    if actor is None or not actor.can(capability):
        raise PermissionError(capability)


def temporary_password() -> str:
    return "-".join(secrets.token_urlsafe(4) for _ in range(3))


def clean_email(email: str) -> str:
    """The address as accounts keep it (trimmed, lower case), or a ServiceError."""
    check_text(email, field="email", max_length=254)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ServiceError(_("Enter a valid email address."), field="email") from error
    if len(email) > 254:
        raise ServiceError(_("Enter a valid email address."), field="email")
    return email


def clean_name(value: str, *, field: str, required: bool = True, max_length: int = 150) -> str:
    check_text(value, field=field, max_length=max_length)
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("Enter a name."), field=field)
    if len(value) > max_length:
        raise ServiceError(
            _("Use at most %(count)d characters.") % {"count": max_length}, field=field
        )
    return value


def check_role(role: str) -> None:
    if role not in Role.values:
        raise ServiceError(_("Choose a role."), field="role")


def check_office(actor: Membership, office: Office | None) -> None:
    if office is not None and office.organisation_id != actor.organisation_id:
        raise ServiceError(_("Choose one of your organisation's offices."), field="office")


def home_organisation_id(user: User):
    """The organisation whose audit chain records what a user does to their own account: the
    first one they joined (None, the system chain, for an account in none)."""
    with scopes_disabled():
        return (
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
            .order_by("created_at")
            .values_list("organisation_id", flat=True)
            .first()
        )
