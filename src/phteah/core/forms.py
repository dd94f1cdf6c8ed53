from django import forms
from django.utils.translation import gettext_lazy as _

from . import khmer
from .audit_actions import action_group_choices


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Type of event"),
        required=False,
        choices=action_group_choices,
    )
    person = forms.CharField(label=_("Person"), required=False, max_length=100)
    date_from = khmer.DateField(label=_("From"), required=False)
    date_to = khmer.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        return data
