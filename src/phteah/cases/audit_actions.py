"""What each audit event of the cases app (cases, assessments, plans, conferences, visits,
services) means, and how its records are named when the trail is shown."""

from django.utils.translation import gettext_lazy as _

from phteah.core.audit.display import show_date
from phteah.core.audit_actions import RefKeys

ACTIONS = {
    "care.visit.recorded": _("%(actor)s recorded a visit in case %(case)s."),
    "care.visit.updated": _("%(actor)s changed a visit in case %(case)s."),
    "care.visit.list_viewed": _("%(actor)s looked at the visits of case %(case)s."),
    "care.visit.voided": _("%(actor)s voided a visit in case %(case)s: %(reason)s"),
    "care.visit.restored": _("%(actor)s restored a voided visit in case %(case)s."),
    "care.service.recorded": _("%(actor)s recorded a service in case %(case)s."),
    "care.service.voided": _("%(actor)s voided a service in case %(case)s: %(reason)s"),
    "care.service.restored": _("%(actor)s restored a voided service in case %(case)s."),
    "care.service.updated": _("%(actor)s changed a service in case %(case)s."),
    "care.service_type.seeded": _("The standard list of %(count)s services was added."),
    "care.service_type.created": _("%(actor)s added the service %(target)s to the list."),
    "care.service_type.updated": _("%(actor)s changed the service %(target)s in the list."),
    "cases.assessment.viewed": _("%(actor)s looked at an assessment in case %(case)s."),
    "cases.conference.viewed": _("%(actor)s looked at a case conference of case %(case)s."),
    "cases.case.opened": _("%(actor)s opened the case %(target)s for %(person)s."),
    "cases.case.updated": _("%(actor)s changed the case %(target)s."),
    "cases.case.viewed": _("%(actor)s looked at the case %(target)s."),
    "cases.case.printed": _("%(actor)s printed the summary of the case %(target)s."),
    "cases.case.risk_changed": _(
        "The risk level of the case %(target)s was set by %(actor)s's initial assessment."
    ),
    "cases.case.reopened": _("%(actor)s reopened the case %(target)s: %(reason)s"),
    "cases.assessment.created": _("%(actor)s recorded an assessment in the case %(case)s."),
    "cases.assessment.voided": _("%(actor)s voided an assessment in the case %(case)s: %(reason)s"),
    "cases.assessment.restored": _("%(actor)s restored a voided assessment in the case %(case)s."),
    "cases.goal.created": _("%(actor)s added a goal to the plan of the case %(case)s."),
    "cases.goal.updated": _("%(actor)s changed a goal of the case %(case)s."),
    "cases.action.created": _("%(actor)s added an action to the plan of the case %(case)s."),
    "cases.action.updated": _("%(actor)s changed an action of the case %(case)s."),
    "cases.plan_review.created": _("%(actor)s reviewed the plan of the case %(case)s."),
    "cases.conference.created": _("%(actor)s recorded a case conference for the case %(case)s."),
    "cases.closure.requested": _("%(actor)s asked to close the case %(target)s."),
    "cases.closure.approved": _("%(actor)s approved closing the case %(target)s."),
    "cases.closure.transferred": _(
        "The case %(target)s was closed: %(actor)s accepted its transfer to their organisation."
    ),
    "cases.closure.sent_back": _(
        "%(actor)s sent back the request to close the case %(target)s: %(closure_sent_back_note)s"
    ),
    "cases.closure.sent_back_done": _(
        "%(actor)s marked as done what was asked when closing the case %(target)s was sent back."
    ),
    "cases.domain.seeded": _("%(actor)s added the standard assessment domains."),
    "cases.domain.created": _("%(actor)s added the assessment domain %(target)s."),
    "cases.domain.updated": _("%(actor)s changed the assessment domain %(target)s."),
    "cases.grant.created": _("%(actor)s shared the case %(case)s with another organisation."),
    "cases.grant.renewed": _("%(actor)s extended the sharing of the case %(case)s."),
    "cases.grant.revoked": _("The sharing of the case %(case)s with another organisation ended."),
    "cases.grant.assigned": _("%(actor)s gave the shared case %(case)s to an officer."),
    "cases.case.viewed_shared": _(
        "%(actor)s, of the organisation it is shared with, looked at the case %(case)s."
    ),
    "cases.visit.authority_recorded": _(
        "%(actor)s, of the authority the case is shared with, recorded a visit in case %(case)s."
    ),
}

ACTION_GROUPS = {
    "care.visit": _("Visits and case notes"),
    "care.service.": _("Services delivered"),
    "care.service_type.": _("Service list"),
    "cases.case": _("Cases"),
    "cases.assessment": _("Assessments"),
    "cases.goal": _("Case plans"),
    "cases.action": _("Case plan actions"),
    "cases.plan_review": _("Case plan reviews"),
    "cases.conference": _("Case conferences"),
    "cases.closure": _("Case closures"),
    "cases.domain": _("Assessment domains"),
    "cases.grant": _("Sharing with other organisations"),
    "cases.visit": _("Visits by the authorities a case is shared with"),
}

FIELD_LABELS = {
    "visited_on": _("date of the visit"),
    "people_seen": _("who was seen"),
    "schooling": _("schooling"),
    "wellbeing_notes": _("wellbeing notes"),
    "next_visit_due": _("next visit due"),
    "service_type": _("service"),
    "provider": _("provider"),
    "provider_name": _("provider (if not in Phteah)"),
    "delivered_on": _("date of the service"),
    "quantity": _("quantity"),
    "cost": _("cost"),
    "currency": _("currency"),
    "recipient": _("for"),
    "closure_sent_back_note": _("why the closure was sent back"),
    "closure_sent_back_by": _("sent back by"),
    "closure_sent_back_on": _("sent back on"),
    "reference": _("reference"),
    "person": _("person"),
    "case_type": _("programme"),
    "referral_source": _("referred by"),
    "referral_source_detail": _("referrer's name or agency"),
    "referral_reason": _("reason for referral"),
    "identified_at": _("identified at"),
    "opened_on": _("opened on"),
    "risk_level": _("risk level"),
    "supervisor": _("supervisor"),
    "case_workers": _("case workers"),
    "status": _("status"),
    "stage": _("stage"),
    "closure_reason": _("reason for closing"),
    "closure_notes": _("closing notes"),
    "closure_requested_by": _("closure requested by"),
    "closure_requested_on": _("closure requested on"),
    "closure_placement_outcome": _("how the current placement ends"),
    "closed_on": _("closed on"),
    "closure_approved_by": _("closure approved by"),
    "assessed_on": _("date of assessment"),
    "summary": _("summary"),
    "scores": _("scores"),
    "description": _("description"),
    "domain": _("domain"),
    "owner": _("owner"),
    "owner_text": _("owner outside the organisation"),
    "due_on": _("due on"),
    "reviewed_on": _("reviewed on"),
    "notes": _("notes"),
    "held_on": _("date of the conference"),
    "participants": _("participants"),
    "child_views": _("the child's views"),
    "family_views": _("the family's views"),
    "decisions": _("decisions"),
    "next_steps": _("next steps"),
    "name_en": _("name in English"),
    "position": _("position"),
    "code": _("code"),
    "voided_at": _("voided at"),
    "voided_by": _("voided by"),
    "void_reason": _("why it was voided"),
    "grantee": _("shared with"),
    "level": _("level"),
    "purpose": _("why"),
    "consent": _("consent"),
    "valid_until": _("until"),
    "handled_by": _("handled by"),
    "revoked_at": _("ended on"),
}


def _visit_name(visit, language) -> str:
    return _("%(kind)s on %(date)s") % {
        "kind": visit.get_kind_display(),
        "date": show_date(visit.visited_on),
    }


def _assessment_name(assessment, language) -> str:
    return _("%(kind)s assessment of %(date)s") % {
        "kind": assessment.get_kind_display(),
        "date": show_date(assessment.assessed_on),
    }


def _service_name(service, language) -> str:
    return _("%(service)s on %(date)s") % {
        "service": service.service_type.display_name(language),
        "date": show_date(service.delivered_on),
    }


# Choices, foreign keys and dates are read from the models' fields; these are the values
# that are not a field of the event's record.
VALUES = {
    # {domain code: score}: "Food security: 3 · Shelter: 2"
    "cases.assessment": {"scores": RefKeys("cases.assessmentdomain", by="code")},
}
NAMES = {
    "cases.visit": _visit_name,
    "cases.assessment": _assessment_name,
    "cases.servicedelivery": _service_name,
    "cases.goal": lambda goal, language: goal.description[:80],
    "cases.action": lambda action, language: action.description[:80],
    "cases.planreview": lambda review, language: (
        _("the plan review of %(date)s") % {"date": show_date(review.reviewed_on)}
    ),
    "cases.conference": lambda conference, language: (
        _("the case conference of %(date)s") % {"date": show_date(conference.held_on)}
    ),
}
RELATED = {"cases.servicedelivery": ("service_type",)}
