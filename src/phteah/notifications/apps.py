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
