from django import template
from django.utils.html import format_html

from ..documents.layout import light_text
from ..models import LIGHT_CODES, Light
from ..models import amount as amount_text
from ..models import percent as percent_text
from ..scoring import points_text

register = template.Library()


@register.filter
def percent(fraction):
    """`0.3759` → `37.6%`."""
    return percent_text(fraction)


@register.filter
def amount(number):
    """An amount in 万元 as printed: `266`, `12.5`."""
    return amount_text(number)


@register.simple_tag
def light_badge(light, ahead=False):
    """`<span class="light light-red">红</span>` (未评 when there is no light yet)."""
    if not light:
        return format_html('<span class="light light-none">{}</span>', Light.NONE.label)
    return format_html('<span class="light light-{}">{}</span>', LIGHT_CODES[light], light_text(light, ahead))


@register.filter
def points(value):
    """A score or weight as printed: `8.33`, `10`."""
    return points_text(value)
