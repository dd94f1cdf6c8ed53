"""Invitations: how a person joins an organisation.

An administrator gives an email address, a name, a role and an office. Phteah records an
invitation with a one-time link (its token is kept only as a digest), e-mails the link after
commit and shows it once so it can be handed over where e-mail does not reach. What the
administrator sees is the same whatever the address: nothing tells whether it has an account
or belongs to anyone elsewhere. The person then accepts (or declines):

- with an account: signed in (with their second factor where it is required), from the link
  or from their home page; only the account with the invited address can accept;
- without one: from the link, choosing their name and password; the account is created
  with the invited address when they accept.

The membership exists only once they accept. Every step is recorded in the inviting
organisation's trail, with ids (never the address or a name) in the events' data. Links
expire after INVITATION_VALID_FOR; an organisation issues at most INVITATIONS_PER_HOUR of
them an hour (sending a new link counts)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from phteah.core.audit import audit_log, audited_atomic, snapshot
from phteah.core.errors import NotFound, ServiceError
from phteah.core.submissions import once

from ..models import Invitation, Membership, Office, Organisation, User
from ..roles import Capability
from ..selectors import (
    invitation_get_by_token,
    invitation_get_for_invitee,
    invitation_get_for_user,
)
from .common import check_office, check_role, clean_email, clean_name, require
from .members import account_create, membership_create
from .own_account import check_new_password

INVITATION_VALID_FOR = timedelta(days=14)
INVITATIONS_PER_HOUR = 30
INVITATION_FIELDS = ("role", "office", "expires_at")


def _send_after_commit(invitation: Invitation, token: str, site_url: str) -> None:
    """E-mail the link once the invitation is committed (never for one rolled back). A
    failure to send is logged, not raised: the administrator has the link on screen."""
    from ..tasks import invitation_email_send

    transaction.on_commit(
        partial(
            invitation_email_send.delay,
            invitation_id=str(invitation.pk),
            token=token,
            site_url=site_url,
        ),
        robust=True,
    )


def _issue(
    *,
    actor: Membership,
    email: str,
    full_name: str,
    role: str,
    office: Office | None,
    site_url: str,
) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation_id=actor.organisation_id,
        email=email,
        full_name=full_name,
        role=role,
        office=office,
        invited_by=actor.user,
        token_hash=Invitation.hash_token(token),
        expires_at=timezone.now() + INVITATION_VALID_FOR,
    )
    _send_after_commit(invitation, token, site_url)
    return invitation, token


def _lock_organisation_within_rate(actor: Membership) -> None:
    """Lock the organisation's row (so two administrators' invitations are counted one after
    the other) and refuse beyond INVITATIONS_PER_HOUR."""
    Organisation.objects.select_for_update(no_key=True).filter(
        pk=actor.organisation_id
    ).values_list("pk", flat=True).get()
    since = timezone.now() - timedelta(hours=1)
    issued = Invitation.objects.filter(
        organisation_id=actor.organisation_id, created_at__gte=since
    ).count()
    if issued >= INVITATIONS_PER_HOUR:
        raise ServiceError(
            _(
                "Your organisation has sent %(count)d invitations in the last hour, the most "
                "allowed. Try again later."
            )
            % {"count": INVITATIONS_PER_HOUR}
        )


def _created(invitation: Invitation) -> dict:
    return {k: [None, v] for k, v in snapshot(invitation, INVITATION_FIELDS).items()}


@once(record=lambda result: result[0], replay=lambda invitation: (invitation, None))
def invitation_create(
    *,
    actor: Membership,
    email: str,
    full_name: str,
    role: str,
    office: Office | None = None,
    site_url: str,
    ip: str | None = None,
) -> tuple[Invitation, str]:
    """Invite a person to the actor's organisation. Returns the invitation and its token
    (for the link shown once; only its digest is stored). *site_url* is the address the
    link in the e-mail starts with (``https://phteah.example.org``)."""
    require(actor, Capability.MANAGE_USERS)
    email = clean_email(email)
    full_name = clean_name(full_name, field="full_name")
    check_role(role)
    check_office(actor, office)
    if office is not None and not office.is_active:
        raise ServiceError(_("Choose one of your organisation's open offices."), field="office")
    with audited_atomic():
        _lock_organisation_within_rate(actor)
        # Only what the organisation itself knows: its own members and invitations.
        if Membership.objects.filter(
            organisation_id=actor.organisation_id, user__email__iexact=email
        ).exists():
            raise ServiceError(
                _("This person is already a member of your organisation."), field="email"
            )
        waiting = Invitation.objects.filter(
            organisation_id=actor.organisation_id, email=email
        ).filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if waiting.exists():
            raise ServiceError(
                _(
                    "An invitation to this address is already waiting for an answer. You can "
                    "send a new link from the staff page."
                ),
                field="email",
            )
        invitation, token = _issue(
            actor=actor,
            email=email,
            full_name=full_name,
            role=role,
            office=office,
            site_url=site_url,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="accounts.invitation.created",
            target=invitation,
            changes=_created(invitation),
        )
    return invitation, token


def _lock(invitation_id) -> Invitation:
    with scopes_disabled():
        return Invitation.objects.select_for_update(no_key=True).get(pk=invitation_id)


def _ensure_open(invitation: Invitation) -> None:
    """Refuse an invitation that was accepted or cancelled meanwhile (the row is locked)."""
    if invitation.accepted_at or invitation.cancelled_at:
        raise ServiceError(_("This invitation was already accepted or cancelled."))


def invitation_resend(
    *, actor: Membership, invitation_id, site_url: str, ip: str | None = None
) -> tuple[Invitation, str]:
    """A new link for an invitation that was not accepted (waiting, expired or declined):
    the old link stops working, the new one is e-mailed and returned like a new
    invitation's, valid for INVITATION_VALID_FOR from now."""
    with audited_atomic():
        invitation_get_for_user(actor=actor, invitation_id=invitation_id)
        _lock_organisation_within_rate(actor)
        old = _lock(invitation_id)
        _ensure_open(old)
        old.cancelled_at = timezone.now()
        old.save(update_fields=["cancelled_at", "updated_at"])
        invitation, token = _issue(
            actor=actor,
            email=old.email,
            full_name=old.full_name,
            role=old.role,
            office=old.office,
            site_url=site_url,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="accounts.invitation.resent",
            target=invitation,
            changes=_created(invitation),
            data={"replaces": old.pk},
        )
    return invitation, token


def invitation_cancel(*, actor: Membership, invitation_id, ip: str | None = None) -> None:
    """Withdraw an invitation that was not accepted: its link stops working."""
    with audited_atomic():
        invitation_get_for_user(actor=actor, invitation_id=invitation_id)
        invitation = _lock(invitation_id)
        _ensure_open(invitation)
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at", "updated_at"])
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            ip=ip,
            action="accounts.invitation.cancelled",
            target=invitation,
        )


# --- the invitee's side ---------------------------------------------------------------


def _lock_pending(invitation_id) -> Invitation:
    """The invitation, locked, if it can still be answered (else NotFound, like a link that
    does not work)."""
    invitation = _lock(invitation_id)
    if invitation.status_at(timezone.now()) != Invitation.Status.PENDING:
        raise NotFound
    return invitation


def _accept(invitation: Invitation, *, user: User, ip: str | None) -> Membership:
    with scopes_disabled():
        if Membership.objects.filter(
            organisation_id=invitation.organisation_id, user=user
        ).exists():
            raise ServiceError(_("You are already a member of this organisation."))
    membership = membership_create(
        by=user,
        organisation_id=invitation.organisation_id,
        user=user,
        role=invitation.role,
        office=invitation.office,
        ip=ip,
        data={"invitation": invitation.pk},
    )
    invitation.accepted_at = timezone.now()
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "membership", "updated_at"])
    audit_log(
        actor=user,
        organisation=invitation.organisation_id,
        ip=ip,
        action="accounts.invitation.accepted",
        target=invitation,
        data={"user": user.pk, "membership": membership.pk},
    )
    return membership


def invitation_accept(*, actor: User, invitation_id, ip: str | None = None) -> Membership:
    """The signed-in person accepts an invitation addressed to their email: they become a
    member with the invitation's role and office."""
    with audited_atomic():
        invitation_get_for_invitee(user=actor, invitation_id=invitation_id)
        return _accept(_lock_pending(invitation_id), user=actor, ip=ip)


def invitation_accept_with_new_account(
    *,
    token: str,
    full_name: str,
    password: str,
    full_name_km: str = "",
    language: str = "km",
    ip: str | None = None,
) -> Membership:
    """Someone without an account accepts from the link (*token*, the only credential here):
    their account is created with the invited address, the name and password they chose,
    and joins the organisation. An address that already has an account must sign in to
    accept instead."""
    full_name = clean_name(full_name, field="full_name")
    full_name_km = clean_name(full_name_km, field="full_name_km", required=False)
    if language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Choose a language."), field="language")
    invitation = invitation_get_by_token(token=token)
    check_new_password(
        password, user=User(email=invitation.email, full_name=full_name), field="password"
    )
    with audited_atomic():
        invitation = _lock_pending(invitation.pk)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ServiceError(
                _(
                    "An account already uses this email address. Sign in with it to accept "
                    "the invitation."
                )
            )
        user, _temporary = account_create(
            by=None,
            by_themselves=True,
            organisation_id=invitation.organisation_id,
            email=invitation.email,
            full_name=full_name,
            full_name_km=full_name_km,
            language=language,
            password=password,
            ip=ip,
        )
        return _accept(invitation, user=user, ip=ip)


def invitation_decline(*, actor: User, invitation_id, ip: str | None = None) -> None:
    """The signed-in person declines an invitation addressed to their email."""
    with audited_atomic():
        invitation_get_for_invitee(user=actor, invitation_id=invitation_id)
        invitation = _lock_pending(invitation_id)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at", "updated_at"])
        audit_log(
            actor=actor,
            organisation=invitation.organisation_id,
            ip=ip,
            action="accounts.invitation.declined",
            target=invitation,
            data={"user": actor.pk},
        )
