"""The Wilson interval against statsmodels' proportion_confint (test-only oracle) and the values
Newcombe (1998, Table I, method 3) publishes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from qalibrate.agreement.proportion import wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe, Statistics in Medicine 17 (1998) 857-872, Table I, method 3 (Wilson).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_newcombes_published_intervals(successes, n, low, high):
    share = wilson(successes, n)
    assert share.low == pytest.approx(low, abs=5e-5)
    assert share.high == pytest.approx(high, abs=5e-5)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 2000),
    fraction=st.floats(0, 1),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_as_statsmodels_computes_it(n, fraction, confidence):
    successes = round(fraction * n)
    share = wilson(successes, n, confidence=confidence)
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    assert share.low == pytest.approx(low, abs=1e-12)
    assert share.high == pytest.approx(high, abs=1e-12)
    assert share.value == successes / n


def test_no_answers_no_share():
    assert wilson(0, 0).value is None
    with pytest.raises(ValueError):
        wilson(3, 2)
