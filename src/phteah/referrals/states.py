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

from .models import Referral

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
