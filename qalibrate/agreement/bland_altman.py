"""Bland-Altman limits of agreement of one evaluator's scores against reference scores.

Used per evaluator: their total per contact against the reference total for the same contacts.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from qalibrate.agreement.ratings import AgreementError, is_missing

LIMIT_METHODS = ("exact", "approximate")


@dataclass(frozen=True)
class BlandAltman:
    """Mean difference (bias), limits of agreement, and confidence intervals of all three.

    Differences are evaluator minus reference, so a positive bias means the evaluator scores
    higher. ``n`` is the number of contacts scored by both.
    """

    n: int
    bias: float
    sd: float
    lower_limit: float
    upper_limit: float
    bias_low: float
    bias_high: float
    lower_limit_low: float
    lower_limit_high: float
    upper_limit_low: float
    upper_limit_high: float


def bland_altman(
    scores: Sequence | np.ndarray,
    reference: Sequence | np.ndarray,
    confidence: float = 0.95,
    *,
    limits_method: str = "exact",
) -> BlandAltman:
    """Bland-Altman agreement of ``scores`` with ``reference`` (same contacts, same order).

    A contact missing from either list (None, NaN, an empty string) is dropped. With the
    differences d_i = score_i - reference_i of the n remaining contacts, their mean d̄ and
    standard deviation s (n - 1 in the denominator), z the standard normal quantile at
    (1 + confidence) / 2 (1.95996 for 0.95) and t the Student t quantile at the same
    probability with n - 1 degrees of freedom:

    * bias = d̄, with interval d̄ ± t s / √n;
    * limits of agreement d̄ ± z s: they hold the middle ``confidence`` share of differences
      if the differences are normal. J. M. Bland and D. G. Altman (1986), "Statistical methods
      for assessing agreement between two methods of clinical measurement", Lancet
      327(8476):307-310, and (1999), "Measuring agreement in method comparison studies",
      Statistical Methods in Medical Research 8(2):135-160, sec. 2, write 1.96 s; z is that
      number for the chosen level.
    * intervals of the two limits, ``limits_method``:
      "exact" (default): d̄ + s · t'(p; n - 1, ±z√n) / √n for p = (1 ∓ confidence) / 2, with
      t'(p; df, δ) the quantile of the noncentral t distribution. Each limit is the normal
      percentile μ ± zσ, and √n (μ ± zσ - d̄) / s follows that noncentral t exactly under
      normality: A. Carkeet (2015), "Exact parametric confidence intervals for Bland-Altman
      limits of agreement", Optometry and Vision Science 92(3):e71-e80.
      "approximate": limit ± t · √(3 s² / n), the standard error Bland & Altman (1986, 1999)
      give for 95% limits; it is too narrow for small n (Carkeet 2015), and is here to match
      published examples and other software.

    Raises AgreementError when fewer than two contacts are scored by both: one difference has
    no spread. Two contacts give an answer, with very wide intervals (t on 1 degree of
    freedom). Identical differences give s = 0 and intervals of zero width: the data show no
    spread at all, which is all an interval built on s can say.
    """
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    if limits_method not in LIMIT_METHODS:
        raise AgreementError(
            f"limits_method must be one of {', '.join(LIMIT_METHODS)}; got {limits_method!r}"
        )
    evaluator, truth = _scores(scores, "scores"), _scores(reference, "reference")
    if len(evaluator) != len(truth):
        raise AgreementError(
            f"scores and reference must list the same contacts; got {len(evaluator)} and "
            f"{len(truth)} values"
        )
    both = ~(np.isnan(evaluator) | np.isnan(truth))
    differences = evaluator[both] - truth[both]
    n = len(differences)
    if n < 2:
        raise AgreementError(
            f"Bland-Altman needs at least two contacts scored by both the evaluator and the "
            f"reference, to measure how the differences spread; there {'is' if n == 1 else 'are'} "
            f"{n}"
        )
    bias = float(differences.mean())
    sd = float(differences.std(ddof=1))
    upper = (1 + confidence) / 2
    z = float(special.ndtri(upper))
    t = float(special.stdtrit(n - 1, upper))
    root_n = math.sqrt(n)
    bias_margin = t * sd / root_n
    lower_limit, upper_limit = bias - z * sd, bias + z * sd
    if limits_method == "exact":
        # Quantiles of the noncentral t for the upper limit; the lower limit's mirror them.
        q_low, q_high = special.nctdtrit(n - 1, z * root_n, [1 - upper, upper])
        upper_limit_low = bias + sd * float(q_low) / root_n
        upper_limit_high = bias + sd * float(q_high) / root_n
        lower_limit_low = bias - sd * float(q_high) / root_n
        lower_limit_high = bias - sd * float(q_low) / root_n
    else:
        limit_margin = t * math.sqrt(3 * sd**2 / n)
        lower_limit_low, lower_limit_high = lower_limit - limit_margin, lower_limit + limit_margin
        upper_limit_low, upper_limit_high = upper_limit - limit_margin, upper_limit + limit_margin
    return BlandAltman(
        n=n,
        bias=bias,
        sd=sd,
        lower_limit=lower_limit,
        upper_limit=upper_limit,
        bias_low=bias - bias_margin,
        bias_high=bias + bias_margin,
        lower_limit_low=lower_limit_low,
        lower_limit_high=lower_limit_high,
        upper_limit_low=upper_limit_low,
        upper_limit_high=upper_limit_high,
    )


def _scores(values: Sequence | np.ndarray, name: str) -> np.ndarray:
    """``values`` as a 1-D float array, NaN for missing; numbers only."""
    raw = np.asarray(values)
    if raw.dtype.kind not in "biuf":
        raw = np.asarray(values, dtype=object)  # keep 1 and "" apart: numpy makes both text
    if raw.ndim != 1:
        raise AgreementError(f"{name} must be a flat list of numbers, one per contact")
    if raw.dtype.kind in "biuf":
        result = raw.astype(np.float64)
    else:
        result = np.full(len(raw), np.nan)
        for index, value in enumerate(raw.tolist()):
            if is_missing(value):
                continue
            if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
                raise AgreementError(f"{name} must be numbers; found {value!r}")
            result[index] = value
    if np.isinf(result).any():
        raise AgreementError(f"{name} must be finite numbers; found an infinity")
    return result
