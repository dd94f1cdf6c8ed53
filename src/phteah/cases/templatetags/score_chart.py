"""The marks of the case page's score charts (phteah.cases.selectors.score_chart), written in
Python: a child assessed often has a few hundred dots, and a template loop over them was a
tenth of the case page's template time."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from phteah.core.templatetags.phteah import date

register = template.Library()


@register.simple_tag
def score_marks(chart: dict, row) -> str:
    """The guide lines, the line through the scores and a dot (with its date and score as
    its title) per assessment, of one domain's chart."""
    width = chart["width"]
    marks = [
        f'<line x1="0" x2="{width}" y1="{y}" y2="{y}" stroke="#e3e3e3" stroke-width="1"/>'
        for _score, y in chart["guides"]
    ]
    if len(row.dots) > 1:
        marks.append(
            f'<polyline points="{row.points}" fill="none" stroke="#1f5f5f" stroke-width="2"/>'
        )
    marks += [
        f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}">'
        f"<title>{escape(date(day))}: {score}</title></circle>"
        for x, y, score, day, colour in row.dots
    ]
    return mark_safe("".join(marks))  # noqa: S308 - numbers, colours of ours and an escaped date
