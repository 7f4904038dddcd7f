from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share):
    """A share (0.857) as a percentage ("85.7 %"); a dash where it is empty or suppressed."""
    if not isinstance(share, (int, float)):
        return "—"
    return f"{number_format(share * 100, 1)} %"


@register.filter
def figure(value):
    """A count, a day count or a suppressed "< 5"; a dash where it is empty."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return number_format(value, 1)
    return value


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None
