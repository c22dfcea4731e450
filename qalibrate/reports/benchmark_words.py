"""The words users read for a benchmark reading (qalibrate.agreement.interpretation).

The statistics stay free of Django; this module turns their level keys into translated words
and a reading into a short phrase for the report page, the PDF and the API.
"""

import math

from django.utils.translation import gettext, pgettext_lazy

from qalibrate.agreement.interpretation import SCALES, Benchmark

# The words describe the strength of agreement ("substantial agreement"); the context lets
# translators pick the grammatical form that fits that noun.
LEVEL_WORDS = {
    "almost_perfect": pgettext_lazy("strength of agreement", "almost perfect"),
    "substantial": pgettext_lazy("strength of agreement", "substantial"),
    "moderate": pgettext_lazy("strength of agreement", "moderate"),
    "fair": pgettext_lazy("strength of agreement", "fair"),
    "slight": pgettext_lazy("strength of agreement", "slight"),
    "poor": pgettext_lazy("strength of agreement", "poor"),
    "very_good": pgettext_lazy("strength of agreement", "very good"),
    "good": pgettext_lazy("strength of agreement", "good"),
    "excellent": pgettext_lazy("strength of agreement", "excellent"),
    "intermediate_to_good": pgettext_lazy("strength of agreement", "intermediate to good"),
}

SCALE_NAMES = {
    "landis_koch": pgettext_lazy("benchmark scale", "Landis & Koch (1977)"),
    "altman": pgettext_lazy("benchmark scale", "Altman (1991)"),
    "fleiss": pgettext_lazy("benchmark scale", "Fleiss (1981)"),
}


def describe(result: Benchmark) -> str:
    """A reading in words, in the active language.

    Gwet's rule retains a level because the true coefficient lies in it *or a higher one* with
    the cumulative probability shown, so below the top level the phrase says "or better":
    "moderate or better, with 99% probability". The top level needs no "or better". The bottom
    level is just its word when the coefficient lies in it with the threshold's probability;
    otherwise "poor or better" would say nothing, so the reading is "too uncertain to rate".
    A reading without a standard error is just its word.
    The percent is rounded down and kept under 100, so it never claims more than was computed.
    """
    word = LEVEL_WORDS[result.level]
    levels = SCALES[result.scale].levels
    if result.cumulative is None:
        return str(word)
    if result.level == levels[-1].key:
        if result.probability < result.threshold:
            # "Poor or better" holds for certain and says nothing: the value is too uncertain
            # (a few contacts, or few of them with two answers) to be read on the scale.
            return gettext("too uncertain to rate")
        return str(word)
    # The small nudge keeps a float such as 0.29 * 100 = 28.999... from showing as 28.
    percent = min(math.floor(result.cumulative * 100 + 1e-9), 99)
    if result.level == levels[0].key:
        # Translators: a strength of agreement and how probable it is, e.g. "almost perfect,
        # with 96% probability".
        return gettext("%(level)s, with %(percent)s%% probability") % {
            "level": word,
            "percent": percent,
        }
    # Translators: a strength of agreement that holds at least, and how probable that is,
    # e.g. "moderate or better, with 99% probability".
    return gettext("%(level)s or better, with %(percent)s%% probability") % {
        "level": word,
        "percent": percent,
    }
