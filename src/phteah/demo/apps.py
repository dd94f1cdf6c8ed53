from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo network and the national-scale synthetic data (commands ``demo``
    and ``synth``). The top of the layering: it uses every app, and no app uses it."""

    name = "phteah.demo"
    label = "demo"
    verbose_name = "Phteah demo data"
