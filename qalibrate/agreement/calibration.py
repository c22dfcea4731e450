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
the answers given). A criterion is flagged for clarification when its answer agreement is
below AGREEMENT_THRESHOLD (80 %, the usual bar for calibrated QA answers) or its alpha is below
ALPHA_THRESHOLD (0.667, the lowest value Krippendorff (2004, "Content Analysis", 2nd ed.,
§11.4) accepts for tentative conclusions).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qalibrate.agreement.alpha import AlphaInterval, krippendorff_alpha, krippendorff_alpha_ci
from qalibrate.agreement.icc import icc
from qalibrate.agreement.kappa import gwet_ac1, percent_agreement
from qalibrate.agreement.ratings import AgreementError, is_missing

AGREEMENT_THRESHOLD = 0.8
ALPHA_THRESHOLD = 0.667
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
    alpha: float | None  # Krippendorff's alpha at the criterion's level (N/A left out)
    ac1: float | None  # Gwet's AC1, yes/no criteria only
    na_consistency: float | None  # agreement on "applies or N/A" (None: nobody used N/A)

    @property
    def flagged(self) -> bool:
        return (self.agreement is not None and self.agreement < AGREEMENT_THRESHOLD) or (
            self.alpha is not None and self.alpha < ALPHA_THRESHOLD
        )


def _or_none(statistic, *args, **kwargs) -> float | None:
    try:
        return statistic(*args, **kwargs)
    except AgreementError:
        return None


def is_na(value) -> bool:
    """Whether an answer is N/A: "na" or "n/a" in any case, blanks around it ignored."""
    return isinstance(value, str) and value.strip().lower() in NA_TOKENS


def criterion_figures(
    answers: Sequence[Sequence], *, level: str, domain: Sequence | None = None, yes_no=False
) -> CriterionFigures:
    """Agreement figures for one criterion (contacts × evaluators; "na"/"n/a" = N/A, None or
    NaN = none).

    Raises AgreementError for ordinal answers in words without a ``domain``: only the domain
    can say how they are ordered, and a missing alpha would otherwise look like too few answers.
    """
    given = [[None if is_missing(v) else v for v in row] for row in answers]
    answered = [[None if is_na(v) else v for v in row] for row in given]
    applies = [[None if v is None else is_na(v) for v in row] for row in given]
    if level == "ordinal" and domain is None:
        words = [v for row in answered for v in row if isinstance(v, str)]
        if words:
            raise AgreementError(
                f"ordinal answers in words, such as {str(words[0])!r}, need a domain that lists "
                "them in order"
            )
    used_na = any(v is True for row in applies for v in row)
    return CriterionFigures(
        n=sum(v is not None for row in given for v in row),
        agreement=_or_none(percent_agreement, answered),
        alpha=_or_none(krippendorff_alpha, answered, level, domain),
        ac1=_or_none(gwet_ac1, answered, domain=["yes", "no"]) if yes_no else None,
        na_consistency=_or_none(percent_agreement, applies) if used_na else None,
    )


@dataclass(frozen=True)
class SessionFigures:
    alpha: AlphaInterval | None  # interval alpha of the totals, contacts as units
    icc: dict[str, float] | None  # ICC of the totals when every evaluator scored every contact


def session_figures(totals, *, n_boot: int = 1000, seed: int = 0) -> SessionFigures:
    """Agreement on the total scores (evaluators × contacts, NaN = not scored)."""
    units = np.atleast_2d(np.asarray(totals, dtype=float)).T
    alpha = _or_none(krippendorff_alpha_ci, units, "interval", n_boot=n_boot, seed=seed)
    complete = units.size and not np.isnan(units).any()
    return SessionFigures(alpha=alpha, icc=_or_none(icc, units) if complete else None)
