"""Forms of the transfer pages. Forms parse (types, lengths, choices); the services decide."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phteah.core.forms import TextArea
from phteah.core.limits import NOTE_LENGTH
from phteah.core.submissions import OnceFormMixin

from .models import Transfer


class ReceiverField(forms.ModelChoiceField):
    def label_from_instance(self, organisation):
        return organisation.display_name(get_language())


class TransferForm(OnceFormMixin, forms.Form):
    receiver = ReceiverField(
        label=_("Transfer to"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        help_text=_(
            "Once it accepts, the organisation looks after the child in a case of its own, "
            "and your case is closed."
        ),
    )
    reason = forms.CharField(
        label=_("Why the case is transferred"),
        max_length=NOTE_LENGTH,
        widget=TextArea(rows=4),
        help_text=_("What the organisation needs to know to answer; the child's details go along."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = organisations


class TransferDeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why you decline"),
        choices=Transfer.DeclineReason.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    note = forms.CharField(
        label=_("Note for the sending organisation"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=TextArea(rows=3),
    )
