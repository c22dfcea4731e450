from django import template
from django.utils.translation import gettext

from qalibrate.calibration.answers import answer_label, answer_order
from qalibrate.core.numbers import percent, signed
from qalibrate.reports import coefficient_words as words

register = template.Library()
register.filter(percent)
register.filter(signed)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


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
def abs_value(value):
    return abs(value)


@register.filter
def answer_choices(criterion):
    """(value, label) pairs a criterion can be answered with, N/A last where allowed."""
    values = answer_order(criterion)
    if not criterion.na_allowed:
        values = [v for v in values if v != "na"]
    return [(v, answer_label(criterion, v)) for v in values]


# -- Agreement figures (qalibrate.reports.coefficient_words) ----------------------------------


@register.filter
def coefficient(estimate, decimals=2):
    """An estimate's value (or a plain number) as 0.78, a negative with a real minus sign."""
    value = estimate if isinstance(estimate, int | float) else words.value_of(estimate)
    return words.number(value, int(decimals))


@register.filter
def interval(estimate, decimals=2):
    """The estimate's confidence interval as "0.45 to 0.91"; "" when it has none."""
    return words.interval(estimate, int(decimals))


@register.filter
def share_interval(estimate):
    """A share's confidence interval as "45% to 91%"."""
    return words.interval(estimate, share=True)


@register.filter
def reading(estimate, scale="landis_koch"):
    """Gwet's probabilistic benchmark in words: "moderate or better, with 99% probability"."""
    return words.reading(estimate, scale)


@register.filter
def coefficient_name(estimate):
    """An Estimate's full name: "Gwet's AC2" for a weighted AC1."""
    return words.coefficient_name(estimate.name, estimate.weights)


@register.filter
def short_name(estimate):
    """An Estimate's name in a narrow column: AC1, AC2, alpha."""
    return words.short_name(estimate.name, estimate.weights)


@register.filter
def ac_name(weights):
    """AC1, or AC2 when the weights are not identity."""
    return "AC1" if weights == "identity" else "AC2"


@register.filter
def weights_name(weights):
    return words.weights_name(weights)


@register.filter
def limits(bland_altman):
    """Bland-Altman's 95% limits of agreement in points: "−10.9 to +37.8"."""
    if bland_altman is None:
        return ""
    return gettext("%(low)s to %(high)s") % {
        "low": signed(bland_altman.lower_limit),
        "high": signed(bland_altman.upper_limit),
    }
