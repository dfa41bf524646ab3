from django import template

from ..models import percent as percent_text

register = template.Library()


@register.filter
def percent(fraction):
    """`0.3759` → `37.6%`."""
    return percent_text(fraction)
