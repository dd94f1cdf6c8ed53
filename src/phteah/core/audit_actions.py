"""What audit events mean: the declarations that turn a stored event — an action code, ids,
codes and ISO dates — into a sentence and values in the reader's language
(``phteah.core.audit.display`` does the showing).

Core imports no app above it. Each app declares what its own events mean in its
``audit_actions`` module, and core collects those modules through Django's app registry the
first time the trail is shown. A declaration module may define:

``ACTIONS``
    ``{action code: sentence}``. A sentence is a whole, lazily translated sentence with named
    placeholders: ``%(actor)s`` (who did it), ``%(target)s`` (the record the event is about),
    ``%(case)s`` (the case it belongs to), and any key of the event's ``data`` or field of its
    ``changes`` (the new value, or the old one when the new one is empty), each shown in the
    reader's language. Instead of a sentence, a function ``f(event, facts) -> sentence`` may
    choose one of several (``facts.actor_outside``: the actor is not a member of the
    organisation whose trail this is).
``PLACEHOLDERS``
    ``{action code: f(event) -> {name: text}}``: values a sentence needs that the event does
    not store as such (how many events an erasure touched).
``ACTION_GROUPS``
    ``{action prefix: label}``: the choices of the "type of event" filter.
``FIELD_LABELS``
    ``{field or data key: label}`` for the fields of this module's events.
``VALUES``
    ``{action prefix: {field or data key: how to show it}}``, where "how" is a ``{code:
    label}`` dict (choices), ``Ref("app.model")`` (a row by its id, or ``by=`` another unique
    field such as a code) or ``RefKeys("app.model")`` (a dict whose keys name rows: the
    assessment scores ``{domain code: score}``). Fields of the record's own model need no
    declaration: foreign keys, many-to-many fields, choices, dates, numbers and flags are read
    from the model's fields.
``CHANGES_MODELS``
    ``{action prefix: "app.model"}``: the model whose fields the changes hold when it is not
    the target's (a member added to a household: changes of the membership row).
``NAMES``
    ``{"app.model": f(row, language) -> str}``: how a row is named (by default its
    ``display_name(language)``, else ``str(row)``); ``RELATED``: ``{"app.model": (paths for
    select_related)}`` that the name needs.
``ORGANISATION_PATHS``
    ``{"app.model": lookup}``: how rows of a model without an ``organisation`` field are
    kept to the reader's organisation (users: through their memberships). Models with an
    ``organisation`` field are kept to it; models with neither (places, organisations) are
    public reference data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.utils.translation import gettext_lazy as _

from .access import DENIED_PER_HOUR


@dataclass(frozen=True)
class Ref:
    """A stored value that names a row of *model* ("app.model") by its field *by*."""

    model: str
    by: str = "pk"


@dataclass(frozen=True)
class RefKeys:
    """A stored ``{key: value}`` dict whose keys name rows of *model* by their field *by*
    (the values are shown as they are, e.g. scores)."""

    model: str
    by: str = "code"


# --- core's own events -----------------------------------------------------------------


def _suppressed(event, facts):
    if facts.actor_outside:
        return _(
            "Someone outside the organisation was refused more than %(limit)s times within "
            "an hour; further attempts this hour were not recorded one by one."
        )
    return _(
        "%(actor)s was refused more than %(limit)s times within an hour; further attempts "
        "this hour were not recorded one by one."
    )


def _rechained(event, facts):
    if (event.data or {}).get("previous_chain_intact"):
        return _(
            "The audit trail was moved to the keyed chain: %(events)s earlier events were "
            "sealed again, and the earlier chain was intact."
        )
    return _(
        "The audit trail was moved to the keyed chain: %(events)s earlier events were sealed "
        "again. The earlier chain had been altered before the move."
    )


def _erasure_count(event) -> dict[str, Any]:
    erased = (event.data or {}).get("erased")
    return {"count": len(erased) if isinstance(erased, dict) else 0}


ACTIONS = {
    "core.access.denied": _("%(actor)s tried to open %(target)s, which they may not see."),
    "core.access.denied_outside": _("Someone outside the organisation tried to open %(target)s."),
    "core.access.denied_beyond_grant": _(
        "An organisation the case %(case)s was shared with asked for it beyond its share."
    ),
    "core.access.refused": _(
        "%(actor)s asked for a record that does not exist or that they may not see."
    ),
    "core.access.denied_suppressed": _suppressed,
    "core.audit.rechained": _rechained,
    "core.audit.values_erased": _(
        "%(actor)s erased personal values from %(count)s events of the audit trail. "
        "Reason: %(reason)s"
    ),
}

PLACEHOLDERS = {
    "core.access.denied_suppressed": lambda event: {"limit": DENIED_PER_HOUR},
    "core.audit.values_erased": _erasure_count,
}

ACTION_GROUPS = {
    "core.access": _("Refused access"),
    "core.audit": _("Audit trail upkeep"),
}

FIELD_LABELS = {
    "role": _("role"),
    "office": _("office"),
    "is_active": _("active"),
    "name": _("name"),
    "name_km": _("name in Khmer"),
    "name_en": _("name in English"),
    "village": _("village"),
    "address_detail": _("address"),
    "phone": _("phone"),
    "notes": _("notes"),
    "reason": _("reason"),
    "source": _("source"),
    "count": _("how many"),
    "events": _("events"),
    "previous_chain_intact": _("the earlier chain was intact"),
    "erased": _("values erased"),
}

NAMES = {
    "core.auditevent": lambda event, language: str(_("an event of the audit trail")),
}


# --- the registry: core's declarations plus every app's -----------------------------------


@dataclass
class Module:
    """One declaration module (core's or an app's)."""

    name: str
    field_labels: dict = field(default_factory=dict)


@dataclass
class Registry:
    actions: dict = field(default_factory=dict)  # code -> sentence or function
    owners: dict = field(default_factory=dict)  # code -> Module that declared it
    placeholders: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # prefix -> {key: spec}
    changes_models: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    related: dict = field(default_factory=dict)
    organisation_paths: dict = field(default_factory=dict)
    modules: list = field(default_factory=list)

    def add(self, name: str, declarations) -> None:
        module = Module(name, dict(getattr(declarations, "FIELD_LABELS", {})))
        self.modules.append(module)
        for code, sentence in getattr(declarations, "ACTIONS", {}).items():
            if code in self.actions:
                raise ValueError(f"The audit action {code} is declared twice.")
            self.actions[code] = sentence
            self.owners[code] = module
        self.placeholders.update(getattr(declarations, "PLACEHOLDERS", {}))
        for prefix, label in getattr(declarations, "ACTION_GROUPS", {}).items():
            self.groups.setdefault(prefix, label)
        for prefix, specs in getattr(declarations, "VALUES", {}).items():
            self.values.setdefault(prefix, {}).update(specs)
        self.changes_models.update(getattr(declarations, "CHANGES_MODELS", {}))
        self.names.update(getattr(declarations, "NAMES", {}))
        self.related.update(getattr(declarations, "RELATED", {}))
        self.organisation_paths.update(getattr(declarations, "ORGANISATION_PATHS", {}))

    def value_spec(self, action: str, key: str):
        """The declared way to show *key* of an *action* event (longest prefix first)."""
        for prefix in sorted(self.values, key=len, reverse=True):
            if action.startswith(prefix) and key in self.values[prefix]:
                return self.values[prefix][key]
        return None

    def changes_model(self, action: str) -> str | None:
        for prefix in sorted(self.changes_models, key=len, reverse=True):
            if action.startswith(prefix):
                return self.changes_models[prefix]
        return None


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """Core's declarations and every installed Phteah app's ``audit_actions`` module."""
    global _REGISTRY
    if _REGISTRY is None:
        from django.apps import apps

        built = Registry()
        built.add("phteah.core", import_module(__name__))
        for config in apps.get_app_configs():
            if not config.name.startswith("phteah.") or config.name == "phteah.core":
                continue
            try:
                declarations = import_module(f"{config.name}.audit_actions")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.audit_actions":
                    raise
                continue
            built.add(config.name, declarations)
        _REGISTRY = built
    return _REGISTRY


def action_group_choices() -> list:
    """The "type of event" filter's choices, in the active language when shown."""
    return [("", _("Everything")), *registry().groups.items()]
