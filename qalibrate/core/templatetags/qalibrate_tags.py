from django import template
from django.utils.formats import number_format

register = template.Library()


def rounded(value: float, decimals=0) -> str:
    """The number rounded half to even, in the active language's format (Django's
    number_format cuts the digits off instead of rounding: 60.87 would show as 60)."""
    return number_format(round(float(value), int(decimals)), decimal_pos=int(decimals))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def percent(share, decimals=0):
    """0.4857 → "49%" in the active language's number format."""
    if share is None:
        return ""
    return f"{rounded(share * 100, decimals)}%"


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


@register.filter
def signed(value, decimals=1):
    """A deviation with its sign: 3.25 → "+3.3", -2 → "−2.0" (a real minus sign)."""
    if value is None:
        return ""
    text = rounded(abs(value), decimals)
    if round(value, int(decimals)) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def abs_value(value):
    return abs(value)


@register.filter
def answer_choices(criterion):
    """(value, label) pairs a criterion can be answered with, N/A last where allowed."""
    from qalibrate.calibration.selectors import answer_label
    from qalibrate.calibration.services import answer_order

    values = answer_order(criterion)
    if not criterion.na_allowed:
        values = [v for v in values if v != "na"]
    return [(v, answer_label(criterion, v)) for v in values]
