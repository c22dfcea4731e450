"""The predicted width of alpha's interval of the totals (qalibrate.agreement.precision).

The prediction is checked against simulated panels whose interval is computed here, independently
of qalibrate.agreement.alpha: alpha from the ``krippendorff`` package, jackknifed over contacts
and turned into a t interval as krippendorff_alpha_interval documents (the first test checks that
both give the same interval, so the simulation measures what the report shows).
"""

import math

import numpy as np
import pytest
from scipy import stats

from qalibrate.agreement.alpha import krippendorff_alpha_interval
from qalibrate.agreement.precision import contacts_for_margin, expected_alpha_width
from qalibrate.agreement.ratings import AgreementError

krippendorff = pytest.importorskip("krippendorff")

ERROR_SD = 4.0  # as benchmarks/interval_coverage.py: total = 70 + s N(0, 1) + N(0, 4^2)


def simulate(contacts, evaluators, alpha, missing, rng):
    contact_sd = ERROR_SD * math.sqrt(alpha / (1 - alpha))
    panel = 70 + contact_sd * rng.normal(size=(contacts, 1))
    panel = panel + rng.normal(0, ERROR_SD, (contacts, evaluators))
    panel[rng.random(panel.shape) < missing] = np.nan
    return panel


def package_alpha(panel):
    return krippendorff.alpha(reliability_data=panel.T, level_of_measurement="interval")


def jackknife_interval(panel, confidence=0.95):
    """Alpha ± t(n - 1) × jackknife se over the contacts with two or more answers, cut to
    [-1, 1] (Efron & Tibshirani 1993, ch. 11); None without three such contacts."""
    panel = panel[(~np.isnan(panel)).sum(axis=1) >= 2]
    n = len(panel)
    if n < 3:
        return None
    estimate = package_alpha(panel)
    left_out = np.array([package_alpha(np.delete(panel, i, axis=0)) for i in range(n)])
    se = math.sqrt((n - 1) / n * ((left_out - left_out.mean()) ** 2).sum())
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * se
    return max(-1.0, estimate - half), min(1.0, estimate + half)


def test_the_simulated_interval_is_the_one_the_report_shows():
    rng = np.random.default_rng(7)
    for missing in (0.0, 0.2):
        panel = simulate(6, 4, 0.8, missing, rng)
        ours = krippendorff_alpha_interval(panel, "interval")
        assert (ours.low, ours.high) == pytest.approx(jackknife_interval(panel), abs=1e-9)


@pytest.mark.parametrize(
    ("contacts", "evaluators", "alpha", "missing"),
    [(5, 3, 0.8, 0.0), (8, 5, 0.9, 0.1), (12, 3, 0.6, 0.0)],
)
def test_predicted_width_is_within_20_percent_of_the_simulated_one(
    contacts, evaluators, alpha, missing
):
    rng = np.random.default_rng(contacts * 100 + evaluators)
    widths = []
    for _ in range(300):
        interval = jackknife_interval(simulate(contacts, evaluators, alpha, missing, rng))
        if interval is not None:
            widths.append(interval[1] - interval[0])
    simulated = np.mean(widths)
    predicted = expected_alpha_width(contacts, evaluators, alpha, missing=missing)
    assert predicted == pytest.approx(simulated, rel=0.2)


@pytest.mark.parametrize(("contacts", "evaluators", "alpha"), [(400, 5, 0.8), (400, 3, 0.6)])
def test_many_contacts_give_fishers_large_sample_width(contacts, evaluators, alpha):
    # Fisher (1925), Statistical Methods for Research Workers, §40; Donner & Koval (1980),
    # Biometrics 36:19-25: Var(ICC) ≈ 2 (1 - rho)^2 (1 + (k - 1) rho)^2 / (k (k - 1) (n - 1)).
    k, n = evaluators, contacts
    variance = 2 * (1 - alpha) ** 2 * (1 + (k - 1) * alpha) ** 2 / (k * (k - 1) * (n - 1))
    fisher = 2 * stats.t.ppf(0.975, n - 1) * math.sqrt(variance)
    assert expected_alpha_width(contacts, evaluators, alpha) == pytest.approx(fisher, rel=0.03)


@pytest.mark.parametrize("alpha", [0.0, 0.6, 0.8, 0.9])
@pytest.mark.parametrize("missing", [0.0, 0.1])
def test_more_contacts_or_evaluators_narrow_the_interval(alpha, missing):
    for evaluators in (3, 5, 8):
        widths = [expected_alpha_width(n, evaluators, alpha, missing=missing) for n in range(5, 61)]
        assert all(np.diff(widths) < 0)
    for contacts in (5, 10, 30):
        widths = [expected_alpha_width(contacts, k, alpha, missing=missing) for k in range(3, 13)]
        assert all(np.diff(widths) < 0)


def test_a_higher_confidence_widens_the_interval():
    assert expected_alpha_width(10, 3, confidence=0.99) > expected_alpha_width(10, 3)
    assert expected_alpha_width(10, 3, confidence=0.8) < expected_alpha_width(10, 3)


@pytest.mark.parametrize("margin", [0.05, 0.1, 0.15, 0.2, 0.3, 0.6])
@pytest.mark.parametrize("evaluators", [2, 3, 5, 8])
@pytest.mark.parametrize("alpha", [0.6, 0.8, 0.9])
def test_contacts_for_margin_is_the_fewest_with_that_half_width(margin, evaluators, alpha):
    contacts = contacts_for_margin(margin, evaluators, alpha)
    if contacts is None:
        assert expected_alpha_width(200, evaluators, alpha) / 2 > margin
        return
    assert expected_alpha_width(contacts, evaluators, alpha) / 2 <= margin
    if contacts > 3:
        assert expected_alpha_width(contacts - 1, evaluators, alpha) / 2 > margin


def test_contacts_for_margin_says_none_beyond_most():
    needed = contacts_for_margin(0.1, 3)
    assert needed > 20
    assert contacts_for_margin(0.1, 3, most=20) is None
    assert contacts_for_margin(0.1, 3, most=needed) == needed


def test_contacts_for_margin_with_missing_answers_skips_panels_without_an_interval():
    # Two evaluators with 30% of the answers missing: a contact keeps both with chance 0.49,
    # so at least seven contacts are needed for three pairable ones.
    contacts = contacts_for_margin(0.5, 2, missing=0.3)
    assert contacts >= 7
    assert expected_alpha_width(contacts, 2, missing=0.3) / 2 <= 0.5


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: expected_alpha_width(2, 3), "contacts.*got 2"),
        (lambda: expected_alpha_width(0, 3), "contacts.*got 0"),
        (lambda: expected_alpha_width(7.5, 3), "contacts.*got 7.5"),
        (lambda: expected_alpha_width(10, 1), "evaluators.*got 1"),
        (lambda: expected_alpha_width(10, True), "evaluators.*got True"),
        (lambda: expected_alpha_width(10, 3, alpha=1.0), "alpha.*got 1.0"),
        (lambda: expected_alpha_width(10, 3, alpha=-1.0), "alpha.*got -1.0"),
        (lambda: expected_alpha_width(10, 3, alpha=float("nan")), "alpha.*got nan"),
        (lambda: expected_alpha_width(10, 3, alpha=-0.6), "alpha -0.6 .*3 evaluators"),
        (lambda: expected_alpha_width(10, 3, confidence=1.0), "confidence.*got 1.0"),
        (lambda: expected_alpha_width(10, 3, missing=1.0), "missing.*got 1.0"),
        (lambda: expected_alpha_width(10, 3, missing=-0.1), "missing.*got -0.1"),
        (lambda: expected_alpha_width(3, 3, missing=0.5), "50%.*3 contacts"),
        (lambda: contacts_for_margin(0, 3), "margin.*got 0"),
        (lambda: contacts_for_margin(-0.1, 3), "margin.*got -0.1"),
        (lambda: contacts_for_margin(0.1, 1), "evaluators.*got 1"),
        (lambda: contacts_for_margin(0.1, 3, alpha=1.2), "alpha.*got 1.2"),
    ],
)
def test_bad_inputs_are_named(call, named):
    with pytest.raises(AgreementError, match=named):
        call()
