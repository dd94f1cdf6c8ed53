"""What the demo loader's audit events mean."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "demo.cases.created": _(
        "%(cases)s demo cases were created with their visits, assessments and placements."
    ),
}
