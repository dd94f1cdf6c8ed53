from django import forms

from .models import Kind


class PreferencesForm(forms.Form):
    """Two boxes per kind: told in Phteah, told by e-mail (``<kind>-in_app``,
    ``<kind>-email``)."""

    CHANNELS = ("in_app", "email")

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = list(Kind.choices)
        for kind, label in self.kinds:
            for index, channel in enumerate(self.CHANNELS):
                self.fields[f"{kind}-{channel}"] = forms.BooleanField(
                    label=label, required=False, initial=current[kind][index]
                )

    def rows(self):
        """(label, in-app field, e-mail field) per kind, for the table."""
        return [
            (label, self[f"{kind}-in_app"], self[f"{kind}-email"]) for kind, label in self.kinds
        ]

    def choices(self) -> dict:
        return {
            kind: {channel: self.cleaned_data[f"{kind}-{channel}"] for channel in self.CHANNELS}
            for kind, _label in self.kinds
        }
