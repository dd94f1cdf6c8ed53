"""What each audit event of the referral network means, and how its records are named when
the trail is shown."""

from django.utils.translation import gettext_lazy as _

from phteah.core.audit_actions import Ref

ACTIONS = {
    "referrals.profile.updated": _(
        "%(actor)s changed the organisation's profile in the partner directory."
    ),
    "referrals.referral.sent": _("%(actor)s referred the case %(case)s to a partner."),
    "referrals.referral.viewed": _("%(actor)s looked at a referral of the case %(case)s."),
    "referrals.referral.accepted": _("%(actor)s accepted a referral of the case %(case)s."),
    "referrals.referral.declined": _("%(actor)s declined a referral of the case %(case)s."),
    "referrals.referral.withdrawn": _("A referral of the case %(case)s was withdrawn."),
    "referrals.referral.feedback": _("%(actor)s reported back on a referral of the case %(case)s."),
    "referrals.referral.completed": _("%(actor)s completed a referral of the case %(case)s."),
    "referrals.referral.closed": _("%(actor)s closed a referral of the case %(case)s."),
    "referrals.referral.erased": _(
        "The child's details on a referral of the case %(case)s were removed, the referral "
        "having ended without a partner taking the child."
    ),
    "referrals.attachment.downloaded": _(
        "%(actor)s downloaded a document sent with a referral of the case %(case)s."
    ),
    "referrals.letter.created": _(
        "%(actor)s wrote a referral letter for the case %(case)s to a partner not on Phteah."
    ),
    "referrals.letter.downloaded": _(
        "%(actor)s downloaded a referral letter of the case %(case)s."
    ),
    "referrals.letter.answered": _(
        "%(actor)s recorded the partner's answer to a referral letter of the case %(case)s."
    ),
    "referrals.letter.answer_corrected": _(
        "%(actor)s corrected the partner's answer to a referral letter of the case %(case)s."
    ),
    "referrals.transfer.sent": _("%(actor)s asked a partner to take over the case %(case)s."),
    "referrals.transfer.viewed": _("%(actor)s looked at the transfer of the case %(case)s."),
    "referrals.transfer.accepted": _("%(actor)s accepted the transfer of the case %(case)s."),
    "referrals.transfer.declined": _("%(actor)s declined the transfer of the case %(case)s."),
    "referrals.transfer.withdrawn": _("The transfer of the case %(case)s was withdrawn."),
    "referrals.contact.sent": _(
        "%(actor)s asked another organisation to get in touch about %(person)s."
    ),
    "referrals.contact.received": _(
        "Another organisation asked to get in touch about %(target)s, a possible match."
    ),
    "referrals.contact.viewed": _("%(actor)s looked at a contact request."),
    "referrals.contact.answered": _("%(actor)s answered a contact request."),
    "referrals.contact.declined": _("%(actor)s declined a contact request."),
}

ACTION_GROUPS = {
    "referrals.profile": _("Partner directory profile"),
    "referrals.referral": _("Referrals"),
    "referrals.attachment": _("Referrals"),
    "referrals.letter": _("Referral letters to partners not on Phteah"),
    "referrals.transfer": _("Transfers"),
    "referrals.contact": _("Contact requests"),
}

FIELD_LABELS = {
    "published": _("shown in the partner directory"),
    "accepts_referrals": _("accepts referrals"),
    "description_en": _("description in English"),
    "description_km": _("description in Khmer"),
    "contact_name": _("contact person"),
    "contact_phone": _("contact phone"),
    "contact_email": _("contact e-mail"),
    "languages": _("languages"),
    "answer_days": _("days to answer a referral"),
    "telegram_chat_id": _("Telegram chat"),
    "linkage_participates": _("takes part in the network duplicate check"),
    "services": _("services listed"),
    "answer_note": _("what the partner said"),
    "answered_on": _("answered on"),
    "correction": _("why the answer was corrected"),
    "partner_kind": _("kind of partner"),
    "language": _("language of the letter"),
    "person": _("person"),
    "receiver": _("organisation asked"),
    "from": _("asked by"),
    "contact_request": _("contact request"),
}

VALUES = {
    "referrals.contact": {
        "person": Ref("people.person"),
        "receiver": Ref("accounts.organisation"),
        "from": Ref("accounts.organisation"),
    }
}

NAMES = {
    "referrals.partnerprofile": lambda profile, language: str(_("the partner profile")),
    "referrals.referralgroup": lambda group, language: group.display_name(language),
    "referrals.referralattachment": lambda attachment, language: attachment.display_title(),
    "referrals.referralletter": lambda letter, language: str(
        _("the referral letter to %(partner)s") % {"partner": letter.partner_name}
    ),
    "referrals.contactrequest": lambda request, language: str(_("a contact request")),
}
