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


@register.filter
def duration(seconds):
    """125 → "2:05"; 3725 → "1:02:05"."""
    if seconds in (None, ""):
        return ""
    total = int(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def split(text):
    return text.split()
