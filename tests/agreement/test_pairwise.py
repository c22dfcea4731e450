"""Two-rater agreement of an evaluator with the reference: Cohen's kappa and Gwet's AC1/AC2.

Oracle 1, published: the irrCAC README (K. L. Gwet, github.com/kgwet/irrCAC, README.md) on the
``cont3x3abstractors`` contingency table (100 subjects, 2 abstractors, 3 categories):
kappa2.table gives kappa 0.7964094, se 0.05891072, interval (0.68, 0.913); gwet.ac1.table gives
AC1 0.8493305, se 0.04321747, interval (0.764, 0.935). The irrCAC 1.0 reference manual's
example output of kappa2.table with quadratic weights gives weighted kappa 0.8921569.
Oracle 2: statsmodels.stats.inter_rater.cohens_kappa, value and ``std_kappa``. statsmodels'
variance is Fleiss, Cohen & Everitt's (1969) large-sample variance (for weighted kappa, the
SAS form of it). Gwet's two-rater variance is written differently, with
(p_a - 2 (1 - kappa) p_e)^2 where FCE have (kappa - p_e (1 - kappa))^2, but the two terms are
equal (p_a = kappa (1 - p_e) + p_e), and the per-cell terms are the same, so the two standard
errors agree for plain and weighted kappa alike; they are compared exactly.
Oracle 3: the ``agreement`` package (gwets_gamma, cohens_kappa = Conger's kappa, which is
Cohen's for two raters) for AC1/AC2 and kappa values with linear, quadratic and ordinal
weights.
Oracle 4: the delta method, computed numerically here: the coefficient as a function of the
cell shares, its finite-difference gradient g, and var = (sum p g^2 - (sum p g)^2) / n (the
multinomial covariance). Gwet's linearised variance is this delta-method variance; it covers
the AC2 standard error, which no installed package computes.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from qalibrate.agreement.pairwise import (
    PairEstimate,
    pairwise_against_reference,
    pairwise_agreement,
)
from qalibrate.agreement.ratings import AgreementError

inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
metrics = pytest.importorskip("agreement.metrics")
kernels = pytest.importorskip("agreement.utils.kernels")

ABSTRACTORS = ["Ectopic", "AIU", "NIU"]
# irrCAC's cont3x3abstractors: rows abstractor 1, columns abstractor 2.
CONT3X3 = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])

KERNELS = {
    "identity": kernels.identity_kernel,
    "linear": kernels.linear_kernel,
    "quadratic": kernels.quadratic_kernel,
    "ordinal": kernels.ordinal_kernel,
}


def answers_from_table(table, categories):
    """Unit-level answers (evaluator, reference) that make up a contingency table."""
    first, second = [], []
    for mine, row in enumerate(np.asarray(table)):
        for theirs, count in enumerate(row):
            first += [categories[mine]] * int(count)
            second += [categories[theirs]] * int(count)
    return first, second


def test_irrcac_readme_cont3x3abstractors():
    evaluator, reference = answers_from_table(CONT3X3, ABSTRACTORS)
    result = pairwise_agreement(evaluator, reference, categories=ABSTRACTORS)
    kappa, ac1 = result["cohen_kappa"], result["ac1"]
    assert isinstance(kappa, PairEstimate)
    assert kappa.n == ac1.n == 100
    assert kappa.value == pytest.approx(0.7964094, abs=5e-8)
    assert kappa.se == pytest.approx(0.05891072, abs=5e-9)
    assert (round(kappa.low, 3), round(kappa.high, 3)) == (0.68, 0.913)
    assert ac1.value == pytest.approx(0.8493305, abs=5e-8)
    assert ac1.se == pytest.approx(0.04321747, abs=5e-9)
    assert (round(ac1.low, 3), round(ac1.high, 3)) == (0.764, 0.935)
    assert kappa.confidence == ac1.confidence == 0.95


def test_irrcac_quadratic_weighted_kappa():
    evaluator, reference = answers_from_table(CONT3X3, ABSTRACTORS)
    result = pairwise_agreement(evaluator, reference, categories=ABSTRACTORS, weights="quadratic")
    assert result["cohen_kappa"].value == pytest.approx(0.8921569, abs=5e-8)


def statsmodels_kappa(table, weights):
    """statsmodels' kappa; its 2-D weights are disagreements, 1 - Gwet's agreement weights."""
    q = len(table)
    if weights == "identity":
        return inter_rater.cohens_kappa(table)
    agreement_weights = gwet_weights(weights, q)
    return inter_rater.cohens_kappa(table, weights=1 - agreement_weights)


def gwet_weights(kind, q):
    kernel = KERNELS[kind]
    return np.array([[kernel(row, col, q) for col in range(q)] for row in range(q)])


@st.composite
def contingency_tables(draw, min_categories=2, max_categories=5):
    q = draw(st.integers(min_categories, max_categories))
    cells = draw(st.lists(st.integers(0, 12), min_size=q * q, max_size=q * q))
    table = np.array(cells).reshape(q, q)
    # Lean towards agreement, as real evaluators do.
    table[np.diag_indices(q)] += draw(st.lists(st.integers(0, 20), min_size=q, max_size=q))
    table[0, 0] += max(0, 2 - table.sum())  # at least two units
    return table


# statsmodels divides by zero on its way to kappa_max and the null variance, which are not used.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(table=contingency_tables(), weights=st.sampled_from(list(KERNELS)))
def test_kappa_and_its_standard_error_against_statsmodels(table, weights):
    categories = list(range(1, len(table) + 1))
    evaluator, reference = answers_from_table(table, categories)
    ours = pairwise_agreement(evaluator, reference, categories=categories, weights=weights)
    theirs = statsmodels_kappa(table, weights)
    if "cohen_kappa" not in ours:
        # Only when chance agreement is 1: both raters used one and the same category.
        assert np.count_nonzero(table) == 1 and np.trace(table) == table.sum()
        return
    assert ours["cohen_kappa"].value == pytest.approx(theirs.kappa, rel=1e-9, abs=1e-12)
    if np.isnan(theirs.std_kappa):
        # statsmodels takes the root of a variance that rounding made slightly negative
        # (perfect agreement); ours stops at 0.
        assert ours["cohen_kappa"].se == pytest.approx(0, abs=1e-7)
    else:
        # Near perfect agreement the variance is within rounding of zero, and both roots of it
        # are rounding noise (seen: 2.5e-8 against 1.7e-8); 1e-7 is far below any SE reported.
        assert ours["cohen_kappa"].se == pytest.approx(theirs.std_kappa, rel=1e-7, abs=1e-7)
    assert ours["cohen_kappa"].n == table.sum()


def count_matrix(table):
    """The agreement package's input: units x categories counts (2 ratings per unit)."""
    q = len(table)
    rows = []
    for mine in range(q):
        for theirs in range(q):
            unit = np.zeros(q)
            unit[mine] += 1
            unit[theirs] += 1
            rows += [unit] * int(table[mine, theirs])
    return np.array(rows)


def rater_matrix(table):
    """Raters x categories counts, for the agreement package's cohens_kappa."""
    return np.vstack([table.sum(axis=1), table.sum(axis=0)]).astype(float)


@settings(max_examples=60, deadline=None)
@given(table=contingency_tables(), weights=st.sampled_from(list(KERNELS)))
def test_ac1_ac2_and_kappa_values_against_the_agreement_package(table, weights):
    categories = list(range(1, len(table) + 1))  # evenly spaced, as the package assumes
    evaluator, reference = answers_from_table(table, categories)
    ours = pairwise_agreement(evaluator, reference, categories=categories, weights=weights)
    counts = count_matrix(table)
    gamma = metrics.gwets_gamma(counts, weights_kernel=KERNELS[weights])
    assert ours["ac1"].value == pytest.approx(gamma, rel=1e-9, abs=1e-12)
    if "cohen_kappa" in ours:
        kappa = metrics.cohens_kappa(counts, rater_matrix(table), weights_kernel=KERNELS[weights])
        assert ours["cohen_kappa"].value == pytest.approx(kappa, rel=1e-9, abs=1e-12)


def kappa_from_shares(p, w):
    row, col = p.sum(axis=1), p.sum(axis=0)
    pa, pe = (w * p).sum(), row @ w @ col
    return (pa - pe) / (1 - pe)


def ac_from_shares(p, w):
    q = len(p)
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    pa = (w * p).sum()
    pe = w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum()
    return (pa - pe) / (1 - pe)


def delta_method_se(coefficient, table, w, step=1e-6):
    n = table.sum()
    p = table / n
    gradient = np.zeros_like(p)
    for index in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[index] += step
        down[index] -= step
        gradient[index] = (coefficient(up, w) - coefficient(down, w)) / (2 * step)
    variance = (p * gradient**2).sum() - ((p * gradient).sum()) ** 2
    return np.sqrt(max(variance, 0) / n)


@settings(max_examples=40, deadline=None)
@given(table=contingency_tables(), weights=st.sampled_from(list(KERNELS)))
def test_standard_errors_are_the_delta_method(table, weights):
    categories = list(range(1, len(table) + 1))
    evaluator, reference = answers_from_table(table, categories)
    ours = pairwise_agreement(evaluator, reference, categories=categories, weights=weights)
    w = gwet_weights(weights, len(table))
    assert ours["ac1"].se == pytest.approx(
        delta_method_se(ac_from_shares, table, w), rel=1e-5, abs=1e-7
    )
    if "cohen_kappa" in ours:
        expected = delta_method_se(kappa_from_shares, table, w)
        assert ours["cohen_kappa"].se == pytest.approx(expected, rel=1e-5, abs=1e-7)


def test_interval_is_value_plus_minus_t_times_se():
    evaluator, reference = answers_from_table(CONT3X3, ABSTRACTORS)
    for confidence in (0.8, 0.99):
        result = pairwise_agreement(evaluator, reference, confidence=confidence)
        for estimate in result.values():
            t = stats.t.ppf((1 + confidence) / 2, 99)
            assert estimate.low == pytest.approx(estimate.value - t * estimate.se, rel=1e-12)
            assert estimate.high == pytest.approx(estimate.value + t * estimate.se, rel=1e-12)
            assert estimate.confidence == confidence


def test_missing_answers_are_dropped_pairwise():
    evaluator = ["yes", None, "no", "yes", "", "no", float("nan"), "yes"]
    reference = ["yes", "no", None, "yes", "yes", "no", "no", "no"]
    result = pairwise_agreement(evaluator, reference)
    complete = pairwise_agreement(["yes", "yes", "no", "yes"], ["yes", "yes", "no", "no"])
    assert result == complete
    assert result["ac1"].n == 4


def test_numbers_as_arrays_or_lists_give_the_same_answer():
    evaluator = [3, 2, 5, np.nan, 4, 4, 1, 2]
    reference = [3, 3, 5, 2, 4, 5, 1, 1]
    from_lists = pairwise_agreement(evaluator, reference, weights="linear")
    from_arrays = pairwise_agreement(np.array(evaluator), np.array(reference), weights="linear")
    with_none = pairwise_agreement([3, 2, 5, None, 4, 4, 1, 2], reference, weights="linear")
    assert from_lists == from_arrays == with_none
    assert from_lists["ac1"].n == 7


def test_categories_default_to_every_answer_given():
    # The 4 in the unit the reference left blank still shows it is a possible answer, so AC1
    # counts q = 4 categories, as if they had been listed.
    evaluator = [1, 2, 3, 1, 2, 4]
    reference = [1, 2, 3, 2, 2, None]
    found = pairwise_agreement(evaluator, reference)
    listed = pairwise_agreement(evaluator, reference, categories=[1, 2, 3, 4])
    assert found == listed
    only_three = pairwise_agreement(evaluator, reference, categories=[1, 2, 3, 4, 5])
    assert only_three["ac1"].value != found["ac1"].value  # unused categories count in AC1
    assert only_three["cohen_kappa"].value == pytest.approx(found["cohen_kappa"].value)


def test_linear_weights_use_the_category_values():
    # On the scale 1, 2, 10, answering 1 for 2 is a small disagreement (1/9 of the range);
    # as mere labels in that order, it would be half the range.
    evaluator = [1, 2, 2, 1, 10, 10, 2, 1]
    reference = [2, 1, 2, 1, 10, 2, 2, 2]
    by_value = pairwise_agreement(evaluator, reference, weights="linear")
    labels = ["1", "2", "10"]
    by_rank = pairwise_agreement(
        [str(v) for v in evaluator],
        [str(v) for v in reference],
        categories=labels,
        weights="linear",
    )
    table = np.zeros((3, 3))
    for a, b in zip(evaluator, reference, strict=True):
        table[[1, 2, 10].index(a), [1, 2, 10].index(b)] += 1
    # statsmodels' linear weights from the scores themselves.
    theirs = inter_rater.cohens_kappa(table, weights=np.array([1, 2, 10]), wt="linear")
    assert by_value["cohen_kappa"].value == pytest.approx(theirs.kappa, rel=1e-12)
    assert by_value["cohen_kappa"].se == pytest.approx(theirs.std_kappa, rel=1e-9)
    assert by_rank["cohen_kappa"].value != pytest.approx(by_value["cohen_kappa"].value)


def test_kappa_is_left_out_when_everyone_gives_the_same_answer():
    # The kappa paradox: full agreement on "yes" leaves kappa 0/0, while AC1 is 1.
    result = pairwise_agreement(["yes"] * 5, ["yes"] * 5, categories=["yes", "no"])
    assert "cohen_kappa" not in result
    assert result["ac1"].value == 1
    assert result["ac1"].se == 0
    assert result["ac1"].low == result["ac1"].high == 1


def test_nothing_defined_raises():
    with pytest.raises(AgreementError, match="same single answer.*categories"):
        pairwise_agreement(["yes"] * 5, ["yes"] * 5)


@pytest.mark.parametrize(
    ("evaluator", "reference", "count"),
    [(["a"], ["a"], "is 1"), (["a", None], [None, "b"], "are 0"), ([], [], "are 0")],
)
def test_fewer_than_two_units_raise(evaluator, reference, count):
    with pytest.raises(AgreementError, match=f"at least two units.*{count}"):
        pairwise_agreement(evaluator, reference, categories=["a", "b"])


def test_perfect_agreement_has_a_zero_width_interval():
    result = pairwise_agreement(["a", "b", "a", "c"], ["a", "b", "a", "c"])
    for estimate in result.values():
        assert estimate.value == pytest.approx(1)
        assert estimate.se == pytest.approx(0, abs=1e-12)
        assert estimate.high == 1


def test_interval_is_cut_to_minus_one_and_one():
    # Two units, total disagreement: kappa -1; t on 1 degree of freedom is 12.7.
    result = pairwise_agreement(["a", "b", "a"], ["b", "a", None])
    kappa = result["cohen_kappa"]
    assert kappa.value == pytest.approx(-1)
    assert kappa.low == -1
    assert kappa.high <= 1
    ac1 = pairwise_agreement(["a", "b", "a", "b"], ["a", "a", "b", "b"])["ac1"]
    assert -1 <= ac1.low < ac1.value < ac1.high <= 1
    assert ac1.low == -1


@pytest.mark.parametrize(
    ("evaluator", "reference", "options", "reason"),
    [
        (["a", "b"], ["a"], {}, "same units"),
        (["a", "x"], ["a", "b"], {"categories": ["a", "b"]}, "'x' is not one of the categories"),
        (["a", "b"], ["a", "b"], {"categories": ["a", "b", "a"]}, "twice"),
        (["a", "b"], ["a", "b"], {"weights": "cubic"}, "weights must be one of"),
        (["a", "b"], ["a", "b"], {"weights": np.eye(2)}, "weights must be one of"),
        ([3, 1], [1, 3], {"weights": "linear", "categories": [3, 2, 1]}, "ascending"),
        (["a", "b"], ["a", "b"], {"confidence": 95}, "confidence"),
        ([[1, 2], [3, 4]], [1, 2], {}, "one answer per unit"),
        ([(1, 2), (3, 4)], [1, 2], {}, "one answer per unit"),
        ([1.0, float("inf")], [1.0, 2.0], {}, "infinity"),
    ],
)
def test_bad_input_raises(evaluator, reference, options, reason):
    with pytest.raises(AgreementError, match=reason):
        pairwise_agreement(evaluator, reference, **options)


def test_words_with_ordinal_weights_follow_the_categories_order():
    scale = ["poor", "fair", "good", "excellent"]
    evaluator = ["poor", "fair", "good", "excellent", "good", "fair"]
    reference = ["fair", "fair", "good", "good", "excellent", "poor"]
    ours = pairwise_agreement(evaluator, reference, categories=scale, weights="ordinal")
    table = np.zeros((4, 4))
    for a, b in zip(evaluator, reference, strict=True):
        table[scale.index(a), scale.index(b)] += 1
    gamma = metrics.gwets_gamma(count_matrix(table), weights_kernel=kernels.ordinal_kernel)
    assert ours["ac1"].value == pytest.approx(gamma, rel=1e-12)
    theirs = statsmodels_kappa(table, "ordinal")
    assert ours["cohen_kappa"].value == pytest.approx(theirs.kappa, rel=1e-12)
    assert ours["cohen_kappa"].se == pytest.approx(theirs.std_kappa, rel=1e-9)


def test_every_evaluator_at_once_matches_one_at_a_time():
    rng = np.random.default_rng(8)
    options = ["poor", "fair", "good", None]
    panel = rng.choice(options, size=(9, 6), p=[0.3, 0.3, 0.3, 0.1]).tolist()
    panel = [[row[0], *row[1:5], None] for row in panel]  # the last evaluator answered nothing
    reference = rng.choice(options[:3], size=9).tolist()
    together = pairwise_against_reference(
        panel, reference, categories=options[:3], weights="ordinal"
    )
    assert together[-1] is None
    for evaluator, result in enumerate(together[:-1]):
        alone = pairwise_agreement(
            [row[evaluator] for row in panel], reference, categories=options[:3], weights="ordinal"
        )
        assert result == alone
