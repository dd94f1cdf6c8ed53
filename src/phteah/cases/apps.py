from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "phteah.cases"
    label = "cases"
    verbose_name = "Cases"
