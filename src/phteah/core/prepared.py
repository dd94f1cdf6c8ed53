"""Queries whose SQL the ORM makes once per process, run again with other ids.

Turning a queryset into SQL costs Python time on every request, and for a large query it is
most of the query's cost: the case timeline's UNION ALL of 18 sources took ~10 ms of a
2-core server's CPU to build and compile, twice (page and count), against ~1 ms for the
database to run it (profiled on bench/run.py's case page at 100,000 children).
``Prepared`` builds the queryset once with stand-in ids (random UUIDs nobody else uses),
keeps its SQL, remembers which parameters were the stand-ins, and from then on only puts
the real ids in their place.

The organisation scope (django-scopes) is part of the SQL the ORM makes: a stand-in
organisation is used when the request's scope is one organisation, the SQL without it when
scopes are disabled; any other scope (several organisations) is compiled every time.

Only ids may vary: *build* must make the same SQL whatever the ids it is given (no branch
on a value), which holds for filters by id. tests/core/test_prepared.py checks that a
prepared query gives the same rows as the queryset itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import nullcontext

from django.db import connection
from django.db.models import QuerySet
from django_scopes import scope
from django_scopes.state import get_scope

ORGANISATION = "organisation"  # the scope dimension of phteah's organisation-owned rows
CONSTANT = ""  # a parameter that is the same in every query


def _as(form: str, value) -> object:
    real = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return {"uuid": real, "hex": real.hex, "str": str(real)}[form]


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build = build
        self.names = names
        self._cache: dict[tuple, tuple[str, list]] = {}

    def sql(self, **ids) -> tuple[str, list]:
        """The SQL and parameters of ``build(**ids)``."""
        current = get_scope()
        enabled = current.get("_enabled", True)
        organisation = current.get(ORGANISATION)
        if enabled and (organisation is None or isinstance(organisation, (list, tuple))):
            return self.build(**ids).query.sql_with_params()
        key = (connection.vendor, enabled)
        if key not in self._cache:
            self._cache[key] = self._prepare(enabled)
        text, slots = self._cache[key]
        values = ids | ({ORGANISATION: organisation} if enabled else {})
        return text, [data if kind == CONSTANT else _as(data, values[kind]) for kind, data in slots]

    def _prepare(self, enabled: bool) -> tuple[str, list]:
        """The SQL made with stand-in ids, and each parameter as (CONSTANT, its value) or
        (the name of the id it stands for, the form it was given in)."""
        sentinels = {name: uuid.uuid4() for name in self.names}
        if enabled:
            sentinels[ORGANISATION] = uuid.uuid4()
        within = scope(**{ORGANISATION: sentinels[ORGANISATION]}) if enabled else nullcontext()
        with within:
            query = self.build(**{name: sentinels[name] for name in self.names}).query
            text, params = query.sql_with_params()
        forms = {}
        for name, sentinel in sentinels.items():
            forms |= {sentinel: (name, "uuid"), sentinel.hex: (name, "hex")}
            forms[str(sentinel)] = (name, "str")
        slots = [
            forms.get(param, (CONSTANT, param)) if _hashable(param) else (CONSTANT, param)
            for param in params
        ]
        return text, slots


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
