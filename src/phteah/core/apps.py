from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "phteah.core"
    label = "core"
    verbose_name = "Phteah core"
