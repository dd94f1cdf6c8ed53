"""What each care audit event means, as a sentence in the viewer's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "care.visit.recorded": _("%(actor)s recorded a visit in case %(case)s."),
    "care.visit.updated": _("%(actor)s changed a visit in case %(case)s."),
    "care.service.recorded": _("%(actor)s recorded the service “%(service)s” in case %(case)s."),
    "care.service.updated": _("%(actor)s changed the service “%(service)s” in case %(case)s."),
    "care.service_type.seeded": _("The standard list of %(count)s services was added."),
    "care.service_type.created": _("%(actor)s added the service %(target)s to the list."),
    "care.service_type.updated": _("%(actor)s changed the service %(target)s in the list."),
    "care.provider.created": _("%(actor)s added the care provider %(target)s."),
    "care.provider.updated": _("%(actor)s changed the care provider %(target)s."),
    "care.carer.added": _("%(actor)s added the carer %(target)s to %(provider)s."),
    "care.carer.removed": _("%(actor)s removed the carer %(target)s from %(provider)s."),
    "care.placement.started": _("%(actor)s recorded a new placement in case %(case)s."),
    "care.placement.ended": _("%(actor)s ended a placement in case %(case)s."),
    "care.tracing.recorded": _("%(actor)s recorded a family tracing action in case %(case)s."),
    "care.relative.added": _("%(actor)s added the relative %(target)s in case %(case)s."),
    "care.reunification.recorded": _(
        "%(actor)s recorded a reunification assessment in case %(case)s."
    ),
}

ACTION_GROUPS = {
    "care.visit": _("Visits and case notes"),
    "care.service.": _("Services delivered"),
    "care.service_type.": _("Service list"),
    "care.provider": _("Care providers"),
    "care.carer": _("Carers"),
    "care.placement": _("Placements"),
    "care.tracing": _("Family tracing"),
    "care.relative": _("Relatives"),
    "care.reunification": _("Reunification assessments"),
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
    "notes": _("notes"),
    "name_en": _("name in English"),
    "code": _("code"),
    "capacity": _("places"),
    "care_type": _("care type"),
    "started_on": _("start"),
    "ended_on": _("end"),
    "reason": _("reason"),
    "outcome": _("outcome"),
    "outcome_notes": _("outcome notes"),
    "done_on": _("date of the search"),
    "where_searched": _("where searched"),
    "done_by": _("who searched"),
    "relationship": _("relationship to the child"),
    "willing_to_care": _("willing to care for the child"),
    "found_on": _("found on"),
    "assessed_on": _("date of the assessment"),
    "relative": _("family assessed"),
    "recommendation": _("recommendation"),
    "reunified_on": _("reunified on"),
}


def _labels():
    from phteah.care.models import CareProvider, CareType, Placement, ReunificationAssessment
    from phteah.cases.models import ServiceDelivery, Visit

    return {
        "care.visit": {
            "kind": dict(Visit.Kind.choices),
            "schooling": dict(Visit.Schooling.choices),
        },
        "care.service": {
            "currency": dict(ServiceDelivery.Currency.choices),
            "recipient": dict(ServiceDelivery.Recipient.choices),
        },
        "care.provider": {"kind": dict(CareProvider.Kind.choices)},
        "care.placement": {
            "care_type": dict(CareType.choices),
            "outcome": dict(Placement.Outcome.choices),
        },
        "care.reunification": {
            "recommendation": dict(ReunificationAssessment.Recommendation.choices)
        },
    }


VALUE_LABELS = _labels()
