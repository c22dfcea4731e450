"""Benchmark scales and Gwet's probabilistic benchmarking (qalibrate.agreement.interpretation)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from qalibrate.agreement.interpretation import (
    DEFAULT_THRESHOLD,
    SCALES,
    Benchmark,
    benchmark,
    level,
)
from qalibrate.agreement.ratings import AgreementError

# --- The scales -------------------------------------------------------------------------------

# The scales as Gwet's irrCAC prints them in its benchmarking vignette (kgwet/irrCAC, commit
# a215b7f, inst/doc/benchmarking.html, the output of `landis.koch`, `altman`, `fleiss`), which
# are those of Landis & Koch (1977, p. 165), Altman (1991, table 14.8) and Fleiss (1981, p. 218).
PUBLISHED_SCALES = {
    "landis_koch": [
        ("almost_perfect", 0.8, 1.0),
        ("substantial", 0.6, 0.8),
        ("moderate", 0.4, 0.6),
        ("fair", 0.2, 0.4),
        ("slight", 0.0, 0.2),
        ("poor", -1.0, 0.0),
    ],
    "altman": [
        ("very_good", 0.8, 1.0),
        ("good", 0.6, 0.8),
        ("moderate", 0.4, 0.6),
        ("fair", 0.2, 0.4),
        ("poor", -1.0, 0.2),
    ],
    "fleiss": [
        ("excellent", 0.75, 1.0),
        ("intermediate_to_good", 0.4, 0.75),
        ("poor", -1.0, 0.4),
    ],
}


def test_the_scales_are_the_published_ones():
    assert set(SCALES) == set(PUBLISHED_SCALES)
    for key, published in PUBLISHED_SCALES.items():
        assert SCALES[key].key == key
        assert [(lv.key, lv.low, lv.high) for lv in SCALES[key].levels] == published


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_each_scale_covers_minus_one_to_one_without_gaps(scale):
    levels = SCALES[scale].levels
    assert levels[0].high == 1.0
    assert levels[-1].low == -1.0
    for upper, lower in zip(levels, levels[1:], strict=False):
        assert upper.low == lower.high
    assert len({lv.key for lv in levels}) == len(levels)


# --- The plain reading ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (0.85, "landis_koch", "almost_perfect"),
        (0.7, "landis_koch", "substantial"),
        (0.5, "landis_koch", "moderate"),
        (0.3, "landis_koch", "fair"),
        (0.1, "landis_koch", "slight"),
        (-0.3, "landis_koch", "poor"),
        (0.9, "altman", "very_good"),
        (0.1, "altman", "poor"),
        (0.8, "fleiss", "excellent"),
        (0.5, "fleiss", "intermediate_to_good"),
        (0.2, "fleiss", "poor"),
    ],
)
def test_level_inside_a_level(value, scale, expected):
    assert level(value, scale) == expected


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        # Landis & Koch print 0.41-0.60 "moderate" and 0.61-0.80 "substantial".
        (0.6, "landis_koch", "moderate"),
        (0.6 + 1e-12, "landis_koch", "substantial"),
        (0.8, "landis_koch", "substantial"),
        (1.0, "landis_koch", "almost_perfect"),
        (0.0, "landis_koch", "poor"),  # the documented (low, high] convention
        (-1.0, "landis_koch", "poor"),
        (-1.5, "landis_koch", "poor"),  # below -1 (possible for alpha) is still the bottom
        (0.2, "altman", "poor"),  # Altman: 0.21-0.40 "fair"
        (0.4, "fleiss", "poor"),
        (0.75, "fleiss", "intermediate_to_good"),
        (1 + 1e-12, "fleiss", "excellent"),  # a rounding error above 1 is 1
    ],
)
def test_level_on_a_bound_takes_the_lower_level(value, scale, expected):
    assert level(value, scale) == expected


def test_level_reads_landis_koch_by_default_and_takes_numpy_numbers():
    assert level(np.float64(0.7)) == "substantial"
    assert level(np.float32(0.7)) == "substantial"
    assert level(1) == "almost_perfect"


# --- Published benchmark readings -------------------------------------------------------------

# K. L. Gwet, irrCAC's benchmarking vignette, built output (kgwet/irrCAC, commit a215b7f,
# inst/doc/benchmarking.html): lines 343-362 print AC1 = 0.77544 with standard error 0.14295
# for the cac.raw4raters data and the CumProb column of landis.koch.bf (lines 346-349, then 1
# and 1), altman.bf (lines 354-357, then 1) and fleiss.bf (lines 361-362, then 1), rounded to 5
# decimals. The text under them (line 364) retains "Moderate", "Moderate" and "Intermediate to
# Good" by the 95% rule, and says AC1 "cannot be qualified as substantial".
GWET_VIGNETTE = (0.77544, 0.14295)
GWET_VIGNETTE_CUMULATIVE = {
    "landis_koch": [0.39674, 0.88336, 0.99542, 0.99997, 1.0, 1.0],
    "altman": [0.39674, 0.88336, 0.99542, 0.99997, 1.0],
    "fleiss": [0.54414, 0.99542, 1.0],
}
GWET_VIGNETTE_LEVEL = {
    "landis_koch": "moderate",
    "altman": "moderate",
    "fleiss": "intermediate_to_good",
}

# The Python port of irrCAC (afergadis/irrCAC, docs/source/usage/usage_benchmarking.ipynb,
# the outputs of cells 2, 4 and 5): Benchmark(coeff=0.67, se=0.15), CumProb rounded to 5
# decimals. A second, independently computed set of printed figures.
PORT_EXAMPLE = (0.67, 0.15)
PORT_EXAMPLE_CUMULATIVE = {
    "landis_koch": [0.18168, 0.67511, 0.96356, 0.99912, 1.0, 1.0],
    "altman": [0.18168, 0.67511, 0.96356, 0.99912, 1.0],
    "fleiss": [0.28699, 0.96356, 1.0],
}


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_gwet_vignette_cumulative_probabilities(scale):
    result = benchmark(*GWET_VIGNETTE, scale)
    cumulative = [row.cumulative for row in result.table]
    assert cumulative == pytest.approx(GWET_VIGNETTE_CUMULATIVE[scale], abs=5e-6)
    assert result.level == GWET_VIGNETTE_LEVEL[scale]


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_python_port_example_cumulative_probabilities(scale):
    result = benchmark(*PORT_EXAMPLE, scale)
    cumulative = [row.cumulative for row in result.table]
    assert cumulative == pytest.approx(PORT_EXAMPLE_CUMULATIVE[scale], abs=5e-6)


def test_gwet_vignette_reading_in_full():
    result = benchmark(*GWET_VIGNETTE)
    assert isinstance(result, Benchmark)
    assert result.scale == "landis_koch"
    assert result.value == 0.77544
    assert result.se == 0.14295
    assert result.threshold == DEFAULT_THRESHOLD == 0.95
    assert result.is_probabilistic
    assert result.level == "moderate"
    # The level's own probability is the step of the cumulative column: 0.99542 - 0.88336.
    assert result.probability == pytest.approx(0.99542 - 0.88336, abs=1e-5)
    assert result.cumulative == pytest.approx(0.99542, abs=5e-6)
    assert [row.key for row in result.table] == [key for key, *_ in PUBLISHED_SCALES["landis_koch"]]
    assert [(row.low, row.high) for row in result.table] == [
        (low, high) for _, low, high in PUBLISHED_SCALES["landis_koch"]
    ]
    # The point estimate alone would read "substantial"; its uncertainty says no more than
    # "moderate", as the vignette explains.
    assert level(0.77544) == "substantial"


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.99, "moderate"),
        (0.9, "moderate"),
        (0.88, "substantial"),
        (0.5, "substantial"),
        (0.39, "almost_perfect"),
    ],
)
def test_the_threshold_is_a_parameter(threshold, expected):
    # Against the vignette's cumulative column 0.39674, 0.88336, 0.99542, ...
    result = benchmark(*GWET_VIGNETTE, threshold=threshold)
    assert result.level == expected
    assert result.threshold == threshold


# --- Against an independent implementation: scipy's truncated normal --------------------------


@settings(max_examples=80, deadline=None)
@given(
    value=st.floats(-1, 1),
    se=st.floats(0.005, 3),
    scale=st.sampled_from(sorted(SCALES)),
)
def test_membership_probabilities_match_scipy_truncnorm(value, se, scale):
    lower, upper = (-1 - value) / se, (1 - value) / se
    true_coefficient = stats.truncnorm(lower, upper, loc=value, scale=se)
    result = benchmark(value, se, scale)
    for row in result.table:
        expected = true_coefficient.cdf(row.high) - true_coefficient.cdf(row.low)
        assert row.probability == pytest.approx(expected, abs=1e-9)
        # The cumulative probability is that of the level's lower bound or above.
        assert row.cumulative == pytest.approx(true_coefficient.sf(row.low), abs=1e-9)


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_a_huge_standard_error_spreads_the_coefficient_evenly_over_minus_one_to_one(scale):
    # Truncated to [-1, 1], a normal with sd 100 is flat there to about 1e-4: each level gets
    # its width over 2.
    result = benchmark(0.3, 100, scale)
    for row in result.table:
        assert row.probability == pytest.approx((row.high - row.low) / 2, abs=1e-4)


# --- Properties -------------------------------------------------------------------------------

values = st.floats(-1, 1)
standard_errors = st.floats(1e-6, 5)
scales = st.sampled_from(sorted(SCALES))
thresholds = st.floats(0.5, 1)


@settings(max_examples=150, deadline=None)
@given(value=values, se=standard_errors, scale=scales, threshold=thresholds)
def test_probabilities_sum_to_one_and_accumulate_top_down(value, se, scale, threshold):
    result = benchmark(value, se, scale, threshold=threshold)
    probabilities = [row.probability for row in result.table]
    cumulative = [row.cumulative for row in result.table]
    assert all(0 <= p <= 1 for p in probabilities)
    assert math.fsum(probabilities) == pytest.approx(1, abs=1e-12)
    assert cumulative == pytest.approx(list(np.cumsum(probabilities)), abs=1e-12)
    assert all(a <= b for a, b in zip(cumulative, cumulative[1:], strict=False))
    assert cumulative[-1] == 1.0


@settings(max_examples=150, deadline=None)
@given(value=values, se=standard_errors, scale=scales, threshold=thresholds)
def test_the_level_retained_is_the_highest_that_reaches_the_threshold(value, se, scale, threshold):
    result = benchmark(value, se, scale, threshold=threshold)
    keys = [row.key for row in result.table]
    chosen = keys.index(result.level)
    assert result.table[chosen].cumulative >= threshold
    assert all(row.cumulative < threshold for row in result.table[:chosen])
    assert result.probability == result.table[chosen].probability
    assert result.cumulative == result.table[chosen].cumulative


@settings(max_examples=100, deadline=None)
@given(low=values, high=values, se=st.floats(0.01, 2), scale=scales)
def test_a_higher_coefficient_never_reads_as_a_lower_level(low, high, se, scale):
    # The truncated normal is stochastically increasing in its mean, so every cumulative
    # probability grows with the coefficient.
    assume(low < high)
    keys = [lv.key for lv in SCALES[scale].levels]
    rank = {key: len(keys) - i for i, key in enumerate(keys)}
    assert rank[benchmark(high, se, scale).level] >= rank[benchmark(low, se, scale).level]


@settings(max_examples=150, deadline=None)
@given(value=values, scale=scales, threshold=thresholds)
def test_a_vanishing_standard_error_gives_the_plain_level(value, scale, threshold):
    bounds = [lv.low for lv in SCALES[scale].levels]
    assume(all(abs(value - bound) > 1e-6 for bound in bounds))
    assume(threshold < 1)  # at exactly 1 only the bottom level is certain
    assert benchmark(value, 1e-9, scale, threshold=threshold).level == level(value, scale)


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_on_a_bound_a_vanishing_standard_error_gives_the_lower_level(scale):
    # The cumulative probability at a bound is 1/2, so the level below is retained, as level()
    # does with its (low, high] levels.
    for upper, lower in zip(SCALES[scale].levels, SCALES[scale].levels[1:], strict=False):
        result = benchmark(upper.low, 1e-9, scale)
        assert result.table[0].cumulative <= 0.5 + 1e-12
        assert result.level == lower.key == level(upper.low, scale)


@pytest.mark.parametrize("se", [None, 0, 0.0])
@pytest.mark.parametrize("scale", sorted(SCALES))
def test_without_a_standard_error_the_reading_is_the_plain_one(se, scale):
    result = benchmark(0.77544, se, scale)
    assert result.level == level(0.77544, scale)
    assert result.probability is None
    assert result.cumulative is None
    assert not result.is_probabilistic
    assert all(row.probability is None and row.cumulative is None for row in result.table)
    assert [row.key for row in result.table] == [lv.key for lv in SCALES[scale].levels]


def test_a_coefficient_far_below_minus_one_with_a_tiny_error_is_poor_for_certain():
    # Every normal mass underflows here; the truncated normal sits at -1.
    result = benchmark(-1.5, 0.001)
    assert result.level == "poor"
    assert result.probability == 1.0
    assert result.cumulative == 1.0


def test_a_perfect_coefficient_with_a_tiny_error_is_at_the_top():
    result = benchmark(1.0, 1e-6)
    assert result.level == "almost_perfect"
    assert result.probability == pytest.approx(1)


def test_the_benchmark_is_frozen():
    result = benchmark(0.5, 0.1)
    with pytest.raises(AttributeError):
        result.level = "excellent"


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((0.5, 0.1, "cohen"), "scale must be one of landis_koch, altman, fleiss"),
        ((0.5, 0.1, None), "scale must be one of"),
        ((float("nan"), 0.1), "finite number"),
        ((float("inf"), 0.1), "finite number"),
        (("0.5", 0.1), "finite number"),
        ((True, 0.1), "finite number"),
        ((1.01, 0.1), "at most 1"),
        ((0.5, -0.1), "standard error"),
        ((0.5, float("nan")), "standard error"),
        ((0.5, float("inf")), "standard error"),
        ((0.5, "0.1"), "standard error"),
    ],
)
def test_bad_input_says_what_is_wrong(arguments, message):
    with pytest.raises(AgreementError, match=message):
        benchmark(*arguments)


@pytest.mark.parametrize("threshold", [0, -0.5, 1.5, float("nan"), None])
def test_the_threshold_must_be_a_probability(threshold):
    with pytest.raises(AgreementError, match="threshold"):
        benchmark(0.5, 0.1, threshold=threshold)


def test_level_checks_its_input_too():
    with pytest.raises(AgreementError, match="scale"):
        level(0.5, "kappa")
    with pytest.raises(AgreementError, match="at most 1"):
        level(1.2)
    with pytest.raises(ValueError):  # AgreementError is a ValueError
        level(float("nan"))
