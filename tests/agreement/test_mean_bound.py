"""One-sided t bounds of a mean, against a published example and statsmodels."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.weightstats import DescrStatsW

from qalibrate.agreement.mean_bound import t_bounds

# Student's sleep data (Cushny and Peebles 1905), the extra sleep of drug 2 over drug 1 in ten
# patients: R's t.test(extra ~ group, data = sleep, paired = TRUE) prints the 95% interval
# 0.7001142 to 2.4598858 (its sign reversed), i.e. the one-sided 97.5% bounds.
SLEEP = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]


def test_students_sleep_data_as_r_prints_it():
    mean, low, high = t_bounds(SLEEP, 0.975)
    assert mean == pytest.approx(1.58)
    assert low == pytest.approx(0.7001142, abs=1e-7)
    assert high == pytest.approx(2.4598858, abs=1e-7)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=40),
    st.sampled_from([0.9, 0.95, 0.975, 0.99]),
)
def test_as_statsmodels_computes_it(values, confidence):
    low_expected, high_expected = DescrStatsW(values).tconfint_mean(alpha=2 * (1 - confidence))
    mean, low, high = t_bounds(values, confidence)
    assert low == pytest.approx(low_expected, abs=1e-9)
    assert high == pytest.approx(high_expected, abs=1e-9)


def test_one_value_has_no_bounds():
    assert t_bounds([3.0]) == (3.0, -math.inf, math.inf)
    with pytest.raises(ValueError):
        t_bounds([])
