from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "phteah.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from . import fanout

        # In the publishing transaction: the notices commit or roll back with the change;
        # their e-mails and Telegram messages leave after commit (services.py).
        fanout.subscribe()
        # An organisation's own Telegram chat, when its partner profile names one.
        from . import telegram

        telegram.chat_source(_profile_chat)


def _profile_chat(organisation_id) -> str | None:
    from phteah.referrals.models import PartnerProfile

    return (
        PartnerProfile.objects.filter(organisation_id=organisation_id)
        .exclude(telegram_chat_id="")
        .values_list("telegram_chat_id", flat=True)
        .first()
    )
