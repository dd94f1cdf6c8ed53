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

from .models import Kind
from .recipients import case_reference, members_with_capability
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


def subscribe() -> None:
    from phteah.core import events

    events.subscribe(GrantCreated, grant_created)
    events.subscribe(GrantRevoked, grant_revoked)
