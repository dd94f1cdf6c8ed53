"""Events of the people app (see phteah.core.events).

``ConsentWithdrawn`` is published inside the withdrawing transaction: the cases app revokes
the grants that rested on the consent in the same transaction, and the apps above it tell the
organisations that held them."""

from dataclasses import dataclass
from uuid import UUID

from phteah.core.events import Event


@dataclass(frozen=True)
class ConsentWithdrawn(Event):
    organisation_id: UUID
    person_id: UUID
    consent_id: UUID
    by_user_id: UUID | None = None  # who withdrew it
