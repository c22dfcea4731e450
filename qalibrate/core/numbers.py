"""Numbers as people read them, in the active language's format: shared by the templates'
filters (core/templatetags) and the report's files (reports/pdf.py), which must not depend on
template tags."""

from django.utils.formats import number_format


def rounded(value: float, decimals=0) -> str:
    """The number rounded half to even, in the active language's format (Django's
    number_format cuts the digits off instead of rounding: 60.87 would show as 60)."""
    return number_format(round(float(value), int(decimals)), decimal_pos=int(decimals))


def percent(share, decimals=0):
    """0.4857 → "49%" in the active language's number format."""
    if share is None:
        return ""
    return f"{rounded(share * 100, decimals)}%"


def signed(value, decimals=1):
    """A deviation with its sign: 3.25 → "+3.3", -2 → "−2.0" (a real minus sign)."""
    if value is None:
        return ""
    text = rounded(abs(value), decimals)
    if round(value, int(decimals)) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"
