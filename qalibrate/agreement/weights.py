"""Agreement weights: how much credit two different answers get, from 1 (same) to 0 (furthest).

The kinds are those of K. L. Gwet (2014), "Handbook of Inter-Rater Reliability", 4th ed.,
ch. 3, as in the R package irrCAC (``R/weights.gen.r``). For q ordered categories with
values x_1 < ... < x_q (their positions 1..q when they are words):

* identity:  w_kl = 1 if k = l else 0 (nominal data: any difference is a full disagreement)
* linear:    w_kl = 1 - |x_k - x_l| / (x_max - x_min)
* quadratic: w_kl = 1 - (x_k - x_l)^2 / (x_max - x_min)^2 (interval data; with these weights
  alpha is Krippendorff's interval alpha and Fleiss' kappa the ICC-like weighted kappa)
* ordinal:   w_kl = 1 - C(|k - l| + 1, 2) / C(q, 2), using only the order (ranks), not the
  distances between the values
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from qalibrate.agreement.ratings import AgreementError

WEIGHTS = ("identity", "linear", "quadratic", "ordinal")


def weight_matrix(kind: str, categories: Sequence) -> np.ndarray:
    """The q × q weight matrix of ``kind`` for ``categories`` (in their order)."""
    q = len(categories)
    if kind not in WEIGHTS:
        raise AgreementError(f"weights must be one of {', '.join(WEIGHTS)}; got {kind!r}")
    if kind == "identity" or q < 2:
        return np.eye(q)
    rank = np.arange(q, dtype=np.float64)
    if kind == "ordinal":
        steps = np.abs(rank[:, None] - rank[None, :]) + 1
        pairs = steps * (steps - 1) / 2
        return 1 - pairs / pairs.max()
    numeric = all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in categories)
    values = np.asarray(categories, dtype=np.float64) if numeric else rank
    if numeric and np.any(np.diff(values) <= 0):
        raise AgreementError(f"{kind} weights need the categories in ascending order")
    distance = np.abs(values[:, None] - values[None, :]) / (values.max() - values.min())
    return 1 - (distance if kind == "linear" else distance**2)
