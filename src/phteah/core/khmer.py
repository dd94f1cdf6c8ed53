"""Khmer digits (០-៩, U+17E0–U+17E9) accepted wherever people type numbers or dates."""

from django import forms

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_ASCII = str.maketrans(KHMER_DIGITS, "0123456789")


def to_ascii_digits(value):
    """'០៣/១២/២០២៤' → '03/12/2024'. Anything that is not a string is returned unchanged."""
    return value.translate(_TO_ASCII) if isinstance(value, str) else value


class KhmerDigitsMixin:
    """For form fields: normalise Khmer digits before Django parses the value."""

    def to_python(self, value):
        return super().to_python(to_ascii_digits(value))


class IntegerField(KhmerDigitsMixin, forms.IntegerField):
    pass


class DecimalField(KhmerDigitsMixin, forms.DecimalField):
    pass


class DateField(KhmerDigitsMixin, forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"])
        super().__init__(**kwargs)


class CharField(KhmerDigitsMixin, forms.CharField):
    """A text field whose content is a number-like code (phone, ID number, one-time code)."""
