"""Forms of the referral network's pages. Forms parse (types, lengths, choices); the
services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from phteah.care.services import PROVIDER_KIND_FOR_CARE_TYPE
from phteah.cases.models import CareType
from phteah.core import khmer
from phteah.core.forms import TextArea
from phteah.core.limits import NOTE_LENGTH
from phteah.geography.models import Commune, District, Province

from .models import Language

# The care types a provider can offer the network (those placed with a care provider).
NETWORK_CARE_TYPES = [
    (value, label) for value, label in CareType.choices if value in PROVIDER_KIND_FOR_CARE_TYPE
]


def _place_label(language):
    return lambda place: place.display_name(language)


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
        if isinstance(province, str) and province:
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
