"""Events of the cases app (see phteah.core.events).

``CaseChanged`` is published, inside the transaction, by every service that records or
changes something in a case — the case itself, an assessment, a plan, a visit, a service, and
the care app's placements, tracing and reunification — so that what is derived from the
case's records (its stage and due dates: phteah.care.progress) is recomputed in the same
transaction. The others mark steps that people are told about (notifications subscribe to
them after commit)."""

from dataclasses import dataclass
from uuid import UUID

from phteah.core.events import Event


@dataclass(frozen=True)
class CaseEvent(Event):
    organisation_id: UUID
    case_id: UUID


@dataclass(frozen=True)
class CaseChanged(CaseEvent):
    """Something recorded in the case changed (in the same transaction)."""


@dataclass(frozen=True)
class CaseOpened(CaseEvent):
    pass


@dataclass(frozen=True)
class ClosureRequested(CaseEvent):
    """A case worker asked to close the case: its supervisor should decide."""


@dataclass(frozen=True)
class ClosureSentBack(CaseEvent):
    """A supervisor sent the request back: the case worker should read why."""


@dataclass(frozen=True)
class CaseClosed(CaseEvent):
    pass


@dataclass(frozen=True)
class CaseReopened(CaseEvent):
    pass


@dataclass(frozen=True)
class GrantEvent(CaseEvent):
    """A grant on the case (cases.CaseGrant) for another organisation; `organisation_id` is the
    case's owner, `grantee_id` the organisation it is shared with."""

    grant_id: UUID
    grantee_id: UUID
    level: str  # CaseGrant.Level: "minimal" or "view"
    purpose: str  # people.models.SharingPurpose: "referral", "transfer", "government_share"


@dataclass(frozen=True)
class GrantCreated(GrantEvent):
    """The grantee may now see the case (or the referral's dataset) until the grant ends."""


@dataclass(frozen=True)
class GrantRevoked(GrantEvent):
    """The grant ended before its time or on it; `reason` is a CaseGrant.RevokeReason value
    (answered, withdrawn, consent_withdrawn, expired, case_closed, revoked)."""

    reason: str = ""
