"""Reads of the referral network that a user triggers, each taking the acting membership.
``directory`` holds every read that crosses organisations (the partner directory, the
capacity board and a partner's page): published rows and aggregates only."""

from .directory import (
    DirectoryResult,
    PlaceCount,
    capacity_board,
    directory_search,
    organisation_profile_get,
    published_service_choices,
)
from .letters import (
    case_letters,
    letter_consent_holds,
    letter_consents,
    letter_downloaded,
    letter_get_for_user,
    letter_sender_office,
    letters_sent,
)
from .profiles import own_profile_get, own_providers
from .referrals import (
    RECEIVER,
    SENDER,
    ReferralCounts,
    attachable_documents,
    attachments_open,
    case_referrals,
    referral_attachment_file,
    referral_attachments,
    referral_counts,
    referral_get_for_user,
    referral_history,
    referrals_received,
    referrals_sent,
)
from .transfers import (
    CaseTransfers,
    TransferCounts,
    case_transfers,
    transfer_counts,
    transfer_get_for_user,
    transfers_received,
    transfers_sent,
)

__all__ = [
    "case_letters",
    "letter_consent_holds",
    "letter_consents",
    "letter_downloaded",
    "letter_get_for_user",
    "letter_sender_office",
    "letters_sent",
    "CaseTransfers",
    "TransferCounts",
    "case_transfers",
    "transfer_counts",
    "transfer_get_for_user",
    "transfers_received",
    "transfers_sent",
    "RECEIVER",
    "SENDER",
    "ReferralCounts",
    "attachable_documents",
    "attachments_open",
    "case_referrals",
    "referral_attachment_file",
    "referral_attachments",
    "referral_counts",
    "referral_get_for_user",
    "referral_history",
    "referrals_received",
    "referrals_sent",
    "DirectoryResult",
    "PlaceCount",
    "capacity_board",
    "directory_search",
    "organisation_profile_get",
    "published_service_choices",
    "own_profile_get",
    "own_providers",
]
