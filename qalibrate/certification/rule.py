"""The stopping rule of a gold-set certification (docs/certification.md). Pure: it judges the
absolute deviations already kept and reads nothing.

A new evaluator scores gold contacts (their agreed score known) one at a time. After each, with
the n absolute deviations |score − agreed score| so far, their mean m and standard deviation s,
and t the Student t quantile at CONFIDENCE with n − 1 degrees of freedom:

- **certified** when n ≥ MIN_CONTACTS and the upper bound m + t·s/√n is within the tolerance;
- **not certified** when n ≥ MIN_CONTACTS and the lower bound m − t·s/√n is beyond the
  tolerance (clearly outside), or when the contacts run out (``max_contacts``, or the gold set)
  before certification;
- otherwise, **one more contact**.

Looking after every contact makes a false certification more likely than the one-sided 5% of a
single look; benchmarks/certification_rule.py simulates the rule and prints how often it
certifies at each true mean deviation and how many contacts it takes (its table is in
docs/certification.md), and tests/certification/test_rule.py holds it to those figures.
"""

import math
from dataclasses import dataclass

from qalibrate.agreement.mean_bound import t_bounds

# Chosen by simulation (benchmarks/certification_rule.py): at 95% and from 3 contacts the rule
# certified a quarter of evaluators whose true mean deviation equals the tolerance, as a
# handful of absolute deviations often shows too little spread; 99% from 5 contacts keeps that
# to about one in ten, and one in twenty-five a point beyond.
CONFIDENCE = 0.99  # one-sided
MIN_CONTACTS = 5
MAX_CONTACTS = 12


@dataclass(frozen=True)
class Judgement:
    decision: str  # "certified", "not_certified" or "continue"
    n: int
    mean: float | None
    low: float | None
    high: float | None


def judge(
    deviations: list[float],
    tolerance: float,
    *,
    available: int,
    min_contacts: int = MIN_CONTACTS,
    max_contacts: int = MAX_CONTACTS,
    confidence: float = CONFIDENCE,
) -> Judgement:
    """The decision after the deviations so far; ``available``: gold contacts in all."""
    n = len(deviations)
    if n == 0:
        return Judgement("continue" if available else "not_certified", 0, None, None, None)
    mean, low, high = t_bounds(deviations, confidence)
    shown = (max(low, 0.0) if n > 1 else None, high if n > 1 else None)
    if n >= min_contacts and high <= tolerance:
        return Judgement("certified", n, mean, *shown)
    if n >= min_contacts and low > tolerance:
        return Judgement("not_certified", n, mean, *shown)
    if n >= min(max_contacts, available):
        return Judgement("not_certified", n, mean, *shown)
    return Judgement("continue", n, mean, *shown)


def simulate(
    true_mean: float,
    tolerance: float,
    *,
    runs: int,
    rng,
    available: int = 20,
    max_contacts: int = MAX_CONTACTS,
) -> tuple[float, float]:
    """The rule's operating characteristic at one true mean absolute deviation: (share of runs
    certified, mean contacts scored). Each contact's signed deviation is drawn from a normal
    distribution centred on 0 whose absolute value has mean ``true_mean`` (σ = mean · √(π/2));
    ``rng`` is a numpy Generator."""
    sigma = true_mean * math.sqrt(math.pi / 2)
    certified = contacts = 0
    for _ in range(runs):
        deviations: list[float] = []
        while True:
            verdict = judge(deviations, tolerance, available=available, max_contacts=max_contacts)
            if verdict.decision != "continue":
                break
            deviations.append(abs(float(rng.normal(0.0, sigma))))
        certified += verdict.decision == "certified"
        contacts += verdict.n
    return certified / runs, contacts / runs
