"""Events of the accounts app (see phteah.core.events)."""

from dataclasses import dataclass
from uuid import UUID

from phteah.core.events import Event


@dataclass(frozen=True)
class OrganisationCreated(Event):
    """A new organisation exists, in the transaction that created it. The apps that keep
    per-organisation configuration (assessment domains, the service catalogue, the rule
    table) give it their defaults, which its administrators can then change."""

    organisation_id: UUID
