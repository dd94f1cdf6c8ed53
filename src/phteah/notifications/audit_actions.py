"""What the audit events of the notifications app mean (a member's choice of channels)."""

from django.utils.translation import gettext_lazy as _

from .models import Kind

ACTIONS = {
    "notifications.preferences.changed": _(
        "%(actor)s changed how they are told of events in Phteah."
    ),
}

ACTION_GROUPS = {"notifications.preferences": _("Notification settings")}

FIELD_LABELS = {
    "in_app": _("told in Phteah of"),
    "email": _("told by e-mail of"),
}

VALUES = {
    "notifications.preferences": {"in_app": dict(Kind.choices), "email": dict(Kind.choices)},
}
