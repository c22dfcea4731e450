"""How precisely a panel of a given size will measure Krippendorff's alpha of the total scores.

The plan page tells the lead, before a session is planned, how wide the 95% interval of
``krippendorff_alpha_interval(totals, "interval")`` will be for the chosen number of contacts
and evaluators, and how many contacts a wanted precision needs. It is a prediction made without
simulation (the page calls it on each render), from the one-way random-effects model that
benchmarks/interval_coverage.py and benchmarks/sample_size.py simulate:

    total_ij = mu + s_i + e_ij,  s_i ~ N(0, sigma_s^2) per contact,  e_ij ~ N(0, sigma_e^2)

whose alpha (its limit as contacts grow) is the intraclass correlation
rho = sigma_s^2 / (sigma_s^2 + sigma_e^2).

Why not the textbook large-sample variance. Fisher's (1925, "Statistical Methods for Research
Workers", §40) variance of the one-way intraclass correlation,
Var ≈ 2 (1 - rho)^2 (1 + (k - 1) rho)^2 / (k (k - 1) (n - 1)) (also Donner & Koval 1980,
Biometrics 36:19-25), times t(n - 1), misses the simulated width by up to 39% at 5-10 contacts,
the sizes a calibration session has (22% too wide at 5 contacts × 3 evaluators and alpha 0.6,
39% too narrow at 5 × 8 and alpha 0.9), and is still 20% too narrow at 15 contacts and alpha
0.9 (benchmarks/sample_size.py, column "Fisher"): with few contacts the estimate is skewed, the
jackknife's standard error exceeds the large-sample one, and the interval is cut at 1. So the
prediction follows the estimate's exact small-sample distribution instead:

1. With every answer given (n contacts × k evaluators), alpha of the totals is a function of
   the one-way ANOVA ratio F = MS_between / MS_within alone: alpha = (F - 1) / (F + c) with
   c = (k - 1) n / (n - 1) (substituting the sums of squares into Krippendorff's interval
   alpha, alpha = 1 - (N - 1) SS_within k / ((k - 1) N SS_total), N = n k). Under the model,
   F / lambda follows an F distribution with n - 1 and n (k - 1) degrees of freedom, where
   lambda = (1 + (k - 1) rho) / (1 - rho) (Scheffé 1959, "The Analysis of Variance", §7.2;
   Searle, Casella & McCulloch 1992, "Variance Components", §3.5). Evaluating alpha at evenly
   spaced quantiles of that F distribution gives its distribution without simulation.
2. The interval is alpha ± t(n - 1) × se, where se is the jackknife standard error. Efron & Stein
   (1981, "The Jackknife Estimate of Variance", Annals of Statistics 9:586-596) show that the
   jackknife variance is biased upwards as an estimate of the variance of the statistic on
   n - 1 units; the benchmark confirms that the jackknife se of alpha is close to the exact
   standard deviation of alpha at n - 1 contacts, so that is the half-width's se.
3. The interval is cut to [-1, 1]; near alpha 0.9 with few contacts that shortens it by up to a
   third. The expected width is the mean over the estimate's distribution (step 1) of
   min(1, alpha + half) - max(-1, alpha - half).

Missing answers (each answer missing at random with probability ``missing``): a contact keeps
Binomial(k, 1 - missing) answers and counts only with two or more, so the panel is taken as
n P(m >= 2) contacts with the mean number of answers of those contacts, E[m | m >= 2], each.

Measured by benchmarks/sample_size.py (5-30 contacts × 3-8 evaluators, alpha 0.6-0.9, 0% and
10% missing, 1,000 panels a cell), the prediction is within 20% of the mean simulated width in
all 90 cells: predicted / simulated from 0.98 to 1.13, median 1.02, the widest misses at 5
contacts. It holds for this model (normal contact effects and errors,
evaluators exchangeable); evaluators with systematically different levels widen the interval.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import special

from qalibrate.agreement.ratings import AgreementError

# Quantiles at which alpha's distribution is evaluated (midpoints of 256 equal slices). Against
# 16,384 slices the width moves by 0.25% in the median cell and 2.2% at worst (2 evaluators,
# alpha 0.95, a long left tail), well inside the 20% goal; a page render costs about 10 ms.
_QUANTILES = (np.arange(256) + 0.5) / 256
# The jackknife interval needs three contacts with two or more answers.
FEWEST_CONTACTS = 3


def expected_alpha_width(
    contacts: int,
    evaluators: int,
    alpha: float = 0.8,
    confidence: float = 0.95,
    missing: float = 0.0,
) -> float:
    """The expected full width (high - low) of ``krippendorff_alpha_interval`` of the totals
    for ``contacts`` × ``evaluators`` when the true alpha is ``alpha`` and each answer is missing
    with probability ``missing``. See the module docstring for the method and its accuracy.

    Raises AgreementError for fewer than three contacts or two evaluators, alpha outside
    (-1/(evaluators - 1), 1), confidence outside (0, 1), missing outside [0, 1), or so many
    missing answers that fewer than three contacts are expected to keep two.
    """
    _check_count("contacts", contacts, FEWEST_CONTACTS)
    _check_count("evaluators", evaluators, 2)
    _check_alpha(alpha, evaluators)
    _check_confidence(confidence)
    if not 0 <= missing < 1:
        raise AgreementError(f"missing must be a share in [0, 1), e.g. 0.1; got {missing!r}")
    n, k = _effective_panel(contacts, evaluators, missing)
    if n < FEWEST_CONTACTS:
        raise AgreementError(
            f"with {missing:.0%} of the answers missing, only {n:.1f} of {contacts} contacts are "
            f"expected to keep two answers; the interval needs {FEWEST_CONTACTS}"
        )
    return _width(n, k, alpha, confidence)


def contacts_for_margin(
    margin: float,
    evaluators: int,
    alpha: float = 0.8,
    confidence: float = 0.95,
    most: int = 200,
    *,
    missing: float = 0.0,
) -> int | None:
    """The fewest contacts whose expected half-width (``expected_alpha_width`` / 2) is at most
    ``margin`` (e.g. 0.1 for ±0.1), or None when more than ``most`` contacts are needed.

    The expected width falls as contacts are added, so a bisection between three contacts and
    ``most`` finds the answer in about eight evaluations.
    """
    if not margin > 0:
        raise AgreementError(f"margin must be positive, e.g. 0.1 for ±0.1; got {margin!r}")
    _check_count("most", most, FEWEST_CONTACTS)

    def precise_enough(contacts: int) -> bool:
        return expected_alpha_width(contacts, evaluators, alpha, confidence, missing) / 2 <= margin

    low, high = FEWEST_CONTACTS, most
    if not precise_enough(high):  # checks the other arguments too
        return None
    while _effective_panel(low, evaluators, missing)[0] < FEWEST_CONTACTS:
        low += 1  # with answers missing, the smallest panels have no interval
    while low < high:  # the answer lies in [low, high]
        middle = (low + high) // 2
        if precise_enough(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _width(n: float, k: float, alpha: float, confidence: float) -> float:
    """Expected clipped width for n contacts of k answers each (both may be fractional)."""
    half = special.stdtrit(n - 1, (1 + confidence) / 2) * _alpha_quantiles(n - 1, k, alpha).std()
    estimates = _alpha_quantiles(n, k, alpha)
    widths = np.minimum(1.0, estimates + half) - np.maximum(-1.0, estimates - half)
    return float(widths.mean())


def _alpha_quantiles(n: float, k: float, alpha: float) -> np.ndarray:
    """Alpha of the totals at evenly spaced quantiles of its exact distribution (n × k panel)."""
    ratio = (1 + (k - 1) * alpha) / (1 - alpha)  # E[MS_between] / E[MS_within]
    f = ratio * special.fdtri(n - 1, n * (k - 1), _QUANTILES)
    return (f - 1) / (f + (k - 1) * n / (n - 1))


def _effective_panel(contacts: int, evaluators: int, missing: float) -> tuple[float, float]:
    """Expected contacts with two or more answers, and their mean number of answers."""
    if missing == 0:
        return float(contacts), float(evaluators)
    answers = np.arange(2, evaluators + 1)
    chance = (
        special.comb(evaluators, answers)
        * (1 - missing) ** answers
        * missing ** (evaluators - answers)
    )
    kept = chance.sum()
    return contacts * kept, float((answers * chance).sum() / kept)


def _check_count(name: str, value: int, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise AgreementError(f"{name} must be a whole number of at least {least}; got {value!r}")


def _check_alpha(alpha: float, evaluators: int) -> None:
    if not -1 < alpha < 1:
        raise AgreementError(f"alpha must be between -1 and 1 (exclusive); got {alpha!r}")
    # Exchangeable evaluators cannot correlate below -1/(k - 1): the model has no such panel.
    lowest = -1 / (evaluators - 1)
    if alpha <= lowest:
        raise AgreementError(
            f"alpha {alpha!r} is not possible for {evaluators} evaluators who score "
            f"independently; the prediction needs alpha above {lowest:.3f}"
        )


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise AgreementError(f"confidence must be between 0 and 1, e.g. 0.95; got {confidence!r}")
