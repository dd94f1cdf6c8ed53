from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "phteah.notifications"
    label = "notifications"
    verbose_name = "Notifications"
