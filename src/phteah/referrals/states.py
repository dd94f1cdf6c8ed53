"""A referral's states and the one table of transitions every service goes through.

| from     | transition          | to        | who                                        |
|----------|---------------------|-----------|--------------------------------------------|
| pending  | accept              | accepted  | the receiver (ANSWER_REFERRALS)            |
| pending  | decline (a reason)  | declined  | the receiver                               |
| pending  | withdraw            | withdrawn | the sender (REFER_CASES, the case's editor) |
| pending  | taken / consent     | withdrawn | nobody: another receiver accepted the same  |
|          |                     |           | service, or the consent was withdrawn      |
| accepted | complete (outcome)  | completed | the receiver                               |
| accepted | close               | closed    | either side                                |

Any other transition is refused with "This referral is already <state>." (the services
check it under the referral's row lock)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from phteah.core.errors import ServiceError

from .models import Referral, Transfer

State = Referral.State

TRANSITIONS = {
    "accept": ({State.PENDING}, State.ACCEPTED),
    "decline": ({State.PENDING}, State.DECLINED),
    "withdraw": ({State.PENDING}, State.WITHDRAWN),
    "withdraw_auto": ({State.PENDING}, State.WITHDRAWN),
    "feedback": ({State.ACCEPTED}, State.ACCEPTED),
    "complete": ({State.ACCEPTED}, State.COMPLETED),
    "close": ({State.ACCEPTED}, State.CLOSED),
}


def transition_to(referral: Referral, transition: str) -> str:
    """The state *referral* goes to by *transition*, or a ServiceError when it cannot."""
    sources, target = TRANSITIONS[transition]
    if referral.state not in sources:
        raise ServiceError(
            _("This referral is already %(state)s.")
            % {"state": referral.get_state_display().lower()}
        )
    return target


def may(referral: Referral, transition: str) -> bool:
    return referral.state in TRANSITIONS[transition][0]


# A transfer's states (phteah.referrals.services.transfers):
#
# | from    | transition         | to        | who                                          |
# |---------|--------------------|-----------|----------------------------------------------|
# | pending | accept             | accepted  | the receiver's supervisor (ANSWER_REFERRALS) |
# | pending | decline (a reason) | declined  | the receiver's supervisor                    |
# | pending | withdraw           | withdrawn | the sender's supervisor (TRANSFER_CASES)     |
# | pending | consent / closed   | withdrawn | nobody: the consent was withdrawn, or the    |
# |         |                    |           | sender closed the case                       |
#
# Any other transition is refused with "This transfer is already <state>."

TransferState = Transfer.State

TRANSFER_TRANSITIONS = {
    "accept": ({TransferState.PENDING}, TransferState.ACCEPTED),
    "decline": ({TransferState.PENDING}, TransferState.DECLINED),
    "withdraw": ({TransferState.PENDING}, TransferState.WITHDRAWN),
    "withdraw_auto": ({TransferState.PENDING}, TransferState.WITHDRAWN),
}


def transfer_transition_to(transfer: Transfer, transition: str) -> str:
    """The state *transfer* goes to by *transition*, or a ServiceError when it cannot."""
    sources, target = TRANSFER_TRANSITIONS[transition]
    if transfer.state not in sources:
        raise ServiceError(
            _("This transfer is already %(state)s.")
            % {"state": transfer.get_state_display().lower()}
        )
    return target


def transfer_may(transfer: Transfer, transition: str) -> bool:
    return transfer.state in TRANSFER_TRANSITIONS[transition][0]
