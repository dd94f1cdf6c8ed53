"""The Python select of phteah.core.renderers writes exactly what Django's templates write."""

from django import forms
from django.forms.renderers import DjangoTemplates
from hypothesis import given, settings
from hypothesis import strategies as st

from phteah.core.renderers import FormRenderer

labels = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _both(widget, name, value, attrs=None):
    ours = widget.render(name, value, attrs=attrs, renderer=FormRenderer())
    django = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    return ours, django


@settings(max_examples=60, deadline=None)
@given(
    choices=st.lists(st.tuples(labels, labels), min_size=0, max_size=6),
    chosen=st.integers(min_value=-1, max_value=6),
    name=labels,
)
def test_select_markup_is_djangos(choices, chosen, name):
    value = choices[chosen][0] if 0 <= chosen < len(choices) else None
    widget = forms.Select(choices=choices, attrs={"data-x": '"<&>"', "required": True})
    ours, django = _both(widget, name, value, attrs={"id": "id_x", "disabled": False})
    assert ours == django


def test_groups_numbers_multiple_and_lazy_labels_are_djangos():
    from django.utils.translation import gettext_lazy

    grouped = [
        ("", gettext_lazy("Any")),
        (gettext_lazy("Risk"), [("high", "High <b>"), ("low", "Low")]),
        (3, 1234.5),
        ("x", [("a", "A")]),
    ]
    for widget, value in (
        (forms.Select(choices=grouped), "low"),
        (forms.SelectMultiple(choices=grouped), ["high", "3"]),
        (forms.NullBooleanSelect(), True),
    ):
        ours, django = _both(widget, "field", value)
        assert ours == django


def test_a_widget_with_its_own_option_template_keeps_it():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    ours, django = _both(Marked(choices=[("a", "A"), ("b", "B")]), "x", "a")
    assert ours == django and "<option" not in ours
