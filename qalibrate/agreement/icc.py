"""Intraclass correlations of Shrout & Fleiss (1979) for a complete panel of numeric ratings."""

from __future__ import annotations

from typing import Any

import numpy as np

from qalibrate.agreement.ratings import (
    AgreementError,
    as_table,
    numeric_values,
    power_of_two_scaled,
)

ICC_KEYS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")


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
    average_denominator = bms + (jms - ems) / n
    if abs(average_denominator) <= tiny:
        raise AgreementError("ICC2k is undefined for these ratings (its denominator is zero)")
    return {
        "ICC1": float((bms - wms) / (bms + (k - 1) * wms)),
        "ICC2": float((bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)),
        "ICC3": float((bms - ems) / (bms + (k - 1) * ems)),
        "ICC1k": float((bms - wms) / bms),
        "ICC2k": float((bms - ems) / average_denominator),
        "ICC3k": float((bms - ems) / bms),
    }
