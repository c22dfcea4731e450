"""Bland-Altman limits of agreement: the published 1986 example, pingouin, and exact intervals.

Oracle 1: J. M. Bland and D. G. Altman (1986), Lancet 327(8476):307-310, Table 1 (peak
expiratory flow rate, l/min, first reading with the Wright and the mini Wright meter, 17
subjects). Published: mean difference -2.1, SD 38.8, limits -79.7 to 75.5 (the paper uses
mean ± 2 SD), and, with the standard error √(3 s²/n) = 16.3 and t = 2.12, the interval
-114.3 to -45.1 for the lower limit.
Oracle 2: pingouin's ``plot_blandaltman``, which draws the bias, the limits and their 95%
intervals (standard error √(3 s²/n) for the limits); the values are read back from the plot.
Oracle 3: for the exact intervals, the noncentral t quantiles of scipy.stats.nct written out
here, and a simulation of their coverage.
"""

import math

import numpy as np
import pytest
from scipy import stats

from qalibrate.agreement.bland_altman import BlandAltman, bland_altman
from qalibrate.agreement.ratings import AgreementError

WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def pingouin_plot(x, y, agreement, confidence=0.95):
    """Bias, limits and their intervals as pingouin draws them."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    pingouin = pytest.importorskip("pingouin")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    try:
        pingouin.plot_blandaltman(
            x, y, agreement=agreement, confidence=confidence, annotate=False, ax=ax
        )
        _, bias, upper, lower = (float(line.get_ydata()[0]) for line in ax.lines)
        spans = [(patch.get_y(), patch.get_y() + patch.get_height()) for patch in ax.patches]
    finally:
        plt.close(figure)
    bias_ci, upper_ci, lower_ci = spans
    return {
        "bias": bias,
        "upper": upper,
        "lower": lower,
        "bias_ci": bias_ci,
        "upper_ci": upper_ci,
        "lower_ci": lower_ci,
    }


def test_bland_altman_1986_published_example():
    result = bland_altman(WRIGHT, MINI)
    assert isinstance(result, BlandAltman)
    assert result.n == 17
    assert result.bias == pytest.approx(-2.1, abs=0.05)
    assert result.sd == pytest.approx(38.8, abs=0.05)
    # The paper's limits are mean ± 2 SD, from the rounded mean and SD.
    assert result.bias - 2 * result.sd == pytest.approx(-79.7, abs=0.1)
    assert result.bias + 2 * result.sd == pytest.approx(75.5, abs=0.1)
    # Ours use z = 1.95996 for 95%: the limits sit a little inside the paper's.
    assert result.lower_limit == pytest.approx(result.bias - 1.959964 * result.sd, rel=1e-6)
    assert -79.7 < result.lower_limit < result.upper_limit < 75.5


def test_bland_altman_1986_interval_of_the_lower_limit():
    # Published: -79.7 ± 2.12 × 16.3, i.e. -114.3 to -45.1, a half-width of 34.6. The
    # half-width does not depend on the multiplier (2 in the paper, 1.96 here).
    result = bland_altman(WRIGHT, MINI, limits_method="approximate")
    assert result.lower_limit - result.lower_limit_low == pytest.approx(34.6, abs=0.1)
    assert result.lower_limit_high - result.lower_limit == pytest.approx(34.6, abs=0.1)
    assert result.upper_limit_high - result.upper_limit == pytest.approx(34.6, abs=0.1)


def check_against_pingouin(x, y, confidence=0.95):
    z = stats.norm.ppf((1 + confidence) / 2)
    theirs = pingouin_plot(x, y, agreement=z, confidence=confidence)
    ours = bland_altman(x, y, confidence=confidence, limits_method="approximate")
    assert ours.bias == pytest.approx(theirs["bias"], rel=1e-12, abs=1e-12)
    assert ours.upper_limit == pytest.approx(theirs["upper"], rel=1e-12)
    assert ours.lower_limit == pytest.approx(theirs["lower"], rel=1e-12)
    assert (ours.bias_low, ours.bias_high) == pytest.approx(theirs["bias_ci"], rel=1e-10)
    upper_ci = (ours.upper_limit_low, ours.upper_limit_high)
    lower_ci = (ours.lower_limit_low, ours.lower_limit_high)
    assert upper_ci == pytest.approx(theirs["upper_ci"], rel=1e-10)
    assert lower_ci == pytest.approx(theirs["lower_ci"], rel=1e-10)


def test_pefr_example_against_pingouin():
    check_against_pingouin(WRIGHT, MINI)


@pytest.mark.parametrize("seed", range(5))
def test_random_scores_against_pingouin(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    reference = rng.normal(70, 15, size=n).round()
    scores = reference + rng.normal(rng.normal(0, 3), 5, size=n).round()
    check_against_pingouin(scores, reference)


def test_pingouin_agrees_at_another_confidence_level():
    # pingouin keeps √(3 s²/n) at any level; so do we ("approximate").
    check_against_pingouin(WRIGHT, MINI, confidence=0.9)


def exact_limit_interval(differences, sign, confidence):
    """Carkeet (2015): the limit d̄ + sign·z·s has the interval d̄ + s·t'/√n, t' the
    noncentral t quantiles with n - 1 df and noncentrality sign·z·√n."""
    d = np.asarray(differences, dtype=float)
    n = len(d)
    mean, sd = d.mean(), d.std(ddof=1)
    z = stats.norm.ppf((1 + confidence) / 2)
    tails = [(1 - confidence) / 2, (1 + confidence) / 2]
    quantiles = stats.nct.ppf(tails, n - 1, sign * z * math.sqrt(n))
    return tuple(mean + sd * quantiles / math.sqrt(n))


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_exact_limit_intervals_against_the_noncentral_t(confidence):
    differences = np.subtract(WRIGHT, MINI)
    result = bland_altman(WRIGHT, MINI, confidence=confidence)
    lower = (result.lower_limit_low, result.lower_limit_high)
    upper = (result.upper_limit_low, result.upper_limit_high)
    assert lower == pytest.approx(exact_limit_interval(differences, -1, confidence), rel=1e-9)
    assert upper == pytest.approx(exact_limit_interval(differences, +1, confidence), rel=1e-9)
    # The bias interval is the ordinary t interval in either method.
    t = stats.t.ppf((1 + confidence) / 2, 16)
    margin = t * differences.std(ddof=1) / math.sqrt(17)
    assert (result.bias_low, result.bias_high) == pytest.approx(
        (differences.mean() - margin, differences.mean() + margin), rel=1e-12
    )


def test_exact_intervals_are_wider_than_the_approximation_for_small_samples():
    exact = bland_altman(WRIGHT, MINI)
    approximate = bland_altman(WRIGHT, MINI, limits_method="approximate")
    assert exact.lower_limit_low < approximate.lower_limit_low
    assert exact.upper_limit_high > approximate.upper_limit_high
    # Both are centred on the same limits, but the exact ones are not symmetric about them.
    assert exact.lower_limit_low < exact.lower_limit < exact.lower_limit_high
    assert exact.upper_limit_low < exact.upper_limit < exact.upper_limit_high


def test_exact_interval_coverage_by_simulation():
    # 4000 samples of 6 normal differences: the exact interval of the upper limit (the true
    # 97.5th percentile, μ + 1.96σ) should cover it 95% of the time (standard error 0.35%).
    rng = np.random.default_rng(20260101)
    true_upper = 1.0 + stats.norm.ppf(0.975) * 2.0
    reference = np.zeros(6)
    covered = {"exact": 0, "approximate": 0}
    for _ in range(4000):
        scores = rng.normal(1.0, 2.0, size=6)
        for method in covered:
            r = bland_altman(scores, reference, limits_method=method)
            covered[method] += r.upper_limit_low <= true_upper <= r.upper_limit_high
    assert covered["exact"] / 4000 == pytest.approx(0.95, abs=0.015)
    assert covered["approximate"] / 4000 < 0.93  # the approximation is too narrow at n = 6


def test_missing_contacts_are_dropped_pairwise():
    scores = [10, None, 12, float("nan"), 15, "", 9]
    reference = [11, 13, None, 14, 13, 12, 9]
    result = bland_altman(scores, reference)
    # Pairs left: (10, 11), (15, 13), (9, 9) -> differences -1, 2, 0.
    assert result.n == 3
    assert result.bias == pytest.approx(1 / 3)
    assert result.sd == pytest.approx(np.std([-1, 2, 0], ddof=1))
    assert result == bland_altman([10, 15, 9], [11, 13, 9])
    as_arrays = bland_altman(np.array([10, np.nan, 15, 9]), np.array([11, 13, 13, 9]))
    assert as_arrays == result


def test_swapping_evaluator_and_reference_mirrors_everything():
    forward = bland_altman(WRIGHT, MINI)
    backward = bland_altman(MINI, WRIGHT)
    assert backward.bias == pytest.approx(-forward.bias)
    assert backward.sd == pytest.approx(forward.sd)
    assert backward.upper_limit == pytest.approx(-forward.lower_limit)
    assert backward.upper_limit_high == pytest.approx(-forward.lower_limit_low)
    assert backward.bias_low == pytest.approx(-forward.bias_high)


def test_two_contacts_give_wide_intervals():
    result = bland_altman([10, 14], [11, 12])  # differences -1 and 2
    assert result.n == 2
    assert result.bias == pytest.approx(0.5)
    # t on 1 degree of freedom is 12.7: the bias interval spans ±12.7 × s/√2 = ±27.
    assert result.bias_high - result.bias == pytest.approx(
        stats.t.ppf(0.975, 1) * math.sqrt(4.5) / math.sqrt(2)
    )
    assert result.upper_limit_high - result.upper_limit_low > 10 * result.sd


@pytest.mark.parametrize(
    ("scores", "reference", "found"),
    [([10], [11], "there is 1"), ([10, None], [None, 3], "there are 0"), ([], [], "are 0")],
)
def test_fewer_than_two_pairs_raise(scores, reference, found):
    with pytest.raises(AgreementError, match=f"at least two contacts.*{found}"):
        bland_altman(scores, reference)


def test_identical_differences_give_zero_width_intervals():
    result = bland_altman([5, 7, 9], [4, 6, 8])
    assert result.sd == 0
    assert result.bias == result.bias_low == result.bias_high == 1
    assert result.lower_limit_low == result.upper_limit_high == 1


@pytest.mark.parametrize(
    ("scores", "reference", "reason"),
    [
        ([1, 2, 3], [1, 2], "same contacts"),
        ([1, "a", 3], [1, 2, 3], "numbers"),
        ([1, float("inf"), 3], [1, 2, 3], "infinity"),
        ([[1, 2]], [[1, 2]], "flat list"),
    ],
)
def test_bad_input_raises(scores, reference, reason):
    with pytest.raises(AgreementError, match=reason):
        bland_altman(scores, reference)


def test_bad_options_raise():
    with pytest.raises(AgreementError, match="confidence"):
        bland_altman(WRIGHT, MINI, confidence=95)
    with pytest.raises(AgreementError, match="limits_method"):
        bland_altman(WRIGHT, MINI, limits_method="bootstrap")
