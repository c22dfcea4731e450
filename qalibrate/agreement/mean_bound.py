"""One-sided Student t bounds of a mean: how large (or small) the true mean may be, at a given
confidence, from n values. Used by the gold-set certification's stopping rule
(certification/rule.py) on absolute deviations from the agreed score."""

import math

from scipy import special


def t_bounds(values: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, lower bound, upper bound): mean ∓ t(confidence; n − 1) · s / √n, each one-sided
    at ``confidence`` (so together a two-sided interval at 2·confidence − 1). With one value
    the bounds are infinite: one value has no spread."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = sum(values) / n
    if n < 2:
        return mean, -math.inf, math.inf
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = special.stdtrit(n - 1, confidence) * sd / math.sqrt(n)
    return mean, mean - half, mean + half
