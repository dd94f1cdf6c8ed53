"""Forms of the referral letters (partners not on Phteah). Forms parse; the services in
``phteah.referrals.services.letters`` decide."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from phteah.core import khmer
from phteah.core.forms import TextArea
from phteah.core.limits import NOTE_LENGTH
from phteah.core.submissions import OnceFormMixin

from .models import LetterLanguage, PartnerKind, ReferralLetter, Urgency
from .services.letters import CONTACT_LENGTH


class LetterForm(OnceFormMixin, forms.Form):
    consent = forms.ChoiceField(
        label=_("Partner"),
        choices=(),
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        help_text=_("The partners a consent on record names and lets the child be referred to."),
    )
    partner_kind = forms.ChoiceField(
        label=_("Kind of partner"),
        choices=PartnerKind.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    partner_contact = forms.CharField(
        label=_("Who to see there, and their phone"),
        max_length=CONTACT_LENGTH,
        required=False,
    )
    services = forms.MultipleChoiceField(
        label=_("Services asked for"),
        choices=(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    reason = forms.CharField(
        label=_("Why the child is referred"),
        max_length=NOTE_LENGTH,
        widget=TextArea(rows=4),
    )
    language = forms.ChoiceField(
        label=_("Language of the letter"),
        choices=LetterLanguage.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )

    def __init__(self, *args, consents, services, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].choices = [
            (
                str(consent.pk),
                _("%(partner)s (consent given on %(date)s)")
                % {"partner": consent.shared_with_name, "date": date_format(consent.given_on)},
            )
            for consent in consents
        ]
        self.fields["services"].choices = services
        self.fields["language"].initial = "km" if language == "km" else "en"


class LetterAnswerForm(forms.Form):
    state = forms.ChoiceField(
        label=_("The partner's answer"),
        choices=[
            (value, label)
            for value, label in ReferralLetter.State.choices
            if value != ReferralLetter.State.PENDING
        ],
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    answered_on = khmer.DateField(label=_("Answered on"))
    note = forms.CharField(
        label=_("What the partner said"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=TextArea(rows=3),
    )
    correction = forms.CharField(
        label=_("Why you correct the answer recorded"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=TextArea(rows=2),
    )

    def __init__(self, *args, corrects: bool, **kwargs):
        kwargs.setdefault("initial", {"answered_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if corrects:
            self.fields["correction"].required = True
        else:
            del self.fields["correction"]
