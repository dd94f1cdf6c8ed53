from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "phteah.work"
    label = "work"
    verbose_name = "My work and rules"
