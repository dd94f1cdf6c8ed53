"""The referrals app's services: what an organisation publishes to the network (profiles), and
referrals between organisations (referrals). The names are importable from this package."""

from .contacts import contact_request_answer, contact_request_decline, contact_request_send
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

__all__ = [
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
