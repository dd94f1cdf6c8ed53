"""The address picker: four linked selects, province → district → commune → village.

The server renders the whole chain for the current value (so the picker works before any
JavaScript runs and after a validation error); ``static/phteah/address-picker.js`` then
fetches the lower levels as the user changes a select.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import get_language

from phteah.core.khmer import to_ascii_digits

from .models import Village
from .selectors import LEVEL_LABELS, LEVELS, PlaceRow, place_children, village_get

# The select of each level is named "<name>_<level>", except the village's: "<name>".
UPPER_LEVELS: tuple[str, ...] = ("province", "district", "commune")


def _code(value: Any) -> str:
    return to_ascii_digits(str(value or "")).strip()


@dataclass(frozen=True)
class AddressChoice:
    """The codes chosen at each level; empty strings where nothing is chosen."""

    province: str = ""
    district: str = ""
    commune: str = ""
    village: str = ""

    @classmethod
    def coerce(cls, value: Any) -> "AddressChoice":
        """From what a form may hold: a choice, a Village, a village id, or nothing."""
        if isinstance(value, cls):
            return cls(*(_code(getattr(value, level)) for level in LEVELS))
        if isinstance(value, Village):
            district = value.commune.district
            return cls(district.province_id, district.code, value.commune_id, str(value.pk))
        if isinstance(value, (list, tuple)):
            return cls(*(_code(part) for part in value))
        return cls(village=_code(value))

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, level) for level in LEVELS)

    def agrees_with(self, village: Village) -> bool:
        """False when a chosen upper level is not one of *village*'s parents (a village
        left over after the province, district or commune was changed without JS)."""
        commune = village.commune
        parents = {
            "province": commune.district.province_id,
            "district": commune.district_id,
            "commune": commune.code,
        }
        return all(not getattr(self, lvl) or getattr(self, lvl) == parents[lvl] for lvl in parents)


class AddressPickerWidget(forms.Widget):
    """Renders ``<name>_province``, ``<name>_district``, ``<name>_commune`` and ``<name>``
    (the village id, which is the value) as four labelled selects."""

    template_name = "geography/widgets/address_picker.html"

    def use_required_attribute(self, initial: Any) -> bool:
        # Without JavaScript, a user picks a province and submits to see its districts;
        # a browser-enforced "required" village would block that.
        return False

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_province" if id_ else ""

    def value_from_datadict(self, data, files, name: str) -> AddressChoice:
        return AddressChoice(
            *(data.get(f"{name}_{level}", "") for level in UPPER_LEVELS), data.get(name, "")
        )

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return all(f"{name}_{level}" not in data for level in UPPER_LEVELS) and name not in data

    def format_value(self, value: Any) -> AddressChoice:
        return AddressChoice.coerce(value)

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        widget_attrs = dict(context["widget"]["attrs"])
        base_id = widget_attrs.pop("id", None) or f"id_{name}"
        disabled = bool(widget_attrs.pop("disabled", False))
        widget_attrs.pop("required", None)
        chain = self._options(context["widget"]["value"])
        language = get_language()
        levels = []
        for level in LEVELS:
            options, selected = chain[level]
            levels.append(
                {
                    "level": level,
                    "name": name if level == "village" else f"{name}_{level}",
                    "id": base_id if level == "village" else f"{base_id}_{level}",
                    "label": LEVEL_LABELS[level],
                    "disabled": disabled or not options,
                    "attrs": widget_attrs,
                    "options": [
                        {
                            "code": row.key,
                            "label": row.display_name(language),
                            "selected": row.key == selected,
                        }
                        for row in options
                    ],
                }
            )
        context["widget"]["levels"] = levels
        return context

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> str:
        # Rendered with the project's template engine (app templates), not the form
        # renderer, which by default only looks in Django's own form templates.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    @staticmethod
    def _options(choice: AddressChoice) -> dict[str, tuple[list[PlaceRow], str]]:
        """For each level: its options (children of the chosen parent) and the chosen code.

        A choice is kept only if it is among its level's options, so the chain rendered is
        always consistent; a village alone is completed from the database."""
        if choice.village and not (choice.province or choice.district or choice.commune):
            village = village_get(choice.village)
            if village is not None:
                district = village.commune.district
                choice = AddressChoice(
                    district.province_id, district.code, village.commune_id, str(village.pk)
                )
        chain: dict[str, tuple[list[PlaceRow], str]] = {}
        parent = ""
        for level in LEVELS:
            if level != "province" and not parent:
                chain[level] = ([], "")
                continue
            options = place_children(level=level, parent_code=parent)
            wanted = getattr(choice, level)
            selected = wanted if any(row.key == wanted for row in options) else ""
            chain[level] = (options, selected)
            parent = selected
        return chain
