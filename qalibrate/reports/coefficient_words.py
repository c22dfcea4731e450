"""Agreement figures as the report page, the discussion page and the report files write them:
coefficient and weight names, numbers with a real minus sign, intervals, benchmark readings.

The statistics (qalibrate.agreement) stay free of Django; here their keys become translated
words. Everything accepts the estimates of any module: an ``Estimate`` of coefficients.py,
an ``AlphaEstimate`` (its value is ``estimate``), an ``IccEstimate`` or a ``PairEstimate``.
"""

from django.utils.translation import gettext, pgettext, pgettext_lazy

from qalibrate.agreement.interpretation import benchmark, benchmark_estimate
from qalibrate.agreement.ratings import AgreementError
from qalibrate.core.numbers import rounded
from qalibrate.reports.benchmark_words import describe

# Narrower than this, an interval is a point (rounding noise of a zero standard error).
ZERO_WIDTH = 1e-6

# The coefficient family of qalibrate.agreement.coefficients, in the order the report lists it.
COEFFICIENT_NAMES = {
    "percent_agreement": pgettext_lazy("agreement coefficient", "Percent agreement"),
    "ac1": pgettext_lazy("agreement coefficient", "Gwet's AC1"),
    "fleiss_kappa": pgettext_lazy("agreement coefficient", "Fleiss' kappa"),
    "brennan_prediger": pgettext_lazy("agreement coefficient", "Brennan-Prediger"),
    "conger_kappa": pgettext_lazy("agreement coefficient", "Conger's kappa"),
    "krippendorff_alpha": pgettext_lazy("agreement coefficient", "Krippendorff's alpha"),
}

# How much credit two different answers get (qalibrate.agreement.weights).
WEIGHT_NAMES = {
    "identity": pgettext_lazy("agreement weights", "none"),
    "linear": pgettext_lazy("agreement weights", "linear"),
    "quadratic": pgettext_lazy("agreement weights", "quadratic"),
    "ordinal": pgettext_lazy("agreement weights", "ordinal"),
}


def value_of(estimate) -> float | None:
    """The point value of any estimate (AlphaEstimate calls it ``estimate``)."""
    if estimate is None:
        return None
    value = getattr(estimate, "value", None)
    return getattr(estimate, "estimate", None) if value is None else value


def number(value: float | None, decimals: int = 2) -> str:
    """0.78 → "0.78" in the active language's format, a negative with a real minus sign;
    "" for None."""
    if value is None:
        return ""
    text = rounded(abs(value), decimals)
    return f"−{text}" if round(value, decimals) < 0 else text


def interval(estimate, decimals: int = 2, *, share: bool = False) -> str:
    """The confidence interval in words, "0.45 to 0.91" ("45% to 91%" for a share); "" when
    there is none or it has no width."""
    low, high = getattr(estimate, "low", None), getattr(estimate, "high", None)
    if low is None or high is None or high - low < ZERO_WIDTH:
        # An interval of no width (every pair agreed, or one side never varied) would claim
        # a certainty that a handful of contacts cannot give: better none.
        return ""
    if share:
        low_text, high_text = f"{rounded(low * 100, 0)}%", f"{rounded(high * 100, 0)}%"
    else:
        low_text, high_text = number(low, decimals), number(high, decimals)
    # Translators: a confidence interval, e.g. "0.45 to 0.91".
    return gettext("%(low)s to %(high)s") % {"low": low_text, "high": high_text}


def coefficient_name(key: str, weights: str = "identity") -> str:
    """The coefficient's name; weighted, Gwet's AC1 is called AC2 and percent agreement says
    it is weighted."""
    if key == "ac1" and weights != "identity":
        return pgettext("agreement coefficient", "Gwet's AC2")
    if key == "percent_agreement" and weights != "identity":
        # Near answers count as partly agreeing: not the plain share of equal answers.
        return pgettext("agreement coefficient", "Weighted percent agreement")
    return str(COEFFICIENT_NAMES.get(key, key))


def short_name(key: str, weights: str = "identity") -> str:
    """The name in a narrow column: AC1, AC2, alpha, kappa."""
    if key == "ac1":
        return "AC2" if weights != "identity" else "AC1"
    if key == "krippendorff_alpha":
        return pgettext("agreement coefficient, short", "alpha")
    if key in ("cohen_kappa", "fleiss_kappa", "conger_kappa"):
        return pgettext("agreement coefficient, short", "kappa")
    return coefficient_name(key, weights)


def weights_name(weights: str) -> str:
    return str(WEIGHT_NAMES.get(weights, weights))


def reading(estimate, scale: str = "landis_koch") -> str:
    """Gwet's probabilistic benchmark of a chance-corrected coefficient in words ("moderate or
    better, with 99% probability"); "" for percent agreement (no chance correction, so no
    benchmark scale applies), for nothing, and for a value the scales cannot read."""
    value = value_of(estimate)
    if value is None or getattr(estimate, "name", "") == "percent_agreement":
        return ""
    try:
        se, low = getattr(estimate, "se", None), getattr(estimate, "low", None)
        if se is None or low is None or not hasattr(estimate, "confidence"):
            return describe(benchmark(value, se, scale))
        # Read with the standard error the interval shows, so words and interval agree.
        return describe(benchmark_estimate(estimate, scale))
    except AgreementError:
        return ""
