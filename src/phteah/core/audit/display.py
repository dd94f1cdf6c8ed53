"""Showing audit events in the reader's language.

An event stores an action code, ids, codes and ISO dates (``phteah.core.audit.writing``).
``events_shown`` turns a page of them into sentences and values for a reader of one
organisation, in one language:

- the sentence of the action (``phteah.core.audit_actions`` and each app's declarations);
- the actor by their name in the reader's script; the target and the case by what a reader
  knows them by (a case by its reference, a person by their name, a village by its name and
  commune, a service type by its name in the reader's language);
- every value of ``changes`` and ``data``: codes as their labels, ids as the row's name,
  dates formatted, flags as yes/no, masked secrets as hidden, erased values as "erased on
  <date> by <name>".

Rows are read in bulk: one query per kind of row named on the page, whatever the number of
events. Only rows of the reader's organisation are named (and public reference data: places,
organisations); anything else, and anything deleted since, is "a record that is no longer
available" — never an id.

Denied attempts from outside the organisation never say who tried: no actor, e-mail, IP
address or organisation of the prober is shown."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..audit_actions import Ref, RefKeys, registry
from ..models import AuditEvent
from .writing import MASK

OUTSIDE_ACTION = "core.access.denied_outside"
ERASURE_ACTION = "core.audit.values_erased"
# Events whose target is not shown: a record that does not exist or is not the reader's.
_NO_TARGET = {"core.access.refused", "core.access.denied_suppressed"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EMPTY = "—"


class Format(Enum):
    """How a value read from a model field is shown (when it is not a row or a choice)."""

    DATE = "date"
    DATETIME = "datetime"
    FLAG = "flag"
    NUMBER = "number"
    FILE = "file"


def unavailable() -> str:
    return _("a record that is no longer available")


# --- what the page gets ----------------------------------------------------------------


@dataclass
class ShownValue:
    label: str
    value: str


@dataclass
class ShownChange:
    label: str
    before: str
    after: str
    erased: str = ""  # "erased on <date> by <name>" when the value was erased


@dataclass
class ShownErasure:
    """One event whose values an erasure removed."""

    event_id: int | None  # None: not an event of the reader's organisation (any more)
    when: str
    fields: str


@dataclass
class ShownEvent:
    event: AuditEvent
    when: str
    sentence: str
    actor: str | None  # None when it must not be shown (an attempt from outside)
    ip: str | None
    target: str | None
    case: str | None
    case_id: str | None  # the case, when it is the reader's: for "every event of this case"
    pending: bool
    changes: list[ShownChange] = field(default_factory=list)
    data: list[ShownValue] = field(default_factory=list)
    erased: list[ShownValue] = field(default_factory=list)
    erasures: list[ShownErasure] = field(default_factory=list)

    @property
    def pk(self):
        return self.event.pk


@dataclass(frozen=True)
class Facts:
    """What a sentence function may need to know beyond the event."""

    actor_outside: bool


# --- formatting ------------------------------------------------------------------------


def show_date(value) -> str:
    """A date (or the local day of a time) in the active language's format."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return formats.date_format(value, "DATE_FORMAT")


def show_datetime(value) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def show_number(value) -> str:
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    return formats.number_format(value)


def _flag(value: bool) -> str:
    return _("yes") if value else _("no")


# --- the rows named on a page ----------------------------------------------------------


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _key_field(model, by: str):
    if by == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(by)
    except FieldDoesNotExist:
        return None


class _Rows:
    """The rows a page of events names, read in one query per (model, key field)."""

    def __init__(self, organisation_id, reg):
        self.organisation_id = organisation_id
        self.reg = reg
        self.wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.found: dict[tuple[str, str], dict[str, Any]] = {}

    @staticmethod
    def _key(label: str, by: str, value) -> str | None:
        model = _model(label)
        key_field = _key_field(model, by) if model is not None else None
        if key_field is None or value is None or isinstance(value, dict | list | bool):
            return None
        try:
            return str(key_field.to_python(value))
        except (ValidationError, TypeError, ValueError):
            return None

    def want(self, label: str, by: str, value) -> None:
        key = self._key(label, by, value)
        if key is not None:
            self.wanted[(label, by)].add(key)

    def fetch(self) -> None:
        for (label, by), keys in self.wanted.items():
            model = _model(label)
            key_field = _key_field(model, by)
            rows = model._default_manager.filter(**{f"{key_field.name}__in": sorted(keys)})
            path = self.reg.organisation_paths.get(label)
            if path:
                rows = rows.filter(**{path: self.organisation_id}).distinct()
            elif any(f.name == "organisation" for f in model._meta.concrete_fields):
                rows = rows.filter(organisation_id=self.organisation_id)
            related = self.reg.related.get(label)
            if related:
                rows = rows.select_related(*related)
            # In the model's own order (domains by position): a JSON object read back from
            # PostgreSQL has lost the order its keys were written in.
            self.found[(label, by)] = {str(getattr(row, key_field.attname)): row for row in rows}

    def get(self, label: str, by: str, value):
        key = self._key(label, by, value)
        return self.found.get((label, by), {}).get(key) if key is not None else None

    def in_order(self, label: str, by: str, values) -> list:
        """*values* (keys of rows) in the order of the model's rows, unknown ones last."""
        position = {key: index for index, key in enumerate(self.found.get((label, by), {}))}

        def rank(value):
            return (position.get(self._key(label, by, value), len(position)), str(value))

        return sorted(values, key=rank)

    def name(self, label: str, by: str, value, language: str) -> str:
        row = self.get(label, by, value)
        if row is None:
            return unavailable()
        namer = self.reg.names.get(label)
        if namer is not None:
            return str(namer(row, language))
        display = getattr(row, "display_name", None)
        return str(display(language)) if callable(display) else str(row)


# --- how each value is shown -----------------------------------------------------------


def _field_spec(model_field):
    """How a value of *model_field* is shown, from the field itself."""
    if isinstance(model_field, models.ForeignObjectRel):
        return None
    if model_field.is_relation and model_field.related_model is not None:
        target = getattr(model_field, "target_field", None)
        by = "pk" if target is None or target.primary_key else target.name
        return Ref(model_field.related_model._meta.label_lower, by)
    if model_field.choices:
        return dict(model_field.flatchoices)
    if isinstance(model_field, models.BooleanField):
        return Format.FLAG
    if isinstance(model_field, models.DateTimeField):
        return Format.DATETIME
    if isinstance(model_field, models.DateField):
        return Format.DATE
    if isinstance(model_field, models.DecimalField | models.IntegerField | models.FloatField):
        return Format.NUMBER
    if isinstance(model_field, models.FileField):
        return Format.FILE
    return None


def _model_field(model, key: str):
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return None if isinstance(model_field, models.ForeignObjectRel) else model_field


def field_label(reg, action: str, model, key: str) -> str:
    """The label of *key* in an *action* event whose changes are fields of *model*."""
    owner = reg.owners.get(action)
    if owner is not None and key in owner.field_labels:
        return str(owner.field_labels[key])
    model_field = _model_field(model, key)
    if model_field is not None:
        return str(model_field.verbose_name)
    for module in reg.modules:
        if key in module.field_labels:
            return str(module.field_labels[key])
    return key.replace("_", " ")


def _path_label(reg, action: str, model, path: str) -> str:
    if path == "ip":
        return _("IP address")
    if path == "actor_label":
        return _("email address typed at sign-in")
    return field_label(reg, action, model, path.partition(".")[2])


class _Event:
    """One event on its way to the page: first it says which rows it names, then (once
    the rows are read) it is shown."""

    def __init__(self, event: AuditEvent, reg, rows: _Rows):
        self.event, self.reg, self.rows = event, reg, rows
        self.target_model = _model(event.target_type) if event.target_type else None
        changes_label = reg.changes_model(event.action)
        self.model = _model(changes_label) if changes_label else self.target_model
        self.user_label = get_user_model()._meta.label_lower
        self._want_all()

    # -- what it names

    def spec(self, key: str):
        spec = self.reg.value_spec(self.event.action, key)
        if spec is not None:
            return spec
        model_field = _model_field(self.model, key)
        return _field_spec(model_field) if model_field is not None else None

    def _want(self, spec, value) -> None:
        if isinstance(value, list):
            for item in value:
                self._want(spec, item)
        elif isinstance(spec, Ref):
            self.rows.want(spec.model, spec.by, value)
        elif isinstance(spec, RefKeys) and isinstance(value, dict):
            for key in value:
                self.rows.want(spec.model, spec.by, key)

    def _want_all(self) -> None:
        event, rows = self.event, self.rows
        if event.target_type and event.action not in _NO_TARGET:
            rows.want(event.target_type, "pk", event.target_id)
        if event.case_id:
            rows.want("cases.case", "pk", event.case_id)
        if event.actor_id and event.action.startswith("core.access."):
            rows.want(self.user_label, "pk", event.actor_id)  # is the actor a member?
        for key, values in (event.changes or {}).items():
            spec = self.spec(key)
            for value in values if isinstance(values, list) and len(values) == 2 else [values]:
                self._want(spec, value)
        for key, value in (event.data or {}).items():
            if event.action == ERASURE_ACTION and key == "erased" and isinstance(value, dict):
                for event_id in value:
                    rows.want("core.auditevent", "pk", event_id)
            else:
                self._want(self.spec(key), value)
        for marker in (event.erased or {}).values():
            if isinstance(marker, dict):
                rows.want(self.user_label, "pk", marker.get("by"))

    # -- how it is shown

    def value(self, spec, value) -> str:
        if value is None or value == "" or value == []:
            return EMPTY
        if value == MASK:
            return _("hidden")
        if isinstance(value, list):
            return ", ".join(self.value(spec, item) for item in value)
        if isinstance(spec, Ref):
            return self.rows.name(spec.model, spec.by, value, self.language)
        if isinstance(spec, RefKeys) and isinstance(value, dict):
            return " · ".join(
                _("%(name)s: %(value)s")
                % {
                    "name": self.rows.name(spec.model, spec.by, key, self.language),
                    "value": self.value(None, value[key]),
                }
                for key in self.rows.in_order(spec.model, spec.by, list(value))
            )
        if isinstance(spec, dict):
            label = spec.get(value)
            return str(label) if label is not None else str(value)
        if isinstance(value, bool):
            return _flag(value)
        if spec is Format.FLAG:
            return str(value)
        if spec is Format.DATE:
            return show_date(value)
        if spec is Format.DATETIME:
            return show_datetime(value)
        if spec is Format.FILE:
            return PurePosixPath(str(value)).name
        if spec is Format.NUMBER or isinstance(value, int | float):
            return show_number(value)
        if isinstance(value, dict):
            return " · ".join(
                _("%(name)s: %(value)s")
                % {"name": self.label(str(key)), "value": self.value(self.spec(str(key)), item)}
                for key, item in sorted(value.items())
            )
        if isinstance(value, str) and _ISO_DATE.match(value):
            return show_date(value)
        if isinstance(value, str) and _ISO_DATETIME.match(value):
            return show_datetime(value)
        return str(value)

    def in_field_order(self, values: dict | None) -> list[tuple[str, Any]]:
        """The items of *values* in the order of the model's fields (PostgreSQL does not keep
        the order a JSON object was written in); other keys after them, by name."""
        fields = [f.name for f in self.model._meta.get_fields()] if self.model else []
        position = {name: index for index, name in enumerate(fields)}
        return sorted(
            (values or {}).items(), key=lambda item: (position.get(item[0], len(fields)), item[0])
        )

    def label(self, key: str) -> str:
        return field_label(self.reg, self.event.action, self.model, key)

    def erased_text(self, path: str) -> str:
        marker = (self.event.erased or {}).get(path)
        marker = marker if isinstance(marker, dict) else {}
        when = show_date(marker["at"]) if marker.get("at") else EMPTY
        who = self.rows.get(self.user_label, "pk", marker.get("by"))
        if who is not None:
            return _("erased on %(date)s by %(name)s") % {
                "date": when,
                "name": who.display_name(self.language),
            }
        return _("erased on %(date)s") % {"date": when}

    def _erased(self, path: str) -> bool:
        return path in (self.event.erased or {})

    def actor_outside(self) -> bool:
        event = self.event
        if event.action == OUTSIDE_ACTION:
            return True
        if event.action.startswith("core.access.") and event.actor_id:
            return self.rows.get(self.user_label, "pk", event.actor_id) is None
        return False

    def actor_text(self, outside: bool) -> str | None:
        event = self.event
        if outside:
            return None
        if event.actor_id:
            return event.actor.display_name(self.language)
        if self._erased("actor_label"):
            return _("(erased)")
        return event.actor_label or _("The system")

    def target_text(self) -> str | None:
        event = self.event
        if not event.target_type or event.action in _NO_TARGET:
            return None
        return self.rows.name(event.target_type, "pk", event.target_id, self.language)

    def case_text(self) -> str | None:
        if not self.event.case_id:
            return None
        return self.rows.name("cases.case", "pk", self.event.case_id, self.language)

    def placeholder(self, name: str, known: dict) -> str:
        if name in known:
            return known[name]
        event = self.event
        data, changes = event.data or {}, event.changes or {}
        if name in data:
            return self.value(self.spec(name), data[name])
        if self._erased(f"data.{name}") or self._erased(f"changes.{name}"):
            return _("(erased)")
        values = changes.get(name)
        if isinstance(values, list) and len(values) == 2:
            old, new = values
            return self.value(self.spec(name), new if new not in (None, "", []) else old)
        return EMPTY

    def sentence(self, known: dict, outside: bool) -> str:
        event = self.event
        template = self.reg.actions.get(event.action)
        if template is None:
            return _("Something happened that this version of Phteah cannot describe.")
        if callable(template):
            template = template(event, Facts(actor_outside=outside))
        extra = self.reg.placeholders.get(event.action)
        if extra is not None:
            known = known | {
                key: show_number(value) if isinstance(value, int) else str(value)
                for key, value in extra(event).items()
            }
        text = str(template)
        values = {name: self.placeholder(name, known) for name in _PLACEHOLDER.findall(text)}
        try:
            return text % values
        except (KeyError, TypeError, ValueError):
            # A translation that does not fit its sentence: the sentence as written.
            with translation.override(None):
                source = str(template)
            return source % {
                name: values[name] if name in values else self.placeholder(name, known)
                for name in _PLACEHOLDER.findall(source)
            }

    def changes(self) -> list[ShownChange]:
        shown = []
        for key, values in self.in_field_order(self.event.changes):
            spec = self.spec(key)
            if isinstance(values, list) and len(values) == 2:
                before, after = self.value(spec, values[0]), self.value(spec, values[1])
            elif values == MASK:  # a secret: both values were masked when written
                before = after = _("hidden")
            else:
                before, after = EMPTY, self.value(spec, values)
            if before == after == EMPTY:
                continue  # a field left empty when the record was made
            shown.append(ShownChange(self.label(key), before, after))
        for path in self.event.erased or {}:
            if path.startswith("changes.") and path[8:] not in (self.event.changes or {}):
                text = self.erased_text(path)
                shown.append(ShownChange(self.label(path[8:]), EMPTY, EMPTY, erased=text))
        return shown

    def data(self) -> list[ShownValue]:
        event = self.event
        shown = [
            ShownValue(self.label(key), self.value(self.spec(key), value))
            for key, value in self.in_field_order(event.data)
            if not (event.action == ERASURE_ACTION and key == "erased")
        ]
        for path in event.erased or {}:
            if path.startswith("data.") and path[5:] not in (event.data or {}):
                shown.append(ShownValue(self.label(path[5:]), self.erased_text(path)))
        return shown

    def erasures(self) -> list[ShownErasure]:
        event = self.event
        erased = (event.data or {}).get("erased") if event.action == ERASURE_ACTION else None
        if not isinstance(erased, dict):
            return []
        shown = []
        for event_id, paths in erased.items():
            other = self.rows.get("core.auditevent", "pk", event_id)
            if other is None:
                shown.append(ShownErasure(None, unavailable(), ""))
                continue
            model = _model(self.reg.changes_model(other.action) or other.target_type or "")
            labels = [
                _path_label(self.reg, other.action, model, str(path))
                for path in (paths if isinstance(paths, list) else [])
            ]
            shown.append(ShownErasure(other.pk, show_datetime(other.created_at), ", ".join(labels)))
        return shown

    def value_texts(self, paths, language: str) -> dict[str, str]:
        """Each of *paths* (``changes.<field>``, ``data.<key>``, ``ip``, ``actor_label``) as
        one line the reader understands: its label, then its value (old → new for a
        change)."""
        self.language = language
        event, texts = self.event, {}
        for path in paths:
            section, _dot, key = path.partition(".")
            label = _path_label(self.reg, event.action, self.model, path)
            if section == "changes" and key in (event.changes or {}):
                values = event.changes[key]
                if isinstance(values, list) and len(values) == 2:
                    before, after = (self.value(self.spec(key), v) for v in values)
                    text = _("%(field)s: %(old)s → %(new)s") % {
                        "field": label,
                        "old": before,
                        "new": after,
                    }
                else:
                    text = _("%(field)s: %(value)s") % {
                        "field": label,
                        "value": self.value(self.spec(key), values),
                    }
            elif section == "data" and key in (event.data or {}):
                text = _("%(field)s: %(value)s") % {
                    "field": label,
                    "value": self.value(self.spec(key), event.data[key]),
                }
            elif path == "ip" and event.ip:
                text = _("%(field)s: %(value)s") % {"field": label, "value": event.ip}
            elif path == "actor_label" and event.actor_label:
                text = _("%(field)s: %(value)s") % {"field": label, "value": event.actor_label}
            else:
                text = label
            texts[path] = text
        return texts

    def shown(self, language: str) -> ShownEvent:
        self.language = language
        event = self.event
        outside = self.actor_outside()
        actor, target, case = self.actor_text(outside), self.target_text(), self.case_text()
        known = {
            "actor": actor if actor is not None else _("Someone outside the organisation"),
            "target": target if target is not None else EMPTY,
            "case": case if case is not None else EMPTY,
        }
        if outside:
            ip = None
        elif self._erased("ip"):
            ip = self.erased_text("ip")
        else:
            ip = event.ip or None
        case_available = case is not None and self.rows.get("cases.case", "pk", event.case_id)
        return ShownEvent(
            event=event,
            when=show_datetime(event.created_at),
            sentence=self.sentence(known, outside),
            actor=actor,
            ip=ip,
            target=target,
            case=case,
            case_id=str(event.case_id) if case_available else None,
            pending=event.sequence is None,
            changes=self.changes(),
            data=self.data(),
            erased=[
                ShownValue(
                    _path_label(self.reg, event.action, self.model, path), self.erased_text(path)
                )
                for path in event.erased or {}
            ],
            erasures=self.erasures(),
        )


def events_shown(events, *, organisation_id, language: str | None = None) -> list[ShownEvent]:
    """*events* (of the organisation *organisation_id*, with their actors loaded) as the
    reader sees them, in *language* (default: the active one). One query per kind of row the
    events name, whatever their number."""
    language = language or get_language()
    reg = registry()
    with translation.override(language):
        rows = _Rows(organisation_id, reg)
        pending = [_Event(event, reg, rows) for event in events]
        rows.fetch()
        return [item.shown(language) for item in pending]


def event_value_texts(
    event, paths, *, organisation_id, language: str | None = None
) -> dict[str, str]:
    """The values *paths* of *event* as lines the reader understands (for choosing values to
    erase): ``{path: "label: value"}``."""
    language = language or get_language()
    reg = registry()
    with translation.override(language):
        rows = _Rows(organisation_id, reg)
        item = _Event(event, reg, rows)
        rows.fetch()
        return item.value_texts(paths, language)


def case_shown(case_id, *, organisation_id, language: str | None = None) -> str | None:
    """The reference of the case *case_id* if it is the organisation's (for the heading of
    "every event of this case"), else None."""
    language = language or get_language()
    rows = _Rows(organisation_id, registry())
    rows.want("cases.case", "pk", case_id)
    rows.fetch()
    if rows.get("cases.case", "pk", case_id) is None:
        return None
    with translation.override(language):
        return rows.name("cases.case", "pk", case_id, language)
