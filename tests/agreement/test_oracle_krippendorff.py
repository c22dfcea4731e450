"""Krippendorff's alpha against the ``krippendorff`` package on random tables with missing data."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.agreement import LEVELS, AgreementError, krippendorff_alpha
from tests.agreement.strategies import rating_tables

krippendorff = pytest.importorskip("krippendorff")

WORDS = ["never", "rarely", "sometimes", "often", "always"]


def package_alpha(table, level, domain=None):
    """The package's alpha (it wants raters x units), or None where it gives no number."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when D_e = 0
        try:
            value = krippendorff.alpha(
                reliability_data=np.asarray(table).T,
                value_domain=domain,
                level_of_measurement=level,
            )
        except ValueError:  # "more than one value in the domain", "no unit with two coders"
            return None
    return float(value) if np.isfinite(value) else None


def check_against_package(table, level, domain=None, ours_input=None):
    theirs = package_alpha(table, level, domain)
    ours_input = table if ours_input is None else ours_input
    if theirs is None:
        with pytest.raises(AgreementError):
            krippendorff_alpha(ours_input, level=level, domain=domain)
    else:
        assert krippendorff_alpha(ours_input, level=level, domain=domain) == pytest.approx(
            theirs, abs=1e-9
        )


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(), level=st.sampled_from(LEVELS))
def test_small_integer_scales(table, level):
    check_against_package(table, level)


@settings(max_examples=60, deadline=None)
@given(
    table=rating_tables(st.integers(0, 1000).map(lambda v: v / 10)), level=st.sampled_from(LEVELS)
)
def test_many_distinct_values(table, level):
    check_against_package(table, level)


@settings(max_examples=60, deadline=None)
@given(
    table=rating_tables(st.sampled_from([0, 1]), max_units=40, max_raters=12),
    level=st.sampled_from(LEVELS),
)
def test_binary_ratings_with_many_raters(table, level):
    check_against_package(table, level)


@settings(max_examples=60, deadline=None)
@given(table=rating_tables(), order=st.permutations(WORDS))
def test_words_ordered_by_a_domain(table, order):
    # Ordinal alpha depends on the domain's order, not on the words; the package marks missing
    # cells in a string array as "nan".
    words = np.array([["nan" if np.isnan(v) else WORDS[int(v)] for v in row] for row in table])
    ours = [[None if word == "nan" else str(word) for word in row] for row in words]
    check_against_package(words, "ordinal", domain=list(order), ours_input=ours)
    check_against_package(words, "nominal", domain=list(order), ours_input=ours)


def test_ordinal_domain_with_unused_values_changes_nothing():
    # Values that no pairable rating uses have marginal 0, so they add no distance.
    table = np.array([[1, 2, np.nan], [2, 2, 4], [4, 5, 4], [1, np.nan, 1]], dtype=float)
    check_against_package(table, "ordinal", domain=[1, 2, 3, 4, 5, 6])
    assert krippendorff_alpha(table, level="ordinal", domain=[1, 2, 3, 4, 5, 6]) == pytest.approx(
        krippendorff_alpha(table, level="ordinal")
    )
