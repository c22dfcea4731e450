"""The stopping rule, and its operating characteristic simulated (docs/certification.md)."""

import numpy as np
import pytest

from qalibrate.certification.rule import MAX_CONTACTS, MIN_CONTACTS, judge, simulate


def test_certified_only_after_the_minimum_and_when_the_bound_is_within():
    close = [1.0, 2.0, 1.5, 0.5]
    assert judge(close, 5, available=20).decision == "continue"  # fewer than the minimum
    verdict = judge([*close, 1.0], 5, available=20)
    assert verdict.decision == "certified" and verdict.n == MIN_CONTACTS
    assert verdict.high <= 5


def test_clearly_outside_stops_early_and_running_out_fails():
    assert judge([12.0, 14.0, 11.0, 13.0, 12.5], 5, available=20).decision == "not_certified"
    undecided = [1.0, 9.0, 2.0, 8.0, 3.0, 7.0]
    assert judge(undecided, 5, available=20).decision == "continue"
    assert judge(undecided, 5, available=6).decision == "not_certified"
    assert judge([1.0] * 4, 5, available=4).decision == "not_certified"  # too few gold contacts
    assert judge([], 5, available=0).decision == "not_certified"


@pytest.mark.slow
def test_the_simulated_operating_characteristic_holds():
    """The figures docs/certification.md quotes, from 4,000 simulated evaluators each (seeded):
    good evaluators are certified almost always and quickly, evaluators at the tolerance about
    one time in ten, a point beyond it rarely."""
    rng = np.random.default_rng(20261204)
    share_2, contacts_2 = simulate(2, 5, runs=4000, rng=rng)
    share_5, _ = simulate(5, 5, runs=4000, rng=rng)
    share_6, _ = simulate(6, 5, runs=4000, rng=rng)
    share_8, _ = simulate(8, 5, runs=4000, rng=rng)
    assert share_2 >= 0.98 and contacts_2 <= 6.5
    assert share_5 <= 0.12
    assert share_6 <= 0.06
    assert share_8 <= 0.02
    assert MIN_CONTACTS <= contacts_2 <= MAX_CONTACTS
