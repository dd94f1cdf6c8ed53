from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "work.rule.created": _("%(actor)s added a rule to the rule table."),
    "work.rule.updated": _("%(actor)s changed a rule in the rule table."),
    "work.rule.deleted": _("%(actor)s removed a rule from the rule table."),
    "work.rules.restored": _(
        "%(actor)s restored the default rule table (%(removed)s rules removed, "
        "%(created)s created)."
    ),
    "demo.cases.created": _(
        "%(cases)s demo cases were created with their visits, assessments and placements."
    ),
}

ACTION_GROUPS = {
    "work.rule": _("Rule table"),
    "work.rules": _("Rule table"),
}

FIELD_LABELS = {
    "care_type": _("care type"),
    "risk_level": _("risk level"),
    "value": _("value"),
}
