from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "phteah.geography"
    label = "geography"
    verbose_name = "Geography"
