"""What the notifications app listens to: domain events of the apps below, subscribed in the
publishing transaction (``apps.py``), each turned into ``notifications_fan_out``.

Grants (``cases.events``): a government share tells the grantee's members who answer
referrals (``share_received``), and its end tells them too (``share_revoked``), as does the
end of any grant because the consent was withdrawn. A referral's grant is told of by the
referral's own events (``referral_received`` and the rest, subscribed by the referrals step),
never twice.

The handler runs in the publisher's scope (the case owner's); the case reference is read there,
and the grantee's rows in the grantee's scope (``recipients``)."""

from __future__ import annotations

from phteah.accounts.roles import Capability
from phteah.cases.events import GrantCreated, GrantRevoked
from phteah.referrals import events as referral_events

from .models import Kind
from .recipients import (
    case_reference,
    case_workers,
    members_with_capability,
    referral_sender,
    transfer_sender,
)
from .services import notifications_fan_out

GOVERNMENT_SHARE = "government_share"  # people.models.SharingPurpose.GOVERNMENT_SHARE
CONSENT_WITHDRAWN = "consent_withdrawn"  # cases.CaseGrant.RevokeReason.CONSENT_WITHDRAWN


def _grant_data(event) -> dict:
    return {
        "organisation": str(event.organisation_id),
        "reference": case_reference(organisation_id=event.organisation_id, case_id=event.case_id),
        "grant_id": str(event.grant_id),
        "case_id": str(event.case_id),
    }


def grant_created(event: GrantCreated) -> None:
    if event.purpose != GOVERNMENT_SHARE:
        return
    notifications_fan_out(
        kind=Kind.SHARE_RECEIVED,
        organisation_id=event.grantee_id,
        recipients=members_with_capability(
            organisation_id=event.grantee_id, capability=Capability.ANSWER_REFERRALS
        ),
        data=_grant_data(event),
        target=("cases:case_detail", {"case_id": event.case_id}),
    )


def grant_revoked(event: GrantRevoked) -> None:
    if event.purpose != GOVERNMENT_SHARE and event.reason != CONSENT_WITHDRAWN:
        return
    notifications_fan_out(
        kind=Kind.SHARE_REVOKED,
        organisation_id=event.grantee_id,
        recipients=members_with_capability(
            organisation_id=event.grantee_id, capability=Capability.ANSWER_REFERRALS
        ),
        data=_grant_data(event) | {"reason": event.reason},
    )


# --- referrals (phteah.referrals.events) ---------------------------------------------------


def _referral_target(event) -> tuple:
    return ("referrals:referral_detail", {"referral_id": event.referral_id})


def _to_receiver(kind):
    """A step the receiver is told of: its members who answer referrals."""

    def handler(event) -> None:
        notifications_fan_out(
            kind=kind,
            organisation_id=event.receiver_id,
            recipients=members_with_capability(
                organisation_id=event.receiver_id, capability=Capability.ANSWER_REFERRALS
            ),
            data={"organisation": str(event.organisation_id)},
            target=_referral_target(event),
        )

    return handler


def _to_sender(kind):
    """An answer or a report the sender is told of: who sent it and the case's workers."""

    def handler(event) -> None:
        recipients = [
            referral_sender(organisation_id=event.organisation_id, referral_id=event.referral_id),
            *case_workers(organisation_id=event.organisation_id, case_id=event.case_id),
        ]
        notifications_fan_out(
            kind=kind,
            organisation_id=event.organisation_id,
            recipients=[user for user in recipients if user is not None],
            data={
                "organisation": str(event.receiver_id),
                "reference": case_reference(
                    organisation_id=event.organisation_id, case_id=event.case_id
                ),
            },
            target=_referral_target(event),
        )

    return handler


# Made once, so that subscribing again (``ready()`` may run more than once) changes nothing.
REFERRAL_HANDLERS = (
    (referral_events.ReferralSent, _to_receiver(Kind.REFERRAL_RECEIVED)),
    (referral_events.ReferralWithdrawn, _to_receiver(Kind.REFERRAL_WITHDRAWN)),
    (referral_events.ReferralOverdue, _to_receiver(Kind.REFERRAL_OVERDUE)),
    (referral_events.ReferralAccepted, _to_sender(Kind.REFERRAL_ACCEPTED)),
    (referral_events.ReferralDeclined, _to_sender(Kind.REFERRAL_DECLINED)),
    (referral_events.ReferralCompleted, _to_sender(Kind.REFERRAL_COMPLETED)),
    (referral_events.ReferralFeedback, _to_sender(Kind.REFERRAL_FEEDBACK)),
)


# --- transfers (phteah.referrals.events) ---------------------------------------------------


def _transfer_target(event) -> tuple:
    return ("referrals:transfer_detail", {"transfer_id": event.transfer_id})


def _transfer_to_receiver(kind):
    """A transfer sent or withdrawn: the receiver's members who answer referrals."""

    def handler(event) -> None:
        notifications_fan_out(
            kind=kind,
            organisation_id=event.receiver_id,
            recipients=members_with_capability(
                organisation_id=event.receiver_id, capability=Capability.ANSWER_REFERRALS
            ),
            data={"organisation": str(event.organisation_id)},
            target=_transfer_target(event),
        )

    return handler


def _transfer_answered(answer: str):
    """An answer the sender is told of: who sent the transfer and the case's workers."""

    def handler(event) -> None:
        recipients = [
            transfer_sender(organisation_id=event.organisation_id, transfer_id=event.transfer_id),
            *case_workers(organisation_id=event.organisation_id, case_id=event.case_id),
        ]
        notifications_fan_out(
            kind=Kind.TRANSFER_ANSWERED,
            organisation_id=event.organisation_id,
            recipients=[user for user in recipients if user is not None],
            data={
                "organisation": str(event.receiver_id),
                "reference": case_reference(
                    organisation_id=event.organisation_id, case_id=event.case_id
                ),
                "answer": answer,
            },
            target=_transfer_target(event),
        )

    return handler


TRANSFER_HANDLERS = (
    (referral_events.TransferSent, _transfer_to_receiver(Kind.TRANSFER_RECEIVED)),
    (referral_events.TransferWithdrawn, _transfer_to_receiver(Kind.TRANSFER_WITHDRAWN)),
    (referral_events.TransferAccepted, _transfer_answered("accepted")),
    (referral_events.TransferDeclined, _transfer_answered("declined")),
)


# --- contact requests (phteah.referrals.events) ---------------------------------------------


def contact_requested(event) -> None:
    """The receiver's members who answer referrals are told; nothing of the child is said."""
    notifications_fan_out(
        kind=Kind.CONTACT_REQUEST,
        organisation_id=event.receiver_id,
        recipients=members_with_capability(
            organisation_id=event.receiver_id, capability=Capability.ANSWER_REFERRALS
        ),
        data={"organisation": str(event.organisation_id)},
        target=("referrals:contact_detail", {"contact_request_id": event.contact_request_id}),
    )


def contact_answered(event) -> None:
    """Who sent the request is told of the answer."""
    recipients = [event.sent_by_id] if event.sent_by_id is not None else []
    notifications_fan_out(
        kind=Kind.CONTACT_ANSWERED,
        organisation_id=event.organisation_id,
        recipients=recipients,
        data={"organisation": str(event.receiver_id)},
        target=("referrals:contact_detail", {"contact_request_id": event.contact_request_id}),
    )


def subscribe() -> None:
    from phteah.core import events

    events.subscribe(GrantCreated, grant_created)
    events.subscribe(GrantRevoked, grant_revoked)
    for event_type, handler in REFERRAL_HANDLERS + TRANSFER_HANDLERS:
        events.subscribe(event_type, handler)
    events.subscribe(referral_events.ContactRequested, contact_requested)
    events.subscribe(referral_events.ContactAnswered, contact_answered)
