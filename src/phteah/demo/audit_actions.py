"""What the demo loader's and the synthetic data generator's audit events mean."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "demo.cases.created": _(
        "%(cases)s demo cases were created with their visits, assessments and placements."
    ),
    "synth.created": _(
        "%(actor)s created synthetic data: %(cases)s cases, %(people)s people and "
        "%(visits)s visits."
    ),
}

ACTION_GROUPS = {
    "demo": _("Demo data"),
    "synth": _("Synthetic data"),
}

FIELD_LABELS = {
    "cases": _("cases"),
    "people": _("people"),
    "users": _("accounts"),
    "visits": _("visits"),
    "services": _("services"),
    "placements": _("placements"),
    "rows": _("rows written"),
}

# Events written by the demo loader (also offices and memberships) say so in "source".
VALUES = {"": {"source": {"demo": _("demo data"), "synth": _("synthetic data")}}}
