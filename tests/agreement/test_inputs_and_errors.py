"""Accepted inputs, undefined cases (AgreementError, never NaN) and invariances of the figures."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement import (
    LEVELS,
    AgreementError,
    fleiss_kappa,
    gwet_ac1,
    icc,
    krippendorff_alpha,
    krippendorff_alpha_ci,
    percent_agreement,
)
from qalibrate.agreement.session_figures import (
    criterion_figures,
    evaluator_deviations,
    share_within,
)
from tests.agreement.strategies import rating_tables
from tests.agreement.test_published import KRIPPENDORFF_2011

CATEGORICAL = [percent_agreement, fleiss_kappa, gwet_ac1]


def alpha_at(level):
    return lambda ratings: krippendorff_alpha(ratings, level=level)


ALL_STATISTICS = [*CATEGORICAL, *(alpha_at(level) for level in LEVELS)]


def test_agreement_error_is_a_value_error():
    assert issubclass(AgreementError, ValueError)


# --- Missing values and types ----------------------------------------------------------------


def test_none_nan_and_empty_strings_are_missing():
    with_none = [[1, 2, None], [2, 2, 3], [None, 1, 1]]
    with_nan = [[1, 2, float("nan")], [2, 2, 3], [np.nan, 1, 1]]
    with_blank = [[1, 2, ""], [2, 2, 3], ["  ", 1, 1]]
    for level in LEVELS:
        expected = krippendorff_alpha(with_none, level=level)
        assert krippendorff_alpha(with_nan, level=level) == expected
        assert krippendorff_alpha(with_blank, level=level) == expected
        assert krippendorff_alpha(np.array(with_nan), level=level) == expected


def test_words_as_categories():
    ratings = [
        ["yes", "yes", "n/a"],
        ["no", "no", "no"],
        ["yes", "no", None],
        ["n/a", "n/a", ""],
    ]
    coded = [[1, 1, 3], [2, 2, 2], [1, 2, None], [3, 3, None]]
    for statistic in [*CATEGORICAL, alpha_at("nominal")]:
        assert statistic(ratings) == pytest.approx(statistic(coded))


def test_numbers_and_words_mixed_are_categories():
    ratings = [[1, 1, "n/a"], [2, 2, 2], ["n/a", "n/a", 1]]
    coded = [[1, 1, 9], [2, 2, 2], [9, 9, 1]]
    assert krippendorff_alpha(ratings) == pytest.approx(krippendorff_alpha(coded))
    with pytest.raises(AgreementError, match="numeric"):
        krippendorff_alpha(ratings, level="interval")


def test_ordinal_words_need_a_domain_that_orders_them():
    ratings = [["poor", "fair"], ["good", "good"], ["fair", "poor"], ["good", "fair"]]
    with pytest.raises(AgreementError, match="domain"):
        krippendorff_alpha(ratings, level="ordinal")
    in_order = krippendorff_alpha(ratings, level="ordinal", domain=["poor", "fair", "good"])
    as_numbers = krippendorff_alpha([[1, 2], [3, 3], [2, 1], [3, 2]], level="ordinal")
    assert in_order == pytest.approx(as_numbers)


def test_domain_rejects_values_outside_it_and_repeats():
    with pytest.raises(AgreementError, match="not in the domain"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], domain=["a", "b"])
    with pytest.raises(AgreementError, match="not in the domain"):
        krippendorff_alpha([[1, 2], [2, 7]], level="interval", domain=[1, 2, 3])
    with pytest.raises(AgreementError, match="twice"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], domain=["a", "b", "a"])


# --- Undefined cases ------------------------------------------------------------------------


@pytest.mark.parametrize("statistic", ALL_STATISTICS)
def test_one_rater(statistic):
    with pytest.raises(AgreementError, match="two raters"):
        statistic([[1], [2], [3]])


@pytest.mark.parametrize("statistic", ALL_STATISTICS)
def test_no_unit_with_two_ratings(statistic):
    with pytest.raises(AgreementError, match="two or more raters"):
        statistic([[1, None, None], [None, 2, None], [None, None, 3]])


@pytest.mark.parametrize("statistic", [fleiss_kappa, gwet_ac1, *(alpha_at(lv) for lv in LEVELS)])
def test_a_single_value_everywhere(statistic):
    with pytest.raises(AgreementError):
        statistic([[3, 3, None], [3, 3, 3], [None, 3, 3]])


def test_a_single_value_with_a_wider_domain():
    # Perfect agreement on one category is defined for AC1 once the other categories are known,
    # but alpha and kappa still have no chance disagreement to compare with.
    ratings = [["yes", "yes"], ["yes", "yes"]]
    assert gwet_ac1(ratings, domain=["yes", "no"]) == 1.0
    assert percent_agreement(ratings) == 1.0
    with pytest.raises(AgreementError):
        krippendorff_alpha(ratings, domain=["yes", "no"])
    with pytest.raises(AgreementError):
        fleiss_kappa(ratings, domain=["yes", "no"])


@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_words_at_interval_and_ratio_levels(level):
    with pytest.raises(AgreementError, match=f"{level} level needs numeric ratings; found 'yes'"):
        krippendorff_alpha([["yes", "no"], ["no", "no"]], level=level)


def test_negative_values_at_ratio_level():
    with pytest.raises(AgreementError, match="non-negative"):
        krippendorff_alpha([[1, -2], [3, 3]], level="ratio")


def test_unknown_level():
    with pytest.raises(AgreementError, match="level must be one of"):
        krippendorff_alpha([[1, 2], [2, 2]], level="cardinal")


@pytest.mark.parametrize(
    "ratings",
    [[[1, 2], [3]], [1, 2, 3], [], [[1, float("inf")], [2, 2]], np.zeros((2, 2, 2))],
    ids=["ragged", "one-dimensional", "empty", "infinite", "three-dimensional"],
)
def test_malformed_tables(ratings):
    with pytest.raises(AgreementError):
        krippendorff_alpha(ratings)


def test_icc_needs_a_complete_numeric_panel():
    with pytest.raises(AgreementError, match="complete panel"):
        icc([[1, 2], [3, None], [2, 2]])
    with pytest.raises(AgreementError, match="numeric"):
        icc([["a", "b"], ["b", "b"]])
    with pytest.raises(AgreementError, match="two units"):
        icc([[1, 2, 3]])
    with pytest.raises(AgreementError, match="same"):
        icc([[4, 4], [4, 4]])
    with pytest.raises(AgreementError, match="mean ratings are all equal"):
        icc([[1, 2], [2, 1]])


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(), level=st.sampled_from(LEVELS))
def test_every_figure_is_a_finite_number_or_an_error(table, level):
    statistics = [*CATEGORICAL, alpha_at(level)]
    if not np.isnan(table).any():
        statistics.append(lambda ratings: min(icc(ratings).values()))
    for statistic in statistics:
        try:
            value = statistic(table)
        except AgreementError:
            continue
        assert isinstance(value, float)
        assert math.isfinite(value)


# --- Invariances ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(), level=st.sampled_from(LEVELS), data=st.data())
def test_alpha_ignores_the_order_of_units_and_raters(table, level, data):
    units = data.draw(st.permutations(range(table.shape[0])))
    raters = data.draw(st.permutations(range(table.shape[1])))
    shuffled = table[np.ix_(units, raters)]
    try:
        expected = krippendorff_alpha(table, level=level)
    except AgreementError:
        return
    assert krippendorff_alpha(shuffled, level=level) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    table=rating_tables(),
    scale=st.sampled_from([0.5, 3.0, 1000.0]),
    shift=st.sampled_from([0.0, -7.5, 1e6]),
)
def test_interval_alpha_ignores_linear_rescaling_and_ratio_alpha_ignores_scaling(
    table, scale, shift
):
    try:
        interval = krippendorff_alpha(table, level="interval")
        ratio = krippendorff_alpha(table, level="ratio")
    except AgreementError:
        return
    assert krippendorff_alpha(table * scale + shift, level="interval") == pytest.approx(
        interval, abs=1e-9
    )
    assert krippendorff_alpha(table * scale, level="ratio") == pytest.approx(ratio, abs=1e-9)


def test_perfect_agreement_gives_one():
    ratings = [[1, 1, 1], [2, 2, None], [3, 3, 3], [5, None, 5]]
    for level in LEVELS:
        assert krippendorff_alpha(ratings, level=level) == pytest.approx(1.0)
    assert fleiss_kappa(ratings) == pytest.approx(1.0)
    assert gwet_ac1(ratings) == pytest.approx(1.0)
    assert percent_agreement(ratings) == 1.0


# --- Input that cannot be misread (issue 14, item 9) -----------------------------------------


def test_pandas_missing_values_are_missing_not_a_category():
    pd = pytest.importorskip("pandas")
    expected = krippendorff_alpha([[1, 1, None], [2, None, 2], [1, 2, 2], [3, 3, 3]])
    # Nullable columns of two dtypes give numpy an object array holding pd.NA itself.
    frame = pd.DataFrame(
        {
            "ann": pd.array([1, 2, 1, 3], dtype="Int64"),
            "bob": pd.array([1.0, None, 2.0, 3.0], dtype="Float64"),
            "cy": pd.array([None, 2, 2, 3], dtype="Int64"),
        }
    )
    assert krippendorff_alpha(frame) == pytest.approx(expected)
    assert krippendorff_alpha(frame.astype(object)) == pytest.approx(expected)
    with_na = [[1, 1, pd.NA], [2, pd.NA, 2], [1, 2, 2], [3, 3, 3]]
    with_nat = [[1, 1, pd.NaT], [2, pd.NaT, 2], [1, 2, 2], [3, 3, 3]]
    for statistic in [*CATEGORICAL, alpha_at("nominal"), alpha_at("interval")]:
        plain = statistic([[1, 1, None], [2, None, 2], [1, 2, 2], [3, 3, 3]])
        assert statistic(with_na) == pytest.approx(plain)
        assert statistic(with_nat) == pytest.approx(plain)
    words = pd.DataFrame({"a": ["yes", pd.NA, "no"], "b": ["yes", "no", pd.NA]}, dtype="string")
    assert percent_agreement(words) == percent_agreement(
        [["yes", "yes"], [None, "no"], ["no", None]]
    )


def test_numpy_not_a_time_is_missing():
    nat = np.datetime64("NaT")
    assert krippendorff_alpha([["a", "a", nat], ["b", "b", "a"]]) == krippendorff_alpha(
        [["a", "a", None], ["b", "b", "a"]]
    )


# Krippendorff's (2011) example (units x observers) without its single-rated unit.
KRIPPENDORFF_2011_INTERVAL = KRIPPENDORFF_2011[:11]


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e300])
def test_huge_and_tiny_values_do_not_overflow(scale):
    table = np.array(KRIPPENDORFF_2011_INTERVAL)
    for level in ("interval", "ratio"):
        expected = krippendorff_alpha(table, level=level)
        assert krippendorff_alpha(table * scale, level=level) == pytest.approx(expected)
    interval = krippendorff_alpha_ci(table * scale, "interval", n_boot=50, seed=3)
    assert interval == krippendorff_alpha_ci(table, "interval", n_boot=50, seed=3)
    panel = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6]], dtype=float)
    assert icc(panel * scale) == pytest.approx(icc(panel))


# --- calibration.py: shapes, "no answer" and N/A --------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [[80.0, 80.0], [80.0, 80.0, 80.0, 80.0], 80.0, [[80.0, 80.0, 80.0]]],
    ids=["too short", "too long", "a single number", "two-dimensional"],
)
def test_a_reference_of_the_wrong_shape_is_an_error(reference):
    totals = [[78.0, 84.0, 86.0], [80.0, 90.0, np.nan]]
    with pytest.raises(AgreementError, match=r"one total per contact \(3\)"):
        evaluator_deviations(totals, reference, tolerance=5)
    with pytest.raises(AgreementError, match=r"one total per contact \(3\)"):
        share_within(totals, reference, tolerance=5)


def test_nan_no_answer_is_not_counted_as_applicable():
    with_none = [["yes", "na", None], ["no", "no", "na"], ["yes", "yes", "yes"]]
    with_nan = [["yes", "na", float("nan")], ["no", "no", "na"], ["yes", "yes", "yes"]]
    expected = criterion_figures(with_none, level="nominal", yes_no=True)
    assert expected.n == 8
    assert criterion_figures(with_nan, level="nominal", yes_no=True) == expected
    with_blank = [["yes", "na", "  "], ["no", "no", "na"], ["yes", "yes", "yes"]]
    assert criterion_figures(with_blank, level="nominal", yes_no=True) == expected


@pytest.mark.parametrize("token", ["na", "NA", "n/a", "N/A", " N/a "])
def test_every_spelling_of_na_is_na(token):
    answers = [["yes", "na", "yes"], ["no", "no", "na"], ["yes", "yes", "no"]]
    spelled = [[token if value == "na" else value for value in row] for row in answers]
    expected = criterion_figures(answers, level="nominal", yes_no=True)
    assert expected.na_consistency is not None
    assert criterion_figures(spelled, level="nominal", yes_no=True) == expected


def test_ordinal_words_without_a_domain_say_so():
    answers = [["poor", "fair"], ["good", "good"], ["fair", "poor"], ["good", "fair"]]
    with pytest.raises(AgreementError, match="'poor'.*domain"):
        criterion_figures(answers, level="ordinal")
    figures = criterion_figures(answers, level="ordinal", domain=["poor", "fair", "good"])
    # Options are weighted by their order (Gwet's ordinal weights); oracle: the agreement
    # package's alpha with its ordinal kernel, on the units × categories counts.
    metrics = pytest.importorskip("agreement.metrics")
    kernels = pytest.importorskip("agreement.utils.kernels")
    counts = np.array([[1, 1, 0], [0, 0, 2], [1, 1, 0], [0, 1, 1]], dtype=float)
    expected = metrics.krippendorffs_alpha(counts, weights_kernel=kernels.ordinal_kernel)
    assert figures.alpha == pytest.approx(expected)
    # Numbers need no domain to be ordered.
    assert criterion_figures([[1, 2], [3, 3], [2, 1]], level="ordinal").alpha is not None


def fleiss_by_the_book(table):
    """Gwet's (2014) Fleiss' kappa with missing ratings, written out unit by unit."""
    categories = sorted(set(table[~np.isnan(table)].tolist()))
    counts = [[int((row == c).sum()) for c in categories] for row in table]
    rated = [row for row in counts if sum(row) >= 1]
    pairable = [row for row in counts if sum(row) >= 2]
    p_a = sum(
        sum(n * (n - 1) for n in row) / (sum(row) * (sum(row) - 1)) for row in pairable
    ) / len(pairable)
    pi = [sum(row[k] / sum(row) for row in rated) / len(rated) for k in range(len(categories))]
    p_e = sum(p**2 for p in pi)
    return (p_a - p_e) / (1 - p_e)


@settings(max_examples=60, deadline=None)
@given(table=rating_tables())
def test_fleiss_kappa_keeps_single_rated_units_in_the_shares(table):
    try:
        value = fleiss_kappa(table)
    except AgreementError:
        return
    assert value == pytest.approx(fleiss_by_the_book(table), abs=1e-12)
