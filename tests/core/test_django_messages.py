"""Django's own validation messages reach a Khmer user in Khmer (Django's Khmer catalogue
is partial; Phteah's catalogue completes it)."""

import re

from django import forms
from django.core import validators
from django.utils import translation

from phteah.core import khmer

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class _Form(forms.Form):
    count = khmer.IntegerField(min_value=0, max_value=10)
    bounded = forms.IntegerField(validators=[validators.MinValueValidator(0)])
    ceiling = forms.IntegerField(validators=[validators.MaxValueValidator(5)])
    text = forms.CharField(min_length=3)
    link = forms.URLField()


def test_validator_messages_are_khmer():
    with translation.override("km"):
        form = _Form({"count": "-1", "bounded": "-1", "ceiling": "9", "text": "a", "link": "x"})
        assert not form.is_valid()
        for field, messages in form.errors.items():
            for message in messages:
                assert not LATIN_WORD.search(message), (field, message)
        assert "ចាប់ពី" in form.errors["bounded"][0]
        assert "មិនលើសពី" in form.errors["ceiling"][0]
