from decimal import Decimal

from django import template
from django.utils.html import json_script

from indicators.values import normalize_number

register = template.Library()


@register.filter
def cell(value):
    """A table cell as the page prints it: 35,635.5 (thousands grouped, no trailing zeros);
    “—” for no figure (None)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return value
    text = normalize_number(value) if isinstance(value, Decimal) else str(value)
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


@register.filter
def is_number(value):
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


@register.simple_tag
def chart_data(chart):
    """The chart's data as a JSON script element that static/js/stats.js draws."""
    return json_script(chart.spec(), f"chart-data-{chart.key}")
