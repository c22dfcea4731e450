"""Calibration figures for one session (DESIGN §4): pure numpy, no Django.

``totals`` is an evaluators × contacts table of total scores (0-100), NaN where an evaluator did
not score a contact. ``reference`` holds one reference total per contact (NaN: none).

- A contact's spread is max - min of its totals; SD is the sample standard deviation (n - 1).
- An evaluator's deviation on a contact is their total minus the reference; the mean absolute
  deviation says how far off they are, the mean signed deviation (bias) whether they are lenient
  (+) or strict (-). They are within tolerance when the mean absolute deviation is at most the
  tolerance; the session is calibrated when every evaluator who scored is within tolerance.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ContactSpread:
    n: int
    mean: float
    low: float
    high: float
    spread: float
    sd: float | None  # None with fewer than two totals


@dataclass(frozen=True)
class EvaluatorDeviation:
    n: int
    mean_abs: float
    bias: float
    max_abs: float
    within_tolerance: bool


def contact_spreads(totals) -> list[ContactSpread | None]:
    """Per contact (column): mean, lowest, highest, spread and SD of the totals given."""
    table = np.atleast_2d(np.asarray(totals, dtype=float))
    result: list[ContactSpread | None] = []
    for column in table.T:
        scored = column[~np.isnan(column)]
        if scored.size == 0:
            result.append(None)
            continue
        result.append(
            ContactSpread(
                n=int(scored.size),
                mean=float(scored.mean()),
                low=float(scored.min()),
                high=float(scored.max()),
                spread=float(scored.max() - scored.min()),
                sd=float(scored.std(ddof=1)) if scored.size > 1 else None,
            )
        )
    return result


def evaluator_deviations(totals, reference, *, tolerance: float) -> list[EvaluatorDeviation | None]:
    """Per evaluator (row): deviation from the reference over the contacts both have."""
    table = np.atleast_2d(np.asarray(totals, dtype=float))
    reference = np.asarray(reference, dtype=float)
    result: list[EvaluatorDeviation | None] = []
    for row in table:
        deviation = (row - reference)[~np.isnan(row) & ~np.isnan(reference)]
        if deviation.size == 0:
            result.append(None)
            continue
        mean_abs = float(np.abs(deviation).mean())
        result.append(
            EvaluatorDeviation(
                n=int(deviation.size),
                mean_abs=mean_abs,
                bias=float(deviation.mean()),
                max_abs=float(np.abs(deviation).max()),
                within_tolerance=mean_abs <= tolerance + 1e-9,
            )
        )
    return result


def is_calibrated(deviations: Sequence[EvaluatorDeviation | None]) -> bool | None:
    """True when every evaluator with a deviation is within tolerance; None when nobody has one."""
    known = [d for d in deviations if d is not None]
    if not known:
        return None
    return all(d.within_tolerance for d in known)


def share_within(totals, reference, *, tolerance: float) -> float | None:
    """Share of the scores (evaluator × contact) within the tolerance of the reference."""
    deviation = np.asarray(totals, dtype=float) - np.asarray(reference, dtype=float)
    known = deviation[~np.isnan(deviation)]
    if known.size == 0:
        return None
    return float((np.abs(known) <= tolerance + 1e-9).mean())


def majority(values: Sequence, *, order: Sequence = ()) -> object | None:
    """The most frequent answer; a tie goes to the answer that comes first in ``order`` (the
    form's order), then to the first given. None when there are no answers."""
    if not values:
        return None
    counts = Counter(values)
    top = max(counts.values())
    tied = [v for v in counts if counts[v] == top]
    rank = {v: i for i, v in enumerate(order)}
    return min(tied, key=lambda v: (rank.get(v, len(rank)), values.index(v)))


def lower_median(values: Sequence[float]) -> float | None:
    """The median that is always one of the answers (the lower middle one for an even count), so
    the reference stays a possible answer on the scale."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def dispute(values: Sequence) -> float:
    """How disputed one criterion is on one contact: the share of answers that differ from the
    most frequent one (0: everyone agrees)."""
    if not values:
        return 0.0
    return 1 - max(Counter(values).values()) / len(values)


def discussion_order(spreads: Sequence[ContactSpread | None]) -> list[int]:
    """Contact indices in the order to discuss them, as the seeds advise: the lowest-scored
    contact, then the highest-scored, then the rest from the widest spread down."""
    scored = [i for i, s in enumerate(spreads) if s is not None]
    unscored = [i for i, s in enumerate(spreads) if s is None]
    if not scored:
        return unscored
    lowest = min(scored, key=lambda i: (spreads[i].mean, i))
    rest = [i for i in scored if i != lowest]
    order = [lowest]
    if rest:
        highest = max(rest, key=lambda i: (spreads[i].mean, -i))
        order.append(highest)
        rest.remove(highest)
    order += sorted(rest, key=lambda i: (-spreads[i].spread, i))
    return order + unscored
