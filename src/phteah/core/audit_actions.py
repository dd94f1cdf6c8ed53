"""What each audit action code means, as a sentence in the viewer's language.

Events are stored language-neutral; this registry turns them into text at display time.
Placeholders: %(actor)s, %(target)s and any key of the event's ``data``."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "core.audit.values_erased": _(
        "%(actor)s erased values from the audit trail. Reason given: %(reason)s"
    ),
    "core.audit.rechained": _(
        "The audit trail was re-chained with a secret key (%(events)s earlier events)."
    ),
    "geography.loaded": _("Geography was loaded from %(source)s."),
    "synth.created": _(
        "%(actor)s created synthetic data: %(cases)s cases, %(people)s people and "
        "%(visits)s visits."
    ),
}

ACTION_GROUPS: dict = {}


class _Default(dict):
    def __missing__(self, key):
        return "—"


def _all_actions() -> dict:
    """This registry plus each installed app's ``audit_actions.ACTIONS`` (and FIELD_LABELS)."""
    global _MERGED
    if _MERGED is None:
        from importlib import import_module

        from django.apps import apps

        merged, labels, groups = dict(ACTIONS), {}, {}
        for config in apps.get_app_configs():
            if not config.name.startswith("phteah.") or config.name == "phteah.core":
                continue
            try:
                module = import_module(f"{config.name}.audit_actions")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.audit_actions":
                    raise
                continue
            merged.update(getattr(module, "ACTIONS", {}))
            labels.update(getattr(module, "FIELD_LABELS", {}))
            groups.update(getattr(module, "ACTION_GROUPS", {}))
            VALUE_LABELS.update(getattr(module, "VALUE_LABELS", {}))
        FIELD_LABELS.update({k: v for k, v in labels.items() if k not in FIELD_LABELS})
        ACTION_GROUPS.update({k: v for k, v in groups.items() if k not in ACTION_GROUPS})
        _MERGED = merged
    return _MERGED


_MERGED = None
# Apps' labels for stored codes, by action prefix:
#   {"care.visit": {"kind": {"home": _("Home visit")}}}
VALUE_LABELS: dict = {}


def describe(event) -> str:
    """The event as one sentence in the active language."""
    template = _all_actions().get(event.action)
    values = _Default({k: v for k, v in (event.data or {}).items() if isinstance(v, str | int)})
    actor = event.actor if event.actor_id else None
    values["actor"] = (actor.display_name(get_language()) if actor else event.actor_label) or _(
        "The system"
    )
    values["target"] = event.target_id or "—"
    if template is None:
        return event.action
    return str(template) % values


FIELD_LABELS = {
    "role": _("role"),
    "office": _("office"),
    "is_active": _("active"),
    "name": _("name"),
    "name_km": _("name in Khmer"),
    "village": _("village"),
    "address_detail": _("address"),
    "phone": _("phone"),
    "provinces": _("provinces covered"),
    "require_two_factor_for_all": _("two-factor for every member"),
    "language": _("language"),
    "email": _("email address"),
    "full_name": _("name"),
    "short_code": _("short code"),
    "kind": _("kind"),
}


def display_value(field: str, value, action: str = ""):
    """A stored value as the viewer should read it: labels for codes, yes/no for flags."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(display_value(field, item, action)) for item in value) or "—"
    _all_actions()
    for prefix in sorted(VALUE_LABELS, key=len, reverse=True):
        if action.startswith(prefix) and field in VALUE_LABELS[prefix]:
            return VALUE_LABELS[prefix][field].get(value, value)
    return value


def action_group_choices() -> list:
    _all_actions()
    return [("", _("Everything")), *ACTION_GROUPS.items()]
