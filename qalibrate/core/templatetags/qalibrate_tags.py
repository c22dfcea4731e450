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


# -- Agreement figures (qalibrate.reports.coefficient_words) ----------------------------------
# Imported when used: coefficient_words needs `rounded` from this module.


@register.filter
def coefficient(estimate, decimals=2):
    """An estimate's value (or a plain number) as 0.78, a negative with a real minus sign."""
    from qalibrate.reports.coefficient_words import number, value_of

    value = estimate if isinstance(estimate, int | float) else value_of(estimate)
    return number(value, int(decimals))


@register.filter
def interval(estimate, decimals=2):
    """The estimate's confidence interval as "0.45 to 0.91"; "" when it has none."""
    from qalibrate.reports.coefficient_words import interval as interval_text

    return interval_text(estimate, int(decimals))


@register.filter
def share_interval(estimate):
    """A share's confidence interval as "45% to 91%"."""
    from qalibrate.reports.coefficient_words import interval as interval_text

    return interval_text(estimate, share=True)


@register.filter
def reading(estimate, scale="landis_koch"):
    """Gwet's probabilistic benchmark in words: "moderate or better, with 99% probability"."""
    from qalibrate.reports.coefficient_words import reading as reading_text

    return reading_text(estimate, scale)


@register.filter
def coefficient_name(estimate):
    """An Estimate's full name: "Gwet's AC2" for a weighted AC1."""
    from qalibrate.reports.coefficient_words import coefficient_name as name

    return name(estimate.name, estimate.weights)


@register.filter
def short_name(estimate):
    """An Estimate's name in a narrow column: AC1, AC2, alpha."""
    from qalibrate.reports.coefficient_words import short_name as name

    return name(estimate.name, estimate.weights)


@register.filter
def ac_name(weights):
    """AC1, or AC2 when the weights are not identity."""
    return "AC1" if weights == "identity" else "AC2"


@register.filter
def weights_name(weights):
    from qalibrate.reports.coefficient_words import weights_name as name

    return name(weights)


@register.filter
def limits(bland_altman):
    """Bland-Altman's 95% limits of agreement in points: "−10.9 to +37.8"."""
    from django.utils.translation import gettext

    if bland_altman is None:
        return ""
    return gettext("%(low)s to %(high)s") % {
        "low": signed(bland_altman.lower_limit),
        "high": signed(bland_altman.upper_limit),
    }
