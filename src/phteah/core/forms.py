"""Form pieces shared by the apps' forms."""

from django import forms
from django.utils.translation import get_language


class ShownChoiceField(forms.ModelChoiceField):
    """A choice of rows labelled in the active language (``display_name``)."""

    def label_from_instance(self, obj):
        display = getattr(obj, "display_name", None)
        return display(get_language()) if callable(display) else str(obj)


class TextArea(forms.Textarea):
    def __init__(self, rows=3):
        super().__init__(attrs={"rows": rows})
