"""Percent agreement, Fleiss' kappa and Gwet's AC1 for categorical ratings.

All three compare raters' categories exactly (nominal data) and allow units with unequal
numbers of ratings. Notation: unit u has m_u ratings, n_uc of them in category c.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qalibrate.agreement.ratings import (
    AgreementError,
    as_table,
    category_codes,
    missing_mask,
    unit_value_counts,
)


def percent_agreement(ratings: Any) -> float:
    """Share of agreeing rater pairs, averaged over the units with at least two ratings.

    p_a = mean over those units of sum_c n_uc (n_uc - 1) / (m_u (m_u - 1)), the observed
    agreement of Fleiss (1971), "Measuring nominal scale agreement among many raters",
    Psychological Bulletin 76(5):378-382, taken over the units that have pairs.
    """
    counts = _Counts(ratings)
    return counts.observed_agreement()


def fleiss_kappa(ratings: Any, *, domain: Sequence | None = None) -> float:
    """Fleiss' kappa, generalised to units with unequal numbers of ratings.

    kappa = (p_a - p_e) / (1 - p_e), with p_a as in percent_agreement, p_e = sum_c pi_c^2 and
    pi_c = mean over every unit with at least one rating of n_uc / m_u (Fleiss 1971, with
    missing ratings as Gwet generalised it: K. L. Gwet (2014), "Handbook of Inter-Rater
    Reliability", 4th ed., ch. 2, and ``irrCAC.raw.CAC(...).fleiss()``). A unit rated once
    has no pair, so it is left out of p_a, but its rating still says how the categories are
    used, so it counts in pi_c, as in gwet_ac1. ``domain`` only checks that every rating is
    one of its values.
    """
    counts = _Counts(ratings, domain=domain)
    agreement = counts.observed_agreement()
    rated = counts.m >= 1
    shares = counts.count / counts.m[counts.unit]
    pi = np.bincount(counts.code, weights=shares, minlength=counts.n_categories) / rated.sum()
    if np.count_nonzero(pi) < 2:
        raise AgreementError(
            "all ratings are in one category, so chance agreement is 1 and kappa is undefined"
        )
    chance = float((pi**2).sum())
    return (agreement - chance) / (1 - chance)


def gwet_ac1(ratings: Any, *, domain: Sequence | None = None) -> float:
    """Gwet's first-order agreement coefficient AC1, for any number of raters per unit.

    AC1 = (p_a - p_e) / (1 - p_e) with p_a as in percent_agreement (units with two or more
    ratings), p_e = sum_c pi_c (1 - pi_c) / (q - 1) and pi_c = mean over every unit with at
    least one rating of n_uc / m_u; q is the number of categories. Source: K. L. Gwet (2008),
    "Computing inter-rater reliability and its variance in the presence of high agreement",
    British Journal of Mathematical and Statistical Psychology 61:29-48, with the handling of
    missing ratings from Gwet (2014), "Handbook of Inter-Rater Reliability", 4th ed.; it
    matches ``irrCAC.raw.CAC(...).gwet()``. The categories are ``domain`` when given (q counts
    unused categories too, as in Gwet), otherwise the distinct values rated.
    """
    counts = _Counts(ratings, domain=domain)
    q = counts.n_categories
    if q < 2:
        raise AgreementError(
            "AC1 needs at least two categories; give the domain if more were possible"
        )
    agreement = counts.observed_agreement()
    rated = counts.m >= 1
    shares = counts.count / counts.m[counts.unit]
    pi = np.bincount(counts.code, weights=shares, minlength=q) / rated.sum()
    chance = float((pi * (1 - pi)).sum() / (q - 1))
    return (agreement - chance) / (1 - chance)


class _Counts:
    """Per-unit category counts as sparse (unit, code, count) triples, plus m_u per unit."""

    def __init__(self, ratings: Any, *, domain: Sequence | None = None) -> None:
        table = as_table(ratings)
        present = ~missing_mask(table)
        unit, _ = np.nonzero(present)
        codes, categories = category_codes(table[present], domain=domain)
        self.n_categories = len(categories)
        self.unit, self.code, self.count = unit_value_counts(unit, codes)
        self.m = np.bincount(self.unit, weights=self.count, minlength=len(table))

    def observed_agreement(self) -> float:
        """Mean over units with m_u >= 2 of sum_c n_uc (n_uc - 1) / (m_u (m_u - 1))."""
        pairable = self.m >= 2
        if not pairable.any():
            raise AgreementError("no unit has ratings from two or more raters: nothing to compare")
        pairs = self.count * (self.count - 1)
        agreeing = np.bincount(self.unit, weights=pairs, minlength=len(self.m))
        m = self.m[pairable]
        return float(np.mean(agreeing[pairable] / (m * (m - 1))))
