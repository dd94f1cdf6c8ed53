"""Forms of the referral network's pages. Forms parse (types, lengths, choices); the
services decide."""

import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phteah.care.services import PROVIDER_KIND_FOR_CARE_TYPE
from phteah.cases.forms import MemberChoiceField as MemberField
from phteah.cases.models import CareType, Case
from phteah.core import khmer
from phteah.core.forms import TextArea
from phteah.core.limits import NOTE_LENGTH
from phteah.core.submissions import OnceFormMixin
from phteah.geography.models import Commune, District, Province

from .models import Language, Referral, Urgency

# The care types a provider can offer the network (those placed with a care provider).
NETWORK_CARE_TYPES = [
    (value, label) for value, label in CareType.choices if value in PROVIDER_KIND_FOR_CARE_TYPE
]


def _place_label(language):
    return lambda place: place.display_name(language)


PROVINCE_CODE = re.compile(r"[0-9]{1,8}")


class DirectorySearchForm(forms.Form):
    """'Emergency foster care for a 2-year-old with a disability near Phnom Penh', as
    fields."""

    care_type = forms.ChoiceField(
        label=_("Care type"),
        required=False,
        choices=[("", _("Any care type")), *NETWORK_CARE_TYPES],
    )
    age = khmer.IntegerField(
        label=_("Age of the child (years)"), required=False, min_value=0, max_value=24
    )
    disability = forms.BooleanField(label=_("The child has a disability"), required=False)
    province = forms.ModelChoiceField(
        label=_("Near: province"),
        queryset=Province.objects.order_by("code"),
        required=False,
        empty_label=_("Anywhere"),
    )
    # The districts of the province chosen (a light page: not every district of Cambodia).
    district = forms.ModelChoiceField(
        label=_("Near: district"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Any district"),
        help_text=_("Choose the province and search: its districts are then listed here."),
    )
    service = forms.ChoiceField(label=_("Service"), required=False, choices=())

    def __init__(self, *args, services=(), language="km", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Any service")), *services]
        self.fields["province"].label_from_instance = _place_label(language)
        self.fields["district"].label_from_instance = _place_label(language)
        province = self.data.get("province") if self.is_bound else None
        # Only a well-formed province code reaches the query (the field itself refuses the
        # rest): a NUL character, say, is an error PostgreSQL raises, not a message.
        if isinstance(province, str) and PROVINCE_CODE.fullmatch(province):
            self.fields["district"].queryset = District.objects.filter(
                province_id=province
            ).order_by("code")
            self.fields["district"].help_text = ""
        self.fields["age"].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        data = super().clean()
        province, district = data.get("province"), data.get("district")
        if district is not None and (province is None or district.province_id != province.code):
            self.add_error("district", _("Choose a district of the province chosen."))
        return data


class ProfileForm(forms.Form):
    published = forms.BooleanField(
        label=_("Show our organisation in the partner directory"), required=False
    )
    accepts_referrals = forms.BooleanField(label=_("We accept referrals"), required=False)
    description_km = forms.CharField(
        label=_("About us, in Khmer"), required=False, max_length=NOTE_LENGTH, widget=TextArea()
    )
    description_en = forms.CharField(
        label=_("About us, in English"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=TextArea(),
    )
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=150)
    contact_phone = khmer.CharField(label=_("Contact phone"), required=False, max_length=30)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False, max_length=254)
    languages = forms.MultipleChoiceField(
        label=_("Languages our staff speak"),
        required=False,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts we cover"),
        queryset=District.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes we cover"),
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Communes of the districts chosen above (save the districts first)."),
    )
    service_codes = forms.MultipleChoiceField(
        label=_("Services we offer"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    provider_ids = forms.MultipleChoiceField(
        label=_("Care providers shown with their free places"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only their care types, ages and free places are shown, never a child."),
    )
    answer_days = khmer.IntegerField(
        label=_("Days to answer a referral"), min_value=1, max_value=60
    )
    telegram_chat_id = forms.CharField(
        label=_("Telegram chat for notices"), required=False, max_length=40
    )
    linkage_participates = forms.BooleanField(
        label=_("Take part in the network duplicate check"), required=False
    )

    def __init__(self, *args, districts, communes, services, providers, language="km", **kw):
        super().__init__(*args, **kw)
        self.fields["districts"].queryset = districts
        self.fields["districts"].label_from_instance = _place_label(language)
        self.fields["communes"].queryset = communes
        self.fields["communes"].label_from_instance = _place_label(language)
        self.fields["service_codes"].choices = services
        self.fields["provider_ids"].choices = providers
        self.fields["answer_days"].widget.attrs["inputmode"] = "numeric"
        self.fields["contact_phone"].widget.input_type = "tel"


# --- referrals ------------------------------------------------------------------------------


class OrganisationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name(get_language())


class ReferralForm(OnceFormMixin, forms.Form):
    receivers = OrganisationsField(
        label=_("Refer to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
        help_text=_(
            "Ask several organisations at once: the first to accept a service takes the child "
            "for it, and the others are told."
        ),
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
        help_text=_("What the partner needs to know to answer; the child's details go along."),
    )

    attach = forms.MultipleChoiceField(
        label=_("Documents sent along"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
        help_text=_("A copy goes with the referral; the partners cannot open the child's record."),
    )
    upload = forms.FileField(
        label=_("Another document (a report, a letter)"),
        required=False,
        help_text=_("A photo or a PDF file, at most 5 MB."),
    )
    upload_title = forms.CharField(label=_("What this document is"), required=False, max_length=150)

    def __init__(self, *args, organisations, services, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receivers"].queryset = organisations
        self.fields["services"].choices = services
        self.fields["attach"].choices = documents
        if not documents:
            del self.fields["attach"]

    def clean(self):
        data = super().clean()
        if data.get("upload") and not data.get("upload_title"):
            self.add_error("upload_title", _("Give the document a title."))
        return data


class AcceptForm(forms.Form):
    case_type = forms.ChoiceField(label=_("Programme"), choices=Case.Type.choices)
    worker = MemberField(label=_("Case worker"), queryset=None, empty_label=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = members


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why you decline"),
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    note = forms.CharField(
        label=_("Note for the referring organisation"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=TextArea(rows=3),
    )


class FeedbackForm(forms.Form):
    note = forms.CharField(
        label=_("News for the referring organisation"),
        max_length=NOTE_LENGTH,
        widget=TextArea(rows=3),
        help_text=_("What was done, how the child is. It shows in their case's history."),
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=NOTE_LENGTH,
        widget=TextArea(rows=3),
        help_text=_("What the child received, and how the child is now."),
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is closed"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=TextArea(rows=2),
    )


# --- contact requests -----------------------------------------------------------------------


class ContactRequestForm(OnceFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=NOTE_LENGTH,
        widget=TextArea(rows=4),
        help_text=_(
            "Say why you ask and what you would like to know. The other organisation sees "
            "only what you write here, your organisation and how to reach you: do not write "
            "more about the child than needed."
        ),
    )
    contact = forms.CharField(
        label=_("How to reach you"),
        max_length=200,
        help_text=_("Your name and a phone number or e-mail address."),
    )


class ContactAnswerForm(forms.Form):
    ANSWER, DECLINE = "answer", "decline"
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(ANSWER, _("Answer")), (DECLINE, _("Decline"))],
        initial=ANSWER,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    holds_child = forms.BooleanField(label=_("Yes, we hold this child"), required=False)
    answer_contact = forms.CharField(
        label=_("Who to contact"),
        max_length=200,
        required=False,
        help_text=_("When you hold the child: the person the other organisation should call."),
    )
    answer = forms.CharField(
        label=_("Message to the organisation that asked"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=TextArea(rows=3),
    )
