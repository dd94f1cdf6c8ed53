"""Form fields for places: the address picker field and the place search form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Village
from .selectors import village_get
from .widgets import AddressChoice, AddressPickerWidget


class VillageField(forms.Field):
    """An address chosen down to the village. Cleans to a ``Village`` (its parents loaded)
    or ``None`` when the field is optional and nothing is chosen.

    Initial values may be a ``Village`` or a village id (the form key; see ``Village``)."""

    widget = AddressPickerWidget
    default_error_messages = {
        "invalid_choice": _("Choose a village from the list."),
        "incomplete": _("Choose the village."),
        "incomplete_optional": _(
            "Choose the village, or clear the province to leave the address empty."
        ),
    }

    def to_python(self, value: Any) -> AddressChoice:
        return AddressChoice.coerce(value)

    def validate(self, value: AddressChoice) -> None:
        if value.village:
            return
        if value.is_empty:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        code = "incomplete" if self.required else "incomplete_optional"
        raise ValidationError(self.error_messages[code], code=code)

    def clean(self, value: Any) -> Village | None:
        choice = self.to_python(value)
        self.validate(choice)
        if not choice.village:
            return None
        village = village_get(choice.village)
        if village is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        if not choice.agrees_with(village):
            # The province, district or commune was changed after the village was picked.
            code = "incomplete" if self.required else "incomplete_optional"
            raise ValidationError(self.error_messages[code], code=code)
        self.run_validators(village)
        return village

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        return AddressChoice.coerce(initial).village != AddressChoice.coerce(data).village


class PlaceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("In Khmer or in English, or a code such as 0201."),
    )
