"""The agreement family with standard errors: published values and an independent package.

Published: the irrCAC README (K. L. Gwet, github.com/kgwet/irrCAC, README.md, section
"Computing agreement coefficients from raw ratings"), which prints, for Gwet's 12 units × 4
raters dataset ``cac.raw4raters`` (Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed.,
table 2.13), every coefficient with its standard error and 95% interval; and the section
"... from the distribution of raters by subject & category" (``distrib.6raters``, 15
psychiatric patients × 6 raters).

Package: ``agreement`` 0.1.2 (pure Python on numpy; installs on CPython 3.11-3.14), whose
``gwets_gamma``, ``scotts_pi``, ``s_score`` and ``krippendorffs_alpha`` take a units ×
categories count table and a weights kernel. It drops units rated once before computing
category shares, so it is compared on tables where every unit has two or more ratings.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement import AgreementError, krippendorff_alpha
from qalibrate.agreement.coefficients import COEFFICIENTS, agreement_coefficients
from tests.agreement.strategies import rating_tables
from tests.agreement.test_published import FLEISS_1971_COUNTS, KRIPPENDORFF_2011

N = np.nan
# cac.raw4raters (irrCAC README; Gwet 2014, table 2.13): Krippendorff's (2011) data, but the
# single rating of unit 12 is the third rater's.
RAW_4_RATERS = [*KRIPPENDORFF_2011[:11].tolist(), [N, N, 3, N]]
# irrCAC README: coefficient, standard error and printed 95% interval (rounded to 3 places).
PUBLISHED_4_RATERS = {
    "percent_agreement": (0.8181818, 0.12561, (0.542, 1)),
    "ac1": (0.77544, 0.14295, (0.461, 1)),
    "fleiss_kappa": (0.76117, 0.15302, (0.424, 1)),
    "krippendorff_alpha": (0.74342, 0.14548, (0.423, 1)),
    "conger_kappa": (0.76282, 0.14917, (0.435, 1)),
    "brennan_prediger": (0.77273, 0.14472, (0.454, 1)),
}
# distrib.6raters: raters per category (Depression, Personality disorder, Schizophrenia,
# Neurosis, Other) for each of 15 patients (irrCAC README): the first 15 of Fleiss (1971).
DISTRIB_6_RATERS = FLEISS_1971_COUNTS[:15]
PUBLISHED_6_RATERS = {  # gwet.ac1.dist, fleiss.kappa.dist, bp.coeff.dist
    "ac1": (0.4448007, 0.08418757, (0.264, 0.625)),
    "fleiss_kappa": (0.4139265, 0.08119291, (0.24, 0.588)),
    "brennan_prediger": (0.4388889, 0.08312142, (0.261, 0.617)),
}


def test_gwet_four_raters_as_published():
    found = agreement_coefficients(RAW_4_RATERS, interval="gwet")
    assert set(found) == set(COEFFICIENTS)
    for name, (value, se, (low, high)) in PUBLISHED_4_RATERS.items():
        assert found[name].value == pytest.approx(value, abs=5e-6), name
        assert found[name].se == pytest.approx(se, abs=5e-6), name
        assert round(found[name].low, 3) == low, name
        assert found[name].high == high, name
        assert found[name].n == 12


def test_six_raters_as_published():
    ratings = [sum(([k] * count for k, count in enumerate(row)), []) for row in DISTRIB_6_RATERS]
    found = agreement_coefficients(ratings, categories=range(5), interval="gwet")
    for name, (value, se, (low, high)) in PUBLISHED_6_RATERS.items():
        assert found[name].value == pytest.approx(value, abs=1e-7), name
        assert found[name].se == pytest.approx(se, abs=1e-7), name
        assert (round(found[name].low, 3), round(found[name].high, 3)) == (low, high), name


def test_the_product_intervals():
    found = agreement_coefficients(RAW_4_RATERS)
    gwet = agreement_coefficients(RAW_4_RATERS, interval="gwet")
    # Weighted percent agreement: Gwet's t interval.
    weighted = agreement_coefficients(RAW_4_RATERS, weights="linear")["percent_agreement"]
    assert weighted.low == pytest.approx(
        weighted.value - 2.200985 * weighted.se,
        abs=1e-5,  # t(0.975, 11)
    )
    # Unweighted percent agreement, AC1 and Brennan-Prediger on Fisher's z scale:
    # tanh(atanh(v) ± t(11) se / (1 - v²)), worked from the published value and error.
    for name in ("percent_agreement", "ac1", "brennan_prediger"):
        value, se, _ = PUBLISHED_4_RATERS[name]
        margin = 2.200985 * se / (1 - value**2)  # t(0.975, 11)
        expected = np.tanh(np.arctanh(value) - margin), np.tanh(np.arctanh(value) + margin)
        assert (found[name].low, found[name].high) == pytest.approx(expected, abs=1e-4), name
        assert found[name].low < gwet[name].low and found[name].high < 1, name
    # Kappa and alpha: the jackknife, here a little narrower than Gwet's interval.
    for name in ("fleiss_kappa", "conger_kappa", "krippendorff_alpha"):
        assert -1 <= found[name].low < found[name].value < found[name].high <= 1


def test_one_disagreement_gives_a_finite_interval():
    # All "yes" but one "no" on one contact: leaving that contact out gives AC1 = 1, which
    # must not blow the interval up to [-1, 1].
    answers = [["yes"] * 5 for _ in range(8)]
    answers[3][2] = "no"
    ac1 = agreement_coefficients(answers, categories=["yes", "no"])["ac1"]
    assert 0.3 < ac1.low < ac1.value < ac1.high < 1


def test_finite_population_correction_shrinks_the_standard_error():
    infinite = agreement_coefficients(RAW_4_RATERS, interval="gwet")["ac1"]
    finite = agreement_coefficients(RAW_4_RATERS, interval="gwet", population=24)["ac1"]
    # v(N) = (1 - n / N) v(inf): with n = 12 of N = 24 the variance halves.
    assert finite.se == pytest.approx(infinite.se * np.sqrt(0.5))
    with pytest.raises(AgreementError, match="population"):
        agreement_coefficients(RAW_4_RATERS, population=5)


def counts(table, categories):
    return np.array([[np.sum(row == c) for c in categories] for row in table], dtype=float)


KERNELS = {"identity": "identity_kernel", "linear": "linear_kernel"}
KERNELS |= {"quadratic": "quadratic_kernel", "ordinal": "ordinal_kernel"}
ORACLE = {
    "ac1": "gwets_gamma",
    "fleiss_kappa": "scotts_pi",
    "brennan_prediger": "s_score",
    "krippendorff_alpha": "krippendorffs_alpha",
    "percent_agreement": "observed_agreement",
}


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(table=rating_tables(min_raters=2, max_raters=6), weights=st.sampled_from(list(KERNELS)))
@pytest.mark.filterwarnings("ignore")
def test_values_match_the_agreement_package(table, weights):
    metrics = pytest.importorskip("agreement.metrics")
    kernels = pytest.importorskip("agreement.utils.kernels")
    table = table[(~np.isnan(table)).sum(axis=1) >= 2]
    categories = list(range(5))
    if len(table) < 2:
        return
    try:
        found = agreement_coefficients(table, categories=categories, weights=weights)
    except AgreementError:
        return
    matrix = counts(table, categories)
    kernel = getattr(kernels, KERNELS[weights])
    for name, oracle in ORACLE.items():
        if name not in found:
            continue
        expected = getattr(metrics, oracle)(matrix, weights_kernel=kernel)
        assert found[name].value == pytest.approx(expected, abs=1e-9), (name, weights)


@settings(max_examples=80, deadline=None)
@given(table=rating_tables(min_raters=2, max_raters=6))
def test_alpha_with_identity_and_quadratic_weights_is_krippendorffs(table):
    try:
        nominal = krippendorff_alpha(table, "nominal")
        interval = krippendorff_alpha(table, "interval")
    except AgreementError:
        return
    values = sorted(np.unique(table[~np.isnan(table)]).tolist())
    found = agreement_coefficients(table, categories=values, weights="identity")
    assert found["krippendorff_alpha"].value == pytest.approx(nominal, abs=1e-9)
    found = agreement_coefficients(table, categories=values, weights="quadratic")
    assert found["krippendorff_alpha"].value == pytest.approx(interval, abs=1e-9)


def test_weights_give_credit_for_near_answers():
    # Evaluators one point apart on a 1-5 scale: unweighted they never agree, weighted nearly.
    table = [[4, 5, 4], [2, 3, 2], [5, 5, 4], [1, 2, 1], [3, 3, 4]]
    plain = agreement_coefficients(table, categories=[1, 2, 3, 4, 5])
    near = agreement_coefficients(table, categories=[1, 2, 3, 4, 5], weights="quadratic")
    assert near["krippendorff_alpha"].value > 0.8 > plain["krippendorff_alpha"].value
    assert near["ac1"].value > plain["ac1"].value


def test_undefined_coefficients_are_left_out_and_bad_choices_are_errors():
    everyone_yes = [["yes"] * 4 for _ in range(6)]
    found = agreement_coefficients(everyone_yes, categories=["yes", "no"])
    assert "fleiss_kappa" not in found and "krippendorff_alpha" not in found
    assert found["ac1"].value == 1.0 and found["percent_agreement"].value == 1.0
    with pytest.raises(AgreementError, match="unknown coefficient 'kappa'"):
        agreement_coefficients(RAW_4_RATERS, coefficients=["kappa"])
    with pytest.raises(AgreementError, match="weights must be one of"):
        agreement_coefficients(RAW_4_RATERS, weights="cubic")
    with pytest.raises(AgreementError, match="interval must be one of"):
        agreement_coefficients(RAW_4_RATERS, interval="bca")
    with pytest.raises(AgreementError, match="confidence"):
        agreement_coefficients(RAW_4_RATERS, confidence=95)
    with pytest.raises(AgreementError, match="two raters"):
        agreement_coefficients([[1, N], [2, N]])


def test_large_panels_use_gwets_interval():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, size=(500, 1))
    table = np.where(rng.random((500, 4)) < 0.8, truth, rng.integers(0, 3, size=(500, 4)))
    product = agreement_coefficients(table)
    gwet = agreement_coefficients(table, interval="gwet")
    assert product["fleiss_kappa"].low == pytest.approx(gwet["fleiss_kappa"].low)


def test_perfect_agreement_on_the_pairs_with_few_pairs_keeps_gwets_interval():
    # Every pair agrees, but two of five contacts have one answer only: AC1 = 1 with a
    # standard error from the pairability (Gwet's linearisation). Fisher's z cannot take 1,
    # so the interval is Gwet's t interval, 1 - t(4) se to 1, not [-1, 1].
    answers = [["yes", "yes"], ["no", "no"], ["yes", "yes"], ["yes", None], [None, "no"]]
    ac1 = agreement_coefficients(answers, categories=["yes", "no"])["ac1"]
    assert ac1.value == 1.0 and ac1.se > 0
    assert ac1.low == pytest.approx(1 - 2.776445 * ac1.se)  # t(0.975, 4)
    assert ac1.high == 1.0
