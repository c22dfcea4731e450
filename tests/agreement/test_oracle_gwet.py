"""Fleiss' kappa and Gwet's AC1 on random tables with missing ratings, against two oracles.

Oracle 1, a package: ``agreement`` 0.1.2 (W. Włodarczyk, github.com/heolin123/agreement; pure
Python on numpy, so it installs on every CPython from 3.11 to 3.14). Its ``gwets_gamma`` is
Gwet's AC1 and its ``scotts_pi`` is Fleiss' kappa (Fleiss' kappa is Scott's pi for many raters),
both on a units x categories count table. ``scotts_pi`` takes its category shares from the units
with two or more ratings only, so it is compared on tables where no unit is rated just once.

Oracle 2, a formula: ``handbook`` below, a plain loop over units written straight from
K. L. Gwet (2014), "Handbook of Inter-Rater Reliability", 4th ed., ch. 2 (Fleiss' kappa and
AC1 for multiple raters with missing ratings), the formulas irrCAC's ``CAC.fleiss()`` and
``CAC.gwet()`` implement. It covers what ``scotts_pi`` cannot: units rated once, which count
in the category shares but not in the observed agreement.

irrCAC itself was the oracle until it pinned scipy 1.12, which has no wheels for Python 3.13+.
Its published figures on Gwet's 4 raters x 12 units stay as tests (test_published.py), and
both oracles reproduce them below. Fleiss' kappa on complete panels is also checked against
statsmodels (test_oracle_statsmodels.py).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement import AgreementError, fleiss_kappa, gwet_ac1
from tests.agreement.strategies import distinct_values, rating_tables, ratings_per_unit
from tests.agreement.test_published import KRIPPENDORFF_2011

metrics = pytest.importorskip("agreement.metrics")

pytestmark = pytest.mark.filterwarnings("ignore")  # the oracles' 0/0 on degenerate tables


def count_table(table, categories=None):
    """Units x categories counts (r_ik in Gwet's notation) of the units with any rating."""
    present = table[~np.isnan(table)]
    categories = np.unique(present) if categories is None else np.asarray(categories, float)
    counts = np.array([[np.sum(row == c) for c in categories] for row in table], dtype=float)
    return counts[counts.sum(axis=1) > 0]


def handbook(table, coefficient, categories=None):
    """Gwet (2014), ch. 2, with r_ik the raters putting unit i in category k, r_i = sum_k r_ik:

    p_a = (1/n') sum over the n' units with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))
    pi_k = (1/n) sum over the n units with r_i >= 1 of r_ik / r_i
    Fleiss: p_e = sum_k pi_k^2;  AC1: p_e = sum_k pi_k (1 - pi_k) / (q - 1), q categories
    coefficient = (p_a - p_e) / (1 - p_e); None where it is undefined.
    """
    counts = count_table(table, categories)
    q = counts.shape[1]
    agreement = []
    shares = np.zeros(q)
    for r_ik in counts:
        r_i = r_ik.sum()
        shares += r_ik / r_i
        if r_i >= 2:
            agreement.append(sum(r * (r - 1) for r in r_ik) / (r_i * (r_i - 1)))
    if not agreement:
        return None
    p_a = sum(agreement) / len(agreement)
    pi = shares / len(counts)
    if coefficient == "fleiss":
        p_e = sum(p**2 for p in pi)
    elif q < 2:
        return None
    else:
        p_e = sum(p * (1 - p) for p in pi) / (q - 1)
    if p_e >= 1 - 1e-12:
        return None
    return (p_a - p_e) / (1 - p_e)


@settings(max_examples=80, deadline=None)
@given(table=rating_tables(st.integers(1, 5)))
def test_gwet_ac1(table):
    expected = handbook(table, "ac1")
    if expected is None:
        with pytest.raises(AgreementError):
            gwet_ac1(table)
        return
    assert gwet_ac1(table) == pytest.approx(expected, abs=1e-9)
    assert gwet_ac1(table) == pytest.approx(metrics.gwets_gamma(count_table(table)), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(st.integers(1, 3)))
def test_gwet_ac1_with_unused_categories(table):
    # Gwet's chance agreement counts every possible category, used or not (q = 5 here).
    domain = [1, 2, 3, 4, 5]
    expected = handbook(table, "ac1", categories=domain)
    if expected is None:
        return  # no unit rated twice
    assert gwet_ac1(table, domain=domain) == pytest.approx(expected, abs=1e-9)
    counts = count_table(table, categories=domain)
    assert gwet_ac1(table, domain=domain) == pytest.approx(metrics.gwets_gamma(counts), abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(table=rating_tables(st.integers(1, 5)))
def test_fleiss_kappa_with_units_rated_once(table):
    expected = handbook(table, "fleiss")
    if expected is None:
        with pytest.raises(AgreementError):
            fleiss_kappa(table)
        return
    assert fleiss_kappa(table) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(st.integers(1, 5)))
def test_fleiss_kappa_against_scotts_pi(table):
    # Keep only units with two or more ratings, where scotts_pi's shares are Gwet's.
    table = table[ratings_per_unit(table) >= 2]
    if not len(table) or distinct_values(table) < 2:
        return  # undefined; test_fleiss_kappa_with_units_rated_once covers the error
    expected = metrics.scotts_pi(count_table(table))
    assert fleiss_kappa(table) == pytest.approx(expected, abs=1e-9)


def test_both_oracles_reproduce_the_published_example():
    # irrCAC's documentation (module docstring of irrCAC.raw, irrCAC 0.4.4) on Gwet's 4 raters x
    # 12 units (see test_published.py): AC1 0.77544, Fleiss' kappa 0.76117. Unit 12 is rated
    # once: it counts in Gwet's shares, so scotts_pi, which leaves it out, agrees only without it.
    assert handbook(KRIPPENDORFF_2011, "ac1") == pytest.approx(0.77544, abs=5e-6)
    assert metrics.gwets_gamma(count_table(KRIPPENDORFF_2011)) == pytest.approx(0.77544, abs=5e-6)
    assert handbook(KRIPPENDORFF_2011, "fleiss") == pytest.approx(0.76117, abs=5e-6)
    eleven = count_table(KRIPPENDORFF_2011[:11])
    assert metrics.scotts_pi(eleven) == pytest.approx(handbook(KRIPPENDORFF_2011[:11], "fleiss"))
    assert fleiss_kappa(KRIPPENDORFF_2011) == pytest.approx(0.76117, abs=5e-6)
