"""Calibration figures for one session (DESIGN §4): pure numpy, no Django.

``totals`` is an evaluators × contacts table of total scores (0-100), NaN where an evaluator did
not score a contact. ``reference`` holds one reference total per contact (NaN: none).

- A contact's spread is max - min of its totals; SD is the sample standard deviation (n - 1).
- An evaluator's deviation on a contact is their total minus the reference; the mean absolute
  deviation says how far off they are, the mean signed deviation (bias) whether they are lenient
  (+) or strict (-). They are within tolerance when the mean absolute deviation is at most the
  tolerance; the session is calibrated when every evaluator who scored is within tolerance.

Per criterion, answers are a contacts × evaluators table of answers ("na" or "n/a", in any
case, for N/A; None, NaN, a blank string or pd.NA for none). N/A counts twice, differently: as
its own category when judging applicability (N/A consistency: do evaluators agree whether the
criterion applies?) and as missing when judging the answer (agreement, alpha, AC1 are over
the answers given).

Each criterion also gets the whole chance-corrected family (coefficients.py) with standard
errors and intervals, weighted by its kind (WEIGHTS_BY_LEVEL): a yes/no or unordered
criterion with identity weights (any difference is a disagreement), options with points with
ordinal weights (only their order counts, not the gaps between the points), a numeric scale
with quadratic weights (Krippendorff's interval alpha; 4 against 5 is a small disagreement).

A criterion is flagged for clarification when its answer agreement is below
AGREEMENT_THRESHOLD (80 %, the usual bar for calibrated QA answers), or when the
chance-corrected figures say the evaluators agree little more than chance would:

* yes/no: Gwet's AC1 below CHANCE_CORRECTED_THRESHOLD. Alpha and kappa are not used: when
  nearly every answer is "yes" they fall to 0 or below however well evaluators agree (the
  kappa paradox; Feinstein & Cicchetti 1990, J Clin Epidemiol 43:543-549; Gwet 2008), and
  AC1 does not.
* ordered (options, scale): alpha and AC2 both below CHANCE_CORRECTED_THRESHOLD, so a low
  alpha caused only by contacts that all deserve the same score (the same paradox) is not a
  flag unless AC2 agrees.

CHANCE_CORRECTED_THRESHOLD is 0.667, the lowest alpha Krippendorff (2004, "Content
Analysis", 2nd ed., §11.4) accepts for tentative conclusions.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qalibrate.agreement import coverage
from qalibrate.agreement.alpha import AlphaEstimate, krippendorff_alpha_interval
from qalibrate.agreement.coefficients import Estimate, agreement_coefficients
from qalibrate.agreement.icc import icc
from qalibrate.agreement.kappa import percent_agreement
from qalibrate.agreement.ratings import AgreementError, is_missing

AGREEMENT_THRESHOLD = 0.8
CHANCE_CORRECTED_THRESHOLD = 0.667
ALPHA_THRESHOLD = CHANCE_CORRECTED_THRESHOLD
WEIGHTS_BY_LEVEL = {"nominal": "identity", "ordinal": "ordinal", "interval": "quadratic"}
NA = "na"
NA_TOKENS = frozenset({"na", "n/a"})  # compared after strip() and lower()


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
    table, reference = _totals_and_reference(totals, reference)
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


def _totals_and_reference(totals, reference) -> tuple[np.ndarray, np.ndarray]:
    """The totals as evaluators × contacts and the reference as one value per contact.

    A reference of another length would broadcast silently (one value against every contact,
    or a row per evaluator), so it is an error instead.
    """
    table = np.atleast_2d(np.asarray(totals, dtype=float))
    reference = np.asarray(reference, dtype=float)
    if reference.shape != (table.shape[1],):
        raise AgreementError(
            f"the reference needs one total per contact ({table.shape[1]}); "
            f"got shape {reference.shape}"
        )
    return table, reference


def is_calibrated(deviations: Sequence[EvaluatorDeviation | None]) -> bool | None:
    """True when every evaluator with a deviation is within tolerance; None when nobody has one."""
    known = [d for d in deviations if d is not None]
    if not known:
        return None
    return all(d.within_tolerance for d in known)


def share_within(totals, reference, *, tolerance: float) -> float | None:
    """Share of the scores (evaluator × contact) within the tolerance of the reference."""
    table, reference = _totals_and_reference(totals, reference)
    deviation = table - reference
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
    rank: dict = {}
    for position, value in enumerate(order):
        rank.setdefault(value, position)  # a value listed twice ranks by its first place
    return min(tied, key=lambda v: (rank.get(v, len(order)), values.index(v)))


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


@dataclass(frozen=True)
class CriterionFigures:
    n: int  # answers given (N/A included)
    agreement: float | None  # share of agreeing pairs over the answers (N/A left out)
    alpha: float | None  # Krippendorff's alpha with the criterion's weights (N/A left out)
    ac1: float | None  # Gwet's AC1 (AC2 with the criterion's weights when they are not identity)
    na_consistency: float | None  # agreement on "applies or N/A" (None: nobody used N/A)
    yes_no: bool = False
    weights: str = "identity"
    coefficients: dict[str, Estimate] = field(default_factory=dict)  # with SEs and intervals
    # Coefficients whose interval is approximate at this size (coverage.py), each with the
    # contacts the coverage benchmark needed for it to keep its promise (None: more than 30).
    approximate: dict[str, int | None] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        """The paradox-robust rule of the module docstring."""
        if self.agreement is not None and self.agreement < AGREEMENT_THRESHOLD:
            return True
        low = CHANCE_CORRECTED_THRESHOLD
        if self.yes_no:
            return self.ac1 is not None and self.ac1 < low
        if self.alpha is None or self.alpha >= low:
            return False
        return self.ac1 is None or self.ac1 < low


def _or_none(statistic, *args, **kwargs) -> float | None:
    try:
        return statistic(*args, **kwargs)
    except AgreementError:
        return None


def is_na(value) -> bool:
    """Whether an answer is N/A: "na" or "n/a" in any case, blanks around it ignored."""
    return isinstance(value, str) and value.strip().lower() in NA_TOKENS


_MISSING, _NA, _ANSWER = "missing", "na", "answer"


def _answer_states(answers):
    """A lookup of each distinct answer's state (missing, N/A or an answer), so a criterion's
    few distinct values are each classified once, not every cell."""
    states: dict = {}

    def state(value):
        try:
            return states[value]
        except KeyError:
            found = _MISSING if is_missing(value) else _NA if is_na(value) else _ANSWER
            states[value] = found
            return found
        except TypeError:  # an unhashable value: classify it where it stands
            return _MISSING if is_missing(value) else _NA if is_na(value) else _ANSWER

    return state


def criterion_figures(
    answers: Sequence[Sequence], *, level: str, domain: Sequence | None = None, yes_no=False
) -> CriterionFigures:
    """Agreement figures for one criterion (contacts × evaluators; "na"/"n/a" = N/A, None or
    NaN = none).

    Raises AgreementError for ordinal answers in words without a ``domain``: only the domain
    can say how they are ordered, and a missing alpha would otherwise look like too few answers.
    """
    given, answered, applies = _answer_tables(answers)
    if level == "ordinal" and domain is None:
        _require_numbers(answered)
    used_na = any(v is True for row in applies for v in row)
    weights = WEIGHTS_BY_LEVEL[level]
    family = _coefficient_family(answered, ["yes", "no"] if yes_no else domain, weights)
    return CriterionFigures(
        n=sum(v is not None for row in given for v in row),
        agreement=_or_none(percent_agreement, answered),
        alpha=_value_of(family.get("krippendorff_alpha")),
        ac1=_value_of(family.get("ac1")),
        na_consistency=_or_none(percent_agreement, applies) if used_na else None,
        yes_no=yes_no,
        weights=weights,
        coefficients=family,
        approximate=_approximate(family, level, _evaluator_count(answered)),
    )


def _answer_tables(answers) -> tuple[list[list], list[list], list[list]]:
    """The answers three ways: given (N/A included, None for none), answered (N/A left out)
    and applies (True for N/A, False for an answer, None for none)."""
    state = _answer_states(answers)
    given = [[None if state(v) is _MISSING else v for v in row] for row in answers]
    answered = [[v if state(v) is _ANSWER else None for v in row] for row in answers]
    applies = [[None if v is None else state(v) is _NA for v in row] for row in given]
    return given, answered, applies


def _require_numbers(answered) -> None:
    """Ordinal answers without a domain must be numbers: words have no order of their own."""
    words = [v for row in answered for v in row if isinstance(v, str)]
    if words:
        raise AgreementError(
            f"ordinal answers in words, such as {str(words[0])!r}, need a domain that lists "
            "them in order"
        )


def _coefficient_family(answered, categories, weights: str) -> dict[str, Estimate]:
    """The chance-corrected family, empty when the answers allow none of it."""
    try:
        return agreement_coefficients(answered, categories=categories, weights=weights)
    except AgreementError:
        return {}


def _value_of(estimate: Estimate | None) -> float | None:
    return None if estimate is None else estimate.value


def _evaluator_count(answered) -> int:
    """How many evaluators (columns) gave at least one answer."""
    columns = len(answered[0]) if answered else 0
    return sum(any(row[k] is not None for row in answered) for k in range(columns))


def _approximate(family: dict[str, Estimate], level: str, evaluators: int) -> dict:
    """The coefficients whose interval is approximate at this size, each with the contacts
    it would need (coverage.py)."""
    return {
        name: coverage.contacts_needed(level, name, evaluators)
        for name, estimate in family.items()
        if coverage.is_approximate(level, name, estimate.n, evaluators)
    }


@dataclass(frozen=True)
class SessionFigures:
    alpha: AlphaEstimate | None  # interval alpha of the totals, contacts as units (jackknife)
    icc: dict[str, float] | None  # ICC of the totals when every evaluator scored every contact
    evaluators: int = 0

    @property
    def approximate(self) -> bool:
        """Whether alpha's interval comes from a panel too small to keep its promise."""
        if self.alpha is None or self.alpha.low is None:
            return False
        return coverage.is_approximate(
            "totals", "krippendorff_alpha", self.alpha.n, self.evaluators
        )

    @property
    def contacts_needed(self) -> int | None:
        return coverage.contacts_needed("totals", "krippendorff_alpha", self.evaluators)


def session_figures(totals) -> SessionFigures:
    """Agreement on the total scores (evaluators × contacts, NaN = not scored)."""
    units = np.atleast_2d(np.asarray(totals, dtype=float)).T
    alpha = _or_none(krippendorff_alpha_interval, units, "interval")
    complete = units.size and not np.isnan(units).any()
    evaluators = int((~np.isnan(units)).any(axis=0).sum()) if units.size else 0
    return SessionFigures(
        alpha=alpha, icc=_or_none(icc, units) if complete else None, evaluators=evaluators
    )
