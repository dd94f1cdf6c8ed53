"""What each accounts.* audit event means, and how its values are named (read by
phteah.core.audit_actions when the trail is shown). The codes its events store — roles,
kinds of organisation, languages — are labelled from the models' own fields."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "accounts.login.succeeded": _("%(actor)s signed in."),
    "accounts.login.failed": _("Failed sign-in attempt as %(actor)s."),
    "accounts.login.locked_out": _("Sign-in locked after repeated failures for %(actor)s."),
    "accounts.login.refused": _(
        "A sign-in as %(actor)s was refused because its address is locked after repeated failures."
    ),
    "accounts.logout": _("%(actor)s signed out."),
    "accounts.session.expired": _("%(actor)s was signed out after being idle."),
    "accounts.organisation.created": _("Organisation %(target)s was created."),
    "accounts.organisation.updated": _("%(actor)s changed the organisation's settings."),
    "accounts.office.created": _("%(actor)s added the office %(target)s."),
    "accounts.office.updated": _("%(actor)s changed the office %(target)s."),
    "accounts.user.created": _("%(actor)s created an account for %(target)s."),
    "accounts.membership.created": _("%(actor)s added %(user)s to the organisation."),
    "accounts.membership.updated": _("%(actor)s changed the role or access of %(user)s."),
    "accounts.user.password_reset": _("%(actor)s reset the password of %(target)s."),
    "accounts.user.password_changed": _("%(actor)s changed their password."),
    "accounts.user.language_changed": _("%(actor)s changed their language."),
    "accounts.user.numerals_changed": _("%(actor)s changed the digits of their pages."),
    "accounts.user.two_factor_enabled": _("%(actor)s set up two-factor authentication."),
    "accounts.two_factor.failed": _("%(actor)s entered a wrong two-factor code."),
    "accounts.user.two_factor_reset": _("%(actor)s removed the two-factor device of %(target)s."),
    "accounts.invitation.created": _("%(actor)s invited someone to join the organisation."),
    "accounts.invitation.resent": _("%(actor)s sent a new invitation link."),
    "accounts.invitation.cancelled": _("%(actor)s cancelled an invitation."),
    "accounts.invitation.opened": _("An invitation link was opened."),
    "accounts.invitation.accepted": _("%(actor)s accepted an invitation and joined."),
    "accounts.invitation.declined": _("%(actor)s declined an invitation."),
}

ACTION_GROUPS = {
    "accounts.login": _("Sign-ins"),
    "accounts.logout": _("Sign-outs"),
    "accounts.session": _("Sessions"),
    "accounts.two_factor": _("Two-factor codes"),
    "accounts.membership": _("Roles and access"),
    "accounts.invitation": _("Invitations"),
    "accounts.user": _("Accounts"),
    "accounts.office": _("Offices"),
    "accounts.organisation": _("Organisation"),
}

FIELD_LABELS = {
    "email": _("email address"),
    "full_name": _("name"),
    "full_name_km": _("name in Khmer"),
    "user": _("member of staff"),
    "provinces": _("provinces covered"),
    "require_two_factor_for_all": _("two-factor for every member"),
    "short_code": _("short code"),
}

# A membership is named by its member; a user is shown only when they are (or were) a
# member of the reader's organisation.
NAMES = {"accounts.membership": lambda membership, language: membership.user.display_name(language)}
RELATED = {"accounts.membership": ("user",)}
ORGANISATION_PATHS = {"accounts.user": "memberships__organisation"}
