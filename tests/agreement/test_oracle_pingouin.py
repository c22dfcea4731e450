"""The six Shrout & Fleiss ICCs against pingouin's ``intraclass_corr`` on complete panels."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qalibrate.agreement import ICC_KEYS, AgreementError, icc
from tests.agreement.strategies import rating_tables

pd = pytest.importorskip("pandas")
pingouin = pytest.importorskip("pingouin")

# pingouin's names for Shrout & Fleiss' six forms, in ICC_KEYS order (McGraw & Wong's A and C
# are Shrout & Fleiss' cases 2 and 3).
PINGOUIN_TYPES = ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]


def pingouin_icc(table):
    n_units, n_raters = table.shape
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_raters),
            "rater": np.tile(np.arange(n_raters), n_units),
            "score": table.ravel(),
        }
    )
    result = pingouin.intraclass_corr(data=long, targets="unit", raters="rater", ratings="score")
    values = result.set_index("Type")["ICC"]
    return {key: float(values[name]) for key, name in zip(ICC_KEYS, PINGOUIN_TYPES, strict=True)}


# pingouin's ANOVA wants at least 5 ratings, hence at least 3 units.
@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    table=rating_tables(
        st.integers(0, 100).map(lambda v: v / 4), complete=True, min_units=3, max_units=15
    )
)
def test_six_iccs_on_complete_panels(table):
    try:
        ours = icc(table)
    except AgreementError:
        # Only for degenerate panels: all units with the same mean rating.
        assert np.ptp(table.mean(axis=1)) < 1e-9
        return
    theirs = pingouin_icc(table)
    # Large ICCs come from tiny denominators; compare those relatively.
    assume(all(abs(value) < 1e6 for value in theirs.values()))
    for key in ICC_KEYS:
        assert ours[key] == pytest.approx(theirs[key], rel=1e-9, abs=1e-9), key


def test_shrout_fleiss_example_agrees_with_pingouin():
    from tests.agreement.test_published import SHROUT_FLEISS_1979

    table = np.array(SHROUT_FLEISS_1979, dtype=float)
    assert icc(table) == pytest.approx(pingouin_icc(table), abs=1e-12)
