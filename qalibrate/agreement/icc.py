"""Intraclass correlations of Shrout & Fleiss (1979) for a complete panel of numeric ratings,
with the F-based confidence intervals of McGraw & Wong (1996)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from qalibrate.agreement.ratings import (
    AgreementError,
    as_table,
    numeric_values,
    power_of_two_scaled,
)

ICC_KEYS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")


@dataclass(frozen=True)
class IccEstimate:
    """One ICC with its confidence interval and the F test of "ICC = 0".

    ``f_value`` on ``df1`` and ``df2`` degrees of freedom is the test statistic of
    Shrout & Fleiss (1979) and McGraw & Wong (1996, with rho_0 = 0): BMS / WMS for
    ICC1 and ICC1k, BMS / EMS for the other four; ``p_value`` is its upper tail. (The interval
    of ICC2 and ICC2k uses approximate degrees of freedom of its own, not ``df2``.)
    """

    value: float
    low: float
    high: float
    confidence: float
    f_value: float
    df1: float
    df2: float
    p_value: float


@dataclass(frozen=True)
class _MeanSquares:
    """The two-way ANOVA of n targets (units) × k judges (raters)."""

    n: int
    k: int
    bms: float  # between targets
    jms: float  # between judges
    ems: float  # residual
    wms: float  # within targets (judges and residual pooled)
    tiny: float  # rounding-error size, relative to the total variance


def icc(ratings: Any) -> dict[str, float]:
    """The six intraclass correlations of Shrout & Fleiss (1979), keyed ICC1 ... ICC3k.

    From the two-way ANOVA of n targets (units) × k judges (raters), with mean squares BMS
    (between targets), JMS (judges), EMS (residual) and WMS (within targets):

        ICC1  = (BMS - WMS) / (BMS + (k - 1) WMS)                     ICC(1,1)
        ICC2  = (BMS - EMS) / (BMS + (k - 1) EMS + k (JMS - EMS) / n) ICC(2,1)
        ICC3  = (BMS - EMS) / (BMS + (k - 1) EMS)                     ICC(3,1)
        ICC1k = (BMS - WMS) / BMS                                     ICC(1,k)
        ICC2k = (BMS - EMS) / (BMS + (JMS - EMS) / n)                 ICC(2,k)
        ICC3k = (BMS - EMS) / BMS                                     ICC(3,k)

    Source: P. E. Shrout and J. L. Fleiss (1979), "Intraclass correlations: uses in assessing
    rater reliability", Psychological Bulletin 86(2):420-428.
    Needs every rater to rate every unit (raises AgreementError on any missing rating), at
    least two units, and targets whose mean ratings differ.
    """
    return _values(_mean_squares(ratings))


def icc_intervals(ratings: Any, confidence: float = 0.95) -> dict[str, IccEstimate]:
    """The six ICCs of ``icc`` (same keys), each with its F-based confidence interval.

    Sources: K. O. McGraw and S. P. Wong (1996), "Forming inferences about some intraclass
    correlation coefficients", Psychological Methods 1(1):30-46, their interval formulas (and
    the correction, Psychological Methods 1(4):390), which are P. E. Shrout and J. L. Fleiss's
    (1979) intervals for their cases 1, 2 and 3 (Psychological Bulletin 86(2):420-428).
    With a = 1 - confidence and F(p; d1, d2) the p quantile of the F distribution:

    ICC1 and ICC1k (one-way model): F_0 = BMS / WMS on n - 1 and n (k - 1) df,
        F_L = F_0 / F(1 - a/2; n - 1, n (k - 1)),  F_U = F_0 · F(1 - a/2; n (k - 1), n - 1),
        ICC1 in [(F_L - 1) / (F_L + k - 1), (F_U - 1) / (F_U + k - 1)],
        ICC1k in [1 - 1 / F_L, 1 - 1 / F_U].
    ICC3 and ICC3k (consistency): the same with F_0 = BMS / EMS on n - 1 and (n - 1)(k - 1) df.
    ICC2 and ICC2k (absolute agreement, judges random): with r = ICC2, Satterthwaite's
    approximate degrees of freedom
        v = (n - 1)(k - 1) (k r JMS + b EMS)^2 / ((n - 1) (k r JMS)^2 + (b EMS)^2),
        b = n (1 + (k - 1) r) - k r,
    (McGraw & Wong's a·JMS + b·EMS form multiplied through by n (1 - r), so that r = 1 needs no
    division), F* = F(1 - a/2; n - 1, v) for the lower and F(1 - a/2; v, n - 1) for the upper
    bound:
        ICC2  low = n (BMS - F* EMS) / (F* (k JMS + (k n - k - n) EMS) + n BMS),
              high = n (F* BMS - EMS) / (k JMS + (k n - k - n) EMS + n F* BMS),
        ICC2k low = n (BMS - F* EMS) / (F* (JMS - EMS) + n BMS),
              high = n (F* BMS - EMS) / (JMS - EMS + n F* BMS),
    the ICC2k bounds being the Spearman-Brown step-up k L / (1 + (k - 1) L) of the ICC2 ones.

    Bounds can fall below 0 (ICC1, ICC1k especially): they are not cut, since a negative lower
    bound is what says "no evidence of reliability". Raises AgreementError where ``icc`` does,
    and when a mean square in an F ratio is zero (every judge gives each target the same
    rating, or ratings that differ only by a fixed offset per judge): the F ratio is then
    infinite and the interval would be the single point 1, a certainty no finite sample gives.
    """
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    ms = _mean_squares(ratings)
    values = _values(ms)
    n, k, bms, jms, ems, wms = ms.n, ms.k, ms.bms, ms.jms, ms.ems, ms.wms
    if wms <= ms.tiny:
        raise AgreementError(
            "every rater gave each unit the same rating, so the F ratios are infinite and the "
            "ICC confidence intervals are undefined"
        )
    if ems <= ms.tiny:
        raise AgreementError(
            "the raters' ratings differ only by a fixed offset per rater (no residual "
            "variation), so the F ratio is infinite and the ICC confidence intervals are "
            "undefined"
        )
    upper = (1 + confidence) / 2
    df_between, df_within, df_residual = n - 1, n * (k - 1), (n - 1) * (k - 1)

    # Cases 1 and 3: exact intervals from the F ratio.
    f_one = bms / wms
    f_three = bms / ems
    one_low = f_one / special.fdtri(df_between, df_within, upper)
    one_high = f_one * special.fdtri(df_within, df_between, upper)
    three_low = f_three / special.fdtri(df_between, df_residual, upper)
    three_high = f_three * special.fdtri(df_residual, df_between, upper)

    # Case 2: approximate interval with Satterthwaite's degrees of freedom.
    r = values["ICC2"]
    judge_term = k * r * jms
    error_term = (n * (1 + (k - 1) * r) - k * r) * ems
    v_denominator = df_between * judge_term**2 + error_term**2
    if v_denominator <= 0:
        raise AgreementError("the ICC2 interval is undefined for these ratings")
    v = df_residual * (judge_term + error_term) ** 2 / v_denominator
    f_star_low = special.fdtri(df_between, v, upper)
    f_star_high = special.fdtri(v, df_between, upper)
    spread = k * jms + (k * n - k - n) * ems
    two_low = n * (bms - f_star_low * ems) / (f_star_low * spread + n * bms)
    two_high = n * (f_star_high * bms - ems) / (spread + n * f_star_high * bms)
    two_k_low = n * (bms - f_star_low * ems) / (f_star_low * (jms - ems) + n * bms)
    two_k_high = n * (f_star_high * bms - ems) / (jms - ems + n * f_star_high * bms)

    bounds = {
        "ICC1": ((one_low - 1) / (one_low + k - 1), (one_high - 1) / (one_high + k - 1)),
        "ICC2": (two_low, two_high),
        "ICC3": ((three_low - 1) / (three_low + k - 1), (three_high - 1) / (three_high + k - 1)),
        "ICC1k": (1 - 1 / one_low, 1 - 1 / one_high),
        "ICC2k": (two_k_low, two_k_high),
        "ICC3k": (1 - 1 / three_low, 1 - 1 / three_high),
    }
    one_way = (f_one, df_between, df_within, special.fdtrc(df_between, df_within, f_one))
    two_way = (f_three, df_between, df_residual, special.fdtrc(df_between, df_residual, f_three))
    result = {}
    for key in ICC_KEYS:
        low, high = (float(bound) for bound in bounds[key])
        if not (np.isfinite(low) and np.isfinite(high)):
            raise AgreementError(f"the {key} interval is undefined for these ratings")
        f_value, df1, df2, p_value = one_way if key in ("ICC1", "ICC1k") else two_way
        result[key] = IccEstimate(
            value=values[key],
            low=low,
            high=high,
            confidence=confidence,
            f_value=float(f_value),
            df1=float(df1),
            df2=float(df2),
            p_value=float(p_value),
        )
    return result


def _mean_squares(ratings: Any) -> _MeanSquares:
    table = as_table(ratings)
    values = numeric_values(table, level="interval")
    missing = int(np.isnan(values).sum())
    if missing:
        raise AgreementError(
            f"ICC needs a complete panel (every rater rates every unit); {missing} "
            f"rating{'s are' if missing > 1 else ' is'} missing"
        )
    n, k = values.shape
    if n < 2:
        raise AgreementError("ICC needs at least two units")
    if np.ptp(values) == 0:
        raise AgreementError("every rating is the same, so ICC is undefined")
    values = power_of_two_scaled(values)  # the same ICCs, without overflow near 1e200

    grand = values.mean()
    target_means = values.mean(axis=1, keepdims=True)
    judge_means = values.mean(axis=0, keepdims=True)
    bms = k * ((target_means - grand) ** 2).sum() / (n - 1)
    jms = n * ((judge_means - grand) ** 2).sum() / (k - 1)
    ems = ((values - target_means - judge_means + grand) ** 2).sum() / ((n - 1) * (k - 1))
    wms = ((values - target_means) ** 2).sum() / (n * (k - 1))

    # Relative to the total variance: equal target means leave BMS at rounding-error size.
    tiny = 1e-12 * ((values - grand) ** 2).sum() / (n * k - 1)
    if bms <= tiny:
        raise AgreementError("the units' mean ratings are all equal, so ICC is undefined")
    if abs(bms + (jms - ems) / n) <= tiny:
        raise AgreementError("ICC2k is undefined for these ratings (its denominator is zero)")
    return _MeanSquares(n, k, float(bms), float(jms), float(ems), float(wms), float(tiny))


def _values(ms: _MeanSquares) -> dict[str, float]:
    n, k, bms, jms, ems, wms = ms.n, ms.k, ms.bms, ms.jms, ms.ems, ms.wms
    return {
        "ICC1": float((bms - wms) / (bms + (k - 1) * wms)),
        "ICC2": float((bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)),
        "ICC3": float((bms - ems) / (bms + (k - 1) * ems)),
        "ICC1k": float((bms - wms) / bms),
        "ICC2k": float((bms - ems) / (bms + (jms - ems) / n)),
        "ICC3k": float((bms - ems) / bms),
    }
