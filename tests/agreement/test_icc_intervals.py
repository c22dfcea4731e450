"""Confidence intervals of the six ICCs: published values, pingouin, and McGraw & Wong's formulas.

Oracle 1: the Shrout & Fleiss (1979) worked example (published point values).
Oracle 2: pingouin's ``intraclass_corr`` (its CI95 column; pingouin rounds it to 2 decimals by
default, so it is compared at that precision and again with rounding switched off).
Oracle 3: ``mcgraw_wong`` below, McGraw & Wong's (1996) interval formulas written out in their
own a, b parametrisation with scipy.stats (qalibrate's code uses an algebraically rearranged form
that needs no division by 1 - ICC): it checks confidence levels other than 95%, which pingouin
cannot produce.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from qalibrate.agreement.icc import ICC_KEYS, IccEstimate, icc, icc_intervals
from qalibrate.agreement.ratings import AgreementError
from tests.agreement.strategies import rating_tables
from tests.agreement.test_published import SHROUT_FLEISS_1979, SHROUT_FLEISS_1979_ICC

pd = pytest.importorskip("pandas")
pingouin = pytest.importorskip("pingouin")

# pingouin's names for Shrout & Fleiss' six forms, in ICC_KEYS order.
PINGOUIN_TYPES = ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]


def pingouin_table(table):
    n_units, n_raters = table.shape
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_raters),
            "rater": np.tile(np.arange(n_raters), n_units),
            "score": np.asarray(table, dtype=float).ravel(),
        }
    )
    result = pingouin.intraclass_corr(data=long, targets="unit", raters="rater", ratings="score")
    rows = result.set_index("Type")
    return {key: rows.loc[name] for key, name in zip(ICC_KEYS, PINGOUIN_TYPES, strict=True)}


@pytest.fixture
def unrounded(monkeypatch):
    """pingouin with its CI95 column left at full precision."""
    monkeypatch.setitem(pingouin.options, "round.column.CI95", None)


def mcgraw_wong(table, confidence):
    """K. O. McGraw and S. P. Wong (1996), Psychological Methods 1(1):30-46, the intervals in
    their notation: MSR (rows = targets), MSC (columns = judges), MSE, MSW; n targets, k judges."""
    x = np.asarray(table, dtype=float)
    n, k = x.shape
    grand = x.mean()
    rows, cols = x.mean(axis=1), x.mean(axis=0)
    msr = k * ((rows - grand) ** 2).sum() / (n - 1)
    msc = n * ((cols - grand) ** 2).sum() / (k - 1)
    sse = ((x - rows[:, None] - cols[None, :] + grand) ** 2).sum()
    mse = sse / ((n - 1) * (k - 1))
    msw = ((x - rows[:, None]) ** 2).sum() / (n * (k - 1))
    tail = 1 - (1 - confidence) / 2

    def f_quantile(d1, d2):
        return stats.f.ppf(tail, d1, d2)

    out = {}
    # One-way random: ICC(1) and ICC(k).
    f_obs = msr / msw
    fl = f_obs / f_quantile(n - 1, n * (k - 1))
    fu = f_obs * f_quantile(n * (k - 1), n - 1)
    out["ICC1"] = ((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))
    out["ICC1k"] = (1 - 1 / fl, 1 - 1 / fu)
    # Consistency: ICC(C,1) and ICC(C,k).
    f_obs = msr / mse
    fl = f_obs / f_quantile(n - 1, (n - 1) * (k - 1))
    fu = f_obs * f_quantile((n - 1) * (k - 1), n - 1)
    out["ICC3"] = ((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))
    out["ICC3k"] = (1 - 1 / fl, 1 - 1 / fu)
    # Absolute agreement: ICC(A,1) and ICC(A,k), rho-hat = ICC(A,1).
    rho = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    a = k * rho / (n * (1 - rho))
    b = 1 + k * rho * (n - 1) / (n * (1 - rho))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_low, f_high = f_quantile(n - 1, v), f_quantile(v, n - 1)
    out["ICC2"] = (
        n * (msr - f_low * mse) / (f_low * (k * msc + (k * n - k - n) * mse) + n * msr),
        n * (f_high * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_high * msr),
    )
    out["ICC2k"] = (
        n * (msr - f_low * mse) / (f_low * (msc - mse) + n * msr),
        n * (f_high * msr - mse) / (msc - mse + n * f_high * msr),
    )
    return out


def test_shrout_fleiss_1979_example_point_values():
    published = SHROUT_FLEISS_1979_ICC
    result = icc_intervals(SHROUT_FLEISS_1979)
    assert list(result) == list(ICC_KEYS)
    for key, value in published.items():
        assert isinstance(result[key], IccEstimate)
        assert result[key].value == pytest.approx(value, abs=0.005), key
        assert result[key].low < result[key].value < result[key].high, key
        assert result[key].confidence == 0.95


def test_shrout_fleiss_example_against_pingouin_rounded():
    # pingouin's default output: CI95 rounded to 2 decimals.
    theirs = pingouin_table(np.array(SHROUT_FLEISS_1979))
    ours = icc_intervals(SHROUT_FLEISS_1979)
    for key in ICC_KEYS:
        low, high = theirs[key]["CI95"]
        assert round(ours[key].low, 2) == pytest.approx(low, abs=1e-9), key
        assert round(ours[key].high, 2) == pytest.approx(high, abs=1e-9), key


def test_shrout_fleiss_example_against_pingouin_exact(unrounded):
    theirs = pingouin_table(np.array(SHROUT_FLEISS_1979))
    ours = icc_intervals(SHROUT_FLEISS_1979)
    for key in ICC_KEYS:
        row = theirs[key]
        assert ours[key].value == pytest.approx(row["ICC"], rel=1e-12), key
        assert [ours[key].low, ours[key].high] == pytest.approx(list(row["CI95"]), rel=1e-9)
        assert ours[key].f_value == pytest.approx(row["F"], rel=1e-12), key
        assert ours[key].df1 == row["df1"] and ours[key].df2 == row["df2"], key
        assert ours[key].p_value == pytest.approx(row["pval"], rel=1e-9), key


def test_interval_crossing_zero():
    # In the Shrout & Fleiss example the one-way F (BMS / WMS = 1.79 on 5 and 18 df) is not
    # significant, so the ICC1 and ICC1k intervals reach below 0 (pingouin: [-0.13, 0.72] and
    # [-0.88, 0.91]); the bounds are reported as they are, not cut at 0.
    result = icc_intervals(SHROUT_FLEISS_1979)
    assert result["ICC1"].low == pytest.approx(-0.13, abs=0.005)
    assert result["ICC1k"].low == pytest.approx(-0.88, abs=0.005)
    assert result["ICC1"].low < 0 < result["ICC1"].value
    assert result["ICC1"].p_value > 0.05
    assert result["ICC3"].low > 0  # the consistency F is significant


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_mcgraw_wong_formulas_at_any_confidence(confidence):
    ours = icc_intervals(SHROUT_FLEISS_1979, confidence=confidence)
    theirs = mcgraw_wong(SHROUT_FLEISS_1979, confidence)
    for key in ICC_KEYS:
        assert (ours[key].low, ours[key].high) == pytest.approx(theirs[key], rel=1e-9), key
        assert ours[key].confidence == confidence


def test_wider_confidence_gives_wider_intervals():
    narrow = icc_intervals(SHROUT_FLEISS_1979, confidence=0.8)
    wide = icc_intervals(SHROUT_FLEISS_1979, confidence=0.99)
    for key in ICC_KEYS:
        assert wide[key].low < narrow[key].low < narrow[key].value < narrow[key].high
        assert narrow[key].high < wide[key].high


# pingouin's ANOVA wants at least 5 ratings, hence at least 3 units.
@settings(max_examples=40, deadline=None)
@given(
    table=rating_tables(
        st.integers(0, 40).map(lambda v: v / 4), complete=True, min_units=3, max_units=12
    )
)
def test_random_panels_against_pingouin_and_mcgraw_wong(table):
    try:
        ours = icc_intervals(table)
    except AgreementError:
        return  # degenerate panels: covered by the tests below
    theirs = mcgraw_wong(table, 0.95)
    # Near-zero mean squares make the formulas ill-conditioned; compare well-posed panels.
    assume(all(abs(value) < 1e6 for pair in theirs.values() for value in pair))
    for key in ICC_KEYS:
        assert (ours[key].low, ours[key].high) == pytest.approx(theirs[key], rel=1e-7, abs=1e-9)
        assert ours[key].value == pytest.approx(icc(table)[key], rel=1e-12, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(
    table=rating_tables(
        st.integers(0, 40).map(lambda v: v / 4), complete=True, min_units=3, max_units=10
    )
)
def test_random_panels_against_pingouin_exact(table):
    try:
        ours = icc_intervals(table)
    except AgreementError:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(pingouin.options, "round.column.CI95", None)
        theirs = pingouin_table(table)
    for key in ICC_KEYS:
        low, high = theirs[key]["CI95"]
        assume(abs(low) < 1e6 and abs(high) < 1e6)
        assert (ours[key].low, ours[key].high) == pytest.approx((low, high), rel=1e-7, abs=1e-9)
        assert ours[key].p_value == pytest.approx(theirs[key]["pval"], rel=1e-7, abs=1e-300)


def test_icc_still_returns_plain_values():
    values = icc(SHROUT_FLEISS_1979)
    assert list(values) == list(ICC_KEYS)
    assert all(isinstance(value, float) for value in values.values())
    intervals = icc_intervals(SHROUT_FLEISS_1979)
    assert values == {key: estimate.value for key, estimate in intervals.items()}


def test_identical_ratings_per_unit_have_no_interval():
    # Ties: every rater gives each unit the same rating. The ICCs are 1, but every F ratio is
    # infinite, so there is no interval to give.
    tied = [[1, 1, 1], [3, 3, 3], [2, 2, 2], [5, 5, 5]]
    assert icc(tied)["ICC1"] == pytest.approx(1.0)
    with pytest.raises(AgreementError, match="same rating.*undefined"):
        icc_intervals(tied)


def test_ratings_that_differ_by_a_fixed_offset_have_no_interval():
    # Rater 2 always scores one point above rater 1: ICC3 is 1, the residual mean square 0.
    offset = [[1, 2], [3, 4], [2, 3], [5, 6]]
    assert icc(offset)["ICC3"] == pytest.approx(1.0)
    with pytest.raises(AgreementError, match="offset.*undefined"):
        icc_intervals(offset)


@pytest.mark.parametrize(
    ("ratings", "reason"),
    [
        ([[4, 4], [4, 4], [4, 4]], "every rating is the same"),
        ([[1, 2], [2, 1], [3, 0]], "mean ratings are all equal"),
        ([[1, 2], [3, None], [2, 2]], "complete panel"),
        ([[1, 2, 3]], "at least two units"),
    ],
)
def test_undefined_panels_raise(ratings, reason):
    with pytest.raises(AgreementError, match=reason):
        icc_intervals(ratings)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
def test_confidence_must_be_a_proportion(confidence):
    with pytest.raises(AgreementError, match="confidence"):
        icc_intervals(SHROUT_FLEISS_1979, confidence=confidence)


def test_two_raters_and_many_units():
    rng = np.random.default_rng(7)
    truth = rng.normal(size=200)
    table = np.column_stack([truth + rng.normal(scale=0.5, size=200) + shift for shift in (0, 0.3)])
    result = icc_intervals(table)
    theirs = mcgraw_wong(table, 0.95)
    for key in ICC_KEYS:
        assert (result[key].low, result[key].high) == pytest.approx(theirs[key], rel=1e-9)
        assert result[key].high - result[key].low < 0.25  # 200 units: a narrow interval
