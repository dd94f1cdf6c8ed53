"""The organisation's own partner profile, for those who manage it (no other organisation
is read here)."""

from __future__ import annotations

from phteah.accounts.roles import Capability
from phteah.care.models import CareProvider
from phteah.core.errors import NotFound

from ..models import PartnerProfile


def own_profile_get(*, actor) -> PartnerProfile:
    if actor is None or not actor.can(Capability.MANAGE_NETWORK_PROFILE):
        raise NotFound
    profile, _created = PartnerProfile.objects.prefetch_related(
        "services", "districts", "communes"
    ).get_or_create(organisation_id=actor.organisation_id)
    return profile


def own_providers(*, actor) -> list[CareProvider]:
    """The organisation's active care providers, to choose which the directory shows."""
    if actor is None or not actor.can(Capability.MANAGE_NETWORK_PROFILE):
        raise NotFound
    return list(
        CareProvider.objects.filter(organisation_id=actor.organisation_id, is_active=True)
        .prefetch_related("care_types")
        .order_by("name")
    )
