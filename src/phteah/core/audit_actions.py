"""What each audit action code means, as a sentence in the viewer's language.

Events are stored language-neutral; this registry turns them into text at display time.
Placeholders: %(actor)s, %(target)s and any key of the event's ``data``."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "accounts.login.succeeded": _("%(actor)s signed in."),
    "accounts.login.failed": _("Failed sign-in attempt as %(actor)s."),
    "accounts.login.locked_out": _("Sign-in locked after repeated failures for %(actor)s."),
    "accounts.logout": _("%(actor)s signed out."),
    "accounts.session.expired": _("%(actor)s was signed out after being idle."),
    "accounts.organisation.created": _("Organisation %(target)s was created."),
    "accounts.organisation.updated": _("%(actor)s changed the organisation's settings."),
    "accounts.office.created": _("%(actor)s added the office %(target)s."),
    "accounts.office.updated": _("%(actor)s changed the office %(target)s."),
    "accounts.user.created": _("%(actor)s created an account for %(target)s."),
    "accounts.membership.created": _("%(actor)s added %(user)s to the organisation."),
    "accounts.membership.updated": _("%(actor)s changed the role or access of %(user)s."),
    "accounts.user.password_reset": _("%(actor)s reset the password of %(target)s."),
    "accounts.user.password_changed": _("%(actor)s changed their password."),
    "accounts.user.language_changed": _("%(actor)s changed their language."),
    "accounts.user.two_factor_enabled": _("%(actor)s set up two-factor authentication."),
    "accounts.two_factor.failed": _("%(actor)s entered a wrong two-factor code."),
    "accounts.user.two_factor_reset": _("%(actor)s removed the two-factor device of %(target)s."),
    "geography.loaded": _("Geography was loaded from %(source)s."),
    "synth.created": _(
        "%(actor)s created synthetic data: %(cases)s cases, %(people)s people and "
        "%(visits)s visits."
    ),
}

ACTION_GROUPS = {
    "accounts.login": _("Sign-ins"),
    "accounts.logout": _("Sign-outs"),
    "accounts.session": _("Sessions"),
    "accounts.membership": _("Roles and access"),
    "accounts.user": _("Accounts"),
    "accounts.office": _("Offices"),
    "accounts.organisation": _("Organisation"),
}


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
    values["actor"] = event.actor_label or _("The system")
    values["target"] = event.target_label or "—"
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


def _value_labels():
    from phteah.accounts.models import Organisation
    from phteah.accounts.roles import Role

    return {
        "role": dict(Role.choices),
        "kind": dict(Organisation.Kind.choices),
        "language": dict(settings.LANGUAGES),
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
    if action.startswith("accounts."):
        return _value_labels().get(field, {}).get(value, value)
    return value


def action_group_choices() -> list:
    _all_actions()
    return [("", _("Everything")), *ACTION_GROUPS.items()]
