"""Forms for care records. Phone-first: big radio buttons for short choices, the most common
choice first, Khmer digits accepted in every number and date."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phteah.cases.models import ServiceDelivery, Visit
from phteah.core import khmer
from phteah.geography.forms import VillageField

from .models import CareProvider, CareType, Placement, ReunificationAssessment
from .services import PROVIDER_KIND_FOR_CARE_TYPE

NEXT_VISIT_AFTER_DAYS = 30


class ShownChoiceField(forms.ModelChoiceField):
    """A choice of rows labelled in the active language (``display_name``)."""

    def label_from_instance(self, obj):
        display = getattr(obj, "display_name", None)
        return display(get_language()) if callable(display) else str(obj)


class TextArea(forms.Textarea):
    def __init__(self, rows=3):
        super().__init__(attrs={"rows": rows})


def _today():
    return timezone.localdate()


# --- visits ----------------------------------------------------------------------------


class VisitForm(forms.Form):
    visited_on = khmer.DateField(label=_("Date"), initial=_today)
    kind = forms.ChoiceField(
        label=_("Kind of contact"),
        choices=Visit.Kind.choices,
        initial=Visit.Kind.HOME,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    people_seen = forms.CharField(
        label=_("Who was seen"),
        max_length=300,
        required=False,
        help_text=_("For example: the child, the grandmother, the teacher."),
    )
    schooling = forms.ChoiceField(
        label=_("Schooling"),
        choices=[*Visit.Schooling.choices, ("", _("Not asked"))],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    wellbeing_notes = forms.CharField(
        label=_("Wellbeing notes"), required=False, widget=TextArea(rows=5)
    )
    next_visit_due = khmer.DateField(
        label=_("Next visit due"),
        required=False,
        help_text=_("Suggested: 30 days after this visit. Change it if needed."),
    )

    def __init__(self, *args, suggest_next=True, **kwargs):
        super().__init__(*args, **kwargs)
        if suggest_next and "next_visit_due" not in self.initial:
            self.initial["next_visit_due"] = _today() + datetime.timedelta(
                days=NEXT_VISIT_AFTER_DAYS
            )
        self.fields["next_visit_due"].widget.attrs.update(
            {"data-suggest-after": "id_visited_on", "data-suggest-days": NEXT_VISIT_AFTER_DAYS}
        )

    def clean(self):
        data = super().clean()
        visited, due = data.get("visited_on"), data.get("next_visit_due")
        if visited and due and due <= visited:
            self.add_error(
                "next_visit_due", _("The next visit must be due after the date of this visit.")
            )
        return data


# --- services delivered ----------------------------------------------------------------


class ServiceForm(forms.Form):
    US, PARTNER, OTHER = "us", "partner", "other"

    service_type = ShownChoiceField(label=_("Service"), queryset=None, empty_label="—")
    delivered_on = khmer.DateField(label=_("Date"), initial=_today)
    provided_by = forms.ChoiceField(
        label=_("Provided by"),
        choices=[
            (US, _("Our organisation")),
            (PARTNER, _("A partner organisation")),
            (OTHER, _("Someone else")),
        ],
        initial=US,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    partner = ShownChoiceField(
        label=_("Partner organisation"), queryset=None, required=False, empty_label="—"
    )
    provider_name = forms.CharField(
        label=_("Provider's name"),
        max_length=200,
        required=False,
        help_text=_("For a provider that is not in the list: a clinic, a school, a person."),
    )
    recipient = forms.ChoiceField(
        label=_("For"),
        choices=ServiceDelivery.Recipient.choices,
        initial=ServiceDelivery.Recipient.CHILD,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    quantity = khmer.DecimalField(
        label=_("Quantity"), max_digits=9, decimal_places=2, min_value=0.01, initial=1
    )
    cost = khmer.DecimalField(
        label=_("Cost"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=ServiceDelivery.Currency.choices,
        initial=ServiceDelivery.Currency.USD,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        help_text=_("Amounts in riel have no decimals."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False, widget=TextArea())

    def __init__(self, *args, service_types, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = service_types
        self.fields["partner"].queryset = partners
        self.fields["cost"].widget.attrs["inputmode"] = "decimal"
        self.fields["quantity"].widget.attrs["inputmode"] = "decimal"
        # The page's script shows these only when the matching "provided by" is chosen.
        self.fields["partner"].widget.attrs["data-shown-when"] = f"provided_by={self.PARTNER}"
        self.fields["provider_name"].widget.attrs["data-shown-when"] = f"provided_by={self.OTHER}"

    @classmethod
    def initial_for(cls, service, own_organisation_id) -> dict:
        if service.provider_id and service.provider_id != own_organisation_id:
            provided_by = cls.PARTNER
        elif service.provider_name:
            provided_by = cls.OTHER
        else:
            provided_by = cls.US
        return {
            "service_type": service.service_type_id,
            "delivered_on": service.delivered_on,
            "provided_by": provided_by,
            "partner": service.provider_id if provided_by == cls.PARTNER else None,
            "provider_name": service.provider_name,
            "recipient": service.recipient,
            "quantity": service.quantity,
            "cost": service.cost,
            "currency": service.currency,
            "notes": service.notes,
        }

    def clean(self):
        data = super().clean()
        provided_by = data.get("provided_by")
        if provided_by == self.PARTNER and not data.get("partner"):
            self.add_error("partner", _("Choose the partner organisation."))
        if provided_by == self.OTHER and not data.get("provider_name"):
            self.add_error("provider_name", _("Type the provider's name."))
        cost, currency = data.get("cost"), data.get("currency")
        if (
            cost is not None
            and currency == ServiceDelivery.Currency.KHR
            and cost != cost.to_integral_value()
        ):
            self.add_error("cost", _("Amounts in riel have no decimals."))
        return data

    def service_values(self) -> dict:
        """The cleaned data as the service's keyword arguments."""
        data = self.cleaned_data
        provided_by = data["provided_by"]
        return {
            "service_type": data["service_type"],
            "delivered_on": data["delivered_on"],
            "provider": data["partner"] if provided_by == self.PARTNER else None,
            "provider_name": data["provider_name"] if provided_by == self.OTHER else "",
            "recipient": data["recipient"],
            "quantity": data["quantity"],
            "cost": data["cost"],
            "currency": data["currency"],
            "notes": data["notes"],
        }


class ServiceTypeForm(forms.Form):
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=150)
    name_en = forms.CharField(label=_("Name in English"), max_length=150)


class ServiceTypeEditForm(ServiceTypeForm):
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        help_text=_("A service no longer in use stays on the records that have it."),
    )


# --- care providers --------------------------------------------------------------------


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CareProvider.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    capacity = khmer.IntegerField(label=_("Places"), min_value=1)
    village = VillageField(label=_("Address"), required=False)
    address_detail = forms.CharField(
        label=_("House, street and other details"), max_length=300, required=False
    )
    phone = khmer.CharField(label=_("Phone"), max_length=30, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TextArea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs["inputmode"] = "numeric"
        self.fields["phone"].widget.input_type = "tel"


class ProviderEditForm(ProviderForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class CarerForm(forms.Form):
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


class PlacementForm(forms.Form):
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
    reason = forms.CharField(label=_("Reason"), widget=TextArea())
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
            ) % {"date": current.started_on.isoformat()}

    def clean(self):
        data = super().clean()
        care_type, provider = data.get("care_type"), data.get("provider")
        if care_type and provider is not None:
            wanted = PROVIDER_KIND_FOR_CARE_TYPE.get(care_type)
            if wanted is None:
                self.add_error(
                    "provider", _("This kind of care has no care provider: leave it empty.")
                )
            elif provider.kind != wanted:
                self.add_error(
                    "provider", _("This care provider does not offer this kind of care.")
                )
        return data


class PlacementEndForm(forms.Form):
    ended_on = khmer.DateField(label=_("End"), initial=_today)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Placement.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    outcome_notes = forms.CharField(label=_("Outcome notes"), required=False, widget=TextArea())

    def __init__(self, *args, placement, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement = placement

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.placement.started_on:
            raise forms.ValidationError(
                _("The end date cannot be before the start of the placement.")
            )
        return ended_on


# --- family tracing and reunification --------------------------------------------------


class TracingForm(forms.Form):
    done_on = khmer.DateField(label=_("Date"), initial=_today)
    where_searched = forms.CharField(label=_("Where searched"), max_length=300)
    done_by = forms.CharField(
        label=_("Who searched"),
        max_length=200,
        help_text=_("Staff, commune council, police, village chief..."),
    )
    outcome = forms.CharField(label=_("Outcome"), widget=TextArea())


class RelativeForm(forms.Form):
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
    notes = forms.CharField(label=_("Notes"), required=False, widget=TextArea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"


class ReunificationForm(forms.Form):
    assessed_on = khmer.DateField(label=_("Date"), initial=_today)
    relative = forms.ModelChoiceField(
        label=_("Family assessed"), queryset=None, required=False, empty_label="—"
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=ReunificationAssessment.Recommendation.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    notes = forms.CharField(label=_("Notes"), widget=TextArea(rows=5))
    reunified_on = khmer.DateField(
        label=_("Reunified on"),
        required=False,
        help_text=_("Only when the child has gone back to the family (recommendation “Reunify”)."),
    )

    def __init__(self, *args, relatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relative"].queryset = relatives

    def clean(self):
        data = super().clean()
        if (
            data.get("reunified_on")
            and data.get("recommendation")
            and data["recommendation"] != ReunificationAssessment.Recommendation.REUNIFY
        ):
            self.add_error(
                "reunified_on", _("A reunification date needs the recommendation “Reunify”.")
            )
        return data
