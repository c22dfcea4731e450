"""A share of successes with its Wilson score interval (Wilson 1927; Newcombe 1998, method 3;
Agresti & Coull 1998): how often an evaluator's answers matched the reference answers. Unlike
the Wald interval p ± z·se it stays within 0-1 and keeps its coverage near 0 and 1, where
evaluators who mostly agree sit; coverage by n and p: benchmarks/proportion_coverage.py."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special


@dataclass(frozen=True)
class Share:
    successes: int
    n: int
    value: float | None  # None when n is 0
    low: float | None
    high: float | None
    confidence: float


def wilson(successes: int, n: int, *, confidence: float = 0.95) -> Share:
    """The share successes / n with its two-sided Wilson score interval."""
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be within 0..n, got {successes} of {n}")
    if n == 0:
        return Share(0, 0, None, None, None, confidence)
    z = float(special.ndtri(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 and n the formula gives exactly 0 and 1 but rounding may not.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Share(successes, n, p, low, high, confidence)
