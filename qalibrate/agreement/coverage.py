"""Whether an interval at a given size keeps its promise, from the coverage benchmark.

benchmarks/interval_coverage.py simulates panels of 5, 8, 15 and 30 contacts × 3, 5 and 8
evaluators with a known true agreement and stores how often each interval the product
shows held it (coverage_measured.py). An interval is *approximate* when that coverage, at
the nearest measured size not larger than the panel, fell below GOAL for a nominal 95%
interval; the page then says so and how many contacts the benchmark needed.

``kind`` is the criterion's level ("nominal": yes/no, "ordinal": options, "interval": a
scale) or "totals" (alpha of the total scores).
"""

from __future__ import annotations

from qalibrate.agreement.coverage_measured import MEASURED

GOAL = 0.90
CONTACTS = (5, 8, 15, 30)
EVALUATORS = (3, 5, 8)


def measured_coverage(kind: str, coefficient: str, contacts: int, evaluators: int) -> float | None:
    """The coverage measured at the largest benchmark size within the panel's, or None when
    the panel is smaller than any measured (fewer than 5 contacts or 3 evaluators) or the
    interval was not measured."""
    grid = MEASURED.get(f"{kind}:{coefficient}")
    sized_contacts = [c for c in CONTACTS if c <= contacts]
    sized_evaluators = [e for e in EVALUATORS if e <= evaluators]
    if grid is None or not sized_contacts or not sized_evaluators:
        return None
    return grid.get(f"{sized_contacts[-1]}x{sized_evaluators[-1]}")


def is_approximate(kind: str, coefficient: str, contacts: int, evaluators: int) -> bool:
    coverage = measured_coverage(kind, coefficient, contacts, evaluators)
    return coverage is None or coverage < GOAL


def contacts_needed(kind: str, coefficient: str, evaluators: int) -> int | None:
    """The fewest benchmark contacts from which the interval kept GOAL at every larger size
    for this many evaluators (None: not even at 30)."""
    needed = None
    for contacts in reversed(CONTACTS):
        coverage = measured_coverage(kind, coefficient, contacts, max(evaluators, EVALUATORS[0]))
        if coverage is None or coverage < GOAL:
            break
        needed = contacts
    return needed
