from django import forms
from django.utils.translation import gettext_lazy as _

from phteah.care.models import CareRule, CareType
from phteah.cases.models import RiskLevel
from phteah.core import khmer


class RuleAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rule"), choices=CareRule.Kind.choices)
    care_type = forms.ChoiceField(
        label=_("Care type"),
        choices=[("", _("Any care type"))] + list(CareType.choices),
        required=False,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        choices=[("", _("Any risk level"))] + list(RiskLevel.choices),
        required=False,
    )
    value = khmer.IntegerField(
        label=_("Value"),
        min_value=1,
        help_text=_("In days; the initial assessment rules are in hours."),
    )


class RuleValueForm(forms.Form):
    value = khmer.IntegerField(label=_("Value"), min_value=1)
