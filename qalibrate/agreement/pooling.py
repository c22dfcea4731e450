"""An evaluator's bias (leniency or severity) pooled over recent calibration sessions.

Session j gives the evaluator's mean signed deviation y_j (their total score minus the
reference total, averaged over the session's n_j contacts, in points of the 0-100 score), the
sample SD s_j of those deviations (n_j - 1 in the denominator) and n_j. The model is the usual
random-effects meta-analysis:

    y_j = mu + u_j + e_j,   u_j ~ N(0, tau^2),   e_j ~ N(0, v_j),   v_j = s_j^2 / n_j

mu is the evaluator's lasting bias, u_j how far one session swings from it, e_j the sampling
error of n_j contacts. Estimated as:

* tau^2 by DerSimonian-Laird, truncated at 0: with w_j = 1 / v_j, W = sum w_j, the
  fixed-effect mean m = sum w_j y_j / W and Q = sum w_j (y_j - m)^2,
  tau^2 = max(0, (Q - (k - 1)) / (W - sum w_j^2 / W)). R. DerSimonian and N. Laird (1986),
  "Meta-analysis in clinical trials", Controlled Clinical Trials 7(3):177-188.
* mu = sum w*_j y_j / W* with w*_j = 1 / (v_j + tau^2) and W* = sum w*_j.
* the interval mu ± t(k - 1) sqrt(max(1, q) / W*), q = sum w*_j (y_j - mu)^2 / (k - 1):
  the Hartung-Knapp-Sidik-Jonkman interval (J. Hartung and G. Knapp (2001), Statistics in
  Medicine 20(24):3875-3889; K. Sidik and J. N. Jonkman (2002), Statistics in Medicine
  21(21):3153-3159) with the modification of C. Röver, G. Knapp and T. Friede (2015),
  "Hartung-Knapp-Sidik-Jonkman approach and its modification for random-effects
  meta-analysis with few studies", BMC Medical Research Methodology 15:99: the scale q is
  not allowed below 1, so the interval is never narrower than the fixed-variance one with
  the same t quantile. Plain HKSJ (q as it comes) is narrower when the sessions agree more
  closely than their own errors predict, which with few sessions happens by chance.

Sessions with fewer than two contacts have no s_j and so no v_j: they are left out (the
result's ``sessions`` and ``contacts`` count only the sessions used). When every deviation
in a session is equal (s_j = 0), or nearly so, v_j would make its weight infinite; s_j is
floored at SD_FLOOR = 0.5 points, half a point being the rounding of a score, so
v_j = max(s_j, 0.5)^2 / n_j. With one usable session nothing can be pooled: the estimate is
y_1 with the t interval y_1 ± t(n_1 - 1) sqrt(v_1), tau^2 is not estimated (reported as 0)
and ``pooled`` is False. With none, pooled_bias returns None.

shrunken_biases gives each session's empirical-Bayes (BLUP) estimate
mu + tau^2 / (tau^2 + v_j) (y_j - mu): a session's own bias pulled towards mu, the harder the
noisier the session and the smaller the swing between sessions (S. W. Raudenbush and A. S.
Bryk (1985), "Empirical Bayes meta-analysis", Journal of Educational Statistics
10(2):75-98).

Coverage of the 95% interval, measured by tests/agreement/test_pooling.py (the slow test
reproduces ``MEASURED_COVERAGE``): mu = 0, n_j from 5-10 contacts, within-session SD from
2-6 points, y_j and s_j the mean and SD of n_j normal deviations; 5,000 simulated evaluators
a cell, a Monte Carlo standard error of about 0.3 points.

    sessions k             2       4       6       8
    tau = 0 points      100.0    99.1    97.8    96.3
    tau = 1 point       100.0    97.8    94.8    94.7
    tau = 3 points       99.9    95.5    94.8    95.4

Every cell is at 93% or more; it is conservative with few sessions, most at k = 2 (t on one
degree of freedom), and slightly under 95% (94.7-94.8, about 1 standard error) at k = 6-8
with some swing. On the same draws plain HKSJ held mu 91.9-94.7% of the time (under 93% in
4 of the 12 cells) and the DerSimonian-Laird z interval 76.7-92.7%.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qalibrate.agreement.coefficients import t_quantile
from qalibrate.agreement.ratings import AgreementError

SD_FLOOR = 0.5

# Share of 95% intervals holding mu, by (sessions k, between-session SD tau in points).
MEASURED_COVERAGE = {
    (2, 0): 1.0,
    (2, 1): 1.0,
    (2, 3): 0.9986,
    (4, 0): 0.9912,
    (4, 1): 0.9784,
    (4, 3): 0.955,
    (6, 0): 0.9778,
    (6, 1): 0.9478,
    (6, 3): 0.9476,
    (8, 0): 0.9632,
    (8, 1): 0.9466,
    (8, 3): 0.9542,
}


@dataclass(frozen=True)
class PooledBias:
    """The pooled bias (evaluator minus reference, points), its interval and what it used."""

    estimate: float
    low: float
    high: float
    tau2: float  # between-session variance, points^2 (0 when not pooled)
    sessions: int  # sessions used
    contacts: int  # sum of n_j over the sessions used
    pooled: bool  # False when only one session could be used

    def beyond(self, tolerance: float) -> bool:
        """Whether the bias is larger than ``tolerance`` points and the interval excludes 0."""
        return abs(self.estimate) > tolerance and (self.low > 0 or self.high < 0)


def pooled_bias(
    biases: Sequence, sds: Sequence, ns: Sequence, *, confidence: float = 0.95
) -> PooledBias | None:
    """The evaluator's bias pooled over sessions (see the module docstring); None when no
    session has two or more contacts."""
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    y, v, n, _ = _sessions(biases, sds, ns)
    k = len(y)
    if k == 0:
        return None
    if k == 1:
        mu, tau2, margin = float(y[0]), 0.0, t_quantile(confidence, int(n[0]) - 1) * math.sqrt(v[0])
    else:
        mu, tau2, weights = _random_effects(y, v)
        scale = float(weights @ (y - mu) ** 2) / (k - 1)
        margin = t_quantile(confidence, k - 1) * math.sqrt(max(1.0, scale) / weights.sum())
    return PooledBias(
        estimate=mu,
        low=mu - margin,
        high=mu + margin,
        tau2=tau2,
        sessions=k,
        contacts=int(n.sum()),
        pooled=k > 1,
    )


def shrunken_biases(biases: Sequence, sds: Sequence, ns: Sequence) -> list[float]:
    """Each session's bias pulled towards the pooled one, mu + tau^2 / (tau^2 + v_j)
    (y_j - mu), in the order given. Sessions with fewer than two contacts are not pooled
    and keep the bias given; with one usable session there is nothing to pull towards."""
    y, v, _, used = _sessions(biases, sds, ns)
    result = np.asarray(biases, dtype=float).copy()
    if len(y) >= 2:
        mu, tau2, _ = _random_effects(y, v)
        result[used] = mu + tau2 / (tau2 + v) * (y - mu)
    return [float(value) for value in result]


def _random_effects(y: np.ndarray, v: np.ndarray) -> tuple[float, float, np.ndarray]:
    """DerSimonian-Laird tau^2 (truncated at 0), the random-effects mean and its weights."""
    w = 1 / v
    total = w.sum()
    fixed = float(w @ y) / total
    q = float(w @ (y - fixed) ** 2)
    tau2 = max(0.0, (q - (len(y) - 1)) / float(total - w @ w / total))
    weights = 1 / (v + tau2)
    return float(weights @ y / weights.sum()), tau2, weights


def _sessions(
    biases: Sequence, sds: Sequence, ns: Sequence
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The usable sessions' y_j, floored v_j and n_j, and which sessions they are."""
    y, s, n = (np.asarray(values, dtype=float) for values in (biases, sds, ns))
    if not y.ndim == s.ndim == n.ndim == 1 or not len(y) == len(s) == len(n):
        raise AgreementError("biases, sds and ns must be flat lists of the same length")
    if not np.isfinite(n).all() or (n < 0).any() or (n != np.round(n)).any():
        raise AgreementError("ns must be whole numbers of contacts")
    used = n >= 2
    y, s, n = y[used], s[used], n[used]
    if not (np.isfinite(y).all() and np.isfinite(s).all()) or (s < 0).any():
        raise AgreementError(
            "every session with two or more contacts needs a finite bias and a finite SD >= 0"
        )
    return y, np.maximum(s, SD_FLOOR) ** 2 / n, n, used
