"""Reads of the referral network that a user triggers, each taking the acting membership.
``directory`` holds every read that crosses organisations (the partner directory, the
capacity board and a partner's page): published rows and aggregates only."""

from .contacts import (
    ContactCounts,
    contact_counts,
    contact_request_get_for_user,
    contact_request_person,
    contact_requests_received,
    contact_requests_sent,
    person_contact_requests,
)
from .directory import (
    DirectoryResult,
    PlaceCount,
    capacity_board,
    directory_search,
    organisation_profile_get,
    published_service_choices,
)
from .profiles import own_profile_get, own_providers
from .referrals import (
    RECEIVER,
    SENDER,
    ReferralCounts,
    case_referrals,
    referral_counts,
    referral_get_for_user,
    referral_history,
    referrals_received,
    referrals_sent,
)

__all__ = [
    "ContactCounts",
    "contact_counts",
    "contact_request_get_for_user",
    "contact_request_person",
    "contact_requests_received",
    "contact_requests_sent",
    "person_contact_requests",
    "RECEIVER",
    "SENDER",
    "ReferralCounts",
    "case_referrals",
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
