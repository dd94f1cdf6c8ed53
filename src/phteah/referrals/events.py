"""Events of the referrals app (see phteah.core.events): one per step of a referral,
published in its transaction, carrying ids only. The notifications app tells the other
side."""

from dataclasses import dataclass
from uuid import UUID

from phteah.core.events import Event


@dataclass(frozen=True)
class ReferralEvent(Event):
    referral_id: UUID
    organisation_id: UUID  # the sender
    receiver_id: UUID
    case_id: UUID  # the sender's case
    by_user_id: UUID | None = None


@dataclass(frozen=True)
class ReferralSent(ReferralEvent):
    pass


@dataclass(frozen=True)
class ReferralAccepted(ReferralEvent):
    pass


@dataclass(frozen=True)
class ReferralDeclined(ReferralEvent):
    pass


@dataclass(frozen=True)
class ReferralWithdrawn(ReferralEvent):
    reason: str = ""


@dataclass(frozen=True)
class ReferralFeedback(ReferralEvent):
    pass


@dataclass(frozen=True)
class ReferralCompleted(ReferralEvent):
    pass


@dataclass(frozen=True)
class ReferralClosed(ReferralEvent):
    pass


@dataclass(frozen=True)
class ReferralOverdue(ReferralEvent):
    """The referral waits past its answer date (published once per referral)."""


@dataclass(frozen=True)
class TransferEvent(Event):
    transfer_id: UUID
    organisation_id: UUID  # the sender
    receiver_id: UUID
    case_id: UUID  # the sender's case
    by_user_id: UUID | None = None


@dataclass(frozen=True)
class TransferSent(TransferEvent):
    pass


@dataclass(frozen=True)
class TransferAccepted(TransferEvent):
    receiver_case_id: UUID | None = None


@dataclass(frozen=True)
class TransferDeclined(TransferEvent):
    pass


@dataclass(frozen=True)
class TransferWithdrawn(TransferEvent):
    reason: str = ""


@dataclass(frozen=True)
class ContactRequested(Event):
    """A contact request was sent (``organisation_id`` the requester)."""

    contact_request_id: UUID
    organisation_id: UUID
    receiver_id: UUID


@dataclass(frozen=True)
class ContactAnswered(Event):
    """A contact request was answered or declined (the requester is told)."""

    contact_request_id: UUID
    organisation_id: UUID
    receiver_id: UUID
    sent_by_id: UUID | None = None
