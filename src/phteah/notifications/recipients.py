"""Who is told: the recipient helpers the subscriptions use. Each reads one organisation's
rows in that organisation's scope (``scope(organisation=...)``, pinned to the id given): an
event published by one organisation may notify another's members."""

from __future__ import annotations

from django_scopes import scope

from phteah.accounts.models import Membership
from phteah.accounts.roles import Role, capabilities_of
from phteah.cases.models import Case, CaseWorkerAssignment


def members_with_capability(*, organisation_id, capability: str) -> list:
    """The user ids of the organisation's active members whose role grants *capability*."""
    roles = [role.value for role in Role if capability in capabilities_of(role.value)]
    with scope(organisation=organisation_id):
        return list(
            Membership.objects.filter(
                organisation_id=organisation_id,
                role__in=roles,
                is_active=True,
                user__is_active=True,
            )
            .order_by("created_at", "id")
            .values_list("user_id", flat=True)
        )


def case_workers(*, organisation_id, case_id) -> list:
    """The user ids of the case's workers (the main one first)."""
    with scope(organisation=organisation_id):
        return list(
            CaseWorkerAssignment.objects.filter(organisation_id=organisation_id, case_id=case_id)
            .order_by("-is_primary", "created_at")
            .values_list("user_id", flat=True)
        )


def case_reference(*, organisation_id, case_id) -> str:
    """The case's reference (a code: it names no one), or "" when there is no such case."""
    with scope(organisation=organisation_id):
        return (
            Case.objects.filter(organisation_id=organisation_id, pk=case_id)
            .values_list("reference", flat=True)
            .first()
            or ""
        )


def referral_sender(*, organisation_id, referral_id):
    """The user id of whoever sent the referral (in the sender's scope), or None."""
    from phteah.referrals.models import Referral

    with scope(organisation=organisation_id):
        return (
            Referral.objects.filter(organisation_id=organisation_id, pk=referral_id)
            .values_list("group__sent_by_id", flat=True)
            .first()
        )


def transfer_sender(*, organisation_id, transfer_id):
    """The user id of whoever sent the transfer (in the sender's scope), or None."""
    from phteah.referrals.models import Transfer

    with scope(organisation=organisation_id):
        return (
            Transfer.objects.filter(organisation_id=organisation_id, pk=transfer_id)
            .values_list("sent_by_id", flat=True)
            .first()
        )
