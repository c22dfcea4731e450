"""Krippendorff's alpha at the four levels of measurement, with a bootstrap confidence interval.

Formulas follow the coincidence-matrix formulation of K. Krippendorff (2011), "Computing
Krippendorff's Alpha-Reliability", Annenberg School for Communication, University of
Pennsylvania, departmental paper 43:

    alpha = 1 - D_o / D_e
    D_o = (1 / n) * sum_c sum_k o_ck * delta2_ck                (observed disagreement)
    D_e = (1 / (n (n - 1))) * sum_c sum_k n_c * n_k * delta2_ck  (expected disagreement)
    o_ck = sum_u (number of c-k pairs of values in unit u) / (m_u - 1)

where only "pairable" values count (those in units with m_u >= 2 ratings), n_c are the
marginals of the coincidence matrix and n is their total. Summing o_ck * delta2_ck unit by
unit gives

    alpha = 1 - (n - 1) * sum_u D_u / sum_c sum_k n_c n_k delta2_ck,
    D_u = sum over ordered pairs i != j of unit u of delta2(x_i, x_j) / (m_u - 1),

which is what the code computes, without building the coincidence matrix:

* nominal: D_u = m_u - sum_c n_uc (n_uc - 1) / (m_u - 1); the expected sum is n^2 - sum_c n_c^2.
* interval: sum over pairs of (a - b)^2 = 2 m * sum (x - mean)^2, so D_u and the expected sum
  come from per-unit and pooled sums of squares.
* ordinal: Krippendorff's ordinal metric delta2_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2
  equals (r_k - r_c)^2, where r_c = sum_{g<c} n_g + n_c / 2 is the mid-rank of category c
  among the pairable values (n_g: marginals of the coincidence matrix, as in the
  ``krippendorff`` package's ``_ordinal_metric``); ordinal alpha is interval alpha on mid-ranks.
* ratio: delta2 = ((a - b) / (a + b))^2 (0 when a = b = 0) does not reduce to sums, so D_u is
  summed over each unit's pairs, and the expected sum over pairs of distinct values weighted
  by their counts, a block of the distinct-value distance matrix at a time.

Every statistic is written as a function of unit weights w_u (1 for the estimate, bootstrap
counts for a resample), so a resample costs weighted sums instead of a recomputation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qalibrate.agreement.coefficients import t_quantile
from qalibrate.agreement.ratings import (
    LEVELS,
    AgreementError,
    as_table,
    category_codes,
    missing_mask,
    numeric_values,
    power_of_two_scaled,
    unit_value_counts,
)

# Bounds the temporary arrays (elements) built at once: resamples × ratings, pair blocks.
_BLOCK = 1 << 20


def krippendorff_alpha(
    ratings: Any, level: str = "nominal", domain: Sequence | None = None
) -> float:
    """Krippendorff's alpha for ``ratings`` (units × raters; None/NaN/"" = not rated).

    ``level`` is "nominal", "ordinal", "interval" or "ratio". ``domain`` lists the possible
    values: it orders non-numeric ordinal values (e.g. ["poor", "fair", "good"]) and otherwise
    only checks that every rating is one of them; unused values do not change alpha.
    Raises AgreementError when alpha is undefined (fewer than two raters, no unit with two
    ratings, a single value among the pairable ratings) or the ratings do not fit the level.
    """
    parts = _alpha_parts(ratings, level, domain)
    return float(parts.replicates(np.ones((1, parts.n_units)))[0])


@dataclass(frozen=True)
class AlphaInterval:
    """A bootstrap confidence interval for Krippendorff's alpha.

    ``low`` and ``high`` bound the interval; ``estimate`` is alpha on the full data.
    ``n_undefined`` resamples had a single value among their pairable ratings (alpha undefined
    there) and were left out of the percentiles.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n_boot: int
    n_undefined: int


def krippendorff_alpha_ci(
    ratings: Any,
    level: str = "nominal",
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int | None = None,
    *,
    domain: Sequence | None = None,
) -> AlphaInterval:
    """Percentile bootstrap confidence interval for Krippendorff's alpha, resampling units.

    Algorithm: the units with at least two ratings are drawn with replacement (as many as
    there are), alpha is computed on each of ``n_boot`` resamples, and the interval is the
    (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of those alphas (Efron &
    Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13). Units are resampled whole
    because they are what a calibration samples (contacts), and each keeps its own raters, so
    the dependence between ratings of the same contact is respected; Zapf et al. (2016), BMC
    Medical Research Methodology 16:93, use this bootstrap of subjects for alpha's interval.
    Krippendorff's own bootstrap (Hayes & Krippendorff 2007, Communication Methods and
    Measures 1:77-89) resamples pairs of values and holds the expected disagreement fixed;
    it treats the pairs within a unit as independent, which understates the uncertainty when
    every contact has many raters, so it is not used here.

    Resampling is fast because each statistic is a weighted sum over units: per-unit observed
    disagreement and per-unit value counts are computed once, and a resample is a matrix of
    unit counts (see the module docstring). Returns an AlphaInterval; ``seed`` makes it
    reproducible.
    """
    if n_boot < 1:
        raise AgreementError("the bootstrap needs at least one resample")
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    parts = _alpha_parts(ratings, level, domain)
    estimate = float(parts.replicates(np.ones((1, parts.n_units)))[0])

    rng = np.random.default_rng(seed)
    n_units = parts.n_units
    per_batch = max(1, _BLOCK // parts.n_ratings)
    alphas = np.empty(n_boot)
    for start in range(0, n_boot, per_batch):
        size = min(per_batch, n_boot - start)
        weights = rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=size)
        alphas[start : start + size] = replicate_alphas(parts, weights.astype(np.float64))

    defined = alphas[~np.isnan(alphas)]
    if not defined.size:
        raise AgreementError("alpha is undefined in every resample: too few distinct values")
    low, high = np.quantile(defined, [(1 - confidence) / 2, (1 + confidence) / 2])
    return AlphaInterval(
        estimate=estimate,
        low=float(low),
        high=float(high),
        confidence=confidence,
        n_boot=n_boot,
        n_undefined=int(n_boot - defined.size),
    )


JACKKNIFE_GROUPS = 200


@dataclass(frozen=True)
class AlphaEstimate:
    """Krippendorff's alpha with its jackknife standard error and a t interval.

    ``n`` units had two or more ratings; ``low`` and ``high`` are alpha ± t(n - 1) × se, cut
    to [-1, 1]; ``se`` (and the interval) are None when fewer than three units leave a
    defined alpha when one is left out.
    """

    estimate: float
    se: float | None
    low: float | None
    high: float | None
    confidence: float
    n: int


def krippendorff_alpha_interval(
    ratings: Any,
    level: str = "nominal",
    confidence: float = 0.95,
    *,
    domain: Sequence | None = None,
    population: int | None = None,
) -> AlphaEstimate:
    """Alpha with a jackknife confidence interval over units (contacts).

    Each pairable unit is left out in turn; the jackknife variance is
    (n - 1) / n × sum (alpha_(i) - mean)^2 (Efron & Tibshirani 1993, "An Introduction to the
    Bootstrap", ch. 11), times the finite-population correction 1 - n / population when the
    units were drawn from a known number, and the interval is alpha ± t(n - 1) × se. Above
    200 units they are left out in 200 contiguous groups instead (the grouped jackknife;
    Efron & Tibshirani, sec. 11.5). At the sizes calibration uses (5-30 contacts) this kept
    its promise where the percentile bootstrap did not: benchmarks/interval_coverage.py
    measures both.
    """
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    parts = _alpha_parts(ratings, level, domain)
    n = parts.n_units
    if population is not None and population < n:
        raise AgreementError(
            f"the population ({population}) cannot be smaller than the sample ({n} units)"
        )
    estimate = float(parts.replicates(np.ones((1, n)))[0])
    # One group per unit up to JACKKNIFE_GROUPS units; beyond, units in that many contiguous
    # groups (the grouped, delete-d jackknife), so a file of 5,000 units costs 200 replicates.
    groups = np.arange(n) * min(n, JACKKNIFE_GROUPS) // n
    leave_out = (groups[None, :] != np.arange(groups[-1] + 1)[:, None]).astype(np.float64)
    replicates = replicate_alphas(parts, leave_out)
    replicates = replicates[~np.isnan(replicates)]
    k = len(replicates)
    if k < 3:
        return AlphaEstimate(estimate, None, None, None, confidence, n)
    fpc = 1 - n / population if population else 1.0
    se = float(np.sqrt(fpc * (k - 1) / k * ((replicates - replicates.mean()) ** 2).sum()))
    margin = t_quantile(confidence, k - 1) * se
    low, high = max(-1.0, estimate - margin), min(1.0, estimate + margin)
    return AlphaEstimate(estimate, se, low, high, confidence, n)


def replicate_alphas(parts: _Parts, weights: np.ndarray) -> np.ndarray:
    """Alpha for each row of unit weights (resamples × pairable units); NaN where undefined.

    Alpha is undefined when the weighted units hold a single value between them (D_e = 0).
    """
    chosen = weights > 0
    high = np.where(chosen, parts.high, -np.inf).max(axis=1)
    low = np.where(chosen, parts.low, np.inf).min(axis=1)
    varied = high > low
    alphas = np.full(len(weights), np.nan)
    if varied.any():
        alphas[varied] = parts.replicates(weights[varied])
    return alphas


def _alpha_parts(ratings: Any, level: str, domain: Sequence | None) -> _Parts:
    """Check and code the ratings, keep the pairable units and precompute what alpha needs."""
    if level not in LEVELS:
        raise AgreementError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    table = as_table(ratings)
    present = ~missing_mask(table)
    rows, _ = np.nonzero(present)
    cells = table[present]  # one entry per rating, row by row: a sparse form from here on
    if level in ("interval", "ratio"):
        value = numeric_values(cells, level=level, domain=domain)
    else:
        value, _ = category_codes(cells, domain=domain, ordered=level == "ordinal")
    ratings_per_unit = np.bincount(rows, minlength=len(table))
    pairable = ratings_per_unit >= 2
    if not pairable.any():
        raise AgreementError("no unit has ratings from two or more raters: nothing to compare")
    keep = pairable[rows]
    unit = (np.cumsum(pairable) - 1)[rows[keep]]  # pairable units renumbered 0, 1, ...
    value = value[keep]
    if value.min() == value.max():
        raise AgreementError(
            "every pairable rating has the same value, so the disagreement expected by chance "
            "is zero and alpha is undefined"
        )
    if level in ("interval", "ratio"):
        value = power_of_two_scaled(value)  # the same alpha, without overflow near 1e200
    return _PARTS[level](unit, value)


class _Parts:
    """What alpha needs from the pairable ratings, one entry per rating: ``unit`` (ascending,
    numbered 0, 1, ...) and ``value`` (for nominal and ordinal data, the category code).
    """

    def __init__(self, unit: np.ndarray, value: np.ndarray) -> None:
        self.m = np.bincount(unit).astype(np.float64)
        self.n_units = len(self.m)
        self.n_ratings = len(value)
        starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
        self.low = np.minimum.reduceat(value, starts)
        self.high = np.maximum.reduceat(value, starts)

    def replicates(self, weights: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class _Marginals:
    """Weighted value totals n_c = sum_u w_u n_uc from sparse (unit, code, count) triples."""

    def __init__(self, unit: np.ndarray, code: np.ndarray, count: np.ndarray) -> None:
        order = np.argsort(code, kind="stable")
        self.unit, self.count = unit[order], count[order]
        sorted_code = code[order]
        self.starts = np.flatnonzero(np.r_[True, sorted_code[1:] != sorted_code[:-1]])
        self.codes = sorted_code[self.starts]  # the codes that occur, ascending

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        """Resamples × codes matrix of weighted totals."""
        return np.add.reduceat(weights[:, self.unit] * self.count, self.starts, axis=1)


class _Nominal(_Parts):
    def __init__(self, unit: np.ndarray, value: np.ndarray) -> None:
        super().__init__(unit, value)
        unit, code, count = unit_value_counts(unit, value.astype(np.int64))
        agreeing = np.bincount(unit, weights=count * (count - 1), minlength=self.n_units)
        self.observed = self.m - agreeing / (self.m - 1)
        self.marginals = _Marginals(unit, code, count)

    def replicates(self, weights: np.ndarray) -> np.ndarray:
        totals = self.marginals(weights)
        n = totals.sum(axis=1)
        expected = n**2 - (totals**2).sum(axis=1)
        return 1 - (n - 1) * (weights @ self.observed) / expected


class _Interval(_Parts):
    def __init__(self, unit: np.ndarray, value: np.ndarray) -> None:
        super().__init__(unit, value)
        # Centring keeps the sums of squares accurate for values far from zero.
        centred = value - value.mean()
        self.sums = np.bincount(unit, weights=centred)
        self.squares = np.bincount(unit, weights=centred**2)
        deviation = centred - (self.sums / self.m)[unit]
        unit_ss = np.bincount(unit, weights=deviation**2)
        self.observed = unit_ss * self.m / (self.m - 1)

    def replicates(self, weights: np.ndarray) -> np.ndarray:
        n = weights @ self.m
        total_ss = weights @ self.squares - (weights @ self.sums) ** 2 / n
        return 1 - (n - 1) * (weights @ self.observed) / (n * total_ss)


class _Ordinal(_Parts):
    def __init__(self, unit: np.ndarray, value: np.ndarray) -> None:
        super().__init__(unit, value)
        unit, code, count = unit_value_counts(unit, value.astype(np.int64))
        self.marginals = _Marginals(unit, code, count)
        self.count = count
        self.rank_of = np.searchsorted(self.marginals.codes, code)
        self.unit_starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])

    def replicates(self, weights: np.ndarray) -> np.ndarray:
        totals = self.marginals(weights)
        n = totals.sum(axis=1)
        # Mid-ranks of the categories among the pairable values, centred on the mean rank n/2.
        ranks = np.cumsum(totals, axis=1) - totals / 2 - n[:, None] / 2
        total_ss = (totals * ranks**2).sum(axis=1) - (totals * ranks).sum(axis=1) ** 2 / n
        rank = ranks[:, self.rank_of]
        sums = np.add.reduceat(rank * self.count, self.unit_starts, axis=1)
        squares = np.add.reduceat(rank**2 * self.count, self.unit_starts, axis=1)
        unit_ss = squares - sums**2 / self.m
        observed = (weights * unit_ss * (self.m / (self.m - 1))).sum(axis=1)
        return 1 - (n - 1) * observed / (n * total_ss)


class _Ratio(_Parts):
    def __init__(self, unit: np.ndarray, value: np.ndarray) -> None:
        super().__init__(unit, value)
        self.distinct, code = np.unique(value, return_inverse=True)
        self.marginals = _Marginals(*unit_value_counts(unit, code.ravel()))
        self.observed = _ratio_within_units(unit, value, self.m) / (self.m - 1)

    def replicates(self, weights: np.ndarray) -> np.ndarray:
        totals = self.marginals(weights)
        n = totals.sum(axis=1)
        expected = _ratio_pair_sums(self.distinct[self.marginals.codes], totals)
        return 1 - (n - 1) * (weights @ self.observed) / expected


def _ratio_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Krippendorff's ratio metric ((a - b) / (a + b))^2, 0 where a + b is 0 or missing."""
    total = a + b
    difference = a - b
    ratio = np.divide(difference, total, out=np.zeros(total.shape), where=total > 0)
    return ratio**2


def _ratio_within_units(unit: np.ndarray, value: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per unit, the ratio distance summed over the ordered pairs of its ratings."""
    # A units × (most ratings in a unit) table, NaN-padded: pairs of NaN have distance 0.
    width = int(m.max())
    starts = np.r_[0, np.cumsum(m)[:-1]].astype(np.int64)
    compact = np.full((len(m), width), np.nan)
    compact[unit, np.arange(len(unit)) - starts[unit]] = value
    step = max(1, _BLOCK // (width * width))
    sums = np.empty(len(m))
    for start in range(0, len(m), step):
        block = compact[start : start + step]
        distance = _ratio_distance(block[:, :, None], block[:, None, :])
        sums[start : start + step] = distance.sum(axis=(1, 2))
    return sums


def _ratio_pair_sums(values: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """sum_c sum_k n_c n_k delta2(c, k) for each row of value totals, in column blocks."""
    sums = np.zeros(len(totals))
    step = max(1, _BLOCK // len(values))
    for start in range(0, len(values), step):
        stop = start + step
        distance = _ratio_distance(values[:, None], values[None, start:stop])
        sums += ((totals @ distance) * totals[:, start:stop]).sum(axis=1)
    return sums


_PARTS: dict[str, type[_Parts]] = {
    "nominal": _Nominal,
    "ordinal": _Ordinal,
    "interval": _Interval,
    "ratio": _Ratio,
}
