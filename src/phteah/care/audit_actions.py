"""What each audit event of the care app (providers, carers, placements, family tracing,
the rule table) means, and how its records are named when the trail is shown."""

from django.utils.translation import gettext_lazy as _

from phteah.core.audit.display import show_date

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
    "care.provider.care_type_set": _(
        "%(actor)s set which children %(provider)s takes in %(target)s."
    ),
    "care.provider.care_type_removed": _(
        "%(actor)s removed %(target)s from the care types of %(provider)s."
    ),
    "care.carer.added": _("%(actor)s added the carer %(name)s to %(provider)s."),
    "care.carer.removed": _("%(actor)s removed the carer %(name)s from %(provider)s."),
    "care.placement.started": _("%(actor)s recorded a new placement in case %(case)s."),
    "care.placement.ended": _("%(actor)s ended a placement in case %(case)s."),
    "care.placement.voided": _("%(actor)s voided a placement in case %(case)s: %(reason)s"),
    "care.placement.restored": _("%(actor)s restored a voided placement in case %(case)s."),
    "care.placement.resumed": _(
        "A placement in case %(case)s is current again: %(actor)s voided the placement that "
        "replaced it."
    ),
    "care.tracing.recorded": _("%(actor)s recorded a family tracing action in case %(case)s."),
    "care.relative.added": _("%(actor)s added the relative %(target)s in case %(case)s."),
    "care.reunification.recorded": _(
        "%(actor)s recorded a reunification assessment in case %(case)s."
    ),
}

ACTION_GROUPS = {
    "work.rule": _("Rule table"),
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
    "over_capacity": _("placed over capacity"),
    "network_published": _("shown in the partner directory"),
    "age_min": _("youngest age (years)"),
    "age_max": _("oldest age (years)"),
    "accepts_disability": _("takes children with a disability"),
    "occupied": _("children already placed"),
    "voided_at": _("voided at"),
    "voided_by": _("voided by"),
    "void_reason": _("why it was voided"),
}


def _placement_name(placement, language) -> str:
    return _("%(care_type)s from %(date)s") % {
        "care_type": placement.get_care_type_display(),
        "date": show_date(placement.started_on),
    }


def _rule_name(rule, language) -> str:
    applies_to = rule.get_care_type_display() or rule.get_risk_level_display()
    if applies_to:
        return _("%(rule)s (%(applies_to)s)") % {
            "rule": rule.get_kind_display(),
            "applies_to": applies_to,
        }
    return str(rule.get_kind_display())


# Choices, foreign keys and dates are read from the models' fields (a placement's care type,
# a rule's kind, a relative's village...).
NAMES = {
    "care.providercaretype": lambda row, language: str(row.get_care_type_display()),
    "care.placement": _placement_name,
    "care.carerule": _rule_name,
    "care.tracingaction": lambda action, language: (
        _("the family tracing of %(date)s") % {"date": show_date(action.done_on)}
    ),
    "care.reunificationassessment": lambda assessment, language: (
        _("the reunification assessment of %(date)s") % {"date": show_date(assessment.assessed_on)}
    ),
}
