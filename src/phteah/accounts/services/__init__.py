"""Every change to organisations, offices, accounts, memberships and invitations, one module
per sub-domain (the service contract is described in ``common``):

- ``organisations``: creating one (platform operator), its settings, its first administrator;
- ``offices``;
- ``members``: accounts and memberships, an administrator's changes to their staff;
- ``invitations``: how people join an organisation (and accept or decline);
- ``own_account``: a user's password, language and authenticator;
- ``sessions``: sign-ins, sign-outs, failures and lock-outs.

The names are also importable from this package."""

from .common import temporary_password
from .invitations import (
    INVITATION_VALID_FOR,
    INVITATIONS_PER_HOUR,
    invitation_accept,
    invitation_accept_with_new_account,
    invitation_cancel,
    invitation_create,
    invitation_decline,
    invitation_resend,
)
from .members import (
    MEMBERSHIP_FIELDS,
    member_reset_password,
    member_reset_two_factor,
    member_update,
)
from .offices import OFFICE_FIELDS, office_create, office_update
from .organisations import (
    ORGANISATION_FIELDS,
    organisation_admin_add,
    organisation_create,
    organisation_update,
)
from .own_account import (
    two_factor_device_begin,
    two_factor_device_confirm,
    user_change_password,
    user_set_language,
    user_set_numerals,
)
from .sessions import session_record

__all__ = [
    "INVITATIONS_PER_HOUR",
    "INVITATION_VALID_FOR",
    "MEMBERSHIP_FIELDS",
    "OFFICE_FIELDS",
    "ORGANISATION_FIELDS",
    "invitation_accept",
    "invitation_accept_with_new_account",
    "invitation_cancel",
    "invitation_create",
    "invitation_decline",
    "invitation_resend",
    "member_reset_password",
    "member_reset_two_factor",
    "member_update",
    "office_create",
    "office_update",
    "organisation_admin_add",
    "organisation_create",
    "organisation_update",
    "session_record",
    "temporary_password",
    "two_factor_device_begin",
    "two_factor_device_confirm",
    "user_change_password",
    "user_set_language",
    "user_set_numerals",
]
