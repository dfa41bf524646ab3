"""Small formatting filters for what users read."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_zh(value):
    """A duration as people say it: `15分钟`, `1小时30分钟` (empty if not a duration)."""
    if not isinstance(value, timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{minutes}分钟" if minutes else "")


@register.filter
def sentence(value):
    """Text that a template ends with its own 。: without its own final 。 (no `同意。。`)."""
    return str(value or "").rstrip().rstrip("。.；;，,")


@register.filter
def amount(value):
    """An amount as written: `88.5`, `266`, not `88.500000` (empty for none)."""
    from indicators.values import normalize_number

    if value is None or value == "":
        return ""
    return normalize_number(value)
