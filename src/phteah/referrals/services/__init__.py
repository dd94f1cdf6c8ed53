"""The referrals app's services: what an organisation publishes to the network (profiles),
referrals between organisations (referrals), and transfers of a case (transfers). The names
are importable from this package."""

from .contacts import contact_request_answer, contact_request_decline, contact_request_send
from .letters import referral_letter_answer_record, referral_letter_create
from .profiles import (
    ANSWER_DAYS,
    PROFILE_FIELDS,
    partner_profile_ensure,
    partner_profile_update,
)
from .referrals import (
    referral_accept,
    referral_close,
    referral_complete,
    referral_decline,
    referral_feedback,
    referral_send,
    referral_withdraw,
    referrals_overdue_notify,
    referrals_withdraw_for_grant,
    uncovered_receivers,
)
from .transfers import (
    transfer_accept,
    transfer_decline,
    transfer_receivers,
    transfer_send,
    transfer_uncovered,
    transfer_withdraw,
    transfers_withdraw_for_grant,
)

__all__ = [
    "referral_letter_answer_record",
    "referral_letter_create",
    "transfer_accept",
    "transfer_decline",
    "transfer_receivers",
    "transfer_send",
    "transfer_uncovered",
    "transfer_withdraw",
    "transfers_withdraw_for_grant",
    "contact_request_answer",
    "contact_request_decline",
    "contact_request_send",
    "referral_accept",
    "referral_close",
    "referral_complete",
    "referral_decline",
    "referral_feedback",
    "referral_send",
    "referral_withdraw",
    "referrals_overdue_notify",
    "referrals_withdraw_for_grant",
    "uncovered_receivers",
    "ANSWER_DAYS",
    "PROFILE_FIELDS",
    "partner_profile_ensure",
    "partner_profile_update",
]
