from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def percent(share, decimals=0):
    """0.4857 → "49%" in the active language's number format."""
    if share is None:
        return ""
    return f"{number_format(share * 100, decimal_pos=int(decimals))}%"
