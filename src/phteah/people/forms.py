"""Forms of the people pages. They only parse input; the rules are in the services."""

import hashlib

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phteah.core import khmer
from phteah.core.limits import INTEGER_MAX, NOTE_LENGTH
from phteah.core.submissions import OnceFormMixin
from phteah.geography.forms import VillageField
from phteah.geography.models import Province

from .models import Consent, HouseholdMember, IdentityDocument, Sex

IMAGE_ACCEPT = "image/jpeg,image/png"
SCAN_ACCEPT = "application/pdf,image/jpeg,image/png"


class ShownChoiceField(forms.ModelChoiceField):
    """Options labelled with the object's name in the active language."""

    def label_from_instance(self, obj):
        return obj.display_name(get_language())


class ShownMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows, labelled as ShownChoiceField labels them."""

    label_from_instance = ShownChoiceField.label_from_instance


class PersonForm(forms.Form):
    family_name_km = forms.CharField(
        label=_("Family name in Khmer"), required=False, max_length=100
    )
    given_name_km = forms.CharField(label=_("Given name in Khmer"), required=False, max_length=100)
    family_name_latin = forms.CharField(
        label=_("Family name in Latin letters"), required=False, max_length=100
    )
    given_name_latin = forms.CharField(
        label=_("Given name in Latin letters"), required=False, max_length=100
    )
    nickname = forms.CharField(label=_("Nickname"), required=False, max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = khmer.DateField(label=_("Date of birth"), required=False)
    date_of_birth_estimated = forms.BooleanField(
        label=_("The date of birth is estimated"), required=False
    )
    age_years = khmer.IntegerField(
        label=_("Age in years, if the date of birth is not known"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("The date of birth is then estimated from the age."),
    )
    village = VillageField(label=_("Current address"), required=False)
    address_detail = forms.CharField(
        label=_("House, street and other details"), required=False, max_length=300
    )
    birth_province = ShownChoiceField(
        label=_("Province of birth"),
        queryset=Province.objects.all(),
        required=False,
        empty_label="—",
    )
    has_disability = forms.BooleanField(label=_("Has a disability"), required=False)
    disability_notes = forms.CharField(
        label=_("About the disability"), required=False, max_length=300
    )
    phone = khmer.CharField(label=_("Phone"), required=False, max_length=30)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A JPEG or PNG picture of at most 2 MB."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    def clean(self):
        data = super().clean()
        names = ("family_name_km", "given_name_km", "family_name_latin", "given_name_latin")
        if not any(data.get(name) for name in names):
            raise forms.ValidationError(
                _("Give the person's name in Khmer or in Latin letters (or both).")
            )
        if data.get("date_of_birth") and data.get("age_years") is not None:
            self.add_error("age_years", _("Give either a date of birth or an age, not both."))
        return data

    def person_values(self) -> dict:
        """The cleaned values as the services take them (without the photo)."""
        data = dict(self.cleaned_data)
        data.pop("photo", None)
        return data


def _fingerprint(data: dict) -> str:
    """What the duplicate check looked at, so a confirmation counts only for that data."""
    parts = [
        str(data.get(name) or "")
        for name in (
            "family_name_km",
            "given_name_km",
            "family_name_latin",
            "given_name_latin",
            "sex",
            "date_of_birth",
            "age_years",
        )
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


class PersonRegisterForm(OnceFormMixin, PersonForm):
    confirmed = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    field_order = [
        "family_name_km",
        "given_name_km",
        "family_name_latin",
        "given_name_latin",
        "nickname",
        "sex",
        "date_of_birth",
        "date_of_birth_estimated",
        "age_years",
    ]

    def is_confirmed(self) -> bool:
        """The user saw the possible duplicates of this very data and said it is new."""
        return self.cleaned_data.get("confirmed") == _fingerprint(self.cleaned_data)

    def confirmation(self) -> str:
        return _fingerprint(self.cleaned_data)


class PersonEditForm(PersonForm):
    version = khmer.IntegerField(min_value=1, max_value=INTEGER_MAX, widget=forms.HiddenInput)
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    field_order = PersonRegisterForm.field_order

    def person_values(self) -> dict:
        data = super().person_values()
        for name in ("version", "remove_photo", "age_years"):
            data.pop(name, None)
        return data


class DocumentForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=IdentityDocument.Status.choices, widget=forms.RadioSelect
    )
    number = khmer.CharField(label=_("Number"), required=False, max_length=60)
    obtained_on = khmer.DateField(label=_("Date obtained"), required=False)
    scan = forms.FileField(
        label=_("Scan"),
        required=False,
        help_text=_("A PDF, JPEG or PNG file of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": SCAN_ACCEPT}),
    )


class HouseholdForm(OnceFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the household"),
        max_length=150,
        help_text=_("For example the family name of the main carer."),
    )
    village = VillageField(label=_("Address"), required=False)
    address_detail = forms.CharField(
        label=_("House, street and other details"), required=False, max_length=300
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea
    )
    relationship = forms.ChoiceField(
        label=_("This person's place in the household"),
        choices=HouseholdMember.Relationship.choices,
    )
    is_primary_carer = forms.BooleanField(label=_("Primary carer"), required=False)


class MemberAddForm(OnceFormMixin, forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=HouseholdMember.Relationship.choices
    )
    is_primary_carer = forms.BooleanField(label=_("Primary carer"), required=False)

    def __init__(self, *args, persons, shown=(), **kwargs):
        """*persons*: who may be chosen (checked on submit); *shown*: the options listed."""
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.queryset = persons
        language = get_language()
        field.widget.choices = [
            (str(person.pk), _person_label(person, language)) for person in shown
        ]


def _person_label(person, language) -> str:
    names = [n for n in (person.name_km, person.name_latin) if n]
    label = " · ".join(names) or str(person)
    if person.date_of_birth:
        label += f" ({person.date_of_birth:%Y})"
    return label


class ConsentForm(OnceFormMixin, forms.Form):
    given_as = forms.ChoiceField(
        label=_("Given as"), choices=Consent.GivenAs.choices, widget=forms.RadioSelect
    )
    given_by_name = forms.CharField(label=_("Given by (name)"), max_length=150)
    given_on = khmer.DateField(label=_("Date given"))
    purpose = forms.ChoiceField(
        label=_("For"), choices=Consent.Purpose.choices, widget=forms.RadioSelect
    )
    organisations = ShownMultipleChoiceField(
        label=_("Organisations it may be shared with"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For sharing with named organisations: every partner the form names. For "
            "government: the offices it names, or none for any government social services."
        ),
    )
    shared_with_name = forms.CharField(
        label=_("Partner not on Phteah"),
        required=False,
        max_length=200,
        help_text=_("A hospital, the police or another partner the form names."),
    )
    for_referral = forms.BooleanField(
        label=_("Covers referrals to these organisations"), required=False, initial=True
    )
    for_transfer = forms.BooleanField(
        label=_("Covers a transfer of the case to one of them"), required=False
    )
    valid_until = khmer.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty if the form gives no end date."),
    )
    method = forms.ChoiceField(
        label=_("How"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    witness_name = forms.CharField(
        label=_("Witness"),
        required=False,
        max_length=150,
        help_text=_("Required for a verbal consent."),
    )
    scan = forms.FileField(
        label=_("Scan of the signed form"),
        required=False,
        help_text=_("A PDF, JPEG or PNG file of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": SCAN_ACCEPT}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = khmer.DateField(label=_("Withdrawn on"))


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Part of a name, in Khmer or in Latin letters."),
    )
