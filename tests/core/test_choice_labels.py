"""get_FOO_display() of Phteah's models (phteah.core.models.BaseModel): the label in the
language of the moment, the value itself when it is not a choice, and no label translated
but the one shown (Django's own hashes, and so translates, every label on every call)."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from phteah.cases.models import Case
from phteah.core.models import choice_labels


def test_the_label_follows_the_language():
    case = Case(risk_level="high")
    with translation.override("en"):
        english = case.get_risk_level_display()
    with translation.override("km"):
        khmer = case.get_risk_level_display()
    assert english == "High"
    assert khmer != english and khmer.strip()
    assert isinstance(khmer, str)


def test_a_value_that_is_not_a_choice_is_shown_as_it_is():
    assert Case(risk_level="unheard-of").get_risk_level_display() == "unheard-of"
    assert Case(risk_level=None).get_risk_level_display() is None


class Label:
    """A label that may be shown but must not be hashed (a lazy label translates itself to
    be hashed)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text

    def __hash__(self):
        raise AssertionError("a label was hashed")


@pytest.mark.parametrize("value", ["a", "b", ("x", 1)])
def test_labels_are_looked_up_by_value_alone(value):
    field = SimpleNamespace(
        flatchoices=[("a", Label("A")), ("b", Label("B")), (("x", 1), Label("X"))]
    )
    labels = choice_labels(field)
    assert choice_labels(field) is labels  # made once per field
    assert str(labels[value]) in {"A", "B", "X"}
