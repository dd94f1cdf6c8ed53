"""The care app's contributions to the case timeline (phteah.cases.page): placements started
and ended, family tracing, relatives found, reunification assessments."""

from django.utils.translation import gettext_lazy as _

from phteah.cases.page import TimelineEntry, TimelineSource, short, timeline_rows, timeline_source

from .models import Placement, Relative, ReunificationAssessment, TracingAction

LABELS = {
    "placement_start": _("Placement started"),
    "placement_end": _("Placement ended"),
    "tracing": _("Family tracing"),
    "relative": _("Relative found"),
    "reunification": _("Reunification assessment"),
}


def _rows(case) -> list:
    return [
        timeline_rows(
            Placement.objects.filter(case=case), day="started_on", kind="placement_start"
        ),
        timeline_rows(
            Placement.objects.filter(case=case, ended_on__isnull=False),
            day="ended_on",
            kind="placement_end",
            stamp="updated_at",
        ),
        timeline_rows(TracingAction.objects.filter(case=case), day="done_on", kind="tracing"),
        timeline_rows(Relative.objects.filter(case=case), day="found_on", kind="relative"),
        timeline_rows(
            ReunificationAssessment.objects.filter(case=case),
            day="assessed_on",
            kind="reunification",
        ),
    ]


FETCH = {
    "placement": lambda: Placement.objects.select_related("provider", "recorded_by", "voided_by"),
    "tracing": lambda: TracingAction.objects.all(),
    "relative": lambda: Relative.objects.select_related("recorded_by"),
    "reunification": lambda: ReunificationAssessment.objects.select_related(
        "assessed_by", "relative"
    ),
}


def _entry(case, kind: str, day, obj, language) -> TimelineEntry:
    label = str(LABELS[kind])
    summary, by = "", None
    if kind in ("placement_start", "placement_end"):
        provider = obj.provider.name if obj.provider else ""
        summary = " · ".join(p for p in (obj.get_care_type_display(), provider) if p)
        if kind == "placement_end" and obj.outcome:
            summary = f"{summary} · {obj.get_outcome_display()}"
        by = obj.recorded_by
    elif kind == "tracing":
        summary, by = short(f"{obj.where_searched}: {obj.outcome}"), obj.done_by
    elif kind == "relative":
        summary, by = short(f"{obj.name} ({obj.relationship})"), obj.recorded_by
    elif kind == "reunification":
        summary, by = obj.get_recommendation_display(), obj.assessed_by
    voided = obj if getattr(obj, "is_voided", False) else None
    return TimelineEntry(day=day, kind=kind, label=label, summary=summary, by=by, voided=voided)


def register() -> None:
    timeline_source(
        TimelineSource(
            name="care",
            labels=LABELS,
            rows=_rows,
            fetch=FETCH,
            entry=_entry,
            fetch_of={"placement_start": "placement", "placement_end": "placement"},
        )
    )
