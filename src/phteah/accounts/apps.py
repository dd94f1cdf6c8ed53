from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "phteah.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login/logout/failed-login audit)
