from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def shown(obj) -> str:
    """An object's name in the active language (Khmer name on Khmer pages when it has one)."""
    if obj is None:
        return ""
    display = getattr(obj, "display_name", None)
    return display(get_language()) if callable(display) else str(obj)
