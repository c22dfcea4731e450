"""Fleiss' kappa against statsmodels on complete panels (every rater rates every unit)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement import AgreementError, fleiss_kappa
from tests.agreement.strategies import distinct_values, rating_tables

inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(st.integers(0, 4), complete=True, max_raters=10))
def test_fleiss_kappa_on_complete_panels(table):
    if distinct_values(table) < 2:
        with pytest.raises(AgreementError):
            fleiss_kappa(table)
        return
    counts, _ = inter_rater.aggregate_raters(table)
    expected = inter_rater.fleiss_kappa(counts, method="fleiss")
    assert fleiss_kappa(table) == pytest.approx(expected, abs=1e-9)
