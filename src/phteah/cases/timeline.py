"""The cases app's contributions to the case timeline (phteah.cases.page): the case itself
(opened, closure requested, closed, reopened), assessments, the plan, conferences, visits,
services delivered, and the person's consent records."""

from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phteah.people.models import Consent

from .models import (
    Action,
    Assessment,
    Case,
    CaseReopening,
    Conference,
    Goal,
    PlanReview,
    ServiceDelivery,
    Visit,
)
from .page import TimelineEntry, TimelineSource, short, timeline_rows, timeline_source

LABELS = {
    "opened": _("Case opened"),
    "assessment": _("Assessment"),
    "goal": _("Goal set"),
    "action": _("Action planned"),
    "plan_review": _("Plan review"),
    "conference": _("Case conference"),
    "visit": _("Visit"),
    "service": _("Service delivered"),
    "consent": _("Consent recorded"),
    "closure_requested": _("Closure requested"),
    "closed": _("Case closed"),
    "closed_before": _("Case closed"),
    "reopened": _("Case reopened"),
}


def _rows(case: Case) -> list:
    this = Case.objects.filter(pk=case.pk)
    return [
        timeline_rows(this, day="opened_on", kind="opened"),
        timeline_rows(
            this.filter(closure_requested_on__isnull=False),
            day="closure_requested_on",
            kind="closure_requested",
            stamp="updated_at",
        ),
        timeline_rows(
            this.filter(closed_on__isnull=False), day="closed_on", kind="closed", stamp="updated_at"
        ),
        timeline_rows(Assessment.objects.filter(case=case), day="assessed_on", kind="assessment"),
        timeline_rows(Goal.objects.filter(case=case), day=TruncDate("created_at"), kind="goal"),
        timeline_rows(
            Action.objects.filter(goal__case=case), day=TruncDate("created_at"), kind="action"
        ),
        timeline_rows(PlanReview.objects.filter(case=case), day="reviewed_on", kind="plan_review"),
        timeline_rows(Conference.objects.filter(case=case), day="held_on", kind="conference"),
        timeline_rows(Visit.objects.filter(case=case), day="visited_on", kind="visit"),
        timeline_rows(
            ServiceDelivery.objects.filter(case=case), day="delivered_on", kind="service"
        ),
        timeline_rows(
            Consent.objects.filter(person_id=case.person_id), day="given_on", kind="consent"
        ),
        timeline_rows(CaseReopening.objects.filter(case=case), day="reopened_on", kind="reopened"),
        timeline_rows(
            CaseReopening.objects.filter(case=case, previous_closed_on__isnull=False),
            day="previous_closed_on",
            kind="closed_before",
        ),
    ]


FETCH = {
    "assessment": lambda: Assessment.objects.select_related("assessed_by", "voided_by"),
    "goal": lambda: Goal.objects.select_related("domain", "recorded_by"),
    "action": lambda: Action.objects.select_related("owner", "recorded_by"),
    "plan_review": lambda: PlanReview.objects.select_related("reviewed_by"),
    "conference": lambda: Conference.objects.select_related("recorded_by"),
    "visit": lambda: Visit.objects.select_related("recorded_by", "voided_by"),
    "service": lambda: ServiceDelivery.objects.select_related(
        "service_type", "recorded_by", "voided_by"
    ),
    "consent": lambda: Consent.objects.all(),
    "reopening": lambda: CaseReopening.objects.select_related("reopened_by"),
}


def _entry(case: Case, kind: str, day, obj, language) -> TimelineEntry:
    label = str(LABELS[kind])
    summary, by, url = "", None, ""
    if kind == "opened":
        summary = short(f"{case.get_case_type_display()} · {case.get_referral_source_display()}")
    elif kind == "closure_requested":
        summary, by = case.get_closure_reason_display(), case.closure_requested_by
    elif kind == "closed":
        summary, by = case.get_closure_reason_display(), case.closure_approved_by
    elif kind == "assessment":
        summary = f"{obj.get_kind_display()} · {obj.get_risk_level_display()}"
        by = obj.assessed_by
        url = reverse("cases:assessment_detail", args=[case.pk, obj.pk])
    elif kind == "goal":
        domain = obj.domain.display_name(language) if obj.domain else ""
        summary = short(f"{domain}: {obj.description}" if domain else obj.description)
        by = obj.recorded_by
    elif kind == "action":
        owner = obj.owner.display_name(language) if obj.owner else obj.owner_text
        summary = short(" · ".join(p for p in (obj.description, owner) if p))
        by = obj.recorded_by
    elif kind == "plan_review":
        summary, by = short(obj.notes), obj.reviewed_by
    elif kind == "conference":
        summary, by = short(obj.decisions), obj.recorded_by
        url = reverse("cases:conference_detail", args=[case.pk, obj.pk])
    elif kind == "visit":
        summary = short(" · ".join(p for p in (obj.get_kind_display(), obj.people_seen) if p))
        by = obj.recorded_by
    elif kind == "service":
        summary = obj.service_type.display_name(language)
        by = obj.recorded_by
    elif kind == "consent":
        summary = f"{obj.get_purpose_display()} · {obj.get_given_as_display()}"
        by = obj.given_by_name
    elif kind == "reopened":
        summary, by = short(obj.reason), obj.reopened_by
    elif kind == "closed_before":
        summary = dict(Case.ClosureReason.choices).get(obj.previous_closure_reason, "")
    voided = obj if getattr(obj, "is_voided", False) else None
    return TimelineEntry(
        day=day, kind=kind, label=label, summary=summary, by=by, url=url, voided=voided
    )


def register() -> None:
    timeline_source(
        TimelineSource(
            name="cases",
            labels=LABELS,
            rows=_rows,
            fetch=FETCH,
            entry=_entry,
            fetch_of={"reopened": "reopening", "closed_before": "reopening"},
        )
    )
