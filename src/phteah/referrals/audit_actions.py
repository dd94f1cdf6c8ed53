"""What each audit event of the referral network means, and how its records are named when
the trail is shown."""

from django.utils.translation import gettext_lazy as _

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
    "referrals.transfer.sent": _("%(actor)s asked a partner to take over the case %(case)s."),
    "referrals.transfer.viewed": _("%(actor)s looked at the transfer of the case %(case)s."),
    "referrals.transfer.accepted": _("%(actor)s accepted the transfer of the case %(case)s."),
    "referrals.transfer.declined": _("%(actor)s declined the transfer of the case %(case)s."),
    "referrals.transfer.withdrawn": _("The transfer of the case %(case)s was withdrawn."),
}

ACTION_GROUPS = {
    "referrals.profile": _("Partner directory profile"),
    "referrals.referral": _("Referrals"),
    "referrals.transfer": _("Transfers"),
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
}

NAMES = {
    "referrals.partnerprofile": lambda profile, language: str(_("the partner profile")),
}
