"""Forms for care records. Phone-first: big radio buttons for short choices, the most common
choice first, Khmer digits accepted in every number and date."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from phteah.cases.models import CareType, RiskLevel
from phteah.core import khmer
from phteah.core.forms import TextArea
from phteah.core.limits import NOTE_LENGTH, column_range
from phteah.core.submissions import OnceFormMixin
from phteah.geography.forms import VillageField

from .models import CareProvider, CareRule, Placement, ReunificationAssessment
from .services import PROVIDER_KIND_FOR_CARE_TYPE, RULE_MAXIMA


def _today():
    return timezone.localdate()


# --- care providers --------------------------------------------------------------------


class ProviderForm(OnceFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CareProvider.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    capacity = khmer.IntegerField(
        label=_("Places"), min_value=1, max_value=column_range(CareProvider, "capacity")[1]
    )
    village = VillageField(label=_("Address"), required=False)
    address_detail = forms.CharField(
        label=_("House, street and other details"), max_length=300, required=False
    )
    phone = khmer.CharField(label=_("Phone"), max_length=30, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTE_LENGTH, widget=TextArea()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs["inputmode"] = "numeric"
        self.fields["phone"].widget.input_type = "tel"


class ProviderEditForm(ProviderForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    network_published = forms.BooleanField(
        label=_("Show in the partner directory (its care types and free places, never a child)"),
        required=False,
    )


class ProviderCareTypeForm(forms.Form):
    """Which children a provider takes in one care type (ages in whole years)."""

    care_type = forms.ChoiceField(label=_("Care type"), choices=())
    age_min = khmer.IntegerField(label=_("Youngest age (years)"), min_value=0, max_value=24)
    age_max = khmer.IntegerField(label=_("Oldest age (years)"), min_value=0, max_value=24)
    accepts_disability = forms.BooleanField(
        label=_("Takes children with a disability"), required=False
    )

    def __init__(self, *args, care_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_type"].choices = [
            (value, label) for value, label in CareType.choices if value in care_types
        ]
        for name in ("age_min", "age_max"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"


class CarerForm(OnceFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = khmer.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"


# --- placements ------------------------------------------------------------------------


class ProviderSelect(forms.Select):
    """A select of care providers whose options carry their kind (data-kind), so the page's
    script can offer only the providers that fit the chosen care type."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-kind"] = instance.kind
        return option


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        occupied = getattr(obj, "occupied", None)
        if occupied is None:
            return obj.name
        return _("%(name)s (%(kind)s, %(occupied)s of %(capacity)s places taken)") % {
            "name": obj.name,
            "kind": obj.get_kind_display(),
            "occupied": occupied,
            "capacity": obj.capacity,
        }


class PlacementForm(OnceFormMixin, forms.Form):
    care_type = forms.ChoiceField(
        label=_("Care type"),
        choices=[("", "—"), *CareType.choices],
    )
    provider = ProviderChoiceField(
        label=_("Care provider"),
        queryset=None,
        required=False,
        empty_label="—",
        widget=ProviderSelect,
        help_text=_(
            "Foster care, family houses, centres, institutions and pagodas: choose where the "
            "child lives. Leave it empty for birth family, kinship care, independent living "
            "and adoption."
        ),
    )
    started_on = khmer.DateField(label=_("Start"), initial=_today)
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_LENGTH, widget=TextArea())
    over_capacity = forms.BooleanField(
        label=_("Over capacity: place the child even though the provider is full"),
        required=False,
    )

    def __init__(self, *args, providers, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["care_type"].widget.attrs["data-provider-kinds"] = ";".join(
            f"{care}={kind}" for care, kind in PROVIDER_KIND_FOR_CARE_TYPE.items()
        )
        if current is not None:
            self.fields["started_on"].help_text = _(
                "The current placement (since %(date)s) will end on this date."
            ) % {"date": formats.date_format(current.started_on)}


class PlacementEndForm(forms.Form):
    ended_on = khmer.DateField(label=_("End"), initial=_today)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Placement.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    outcome_notes = forms.CharField(
        label=_("Outcome notes"), required=False, max_length=NOTE_LENGTH, widget=TextArea()
    )

    def __init__(self, *args, placement, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement = placement


# --- family tracing and reunification --------------------------------------------------


class TracingForm(OnceFormMixin, forms.Form):
    done_on = khmer.DateField(label=_("Date"), initial=_today)
    where_searched = forms.CharField(label=_("Where searched"), max_length=300)
    done_by = forms.CharField(
        label=_("Who searched"),
        max_length=200,
        help_text=_("Staff, commune council, police, village chief..."),
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=NOTE_LENGTH, widget=TextArea())


class RelativeForm(OnceFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    relationship = forms.CharField(
        label=_("Relationship to the child"),
        max_length=100,
        help_text=_("For example: grandmother, uncle, older sister."),
    )
    village = VillageField(label=_("Village"), required=False)
    phone = khmer.CharField(label=_("Phone"), max_length=30, required=False)
    willing_to_care = forms.BooleanField(label=_("Willing to care for the child"), required=False)
    found_on = khmer.DateField(label=_("Found on"), initial=_today)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTE_LENGTH, widget=TextArea()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"


class ReunificationForm(OnceFormMixin, forms.Form):
    assessed_on = khmer.DateField(label=_("Date"), initial=_today)
    relative = forms.ModelChoiceField(
        label=_("Family assessed"), queryset=None, required=False, empty_label="—"
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=ReunificationAssessment.Recommendation.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    notes = forms.CharField(label=_("Notes"), max_length=NOTE_LENGTH, widget=TextArea(rows=5))
    reunified_on = khmer.DateField(
        label=_("Reunified on"),
        required=False,
        help_text=_("Only when the child has gone back to the family (recommendation “Reunify”)."),
    )

    def __init__(self, *args, relatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relative"].queryset = relatives


# --- the rule table --------------------------------------------------------------------


class RuleAddForm(OnceFormMixin, forms.Form):
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
        max_value=max(RULE_MAXIMA.values()),
        help_text=_(
            "In days, at most 3650 (ten years); the initial assessment rules are in hours, "
            "at most 8760 (a year)."
        ),
    )


class RuleValueForm(forms.Form):
    value = khmer.IntegerField(label=_("Value"), min_value=1, max_value=max(RULE_MAXIMA.values()))
