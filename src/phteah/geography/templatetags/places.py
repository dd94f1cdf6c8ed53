from django import template
from django.utils.translation import get_language

from phteah.geography.selectors import place_path

register = template.Library()


@register.filter
def full_place(place) -> str:
    """'Village, Commune, District, Province' in the active language (parents must be loaded)."""
    return place_path(place, get_language()) if place else ""
