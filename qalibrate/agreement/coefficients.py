"""The chance-corrected agreement family for many raters, with standard errors and intervals.

Percent agreement, Gwet's AC1 (AC2 when weighted), Fleiss' kappa, Brennan-Prediger, Conger's
kappa and Krippendorff's alpha, each as K. L. Gwet (2014), "Handbook of Inter-Rater
Reliability", 4th ed., Advanced Analytics, ch. 2-5, defines it for several raters, missing
ratings and weights, and as the R package irrCAC computes it (``R/agree.coeff3.raw.r``).

Notation: unit i has r_i ratings, r_ik of them in category k; w_kl are the weights
(qalibrate.agreement.weights) and r*_ik = sum_l w_kl r_il. Every coefficient is
(p_a - p_e) / (1 - p_e) with

    p_a = mean over the n2 units with r_i >= 2 of sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))
    pi_k = mean over the n units with r_i >= 1 of r_ik / r_i

and a chance agreement p_e of its own:

    AC1/AC2           p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)     T_w = sum_kl w_kl
    Fleiss' kappa     p_e = sum_kl w_kl pi_k pi_l
    Brennan-Prediger  p_e = T_w / q^2
    Conger's kappa    p_e = sum_kl w_kl (pbar_k pbar_l - s2_kl / r), from each rater's own
                      category shares p_gk (their mean pbar_k, their covariance s2_kl)
    Krippendorff      p_a and pi_k over the units with two or more ratings, with the
                      small-sample correction eps = 1 / (number of pairable ratings)
                      (Gwet 2014, sec. 5.3); it equals Krippendorff's alpha with the
                      distance 1 - w_kl (nominal for identity, interval for quadratic weights)

Standard errors are Gwet's linearisation: each unit gets a pseudo-value kappa*_i (its own
agreement, corrected for its pull on chance agreement) and

    v = (1 - f) / (n (n - 1)) * sum_i (kappa*_i - kappa)^2,   f = n / N

with N the number of units in the population sampled (None: infinite, f = 0). The interval is
kappa ± t(n - 1; (1 + level) / 2) × se in irrCAC (``interval="gwet"``). The product's
intervals (``interval="auto"``, the default) are the ones the coverage benchmark
(benchmarks/interval_coverage.py: 5-30 contacts × 3-8 evaluators, yes/no, options and scales,
0% and 10% missing) found to keep their promise best, without collapsing to [-1, 1]:

* AC1/AC2 and Brennan-Prediger, ``gwet_z``: Gwet's se carried to Fisher's z scale by the
  delta method, se_z = se / (1 - kappa^2), and tanh(atanh(kappa) ± t(n - 1) se_z). Near 1 the
  sampling distribution is skewed; on the z scale the interval reaches further down than up.
  Gwet's plain t interval held the true AC1 only 80-90% of the time at 5-8 contacts. (A
  jackknife on the z scale does as well on average but explodes to [-1, 1] when all the
  disagreement sits on one contact, a common calibration pattern.)
* Fleiss', Conger's kappa and alpha, ``jackknife``: leave each unit out, the jackknife
  variance (n - 1) / n sum (kappa_(i) - mean)^2 and kappa ± t(n - 1) se_jack. Gwet's t
  interval was too short for them at small sizes; the z scale did not help. Where leaving a
  unit out leaves the coefficient undefined, Gwet's t interval is used.
* Percent agreement: ``gwet_z`` unweighted (at 30 contacts × 3 evaluators of yes/no answers
  Gwet's t interval held the truth 90% of the time, the z scale 97%); Gwet's t interval
  weighted, where the z scale near 1 made it several times wider than needed.
* Above 200 units, Gwet's t interval for all: every method agrees there and the jackknife
  costs n replicates.

Intervals are cut to [-1, 1] (percent agreement to [0, 1]). ``se`` is always Gwet's standard
error, which is what his benchmarking (interpretation.py) and published tables use.

Every value is also computed as a function of unit weights, so leaving a unit out (jackknife)
or resampling units (bootstrap) is a matrix product, not a recomputation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from qalibrate.agreement.ratings import (
    AgreementError,
    as_table,
    category_codes,
    missing_mask,
)
from qalibrate.agreement.weights import weight_matrix

COEFFICIENTS = (
    "percent_agreement",
    "ac1",
    "fleiss_kappa",
    "brennan_prediger",
    "conger_kappa",
    "krippendorff_alpha",
)
INTERVALS = ("auto", "gwet_z", "jackknife", "jackknife_z", "gwet")
# What "auto" uses, chosen by benchmarks/interval_coverage.py (see the module docstring).
_AUTO = {
    "percent_agreement": "gwet",
    "ac1": "gwet_z",
    "brennan_prediger": "gwet_z",
    "fleiss_kappa": "jackknife",
    "conger_kappa": "jackknife",
    "krippendorff_alpha": "jackknife",
}
# Above this many units the jackknife's n replicates cost more than they tell: the intervals
# agree at that size (benchmarks/interval_coverage.py), so Gwet's is used.
JACKKNIFE_MOST_UNITS = 200


@dataclass(frozen=True)
class Estimate:
    """One coefficient with its standard error and confidence interval.

    ``se``, ``low`` and ``high`` are None when there are fewer than two units (no spread to
    measure). ``n`` is the number of units the coefficient used; the interval takes a t
    quantile with n - 1 degrees of freedom.
    """

    name: str
    value: float
    se: float | None
    low: float | None
    high: float | None
    confidence: float
    n: int
    weights: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "se": self.se,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "n": self.n,
            "weights": self.weights,
        }


def agreement_coefficients(
    ratings: Any,
    *,
    categories: Sequence | None = None,
    weights: str = "identity",
    confidence: float = 0.95,
    population: int | None = None,
    coefficients: Iterable[str] = COEFFICIENTS,
    interval: str = "auto",
) -> dict[str, Estimate]:
    """The chosen ``coefficients`` of ``ratings`` (units × raters), each an Estimate.

    ``categories`` lists the possible answers in order (all of them, used or not: AC1 and
    Brennan-Prediger count them); without it, the distinct answers given, numbers ascending.
    ``weights`` is "identity", "linear", "quadratic" or "ordinal" (see weights.py).
    ``population`` is the number of units the sample was drawn from, for the finite-population
    correction. A coefficient that is undefined for these ratings (e.g. kappa when every
    answer is the same) is left out of the result; AgreementError is raised only when nothing
    can be computed (fewer than two raters, no unit with two ratings).
    """
    wanted = list(coefficients)
    unknown = [name for name in wanted if name not in COEFFICIENTS]
    if unknown:
        raise AgreementError(
            f"unknown coefficient {unknown[0]!r}; choose from {', '.join(COEFFICIENTS)}"
        )
    if interval not in INTERVALS:
        raise AgreementError(f"interval must be one of {', '.join(INTERVALS)}; got {interval!r}")
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    panel = Panel(ratings, categories=categories, weights=weights)
    if population is not None and population < panel.n:
        raise AgreementError(
            f"the population ({population}) cannot be smaller than the sample ({panel.n} units)"
        )
    fpc = 1 - panel.n / population if population else 1.0
    result = {}
    for name in wanted:
        try:
            value, pseudo = panel.linearised(name)
        except AgreementError:
            continue
        # Alpha's pseudo-values cover only the units with two or more ratings; the degrees of
        # freedom count every rated unit, as in irrCAC (krippen.alpha.raw).
        n = panel.n
        se = low = high = None
        if len(pseudo) >= 2:
            # The pseudo-values average to the coefficient (to alpha' = alpha without the
            # small-sample correction, for alpha), so this is irrCAC's sum of squares.
            spread = ((pseudo - pseudo.mean()) ** 2).sum()
            se = float(np.sqrt(fpc * spread / (len(pseudo) * (len(pseudo) - 1))))
            quantile = t_quantile(confidence, n - 1)
            method = _interval_method(interval, name, weights, panel.n)
            low = high = None
            if method.startswith("jackknife"):
                low, high = panel.jackknife_interval(
                    name, value, quantile, fpc, fisher_z=method == "jackknife_z"
                )
            if method == "gwet_z":
                low, high = _fisher_z_interval(value, se, quantile)
            elif low is None:  # Gwet's, or a jackknife left without replicates
                low, high = value - quantile * se, value + quantile * se
            floor = 0.0 if name == "percent_agreement" else -1.0
            if low is not None:
                low, high = max(floor, low), min(1.0, high)
        result[name] = Estimate(name, value, se, low, high, confidence, n, weights)
    return result


def _interval_method(interval: str, name: str, weights: str, n: int) -> str:
    """The interval "auto" stands for: what the coverage benchmark found held its promise."""
    if interval != "auto":
        return interval
    if n > JACKKNIFE_MOST_UNITS:
        return "gwet"
    if name == "percent_agreement" and weights == "identity":
        return "gwet_z"
    return _AUTO[name]


def _fisher_z_interval(value: float, se: float, quantile: float) -> tuple[float, float]:
    """tanh(z ± t se_z) with z = atanh(value) and, by the delta method, se_z = se / (1 - value²).

    At ±1 (every pair agrees) z is infinite, and the delta method says nothing: Gwet's t
    interval is used there instead.
    """
    if se == 0:
        return value, value
    if abs(value) >= _Z_LIMIT:
        return value - quantile * se, value + quantile * se
    margin = quantile * se / (1 - value**2)
    centre = np.arctanh(value)
    return float(np.tanh(centre - margin)), float(np.tanh(centre + margin))


@functools.lru_cache(maxsize=256)
def t_quantile(confidence: float, df: int) -> float:
    """The two-sided t quantile; cached because scipy's is slow next to the coefficients.
    (scipy.special, not scipy.stats: the same function without the 50 MB that importing
    scipy.stats costs every web process.)"""
    return float(special.stdtrit(df, (1 + confidence) / 2))


class Panel:
    """The counts every coefficient is built from, for units with at least one rating."""

    def __init__(self, ratings: Any, *, categories: Sequence | None, weights: str) -> None:
        table = as_table(ratings)
        present = ~missing_mask(table)
        rated_units = present.any(axis=1)
        raters = present.any(axis=0)
        if raters.sum() < 2:
            raise AgreementError("agreement needs ratings from at least two raters")
        table, present = table[rated_units][:, raters], present[rated_units][:, raters]
        codes, self.categories = category_codes(table[present], domain=categories)
        self.q = len(self.categories)
        if self.q < 1:
            raise AgreementError("there are no ratings")
        self.w = weight_matrix(weights, self.categories)
        self.n, self.r = table.shape
        # One entry per rating: its unit, rater and category code.
        self.unit, self.rater = np.nonzero(present)
        self.code = codes
        self.counts = np.zeros((self.n, self.q))  # r_ik
        np.add.at(self.counts, (self.unit, self.code), 1.0)
        self.m = self.counts.sum(axis=1)  # r_i
        weighted = self.counts @ self.w.T  # r*_ik
        self.agreeing = (self.counts * (weighted - 1)).sum(axis=1)
        self.pairable = self.m >= 2
        if not self.pairable.any():
            raise AgreementError("no unit has ratings from two or more raters: nothing to compare")
        pairs = np.where(self.pairable, self.m * (self.m - 1), 1.0)
        self.unit_agreement = np.where(self.pairable, self.agreeing / pairs, 0.0)  # p_a|i
        self.shares = self.counts / self.m[:, None]

    # --- values as functions of unit weights (rows: replicates, columns: units) ----------

    def values(self, name: str, u: np.ndarray) -> np.ndarray:
        """The coefficient for each row of unit weights ``u``; NaN where it is undefined."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if name == "krippendorff_alpha":
                return self._alpha_values(u)
            pa = (u @ self.unit_agreement) / (u @ self.pairable)
            if name == "percent_agreement":
                return pa
            pe = self._chance(name, u)
            return np.where(pe < 1 - 1e-12, (pa - pe) / (1 - pe), np.nan)

    def _chance(self, name: str, u: np.ndarray) -> np.ndarray:
        q, w = self.q, self.w
        if name == "brennan_prediger":
            return np.full(len(u), w.sum() / q**2 if q >= 2 else 1.0)
        if name == "conger_kappa":
            return self._conger_chance(u)
        pi = (u @ self.shares) / u.sum(axis=1, keepdims=True)
        if name == "ac1":
            if q < 2:
                return np.ones(len(u))
            return w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum(axis=1)
        return np.einsum("kl,mk,ml->m", w, pi, pi)  # fleiss_kappa

    def _classified(self, u: np.ndarray) -> np.ndarray:
        """Replicates × raters × categories: the weighted units each rater put in each."""
        classified = np.zeros((len(u), self.r, self.q))
        for row, weights in enumerate(u):
            np.add.at(classified[row], (self.rater, self.code), weights[self.unit])
        return classified

    def _conger_chance(self, u: np.ndarray) -> np.ndarray:
        classified = self._classified(u)
        rated = classified.sum(axis=2)
        active = rated > 0
        r = active.sum(axis=1)
        p = np.divide(
            classified, rated[..., None], out=np.zeros_like(classified), where=active[..., None]
        )
        mean = p.sum(axis=1) / r[:, None]
        centred = np.where(active[..., None], p - mean[:, None, :], 0.0)
        covariance = np.einsum("mgk,mgl->mkl", centred, centred) / (r - 1)[:, None, None]
        expected = mean[:, :, None] * mean[:, None, :] - covariance / r[:, None, None]
        return np.einsum("kl,mkl->m", self.w, expected)

    def _alpha_values(self, u: np.ndarray) -> np.ndarray:
        ok = self.pairable
        up = u[:, ok]
        m = self.m[ok]
        units = up.sum(axis=1)
        mean_m = (up @ m) / units
        epsilon = 1 / (up @ m)
        pa_prime = (up @ (self.agreeing[ok] / (m - 1))) / (mean_m * units)
        pa = (1 - epsilon) * pa_prime + epsilon
        pi = (up @ self.counts[ok]) / (mean_m * units)[:, None]
        pe = np.einsum("kl,mk,ml->m", self.w, pi, pi)
        return np.where(pe < 1 - 1e-12, (pa - pe) / (1 - pe), np.nan)

    # --- Gwet's linearised pseudo-values ---------------------------------------------------

    def linearised(self, name: str) -> tuple[float, np.ndarray]:
        """The coefficient and its per-unit pseudo-values kappa*_i (irrCAC's ``*.ivec.x``)."""
        ones = np.ones((1, self.n))
        value = float(self.values(name, ones)[0])
        if np.isnan(value):
            raise AgreementError(f"{name} is undefined: chance agreement is 1")
        if name == "krippendorff_alpha":
            return value, self._alpha_pseudo()
        n, n2 = self.n, int(self.pairable.sum())
        pa_i = (n / n2) * self.unit_agreement
        if name == "percent_agreement":
            return value, pa_i
        pe = float(self._chance(name, ones)[0])
        kappa_i = (n / n2) * (self.unit_agreement - pe * self.pairable) / (1 - pe)
        if name == "brennan_prediger":
            return value, kappa_i
        pe_i = self._unit_chance(name, pe)
        return value, kappa_i - 2 * (1 - value) * (pe_i - pe) / (1 - pe)

    def _unit_chance(self, name: str, pe: float) -> np.ndarray:
        q, w = self.q, self.w
        pi = self.shares.mean(axis=0)
        if name == "ac1":
            return w.sum() / (q * (q - 1)) * (self.shares @ (1 - pi))
        if name == "fleiss_kappa":
            return self.shares @ ((w + w.T) @ pi / 2)
        return self._conger_unit_chance()

    def _conger_unit_chance(self) -> np.ndarray:
        """irrCAC's pe.ivec for Conger's kappa, one rating at a time instead of a units ×
        raters × categories array. With delta_igl the rating indicator, eps_ig whether rater g
        rated unit i, n_g the units g rated, p_gl g's share of category l and
        s_gk = r pbar_k - p_gk:

            lambda_ig = (n / n_g) sum_k sum_l w_kl (delta_igl - (eps_ig - n_g / n) p_gl) s_gk
                      = (n / n_g) eps_ig A_g,c(ig) - (n / n_g) (eps_ig - n_g / n) B_g

        with A = s W (raters × categories) and B_g = sum_k (p W^T)_gk s_gk; then
        pe_i = sum_g lambda_ig / (r (r - 1)).
        """
        n, r = self.n, self.r
        classified = self._classified(np.ones((1, n)))[0]
        rated_by = classified.sum(axis=1)  # n_g
        p = classified / rated_by[:, None]
        spread = r * p.mean(axis=0)[None, :] - p
        a = spread @ self.w
        b = ((p @ self.w.T) * spread).sum(axis=1)
        scale = n / rated_by
        # Every cell as if unrated (eps = 0: lambda = B_g), then the ratings given on top.
        lam = np.tile(b, (n, 1))
        lam[self.unit, self.rater] = scale[self.rater] * (
            a[self.rater, self.code] - (1 - rated_by[self.rater] / n) * b[self.rater]
        )
        return lam.sum(axis=1) / (r * (r - 1))

    def _alpha_pseudo(self) -> np.ndarray:
        ok = self.pairable
        counts, m = self.counts[ok], self.m[ok]
        n = len(m)
        mean_m = m.mean()
        pa_prime = (self.agreeing[ok] / (mean_m * (m - 1))).sum() / n
        pi = counts.sum(axis=0) / (n * mean_m)
        pe = float(pi @ self.w @ pi)
        alpha_prime = (pa_prime - pe) / (1 - pe)
        pa_i = self.agreeing[ok] / (mean_m * (m - 1)) - pa_prime * (m - mean_m) / mean_m
        kappa_i = (pa_i - pe) / (1 - pe)
        pe_i = counts @ ((self.w + self.w.T) @ pi / 2) / mean_m - pe * (m - mean_m) / mean_m
        pseudo = kappa_i - 2 * (1 - alpha_prime) * (pe_i - pe) / (1 - pe)
        return pseudo

    def jackknife_interval(
        self, name: str, value: float, quantile: float, fpc: float, *, fisher_z: bool
    ) -> tuple[float | None, float | None]:
        """value ± quantile × the jackknife standard error over units, on Fisher's z scale
        (z = atanh) when ``fisher_z``: there the sampling distribution of a coefficient near 1
        is closer to symmetric, so the interval reaches further down than up."""
        units = np.nonzero(self.pairable)[0] if name == "krippendorff_alpha" else np.arange(self.n)
        leave_out = np.ones((len(units), self.n))
        leave_out[np.arange(len(units)), units] = 0.0
        replicates = self.values(name, leave_out)
        k = len(replicates)
        if k < 2 or np.isnan(replicates).any():
            # Leaving a unit out left the coefficient undefined: the jackknife cannot say.
            return None, None
        centre = value
        if fisher_z:
            replicates, centre = _fisher_z(replicates), _fisher_z(value)
        spread = ((replicates - replicates.mean()) ** 2).sum()
        margin = quantile * float(np.sqrt(fpc * (k - 1) / k * spread))
        low, high = centre - margin, centre + margin
        return (float(np.tanh(low)), float(np.tanh(high))) if fisher_z else (low, high)


def _fisher_z(value):
    # Kept finite at ±1 (a panel in perfect agreement): its interval then stays at 1.
    return np.arctanh(np.clip(value, -_Z_LIMIT, _Z_LIMIT))


_Z_LIMIT = 1 - 1e-9
