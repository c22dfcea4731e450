"""Agreement of one evaluator with a reference (the agreed or expert answers), per criterion.

Two raters only: Cohen's kappa and Gwet's AC1 (AC2 when weighted), each with Gwet's
standard error and a t interval. Notation, over the n units both answered: p_kl is the share
of units the evaluator put in category k and the reference in category l, p_k+ and p_+l the
margins, w_kl the weights (qalibrate.agreement.weights), q the number of categories and
p_a = sum_kl w_kl p_kl the (weighted) observed agreement.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from qalibrate.agreement.ratings import AgreementError, is_missing
from qalibrate.agreement.weights import WEIGHTS, weight_matrix


@dataclass(frozen=True)
class PairEstimate:
    """A two-rater coefficient, its standard error and its confidence interval.

    ``n`` is the number of units both raters answered; the interval is value ± t × se with
    t on n - 1 degrees of freedom, cut to [-1, 1].
    """

    value: float
    se: float
    low: float
    high: float
    n: int
    confidence: float


def pairwise_agreement(
    evaluator_answers: Sequence | np.ndarray,
    reference_answers: Sequence | np.ndarray,
    *,
    categories: Sequence | None = None,
    weights: str = "identity",
    confidence: float = 0.95,
) -> dict[str, PairEstimate]:
    """Cohen's kappa ("cohen_kappa") and Gwet's AC1 ("ac1"; AC2 when weighted) of one
    evaluator's answers against the reference answers for the same units, in the same order.

    A unit missing from either list (None, NaN, an empty string) is dropped. ``categories``
    lists every possible answer, in order (AC1 counts unused categories too); without it, the
    distinct answers either rater gave (dropped units included), numbers ascending.
    ``weights`` is "identity", "linear", "quadratic" or "ordinal" (Gwet's definitions, see
    weights.py); the weighted kappa is Cohen's (1968).

    Both coefficients are (p_a - p_e) / (1 - p_e), with chance agreement

        kappa:    p_e = sum_kl w_kl p_k+ p_+l
        AC1/AC2:  p_e = T_w / (q (q - 1)) · sum_k pi_k (1 - pi_k),
                  pi_k = (p_k+ + p_+k) / 2,  T_w = sum_kl w_kl

    and Gwet's linearised variance for two raters,

        v = (sum_kl p_kl (w_kl - 2 (1 - c) e_kl)^2 - (p_a - 2 (1 - c) p_e)^2) / (n (1 - p_e)^2)

    where c is the coefficient and e_kl a unit's own contribution to p_e:
    e_kl = (sum_j w_kj p_+j + sum_i w_il p_i+) / 2 for kappa and
    e_kl = T_w / (q (q - 1)) · (1 - (pi_k + pi_l) / 2) for AC1/AC2.
    Sources: K. L. Gwet (2014), "Handbook of Inter-Rater Reliability", 4th ed., Advanced
    Analytics, ch. 2-3; K. L. Gwet (2008), "Computing inter-rater reliability and its variance
    in the presence of high agreement", British Journal of Mathematical and Statistical
    Psychology 61:29-48; the R package irrCAC (kappa2.table, gwet.ac1.table). For kappa this
    variance equals that of J. L. Fleiss, J. Cohen and B. S. Everitt (1969), "Large sample
    standard errors of kappa and weighted kappa", Psychological Bulletin 72(5):323-327.
    When every pair agrees, the variance is 0 and so is the width of the interval.

    A coefficient that is undefined is left out of the result: kappa when its chance
    agreement is 1 (both raters gave one and the same answer throughout), AC1 when there is
    only one category. Raises AgreementError, saying why, when neither can be computed,
    including when fewer than two units were answered by both.
    """
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    if not isinstance(weights, str) or weights not in WEIGHTS:
        raise AgreementError(f"weights must be one of {', '.join(WEIGHTS)}; got {weights!r}")
    table, found = _cross_table(evaluator_answers, reference_answers, categories)
    return _from_table(table, found, weights, confidence)


def pairwise_against_reference(
    answers: Sequence | np.ndarray,
    reference_answers: Sequence | np.ndarray,
    *,
    categories: Sequence | None = None,
    weights: str = "identity",
    confidence: float = 0.95,
) -> list[dict[str, PairEstimate] | None]:
    """pairwise_agreement for every evaluator at once: ``answers`` is units × evaluators,
    ``reference_answers`` one answer per unit. Returns one result per evaluator, None where
    it is undefined (fewer than two units answered by both, or no coefficient defined).

    The answers are coded once for the whole panel, which is what makes a report of 30
    evaluators × 50 criteria fast; the figures are those of pairwise_agreement.
    """
    if not 0 < confidence < 1:
        raise AgreementError("confidence must be between 0 and 1, e.g. 0.95")
    if not isinstance(weights, str) or weights not in WEIGHTS:
        raise AgreementError(f"weights must be one of {', '.join(WEIGHTS)}; got {weights!r}")
    rows = [list(row) for row in answers]
    reference = _as_list(_answers(reference_answers))
    if len(rows) != len(reference):
        raise AgreementError(
            f"the answers and the reference must cover the same units; got {len(rows)} and "
            f"{len(reference)}"
        )
    evaluators = len(rows[0]) if rows else 0
    if any(len(row) != evaluators for row in rows):
        raise AgreementError("answers must be a table: the same evaluators on every unit")
    flat = [value for row in rows for value in row]
    codes, found = _codes(flat + reference, categories)
    q = len(found)
    panel = codes[: len(flat)].reshape(len(rows), evaluators)
    ref = codes[len(flat) :]
    both = (panel >= 0) & (ref[:, None] >= 0)
    _, evaluator = np.nonzero(both)
    cells = evaluator * q * q + panel[both] * q + np.broadcast_to(ref[:, None], panel.shape)[both]
    tables = np.bincount(cells, minlength=evaluators * q * q).reshape(evaluators, q, q)
    return _from_tables(tables.astype(np.float64), found, weights, confidence)


def _from_table(table: np.ndarray, found: list, weights: str, confidence: float):
    """Kappa and AC1/AC2 from the q × q counts of (evaluator, reference) categories."""
    n = int(table.sum())
    if n < 2:
        raise AgreementError(
            f"agreement with the reference needs at least two units answered by both; "
            f"there {'is' if n == 1 else 'are'} {n}"
        )
    result = _from_tables(table[None], found, weights, confidence)[0]
    if result is None:
        raise AgreementError(
            "the evaluator and the reference gave the same single answer to every unit and no "
            "other answer is possible, so chance-corrected agreement is undefined; give all "
            "the possible answers as categories"
        )
    return result


def _from_tables(tables: np.ndarray, found: list, weights: str, confidence: float):
    """_from_table for a stack of tables (evaluators × q × q), computed together; None for an
    evaluator with fewer than two units or no coefficient defined."""
    w = _weights(weights, tuple(found))
    q = len(found)
    n = tables.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = tables / n[:, None, None]
        row, col = p.sum(axis=2), p.sum(axis=1)  # the evaluator's and the reference's shares
        observed = np.einsum("kl,ekl->e", w, p)
        weighted_col, weighted_row = col @ w.T, row @ w
        chance = (row * weighted_col).sum(axis=1)
        own = (weighted_col[:, :, None] + weighted_row[:, None, :]) / 2
        kappa = _estimates(p, w, own, observed, chance, n, confidence)
        ac = [None] * len(tables)
        if q >= 2:
            pi = (row + col) / 2
            scale = float(w.sum()) / (q * (q - 1))
            chance = scale * (pi * (1 - pi)).sum(axis=1)
            own = scale - (scale / 2) * (pi[:, :, None] + pi[:, None, :])
            ac = _estimates(p, w, own, observed, chance, n, confidence)
    results = []
    for count, first, second in zip(n, kappa, ac, strict=True):
        found_here = {}
        if count >= 2 and first is not None:
            found_here["cohen_kappa"] = first
        if count >= 2 and second is not None:
            found_here["ac1"] = second
        results.append(found_here or None)
    return results


def _estimates(p, w, own, observed, chance, n, confidence) -> list[PairEstimate | None]:
    """Gwet's two-rater variance (see pairwise_agreement) and the t interval, per table;
    None where chance agreement is 1."""
    value = (observed - chance) / (1 - chance)
    slope = 2 * (1 - value)
    deviation = w[None] - slope[:, None, None] * own
    spread = (p * deviation * deviation).sum(axis=(1, 2)) - (observed - slope * chance) ** 2
    se = np.sqrt(np.maximum(spread, 0.0) / n) / (1 - chance)
    estimates = []
    for k, count in enumerate(n):
        if count < 2 or not chance[k] < 1 - 1e-12:
            estimates.append(None)
            continue
        t = _t_quantile(int(count) - 1, confidence)
        v, e = float(value[k]), float(se[k])
        estimates.append(
            PairEstimate(
                value=v,
                se=e,
                low=max(-1.0, v - t * e),
                high=min(1.0, v + t * e),
                n=int(count),
                confidence=confidence,
            )
        )
    return estimates


@functools.lru_cache(maxsize=256)
def _weights(kind: str, categories: tuple) -> np.ndarray:
    """weight_matrix, computed once per criterion's categories (the report asks again for
    every evaluator). The cached array is shared: never modify it."""
    return weight_matrix(kind, categories)


@functools.lru_cache(maxsize=256)
def _t_quantile(degrees_of_freedom: int, confidence: float) -> float:
    return float(special.stdtrit(degrees_of_freedom, (1 + confidence) / 2))


def _cross_table(
    evaluator_answers: Sequence | np.ndarray,
    reference_answers: Sequence | np.ndarray,
    categories: Sequence | None,
) -> tuple[np.ndarray, list]:
    """The q × q counts of (evaluator's category, reference's category) over the units both
    answered, and the q categories."""
    first, second = _answers(evaluator_answers), _answers(reference_answers)
    if len(first) != len(second):
        raise AgreementError(
            f"the evaluator's and the reference's answers must cover the same units; got "
            f"{len(first)} and {len(second)} answers"
        )
    if isinstance(first, np.ndarray) and isinstance(second, np.ndarray) and categories is None:
        codes, found = _numeric_codes(np.concatenate((first, second)).astype(np.float64))
    else:
        codes, found = _codes(_as_list(first) + _as_list(second), categories)
    q = len(found)
    evaluator, reference = codes[: len(first)], codes[len(first) :]
    both = (evaluator >= 0) & (reference >= 0)
    counts = np.bincount(evaluator[both] * q + reference[both], minlength=q * q)
    return counts.reshape(q, q).astype(np.float64), found


def _as_list(values: np.ndarray | list) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else values


def _numeric_codes(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes of numeric answers (-1 for NaN), the distinct numbers ascending as categories."""
    if np.isinf(values).any():
        raise AgreementError("answers must be finite numbers; found an infinity")
    present = ~np.isnan(values)
    found, inverse = np.unique(values[present], return_inverse=True)
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[present] = inverse.ravel()
    return codes, found.tolist()


def _codes(values: list, categories: Sequence | None) -> tuple[np.ndarray, list]:
    """Codes of any answers (-1 for missing) and the categories they index.

    Each distinct answer is looked at once, so a long list costs one dictionary lookup per
    answer. Without ``categories``, numbers are coded in ascending order and other answers in
    order of first appearance, as ratings.category_codes does.
    """
    try:
        distinct = list(dict.fromkeys(values))
    except TypeError:  # a list or another unhashable value
        distinct = [()]
    given = [value for value in distinct if not is_missing(value)]
    if any(isinstance(value, tuple) for value in given):
        raise AgreementError("answers must be numbers or text, one answer per unit")
    if any(isinstance(value, float) and math.isinf(value) for value in given):
        raise AgreementError("answers must be finite numbers; found an infinity")
    if categories is None:
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in given)
        found = sorted(given) if numeric else given
    else:
        found = list(categories)
    try:
        position = {category: index for index, category in enumerate(found)}
    except TypeError as error:
        raise AgreementError("categories must be numbers or text") from error
    if len(position) != len(found):
        raise AgreementError("the categories list an answer twice")
    code_of = dict.fromkeys(distinct, -1)
    for value in given:
        if value not in position:
            raise AgreementError(f"answer {value!r} is not one of the categories")
        code_of[value] = position[value]
    return np.array(list(map(code_of.__getitem__, values)), dtype=np.int64), found


def _answers(values: Sequence | np.ndarray) -> np.ndarray | list:
    """A numeric array as it is; anything else as a list of Python values."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        if values.ndim != 1:
            raise AgreementError("answers must be a flat list, one answer per unit")
        return values
    # A nested list is caught later, once per distinct answer (see _codes).
    return values.tolist() if hasattr(values, "tolist") else list(values)
