from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "phteah.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from phteah.core.audit.anchor import register_recipients

        from . import signals  # noqa: F401  (login/logout/failed-login audit)
        from .audit_anchor import organisation_admin_addresses

        register_recipients(organisation_admin_addresses)
