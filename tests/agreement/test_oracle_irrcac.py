"""Fleiss' kappa and Gwet's AC1 against irrCAC (``irrCAC.raw.CAC``) on random tables."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement import AgreementError, fleiss_kappa, gwet_ac1
from tests.agreement.strategies import distinct_values, rating_tables, ratings_per_unit
from tests.agreement.test_published import KRIPPENDORFF_2011

pd = pytest.importorskip("pandas")
irrcac_raw = pytest.importorskip("irrCAC.raw")

pytestmark = pytest.mark.filterwarnings("ignore")  # irrCAC's pandas and 0/0 warnings


def irrcac(table, method, categories=None):
    # digits: irrCAC rounds its results, to 5 digits by default.
    cac = irrcac_raw.CAC(pd.DataFrame(table), categories=categories, digits=15)
    return float(getattr(cac, method)()["est"]["coefficient_value"])


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(st.integers(1, 5)))
def test_gwet_ac1(table):
    counts = ratings_per_unit(table)
    if not (counts >= 2).any() or distinct_values(table) < 2:
        with pytest.raises(AgreementError):
            gwet_ac1(table)
        return
    if (counts >= 1).sum() < 2:
        return  # irrCAC divides by (n - 1) for its standard error and fails with one unit
    assert gwet_ac1(table) == pytest.approx(irrcac(table, "gwet"), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(st.integers(1, 3)))
def test_gwet_ac1_with_unused_categories(table):
    # Gwet's chance agreement counts every possible category, used or not.
    counts = ratings_per_unit(table)
    if not (counts >= 2).any() or (counts >= 1).sum() < 2:
        return
    domain = [1, 2, 3, 4, 5]
    expected = irrcac(table, "gwet", categories=[1.0, 2.0, 3.0, 4.0, 5.0])
    assert gwet_ac1(table, domain=domain) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(st.integers(1, 5)))
def test_fleiss_kappa(table):
    # fleiss_kappa leaves out units with fewer than two ratings; give irrCAC the same units.
    pairable = table[ratings_per_unit(table) >= 2]
    if not len(pairable) or distinct_values(pairable) < 2:
        with pytest.raises(AgreementError):
            fleiss_kappa(table)
        return
    if len(pairable) < 2:
        return  # irrCAC fails on a single unit (its variance divides by n - 1)
    assert fleiss_kappa(table) == pytest.approx(irrcac(pairable, "fleiss"), abs=1e-9)


def test_documented_example():
    # irrCAC's documentation: AC1 0.77544 and Fleiss 0.76117 on this data, where unit 12 has one
    # rating; irrCAC counts it in the category shares, fleiss_kappa leaves it out.
    assert irrcac(KRIPPENDORFF_2011, "gwet") == pytest.approx(0.77544, abs=5e-6)
    assert irrcac(KRIPPENDORFF_2011, "fleiss") == pytest.approx(0.76117, abs=5e-6)
    assert gwet_ac1(KRIPPENDORFF_2011) == pytest.approx(irrcac(KRIPPENDORFF_2011, "gwet"))
    assert fleiss_kappa(KRIPPENDORFF_2011) == pytest.approx(
        irrcac(KRIPPENDORFF_2011[:11], "fleiss"), abs=1e-9
    )
    assert fleiss_kappa(KRIPPENDORFF_2011) != pytest.approx(0.76117, abs=1e-4)
