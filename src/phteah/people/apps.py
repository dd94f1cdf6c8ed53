from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "phteah.people"
    label = "people"
    verbose_name = "People"
