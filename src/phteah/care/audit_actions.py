"""What each care audit event means, as a sentence in the viewer's language."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "work.rule.created": _("%(actor)s added a rule to the rule table."),
    "work.rule.updated": _("%(actor)s changed a rule in the rule table."),
    "work.rule.deleted": _("%(actor)s removed a rule from the rule table."),
    "work.rules.restored": _(
        "%(actor)s restored the default rule table (%(removed)s rules removed, "
        "%(created)s created)."
    ),
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
    "work.rule": _("Rule table"),
    "work.rules": _("Rule table"),
    "care.provider": _("Care providers"),
    "care.carer": _("Carers"),
    "care.placement": _("Placements"),
    "care.tracing": _("Family tracing"),
    "care.relative": _("Relatives"),
    "care.reunification": _("Reunification assessments"),
}

FIELD_LABELS = {
    "risk_level": _("risk level"),
    "value": _("value"),
    "provider": _("provider"),
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
    from phteah.care.models import (
        CareProvider,
        CareRule,
        CareType,
        Placement,
        ReunificationAssessment,
    )

    return {
        "work.rule": {"kind": dict(CareRule.Kind.choices), "care_type": dict(CareType.choices)},
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
