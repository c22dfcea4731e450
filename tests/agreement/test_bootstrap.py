"""The bootstrap interval for Krippendorff's alpha: its fast resamples and its behaviour."""

import numpy as np
import pytest

from qalibrate.agreement import LEVELS, AgreementError, AlphaInterval, krippendorff_alpha_ci
from qalibrate.agreement.alpha import _alpha_parts, krippendorff_alpha, replicate_alphas


def calibration_data(n_units, n_raters=6, *, seed=0, missing=0.2):
    """Scores 1-5: a true score per unit plus rater noise, some ratings missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, size=(n_units, 1))
    noise = rng.choice([-1, 0, 0, 0, 1], size=(n_units, n_raters))
    table = np.clip(truth + noise, 1, 5).astype(float)
    table[rng.random(table.shape) < missing] = np.nan
    return table


@pytest.mark.parametrize("level", LEVELS)
def test_each_resample_equals_alpha_recomputed_on_the_resampled_units(level):
    # The fast path weighs precomputed per-unit parts; recomputing alpha from scratch on the
    # units drawn (repeated as often as drawn) must give the same number.
    table = calibration_data(40, seed=1, missing=0.4)
    pairable = table[(~np.isnan(table)).sum(axis=1) >= 2]
    parts = _alpha_parts(table, level, None)
    rng = np.random.default_rng(2)
    weights = rng.multinomial(len(pairable), np.full(len(pairable), 1 / len(pairable)), size=25)
    fast = replicate_alphas(parts, weights.astype(float))
    for row, value in zip(weights, fast, strict=True):
        resampled = np.repeat(pairable, row, axis=0)
        assert value == pytest.approx(krippendorff_alpha(resampled, level=level), abs=1e-9)


def test_undefined_resamples_are_counted_and_left_out():
    # Two of three units hold a single value; a resample of only those has no alpha.
    table = [[1, 1], [1, 1], [1, 2]]
    parts = _alpha_parts(table, "nominal", None)
    alphas = replicate_alphas(parts, np.array([[2.0, 1.0, 0.0], [1.0, 1.0, 1.0]]))
    assert np.isnan(alphas[0])
    assert alphas[1] == pytest.approx(krippendorff_alpha(table))
    interval = krippendorff_alpha_ci(table, "nominal", n_boot=200, seed=3)
    assert 0 < interval.n_undefined < 200


@pytest.mark.parametrize("level", LEVELS)
def test_interval_contains_the_estimate(level):
    result = krippendorff_alpha_ci(calibration_data(120), level, n_boot=500, seed=4)
    assert isinstance(result, AlphaInterval)
    assert result.estimate == pytest.approx(krippendorff_alpha(calibration_data(120), level=level))
    assert result.low < result.estimate < result.high
    assert -1 <= result.low and result.high <= 1
    assert (result.confidence, result.n_boot, result.n_undefined) == (0.95, 500, 0)


def test_a_seed_makes_it_reproducible():
    table = calibration_data(60)
    first = krippendorff_alpha_ci(table, "ordinal", n_boot=300, seed=11)
    assert krippendorff_alpha_ci(table, "ordinal", n_boot=300, seed=11) == first
    assert krippendorff_alpha_ci(table, "ordinal", n_boot=300, seed=12) != first


def test_narrows_as_the_number_of_units_grows():
    widths = []
    for n_units in (30, 120, 480):
        result = krippendorff_alpha_ci(calibration_data(n_units, seed=5), "interval", seed=6)
        widths.append(result.high - result.low)
    assert widths[0] > widths[1] > widths[2]
    # Roughly 1 / sqrt(n): four times the units, about half the width.
    assert widths[2] < 0.75 * widths[1]


def test_higher_confidence_gives_a_wider_interval():
    table = calibration_data(80)
    narrow = krippendorff_alpha_ci(table, "nominal", confidence=0.8, seed=7)
    wide = krippendorff_alpha_ci(table, "nominal", confidence=0.99, seed=7)
    assert wide.low < narrow.low and narrow.high < wide.high


def test_bad_arguments():
    table = calibration_data(10)
    with pytest.raises(AgreementError):
        krippendorff_alpha_ci(table, "nominal", n_boot=0)
    with pytest.raises(AgreementError):
        krippendorff_alpha_ci(table, "nominal", confidence=1.5)
    with pytest.raises(AgreementError):
        krippendorff_alpha_ci([[1, 1], [1, 1]], "nominal")


def test_words_with_a_domain():
    words = ["poor", "fair", "good", "great", "superb"]
    table = calibration_data(50)
    as_words = [[None if np.isnan(v) else words[int(v) - 1] for v in row] for row in table]
    by_words = krippendorff_alpha_ci(as_words, "ordinal", n_boot=200, seed=8, domain=words)
    by_numbers = krippendorff_alpha_ci(table, "ordinal", n_boot=200, seed=8)
    assert by_words == by_numbers
