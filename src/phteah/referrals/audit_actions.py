"""What each audit event of the referral network means, and how its records are named when
the trail is shown."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "referrals.profile.updated": _(
        "%(actor)s changed the organisation's profile in the partner directory."
    ),
}

ACTION_GROUPS = {
    "referrals.profile": _("Partner directory profile"),
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
