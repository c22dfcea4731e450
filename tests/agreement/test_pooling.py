"""An evaluator's bias pooled over sessions: statsmodels, a case by hand, edges and coverage.

Oracle 1: statsmodels' ``combine_effects(y, v, method_re="chi2")`` (DerSimonian-Laird). It does
not truncate tau^2 at 0, so where its tau^2 is negative ours is 0 and the mean is its
fixed-effect one. Its "random effect wls" interval (``conf_int(use_t=True)[3]``) is plain
HKSJ; ours, with the scale floored at 1 (Röver et al. 2015), is the same when the scale
``scale_hksj_re`` is at least 1 and otherwise the t interval on the model variance
(``conf_int(use_t=True)[1]``), which is wider.
Oracle 2: three sessions worked out by hand in fractions.
Oracle 3: with one session, the bias interval of Bland-Altman on the same deviations.
Coverage: sessions simulated from the model itself; the slow test reproduces the table
stored in qalibrate.agreement.pooling.MEASURED_COVERAGE.
"""

import math

import numpy as np
import pytest

from qalibrate.agreement.bland_altman import bland_altman
from qalibrate.agreement.pooling import (
    MEASURED_COVERAGE,
    PooledBias,
    pooled_bias,
    shrunken_biases,
)
from qalibrate.agreement.ratings import AgreementError

meta_analysis = pytest.importorskip("statsmodels.stats.meta_analysis")


# statsmodels takes square roots of v_j + tau^2 even when its untruncated tau^2 makes it < 0.
@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_dersimonian_laird_and_hksj_as_statsmodels_computes_them():
    rng = np.random.default_rng(20150801)
    branches = {"plain": 0, "modified": 0, "truncated": 0}
    for _ in range(400):
        k = int(rng.integers(2, 9))
        n = rng.integers(2, 15, size=k)
        s = rng.uniform(0.5, 8, size=k)  # at or above the floor, so v = s^2 / n
        y = rng.normal(0, rng.choice([0.0, 1.0, 4.0]), size=k) + rng.normal(0, s / np.sqrt(n))
        ours = pooled_bias(y, s, n)
        theirs = meta_analysis.combine_effects(y, s**2 / n, method_re="chi2", use_t=True)
        fixed, random, _, random_hksj = theirs.conf_int(alpha=0.05, use_t=True)
        assert (ours.sessions, ours.contacts, ours.pooled) == (k, int(n.sum()), True)
        if theirs.tau2 < 0:
            branches["truncated"] += 1
            assert ours.tau2 == 0
            assert ours.estimate == pytest.approx(theirs.mean_effect_fe, abs=1e-10)
            assert theirs.scale_hksj_fe < 1  # Q < k - 1, so the floor applies
            assert (ours.low, ours.high) == pytest.approx(tuple(fixed), abs=1e-9)
            continue
        assert ours.tau2 == pytest.approx(theirs.tau2, abs=1e-10)
        assert ours.estimate == pytest.approx(theirs.mean_effect_re, abs=1e-10)
        # With k = 2 and tau^2 > 0 DerSimonian-Laird gives a scale of exactly 1.
        if theirs.scale_hksj_re >= 1 - 1e-12:
            branches["plain"] += 1
            assert (ours.low, ours.high) == pytest.approx(tuple(random_hksj), abs=1e-9)
        else:
            branches["modified"] += 1
            assert (ours.low, ours.high) == pytest.approx(tuple(random), abs=1e-9)
            assert ours.low < random_hksj[0] and ours.high > random_hksj[1]
    assert min(branches.values()) >= 20, branches


def test_three_sessions_by_hand():
    # n = 4 each, s = 2, 4, 2: v = 1, 4, 1 and fixed weights 1, 1/4, 1 (W = 9/4).
    # Fixed mean (0 + 6/4 + 3) / (9/4) = 2; Q = 4 + 4 + 1 = 9; C = 9/4 - (33/16) / (9/4) = 4/3;
    # tau^2 = (9 - 2) / (4/3) = 21/4. Random weights 4/25, 4/37, 4/25 (W* = 396/925);
    # mu = (24/37 + 12/25) / (396/925) = 29/11. q = (4/121)(841/25 + 37 + 16/25) / 2
    # = 3564/3025 > 1, so HKSJ unmodified: variance q / W* = 333/121.
    t_2 = 0.95 * math.sqrt(2 / (4 * 0.975 * 0.025))  # t quantile on 2 df, closed form
    result = pooled_bias([0, 6, 3], [2, 4, 2], [4, 4, 4])
    assert result.tau2 == pytest.approx(21 / 4, abs=1e-12)
    assert result.estimate == pytest.approx(29 / 11, abs=1e-12)
    margin = t_2 * math.sqrt(333) / 11
    assert (result.low, result.high) == pytest.approx((29 / 11 - margin, 29 / 11 + margin))
    assert (result.sessions, result.contacts, result.pooled) == (3, 12, True)
    # Each session pulled towards mu by tau^2 / (tau^2 + v): 21/25, 21/37, 21/25.
    expected = [
        29 / 11 + shrink * (y - 29 / 11) for y, shrink in ((0, 0.84), (6, 21 / 37), (3, 0.84))
    ]
    assert shrunken_biases([0, 6, 3], [2, 4, 2], [4, 4, 4]) == pytest.approx(expected)


def test_sessions_agreeing_too_well_get_the_floored_scale():
    # Equal biases: Q = 0, tau^2 = 0, mu = 1 and q = 0, floored to 1: mu ± t(2) sqrt(1 / W).
    t_2 = 0.95 * math.sqrt(2 / (4 * 0.975 * 0.025))
    result = pooled_bias([1, 1, 1], [2, 4, 2], [4, 4, 4])
    assert (result.estimate, result.tau2) == (pytest.approx(1), 0)
    assert (result.low, result.high) == pytest.approx((1 - t_2 * 2 / 3, 1 + t_2 * 2 / 3))
    assert shrunken_biases([1, 2, 1], [2, 4, 2], [4, 4, 4]) == pytest.approx([10 / 9] * 3)


def test_no_usable_session_gives_none():
    assert pooled_bias([], [], []) is None
    assert pooled_bias([3.0, -1.0], [None, float("nan")], [1, 0]) is None
    assert shrunken_biases([3.0], [None], [1]) == [3.0]


def test_one_session_is_the_bland_altman_bias_interval():
    deviations = np.array([4.0, 7.0, 1.0, 5.0, 3.0, 8.0, 6.0])
    reference = np.full(7, 60.0)
    expected = bland_altman(reference + deviations, reference)
    result = pooled_bias([9.0, deviations.mean()], [None, deviations.std(ddof=1)], [1, 7])
    assert result.estimate == pytest.approx(expected.bias)
    assert (result.low, result.high) == pytest.approx((expected.bias_low, expected.bias_high))
    assert (result.tau2, result.sessions, result.contacts, result.pooled) == (0, 1, 7, False)
    assert shrunken_biases([9.0, 4.0], [None, 2.0], [1, 7]) == [9.0, 4.0]


def test_sessions_under_two_contacts_are_left_out():
    biases, sds, ns = [2.0, -1.0, 4.0], [3.0, 2.5, 5.0], [6, 8, 9]
    with_small = pooled_bias([*biases, 30.0, 12.0], [*sds, None, 0.0], [*ns, 1, 0])
    assert with_small == pooled_bias(biases, sds, ns)
    assert (with_small.sessions, with_small.contacts) == (3, 23)
    shrunk = shrunken_biases([2.0, 30.0, -1.0, 4.0], [3.0, None, 2.5, 5.0], [6, 1, 8, 9])
    assert shrunk[1] == 30.0
    assert [shrunk[0], *shrunk[2:]] == shrunken_biases(biases, sds, ns)


def test_equal_deviations_are_floored_at_half_a_point():
    # s = 0 would give an infinite weight; it counts as s = 0.5, v = 0.25 / n.
    assert pooled_bias([2.0, 5.0], [0.0, 3.0], [5, 6]) == pooled_bias(
        [2.0, 5.0], [0.5, 3.0], [5, 6]
    )
    both = pooled_bias([2.0, 2.0], [0.0, 0.0], [5, 5])
    t_1 = math.tan(math.pi * 0.475)  # t quantile on 1 df: the Cauchy's
    assert (both.estimate, both.tau2) == (2.0, 0.0)
    assert both.high - 2.0 == pytest.approx(t_1 * math.sqrt(0.05 / 2))
    one = pooled_bias([2.0], [0.0], [5])
    assert one.high - 2.0 == pytest.approx(2.7764451051977987 * 0.5 / math.sqrt(5))


@pytest.mark.parametrize(
    ("biases", "sds", "ns", "confidence"),
    [
        ([1.0, 2.0], [1.0], [5, 5], 0.95),
        ([1.0, 2.0], [1.0, -1.0], [5, 5], 0.95),
        ([1.0, float("inf")], [1.0, 1.0], [5, 5], 0.95),
        ([1.0, 2.0], [1.0, 1.0], [5, 5.5], 0.95),
        ([1.0, 2.0], [1.0, 1.0], [5, 5], 1.0),
    ],
)
def test_bad_input_is_refused(biases, sds, ns, confidence):
    with pytest.raises(AgreementError):
        pooled_bias(biases, sds, ns, confidence=confidence)


def test_beyond_needs_both_size_and_an_interval_excluding_zero():
    def bias(estimate, low, high):
        return PooledBias(estimate, low, high, 0.0, 3, 20, True)

    assert bias(4.0, 1.0, 7.0).beyond(3.0)
    assert bias(-4.0, -7.0, -1.0).beyond(3.0)
    assert not bias(4.0, -1.0, 9.0).beyond(3.0)  # interval holds 0
    assert not bias(2.0, 1.0, 3.0).beyond(3.0)  # smaller than the tolerance
    assert not bias(3.0, 1.0, 5.0).beyond(3.0)


def coverage(k: int, tau: float, reps: int, seed: int) -> float:
    """Share of 95% intervals holding mu = 0 for ``reps`` simulated evaluators of k sessions:
    n_j from 5-10, within-session SD from 2-6 points, y_j and s_j the mean and SD of n_j
    normal deviations (drawn from their exact normal and scaled chi-square laws)."""
    rng = np.random.default_rng([seed, k, int(tau)])
    n = rng.integers(5, 11, size=(reps, k))
    sigma = rng.uniform(2, 6, size=(reps, k))
    y = rng.normal(0, tau, size=(reps, k)) + rng.normal(0, sigma / np.sqrt(n))
    s = sigma * np.sqrt(rng.chisquare(n - 1) / (n - 1))
    held = 0
    for row in range(reps):
        result = pooled_bias(y[row], s[row], n[row])
        held += result.low <= 0 <= result.high
    return held / reps


def test_coverage_on_a_small_grid():
    figures = {cell: coverage(*cell, reps=300, seed=7) for cell in MEASURED_COVERAGE}
    assert sum(figures.values()) / len(figures) >= 0.93, figures  # 3,600 evaluators
    assert min(figures.values()) >= 0.90, figures  # 300 each: 2 standard errors below 0.95


@pytest.mark.slow
def test_coverage_reproduces_the_stored_table():
    # 5,000 evaluators a cell: a standard error of 0.3 points at 95%.
    for cell, stored in MEASURED_COVERAGE.items():
        measured = coverage(*cell, reps=5000, seed=2015)
        assert measured == pytest.approx(stored, abs=0.001), cell
        assert measured >= 0.93, cell
