"""The calibration figures of one session (``qalibrate.agreement.session_figures``) against
independent oracles: pandas for the per-contact and per-evaluator figures, exact fractions for
the tolerance decisions, ``statistics``/``collections`` for majority, lower median and dispute,
and worked examples with the arithmetic spelled out."""

import math
import statistics
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement.session_figures import (
    ContactSpread,
    EvaluatorDeviation,
    contact_spreads,
    criterion_figures,
    discussion_order,
    dispute,
    evaluator_deviations,
    is_calibrated,
    lower_median,
    majority,
    share_within,
)
from tests.agreement.strategies import rating_tables

pd = pytest.importorskip("pandas")

NAN = float("nan")
FAST = settings(max_examples=100, deadline=None)

# Totals on the 0-100 scale in tenths, so that exact fractions can decide the tolerance
# questions the code answers in floating point.
TENTHS = st.integers(0, 1000)


@st.composite
def totals_tables(draw, *, min_evaluators: int = 1, min_contacts: int = 1) -> np.ndarray:
    """An evaluators × contacts table of totals in tenths (NaN: not scored), some contacts
    possibly scored by nobody."""
    table = draw(
        rating_tables(
            TENTHS.map(lambda v: v / 10),
            min_units=min_evaluators,
            max_units=8,
            min_raters=min_contacts,
            max_raters=10,
        )
    )
    blank = draw(st.lists(st.booleans(), min_size=table.shape[1], max_size=table.shape[1]))
    table[:, np.array(blank, dtype=bool)] = np.nan
    return table


@st.composite
def totals_with_reference(draw, *, min_evaluators: int = 1):
    table = draw(totals_tables(min_evaluators=min_evaluators))
    reference = np.array(
        draw(
            st.lists(
                st.one_of(st.none(), TENTHS.map(lambda v: v / 10)),
                min_size=table.shape[1],
                max_size=table.shape[1],
            )
        ),
        dtype=float,
    )
    return table, reference


def exact(value: float) -> Fraction:
    """The decimal a tenths total stands for (not the binary float it became)."""
    return Fraction(round(value * 10), 10)


def exact_gaps(row, reference) -> list[Fraction]:
    """|total - reference| in exact decimals, over the contacts where both are known."""
    return [
        abs(exact(t) - exact(r))
        for t, r in zip(row, reference, strict=True)
        if not (np.isnan(t) or np.isnan(r))
    ]


def exact_mean_gaps(table, reference) -> list[Fraction | None]:
    """Per evaluator, the exact mean absolute deviation (None: nothing to compare)."""
    gaps = [exact_gaps(row, reference) for row in table]
    return [Fraction(sum(g), len(g)) if g else None for g in gaps]


@st.composite
def sessions(draw, *, boundary: str):
    """Totals, reference and an exact tolerance. Half the time the tolerance is exactly one of
    the figures compared with it (an evaluator's mean absolute deviation when ``boundary`` is
    "mean", a single score's deviation when "score"), to hit the "at most" boundary, where
    floating point can land a hair above the decimal value."""
    table, reference = draw(totals_with_reference())
    if boundary == "mean":
        candidates = [m for m in exact_mean_gaps(table, reference) if m is not None]
    else:
        candidates = [g for row in table for g in exact_gaps(row, reference)]
    random = TENTHS.map(lambda v: Fraction(v, 10))
    tolerance = draw(st.one_of(random, st.sampled_from(candidates)) if candidates else random)
    return table, reference, tolerance


# --- contact_spreads ------------------------------------------------------------------------


def test_contact_spreads_worked_example():
    totals = np.array(
        [
            [80, 90, NAN],
            [70, NAN, NAN],
            [90, 90, NAN],
        ]
    )
    first, second, third = contact_spreads(totals)
    # Contact 0: 80, 70, 90 -> mean 240/3 = 80, spread 90 - 70 = 20,
    # SD = sqrt((0² + 10² + 10²) / (3 - 1)) = sqrt(100) = 10.
    assert first == ContactSpread(n=3, mean=80.0, low=70.0, high=90.0, spread=20.0, sd=10.0)
    # Contact 1: 90, 90 -> mean 90, spread 0, SD 0.
    assert second == ContactSpread(n=2, mean=90.0, low=90.0, high=90.0, spread=0.0, sd=0.0)
    # Contact 2: nobody scored it.
    assert third is None


def test_contact_spreads_sd_is_the_sample_sd():
    # 60 and 70: mean 65, deviations ±5, sample variance (25 + 25) / (2 - 1) = 50 -> SD √50
    # (the population SD would be 5).
    (spread,) = contact_spreads([[60.0], [70.0]])
    assert spread.sd == pytest.approx(math.sqrt(50))
    assert spread.sd == pytest.approx(statistics.stdev([60, 70]))


def test_single_total_has_no_sd():
    (spread,) = contact_spreads([[75.0], [NAN], [NAN]])
    assert spread == ContactSpread(n=1, mean=75.0, low=75.0, high=75.0, spread=0.0, sd=None)


def test_all_nan_column_is_none():
    assert contact_spreads([[NAN, 50.0], [NAN, 60.0]])[0] is None
    assert contact_spreads([[NAN, NAN]]) == [None, None]


def test_one_dimensional_totals_are_one_evaluator():
    assert contact_spreads([80.0, NAN]) == [
        ContactSpread(n=1, mean=80.0, low=80.0, high=80.0, spread=0.0, sd=None),
        None,
    ]


def test_contact_spreads_of_empty_tables():
    # No evaluators yet: every contact is unscored; no contacts: nothing to report.
    assert contact_spreads(np.empty((0, 3))) == [None, None, None]
    assert contact_spreads(np.empty((3, 0))) == []


def test_contact_spreads_are_plain_python_numbers():
    (spread,) = contact_spreads(np.array([[80.0], [90.0]]))
    assert type(spread.n) is int
    assert all(
        type(v) is float for v in (spread.mean, spread.low, spread.high, spread.spread, spread.sd)
    )


@pytest.mark.slow
@FAST
@given(table=totals_tables())
def test_contact_spreads_agree_with_pandas(table):
    frame = pd.DataFrame(table)  # rows: evaluators, columns: contacts
    count, mean = frame.count(), frame.mean()
    low, high, sd = frame.min(), frame.max(), frame.std(ddof=1)
    spreads = contact_spreads(table)
    assert len(spreads) == table.shape[1]
    for j, spread in enumerate(spreads):
        if count[j] == 0:
            assert spread is None
            continue
        assert spread.n == count[j]
        assert spread.mean == pytest.approx(mean[j], abs=1e-9)
        assert spread.low == low[j]
        assert spread.high == high[j]
        assert spread.spread == pytest.approx(high[j] - low[j], abs=1e-9)
        if count[j] == 1:
            assert spread.sd is None and np.isnan(sd[j])
        else:
            assert spread.sd == pytest.approx(sd[j], abs=1e-9)
        assert spread.low <= spread.mean + 1e-9 and spread.mean <= spread.high + 1e-9


# --- evaluator_deviations -------------------------------------------------------------------


def test_evaluator_deviations_worked_example():
    totals = np.array(
        [
            [80, 90, NAN],  # -5, +5        -> mean |d| 5, bias 0, max 5, n 2
            [90, 95, 100],  # +5, +10, +15  -> mean |d| 30/3 = 10, bias +10 (lenient)
            [80, 70, 85],  # -5, -15, 0    -> mean |d| 20/3, bias -20/3 (strict)
        ]
    )
    reference = np.array([85, 85, 85])
    lenient_fair, lenient, strict = evaluator_deviations(totals, reference, tolerance=5)
    assert lenient_fair == EvaluatorDeviation(
        n=2, mean_abs=5.0, bias=0.0, max_abs=5.0, within_tolerance=True
    )
    assert lenient == EvaluatorDeviation(
        n=3, mean_abs=10.0, bias=10.0, max_abs=15.0, within_tolerance=False
    )
    assert strict.n == 3
    assert strict.mean_abs == pytest.approx(20 / 3)
    assert strict.bias == pytest.approx(-20 / 3)
    assert strict.max_abs == 15.0
    assert strict.within_tolerance is False


def test_deviation_only_over_contacts_with_a_reference():
    # Contact 1 has no reference, so the 40-point gap there does not count:
    # deviations 90 - 85 = +5 and 60 - 70 = -10 -> mean |d| 7.5, bias -2.5, max 10, n 2.
    (deviation,) = evaluator_deviations([[90, 40, 60]], [85, NAN, 70], tolerance=10)
    assert deviation == EvaluatorDeviation(
        n=2, mean_abs=7.5, bias=-2.5, max_abs=10.0, within_tolerance=True
    )


def test_evaluator_without_overlap_is_none():
    totals = np.array([[NAN, 70.0], [80.0, NAN], [NAN, NAN]])
    reference = np.array([85.0, NAN])
    lone, overlapping, idle = evaluator_deviations(totals, reference, tolerance=5)
    assert lone is None  # scored only the contact without a reference
    assert overlapping == EvaluatorDeviation(
        n=1, mean_abs=5.0, bias=-5.0, max_abs=5.0, within_tolerance=True
    )
    assert idle is None  # scored nothing


def test_no_reference_at_all_leaves_every_evaluator_none():
    deviations = evaluator_deviations([[80.0, 90.0], [70.0, 60.0]], [NAN, NAN], tolerance=5)
    assert deviations == [None, None]
    assert is_calibrated(deviations) is None


@pytest.mark.parametrize(
    ("total", "reference", "tolerance", "within"),
    [
        (90.0, 85.0, 5.0, True),  # |90 - 85| = 5 = tolerance: within
        (80.0, 85.0, 5.0, True),  # |80 - 85| = 5 = tolerance: within (either side)
        (90.0, 85.0, 4.9, False),  # 5 > 4.9
        (85.0, 85.0, 0.0, True),  # exact agreement with zero tolerance
        (85.5, 85.0, 0.0, False),  # 0.5 > 0
        # In binary floating point 75.2 - 70.1 = 5.1000000000000085 > 5.1, yet the decimal gap
        # is exactly 5.1: within.
        (75.2, 70.1, 5.1, True),
        (70.1, 75.2, 5.1, True),
        (70.4, 70.1, 0.3, True),  # 0.30000000000001137 in floats, 0.3 in decimals
        (85.1, 80.0, 5.1, True),  # 5.09999999999999... in floats: below either way
        (70.5, 70.1, 0.3, False),
    ],
)
def test_tolerance_boundary(total, reference, tolerance, within):
    (deviation,) = evaluator_deviations([[total]], [reference], tolerance=tolerance)
    assert deviation.within_tolerance is within
    assert share_within([[total]], [reference], tolerance=tolerance) == (1.0 if within else 0.0)


def test_mean_abs_equal_to_tolerance_is_within():
    # Deviations -2, +4, +6 -> mean |d| = 12/3 = 4 = tolerance, though one score is 6 away.
    (deviation,) = evaluator_deviations([[78, 84, 86]], [80, 80, 80], tolerance=4)
    assert deviation.mean_abs == 4.0
    assert deviation.max_abs == 6.0
    assert deviation.within_tolerance is True


def test_evaluator_deviations_of_empty_tables():
    assert evaluator_deviations(np.empty((0, 3)), [80.0, 80.0, 80.0], tolerance=5) == []
    assert evaluator_deviations(np.empty((2, 0)), [], tolerance=5) == [None, None]


def test_evaluator_deviations_are_plain_python_values():
    (deviation,) = evaluator_deviations(
        np.array([[80.0, 90.0]]), np.array([85.0, 80.0]), tolerance=5
    )
    assert type(deviation.n) is int
    assert all(type(v) is float for v in (deviation.mean_abs, deviation.bias, deviation.max_abs))
    assert type(deviation.within_tolerance) is bool


@pytest.mark.slow
@FAST
@given(session=sessions(boundary="mean"))
def test_evaluator_deviations_agree_with_pandas(session):
    table, reference, tolerance = session
    frame = pd.DataFrame(table)
    difference = frame.sub(pd.Series(reference), axis=1)  # NaN where either is missing
    count = difference.count(axis=1)
    mean_abs = difference.abs().mean(axis=1)
    bias = difference.mean(axis=1)
    max_abs = difference.abs().max(axis=1)
    deviations = evaluator_deviations(table, reference, tolerance=float(tolerance))
    assert len(deviations) == table.shape[0]
    for i, (deviation, exact_mean) in enumerate(
        zip(deviations, exact_mean_gaps(table, reference), strict=True)
    ):
        if count[i] == 0:
            assert deviation is None and exact_mean is None
            continue
        assert deviation.n == count[i]
        assert deviation.mean_abs == pytest.approx(mean_abs[i], abs=1e-9)
        assert deviation.bias == pytest.approx(bias[i], abs=1e-9)
        assert deviation.max_abs == pytest.approx(max_abs[i], abs=1e-9)
        assert abs(deviation.bias) <= deviation.mean_abs + 1e-9
        assert deviation.mean_abs <= deviation.max_abs + 1e-9
        # Within tolerance, decided in exact decimal arithmetic.
        assert deviation.within_tolerance is (exact_mean <= tolerance)


# --- is_calibrated --------------------------------------------------------------------------


def deviation(within: bool) -> EvaluatorDeviation:
    return EvaluatorDeviation(n=1, mean_abs=1.0, bias=1.0, max_abs=1.0, within_tolerance=within)


@pytest.mark.parametrize(
    ("deviations", "expected"),
    [
        ([], None),
        ([None, None], None),  # nobody has a deviation
        ([deviation(True)], True),
        ([deviation(True), None, deviation(True)], True),  # None is left out, not a failure
        ([deviation(True), deviation(False)], False),
        ([None, deviation(False)], False),
    ],
)
def test_is_calibrated_examples(deviations, expected):
    assert is_calibrated(deviations) is expected


@FAST
@given(st.lists(st.one_of(st.none(), st.booleans().map(deviation)), max_size=12))
def test_is_calibrated_iff_every_known_evaluator_within(deviations):
    known = [d.within_tolerance for d in deviations if d is not None]
    expected = None if not known else Counter(known)[False] == 0
    assert is_calibrated(deviations) is expected


@FAST
@given(session=sessions(boundary="mean"))
def test_is_calibrated_on_real_deviations(session):
    table, reference, tolerance = session
    verdicts = [m <= tolerance for m in exact_mean_gaps(table, reference) if m is not None]
    expected = all(verdicts) if verdicts else None
    deviations = evaluator_deviations(table, reference, tolerance=float(tolerance))
    assert is_calibrated(deviations) is expected


# --- share_within ---------------------------------------------------------------------------


def test_share_within_worked_example():
    totals = np.array([[80, 90, NAN], [85, 100, 84]])
    reference = np.array([85, 85, NAN])
    # Deviations: -5, +5, (none) / 0, +15, (no reference) -> 4 scores, 3 of them within 5.
    assert share_within(totals, reference, tolerance=5) == 0.75
    assert share_within(totals, reference, tolerance=15) == 1.0
    assert share_within(totals, reference, tolerance=4) == 0.25  # only the 0


def test_share_within_without_comparable_scores_is_none():
    assert share_within([[NAN, 80.0]], [85.0, NAN], tolerance=5) is None
    assert share_within(np.empty((0, 2)), [85.0, 85.0], tolerance=5) is None
    assert share_within(np.empty((2, 0)), [], tolerance=5) is None


@FAST
@given(session=sessions(boundary="score"))
def test_share_within_agrees_with_exact_count(session):
    table, reference, tolerance = session
    gaps = [g for row in table for g in exact_gaps(row, reference)]
    share = share_within(table, reference, tolerance=float(tolerance))
    if not gaps:
        assert share is None
        return
    assert 0.0 <= share <= 1.0
    assert share == pytest.approx(sum(g <= tolerance for g in gaps) / len(gaps))
    # pandas' count of comparable scores gives the same denominator.
    assert len(gaps) == pd.DataFrame(table).sub(pd.Series(reference), axis=1).count().sum()


@FAST
@given(data=totals_with_reference(), low=st.integers(0, 100), high=st.integers(0, 100))
def test_share_within_grows_with_tolerance(data, low, high):
    table, reference = data
    low, high = sorted((low, high))
    narrow = share_within(table, reference, tolerance=low)
    wide = share_within(table, reference, tolerance=high)
    if narrow is None:
        assert wide is None
    else:
        assert narrow <= wide


# --- majority -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "order", "expected"),
    [
        (["yes", "no", "yes"], (), "yes"),
        (["na", "na", "yes"], ["yes", "no", "na"], "na"),  # a clear majority beats the order
        (["no", "yes"], ["yes", "no", "na"], "yes"),  # tie: the form's order decides
        (["no", "yes"], (), "no"),  # tie, no order: the first given
        (["no", "yes", "yes", "no"], (), "no"),
        (["c", "b"], ["a"], "c"),  # tie, neither in the order: the first given
        (["x", "yes"], ["yes", "no"], "yes"),  # tie: one in the order beats one that is not
        (["3", "1", "1", "3", "2"], ["1", "2", "3", "na"], "1"),
        (("b", "a"), ("a", "b"), "a"),  # tuples work as well as lists
        ([4, 2, 4, 2], [2, 4], 2),
    ],
)
def test_majority_examples(values, order, expected):
    assert majority(values, order=order) == expected


@pytest.mark.parametrize("empty", [[], ()])
def test_majority_of_nothing_is_none(empty):
    assert majority(empty) is None
    assert majority(empty, order=["yes", "no"]) is None


ANSWERS = st.sampled_from(["yes", "no", "na", "1", "2", "3", "other"])


@FAST
@given(values=st.lists(ANSWERS, min_size=1, max_size=15))
def test_majority_without_order_is_the_first_mode(values):
    # multimode lists the modes in the order they are first met.
    assert majority(values) == statistics.multimode(values)[0]


@FAST
@given(
    values=st.lists(ANSWERS, min_size=1, max_size=15),
    order=st.lists(ANSWERS, unique=True, max_size=7),
)
def test_majority_with_order_agrees_with_counter(values, order):
    counts = Counter(values)
    modes = statistics.multimode(values)
    winner = majority(values, order=order)
    assert counts[winner] == max(counts.values())
    listed = [v for v in order if v in modes]
    if listed:
        assert winner == listed[0]  # the tied answer the form lists first
    else:
        assert winner == modes[0]  # none listed: the first given


def test_majority_tie_with_a_repeated_order_entry():
    # "a" comes first in the order, so it should win the tie with "b".
    assert majority(["b", "a"], order=["a", "b", "a"]) == "a"


# --- lower_median ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5], 5),
        ([3, 1, 2], 2),  # odd count: the middle one
        ([4, 1, 3, 2], 2),  # even count: 1 2 | 3 4 -> the lower middle 2, not 2.5
        ([10, 0], 0),
        ([2, 2, 7, 7], 2),
        ([1.5, 0.5, 2.5, 3.5], 1.5),
    ],
)
def test_lower_median_examples(values, expected):
    assert lower_median(values) == expected
    assert lower_median(values) == statistics.median_low(values)


@pytest.mark.parametrize("empty", [[], ()])
def test_lower_median_of_nothing_is_none(empty):
    assert lower_median(empty) is None


@FAST
@given(st.lists(st.integers(0, 10), min_size=1, max_size=20))
def test_lower_median_agrees_with_statistics(values):
    before = list(values)
    result = lower_median(values)
    assert result == statistics.median_low(values)
    assert result in values  # always a possible answer on the scale
    assert values == before  # the caller's list is left alone
    # At least half of the answers are at or below it, more than half at or above it.
    assert sum(v <= result for v in values) * 2 >= len(values)
    assert sum(v >= result for v in values) * 2 > len(values)


@FAST
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=20))
def test_lower_median_of_floats_agrees_with_statistics(values):
    assert lower_median(values) == statistics.median_low(values)


# --- dispute --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),
        (["yes"], 0.0),
        (["yes", "yes", "yes"], 0.0),
        (["yes", "yes", "no", "na"], 0.5),  # 2 of 4 differ from "yes": 1 - 2/4
        (["yes", "no"], 0.5),  # 1 - 1/2
        (["1", "2", "3"], 2 / 3),  # 1 - 1/3
        (["yes", "yes", "yes", "no"], 0.25),  # 1 - 3/4
    ],
)
def test_dispute_examples(values, expected):
    assert dispute(values) == pytest.approx(expected)


@FAST
@given(st.lists(ANSWERS, min_size=1, max_size=20))
def test_dispute_agrees_with_counter(values):
    mode = statistics.multimode(values)[0]
    expected = 1 - Counter(values)[mode] / len(values)
    result = dispute(values)
    assert result == pytest.approx(expected)
    assert 0.0 <= result <= 1 - 1 / len(values) + 1e-12
    assert (result == 0.0) is (len(set(values)) == 1)
    # The share of answers that differ from the majority answer.
    winner = majority(values)
    assert result == pytest.approx(sum(v != winner for v in values) / len(values))


# --- discussion_order -----------------------------------------------------------------------


def spread(mean: float, spread: float = 0.0) -> ContactSpread:
    return ContactSpread(
        n=2, mean=mean, low=mean - spread / 2, high=mean + spread / 2, spread=spread, sd=None
    )


def test_discussion_order_worked_example():
    spreads = [
        spread(80, 10),  # 0
        spread(60, 4),  # 1: the lowest mean -> first
        None,  # 2: unscored -> last
        spread(95, 2),  # 3: the highest mean -> second
        spread(75, 30),  # 4: widest spread, tied with 5 -> by index
        spread(70, 30),  # 5
    ]
    assert discussion_order(spreads) == [1, 3, 4, 5, 0, 2]


def test_discussion_order_from_totals():
    totals = np.array(
        [
            [50, 90, 70, NAN, 60],
            [70, 90, 72, NAN, 80],
        ]
    )
    # Means 60, 90, 71, -, 70; spreads 20, 0, 2, -, 20.
    # Lowest 60 (0), highest 90 (1), then spreads 20 (4) and 2 (2), then the unscored 3.
    assert discussion_order(contact_spreads(totals)) == [0, 1, 4, 2, 3]


def test_discussion_order_ties_on_means_go_to_the_first_contact():
    # All means equal: contact 0 counts as lowest, contact 1 as highest, then by spread.
    assert discussion_order([spread(80, 1), spread(80, 2), spread(80, 3)]) == [0, 1, 2]
    # Two lowest, two highest: the first of each.
    assert discussion_order([spread(90), spread(50), spread(90), spread(50)]) == [1, 0, 2, 3]


@pytest.mark.parametrize(
    ("spreads", "expected"),
    [
        ([], []),
        ([None], [0]),
        ([None, None, None], [0, 1, 2]),
        ([spread(70)], [0]),
        ([None, spread(70), None], [1, 0, 2]),
        ([spread(90), spread(40)], [1, 0]),
    ],
)
def test_discussion_order_small_cases(spreads, expected):
    assert discussion_order(spreads) == expected


SPREADS = st.lists(
    st.one_of(
        st.none(),
        st.builds(
            spread,
            st.integers(0, 20).map(lambda v: v * 5.0),
            st.integers(0, 6).map(lambda v: v * 5.0),
        ),
    ),
    max_size=12,
)


def check_discussion_order(spreads):
    order = discussion_order(spreads)
    assert sorted(order) == list(range(len(spreads)))  # a permutation of every contact
    scored = [i for i, s in enumerate(spreads) if s is not None]
    unscored = [i for i, s in enumerate(spreads) if s is None]
    assert order[len(scored) :] == unscored  # unscored contacts last, in their order
    if not scored:
        return
    means = pd.Series({i: spreads[i].mean for i in scored})
    assert spreads[order[0]].mean == means.min()
    assert order[0] == means.idxmin()  # the first of the lowest
    if len(scored) >= 2:
        assert spreads[order[1]].mean == means.drop(order[0]).max()
        assert order[1] == means.drop(order[0]).idxmax()
    rest = [spreads[i].spread for i in order[2 : len(scored)]]
    assert rest == sorted(rest, reverse=True)  # then from the widest spread down


@FAST
@given(SPREADS)
def test_discussion_order_properties(spreads):
    check_discussion_order(spreads)


@FAST
@given(table=totals_tables())
def test_discussion_order_properties_from_totals(table):
    spreads = contact_spreads(table)
    check_discussion_order(spreads)
    # The mean of the first contact is the lowest column mean, per pandas.
    means = pd.DataFrame(table).mean()
    if means.notna().any():
        order = discussion_order(spreads)
        assert spreads[order[0]].mean == pytest.approx(means.min(), abs=1e-9)
        if means.notna().sum() >= 2:
            assert spreads[order[1]].mean == pytest.approx(means.max(), abs=1e-9)


def test_a_yes_no_criterion_is_not_flagged_by_the_kappa_paradox():
    # Issue 14: 5 evaluators answer "yes" on 8 contacts, one "no" once. Agreement is 95% and
    # AC1 0.95, but alpha is about 0 because nearly everything is "yes": flag on AC1 only.
    answers = [["yes"] * 5 for _ in range(8)]
    answers[3][2] = "no"
    figures = criterion_figures(answers, level="nominal", yes_no=True)
    assert figures.agreement == pytest.approx(0.95)
    # By hand: pi_no = (1/5) / 8 = 0.025, p_e = 2 × 0.975 × 0.025 = 0.04875,
    # AC1 = (0.95 - 0.04875) / (1 - 0.04875).
    assert figures.ac1 == pytest.approx((0.95 - 0.04875) / (1 - 0.04875))
    assert abs(figures.alpha) < 0.01
    assert not figures.flagged
    # The family comes with intervals for every coefficient.
    assert figures.coefficients["ac1"].low < figures.ac1 < figures.coefficients["ac1"].high


def test_ordered_criteria_are_flagged_when_alpha_and_ac2_are_both_low():
    # A 1-5 scale where evaluators scatter: alpha and AC2 both low, so flagged.
    scattered = [[1, 5, 3], [5, 1, 2], [2, 4, 5], [4, 2, 1], [3, 5, 1]]
    assert criterion_figures(scattered, level="interval").flagged
    # Every contact a 4 or 5 and evaluators a point apart at most: exact agreement is low
    # (flagged on agreement) but the quadratic weights see near agreement.
    near = [[4, 5, 4], [5, 5, 4], [4, 4, 5], [5, 4, 5], [4, 4, 4]]
    figures = criterion_figures(near, level="interval", domain=[1, 2, 3, 4, 5])
    assert figures.weights == "quadratic"
    assert figures.ac1 > 0.9 and figures.alpha < figures.ac1
    assert figures.flagged  # agreement below 80%
    close = [[4, 4, 4], [5, 5, 5], [4, 4, 4], [5, 5, 4], [4, 4, 4], [5, 5, 5], [4, 4, 4]]
    figures = criterion_figures(close, level="interval", domain=[1, 2, 3, 4, 5])
    assert figures.agreement > 0.8
    assert not figures.flagged
