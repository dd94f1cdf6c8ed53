"""The case page is assembled from parts that apps contribute, so that cases never imports
the apps above it (care, and later referrals, field work...).

- **Sections** (``case_section``): a block of the case page (and optionally of the printed
  summary, and lines of the summary at the top of the page) with its own templates and
  context. The context function gets the acting member and
  the case (already checked by the access function) and returns a dict, which the template
  reads under the section's key. Sections are shown in the order of their ``position``.
- **Timeline sources** (``timeline_source``): each kind of record contributes the rows of the
  case's timeline: a function returning querysets of (day, stamp, kind, id) rows (see
  ``timeline_rows``), the querysets to fetch the records of a page in bulk, and a function
  turning one record into a ``TimelineEntry``.

An app registers its parts in its ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, F, QuerySet, Value


@dataclass(frozen=True)
class CaseSection:
    key: str
    template: str
    context: Callable[..., dict]
    position: int
    print_template: str = ""
    summary_template: str = ""  # lines of the case summary (<dt>/<dd> pairs), if any
    # The heading of the fold the section is shown in on the case page (closed by default on
    # a phone); a section without one is shown unfolded.
    title: str = ""


@dataclass
class TimelineEntry:
    day: date
    kind: str
    label: str
    summary: str
    by: object  # a User, a name, or None
    url: str = ""
    voided: object = None  # the record, if it was voided (shown struck through)


@dataclass(frozen=True)
class TimelineSource:
    """*labels*: kind → label; *rows(case)*: querysets of timeline rows; *fetch*: fetch key →
    a function returning the queryset to fetch records from; *fetch_of*: kind → fetch key (by
    default the kind itself); *entry(case, kind, day, obj, language)*: the entry."""

    name: str
    labels: dict
    rows: Callable[..., list[QuerySet]]
    fetch: dict[str, Callable[[], QuerySet]]
    entry: Callable[..., TimelineEntry]
    fetch_of: dict[str, str] = field(default_factory=dict)


_sections: dict[str, CaseSection] = {}
_sources: dict[str, TimelineSource] = {}


def case_section(section: CaseSection) -> None:
    _sections[section.key] = section


def timeline_source(source: TimelineSource) -> None:
    _sources[source.name] = source


def sections() -> list[CaseSection]:
    return sorted(_sections.values(), key=lambda section: section.position)


def timeline_sources() -> list[TimelineSource]:
    return list(_sources.values())


def timeline_rows(queryset, *, day, kind: str, stamp="created_at", pk="pk") -> QuerySet:
    """(day, stamp, kind, id) rows of one source, for the timeline's UNION ALL."""
    day_expr = F(day) if isinstance(day, str) else day
    return (
        queryset.order_by()
        .annotate(
            t_day=day_expr,
            t_stamp=F(stamp),
            t_kind=Value(kind, output_field=CharField()),
            t_id=F(pk),
        )
        .values_list("t_day", "t_stamp", "t_kind", "t_id")
    )


def short(text: str, length: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
