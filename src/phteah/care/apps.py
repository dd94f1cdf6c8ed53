from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "phteah.care"
    label = "care"
    verbose_name = "Care"
