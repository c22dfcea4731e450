"""Words beside numbers: benchmark scales for agreement coefficients, read with their uncertainty.

A benchmark scale cuts the range of a chance-corrected coefficient (kappa, AC1, alpha, ICC)
into named levels. Three scales are given as data, each level with a stable machine ``key``
(the words users see are translated on the Django side, in qalibrate/reports/benchmark_words.py):

* Landis & Koch: J. R. Landis and G. G. Koch (1977), "The measurement of observer agreement
  for categorical data", Biometrics 33(1):159-174, p. 165.
* Altman: D. G. Altman (1991), "Practical Statistics for Medical Research", Chapman and Hall,
  p. 404 (table 14.8).
* Fleiss: J. L. Fleiss (1981), "Statistical Methods for Rates and Proportions", 2nd ed.,
  Wiley, p. 218. Fleiss wrote "fair to good" for the middle level; irrCAC and Gwet (2014) say
  "intermediate to good", and so does the key here.

The level bounds are those of the data files of Gwet's R package irrCAC 1.0
(inst/extdata/landis.koch.csv, altman.csv, fleiss.csv), which close each scale at -1 and 1.

Reading a point estimate against a scale ignores how uncertain it is: with 5-10 contacts an AC1
of 0.78 may well be 0.5. Gwet's probabilistic benchmarking (K. L. Gwet (2014), "Handbook of
Inter-Rater Reliability", 4th ed., Advanced Analytics, ch. 6; irrCAC's ``landis.koch.bf``,
``altman.bf`` and ``fleiss.bf``) treats the true coefficient as normal with the estimate as its
mean and the standard error as its standard deviation, truncated to [-1, 1]. Each level gets
the probability that the true coefficient lies in it, and going from the top level down, the
cumulative probability that the coefficient lies in that level or a better one. The level
retained is the highest one whose cumulative probability reaches 95%: "at least moderate" is
then a claim that holds with 95% probability, where the point estimate alone might say
"substantial".

Without a standard error (None or 0) the reading is the plain one, ``level(value)``. A value
on a bound between two levels gets the lower one, (low, high]: that is the limit of Gwet's rule
as the standard error shrinks (the cumulative probability at a bound tends to 1/2), and it
matches Landis & Koch's 0.41-0.60 "moderate" and 0.61-0.80 "substantial" and Altman's
0.21-0.40 "fair". It differs from the printed tables at two points only: Landis & Koch put 0.00
in "slight" (here "poor") and Fleiss put 0.40 in "intermediate to good" (here "poor").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType
from typing import Any

from qalibrate.agreement.ratings import AgreementError

# Gwet's (2014, ch. 6) rule: retain the highest level whose cumulative probability is 95% or more.
DEFAULT_THRESHOLD = 0.95

# A coefficient computed as 1 - x may come out a rounding error above 1.
_ROUNDING = 1e-9


@dataclass(frozen=True)
class Level:
    """A level of a scale: coefficients in (low, high]; the bottom level also takes low."""

    key: str
    low: float
    high: float


@dataclass(frozen=True)
class Scale:
    """A benchmark scale: its levels from the top (best) down to the bottom."""

    key: str
    name: str
    source: str
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class LevelProbability:
    """One row of a benchmark's table: a level, the probability that the true coefficient lies
    in it, and the cumulative probability that it lies in this level or a higher one. Both
    probabilities are None for a reading without a standard error."""

    key: str
    low: float
    high: float
    probability: float | None
    cumulative: float | None


@dataclass(frozen=True)
class Benchmark:
    """The level a coefficient is read as on a scale, and how sure that reading is.

    ``level`` is the key of the level retained; ``probability`` the probability that the true
    coefficient lies in that level and ``cumulative`` that it lies in that level or a higher
    one (the figure Gwet's rule compares with ``threshold``). Both are None when no standard
    error was given and the reading is the plain one. ``table`` has every level of the scale,
    top down.
    """

    scale: str
    value: float
    se: float | None
    threshold: float
    level: str
    probability: float | None
    cumulative: float | None
    table: tuple[LevelProbability, ...]

    @property
    def is_probabilistic(self) -> bool:
        return self.probability is not None


LANDIS_KOCH = Scale(
    key="landis_koch",
    name="Landis & Koch (1977)",
    source=(
        'J. R. Landis and G. G. Koch (1977), "The measurement of observer agreement for '
        'categorical data", Biometrics 33(1):159-174'
    ),
    levels=(
        Level("almost_perfect", 0.8, 1.0),
        Level("substantial", 0.6, 0.8),
        Level("moderate", 0.4, 0.6),
        Level("fair", 0.2, 0.4),
        Level("slight", 0.0, 0.2),
        Level("poor", -1.0, 0.0),
    ),
)

ALTMAN = Scale(
    key="altman",
    name="Altman (1991)",
    source=(
        'D. G. Altman (1991), "Practical Statistics for Medical Research", Chapman and Hall, '
        "table 14.8"
    ),
    levels=(
        Level("very_good", 0.8, 1.0),
        Level("good", 0.6, 0.8),
        Level("moderate", 0.4, 0.6),
        Level("fair", 0.2, 0.4),
        Level("poor", -1.0, 0.2),
    ),
)

FLEISS = Scale(
    key="fleiss",
    name="Fleiss (1981)",
    source=('J. L. Fleiss (1981), "Statistical Methods for Rates and Proportions", 2nd ed., Wiley'),
    levels=(
        Level("excellent", 0.75, 1.0),
        Level("intermediate_to_good", 0.4, 0.75),
        Level("poor", -1.0, 0.4),
    ),
)

SCALES: Mapping[str, Scale] = MappingProxyType(
    {scale.key: scale for scale in (LANDIS_KOCH, ALTMAN, FLEISS)}
)
"""The benchmark scales by key: "landis_koch", "altman", "fleiss"."""


def level(value: float, scale: str = "landis_koch") -> str:
    """The key of the level ``value`` falls in on ``scale``, ignoring its uncertainty.

    Levels are (low, high]: a value on a bound gets the lower level, and anything at or below
    the bottom level's upper bound (values under -1 included) gets the bottom level.
    """
    levels = _scale(scale).levels
    value = _checked_value(value)
    for candidate in levels[:-1]:
        if value > candidate.low:
            return candidate.key
    return levels[-1].key


def benchmark(
    value: float,
    se: float | None,
    scale: str = "landis_koch",
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> Benchmark:
    """Gwet's probabilistic benchmarking of a coefficient ``value`` with standard error ``se``.

    The true coefficient is taken as normal(value, se) truncated to [-1, 1] (Gwet 2014, ch. 6):
    a level (low, high] has membership probability

        P(level) = (Phi((high - value) / se) - Phi((low - value) / se)) / T,
        T = Phi((1 - value) / se) - Phi((-1 - value) / se),

    its cumulative probability is the sum of P over it and the levels above it, and the level
    retained is the highest one whose cumulative probability is ``threshold`` or more (the
    bottom level's is 1). This reproduces irrCAC's ``landis.koch.bf``, ``altman.bf`` and
    ``fleiss.bf``. With ``se`` None or 0 the level is ``level(value, scale)`` and the
    probabilities are None.
    """
    levels = _scale(scale).levels
    value = _checked_value(value)
    if not (_is_number(threshold) and 0 < threshold <= 1):
        raise AgreementError(
            f"threshold must be a probability above 0, e.g. 0.95; got {threshold!r}"
        )
    if se is not None and not (_is_number(se) and math.isfinite(se) and se >= 0):
        raise AgreementError(f"the standard error must be a number 0 or more; got {se!r}")

    if not se:
        chosen = level(value, scale)
        table = tuple(LevelProbability(lv.key, lv.low, lv.high, None, None) for lv in levels)
        given = None if se is None else float(se)
        return Benchmark(scale, value, given, float(threshold), chosen, None, None, table)

    masses = [_normal_mass(lv.low, lv.high, value, se) for lv in levels]
    total = sum(masses)
    if total == 0:
        # The value lies so many standard errors below -1 that every mass underflows; the
        # truncated normal then sits at -1, in the bottom level.
        masses = [0.0] * (len(levels) - 1) + [1.0]
        total = 1.0
    probabilities = [mass / total for mass in masses]
    cumulatives = []
    running = 0.0
    for probability in probabilities:
        running += probability
        cumulatives.append(min(running, 1.0))
    cumulatives[-1] = 1.0  # exactly, whatever the rounding of the sum

    table = tuple(
        LevelProbability(lv.key, lv.low, lv.high, probability, cumulative)
        for lv, probability, cumulative in zip(levels, probabilities, cumulatives, strict=True)
    )
    chosen = next(row for row in table if row.cumulative >= threshold)
    return Benchmark(
        scale,
        value,
        float(se),
        float(threshold),
        chosen.key,
        chosen.probability,
        chosen.cumulative,
        table,
    )


def _scale(key: str) -> Scale:
    try:
        return SCALES[key]
    except (KeyError, TypeError):
        raise AgreementError(f"scale must be one of {', '.join(SCALES)}; got {key!r}") from None


def _checked_value(value: float) -> float:
    if not (_is_number(value) and math.isfinite(value)):
        raise AgreementError(f"the coefficient must be a finite number; got {value!r}")
    if value > 1 + _ROUNDING:
        raise AgreementError(f"an agreement coefficient is at most 1; got {value!r}")
    return min(float(value), 1.0)


def _is_number(x: object) -> bool:
    # numbers.Real takes numpy's floats and ints too; True and False are not coefficients.
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _normal_mass(low: float, high: float, mean: float, sd: float) -> float:
    """P(low < X <= high) for X ~ normal(mean, sd), accurate far out in either tail: the
    difference is taken between upper tails when the interval lies above the mean, between
    lower tails otherwise, so that it never subtracts two numbers close to 1."""
    z_low, z_high = (low - mean) / sd, (high - mean) / sd
    if z_low > 0:
        return _upper_tail(z_low) - _upper_tail(z_high)
    return _upper_tail(-z_high) - _upper_tail(-z_low)


def _upper_tail(z: float) -> float:
    """1 - Phi(z), the standard normal's upper tail."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def benchmark_estimate(
    estimate: Any, scale: str = "landis_koch", *, threshold: float = DEFAULT_THRESHOLD
) -> Benchmark:
    """Gwet's benchmarking of an estimate shown with its interval, so words and interval agree.

    ``estimate`` has ``value`` (or ``estimate``), ``se``, ``low`` and ``confidence``. The
    product's intervals are wider than value ± 1.96 se where few contacts make the standard
    error itself uncertain (a t quantile, the jackknife, Fisher's z; see coefficients.py).
    Reading the value with Gwet's se alone would then call a coefficient "moderate or better,
    with 99% probability" beside an interval reaching down to 0. So the standard error read
    here is the one the interval shows below the value: (value - low) / z, z the normal
    quantile of the interval's level. Without an interval, Gwet's se is used as it is.
    """
    value = getattr(estimate, "value", None)
    if value is None:
        value = estimate.estimate
    se, low = estimate.se, estimate.low
    if se and low is not None and value > low:
        se = (value - low) / NormalDist().inv_cdf((1 + estimate.confidence) / 2)
    return benchmark(value, se, scale, threshold=threshold)


def benchmark_fields(estimate: Any, scale: str = "landis_koch") -> dict[str, Any] | None:
    """benchmark_estimate as the CLI's JSON and the API report give it: scale, level,
    probability and cumulative; None for percent agreement, which counts agreement by chance
    as agreement and has no scale, and for a value the scales cannot read."""
    if getattr(estimate, "name", "") == "percent_agreement":
        return None
    try:
        reading = benchmark_estimate(estimate, scale)
    except AgreementError:
        return None
    return {
        "scale": reading.scale,
        "level": reading.level,
        "probability": reading.probability,
        "cumulative": reading.cumulative,
    }
