"""What the editor's suggestions (static/js/suggest.js) need, for the editor's template."""

from django import template
from django.urls import reverse
from django.utils.html import json_script

from .. import library

register = template.Library()


@register.simple_tag
def library_editor_data():
    """The suggestion URL and the active common indicators (共性指标), as a JSON script
    element (`#library-data`) that suggest.js reads; no inline script."""
    data = {"suggest_url": reverse("indicators:suggest"), "common": library.common_indicators()}
    return json_script(data, "library-data")
