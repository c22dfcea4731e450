"""The agreement figures of a revealed session, computed from the answers the meeting screen
has already loaded (no query): each criterion's agreement, each evaluator's agreement with the
reference (Bland-Altman on the totals, kappa and AC1 per criterion) and the ICCs of the totals.
qalibrate.calibration.meeting_selectors reads the data and calls these. A criterion's figures
are kept under a digest of its answers (core.once), so a view after the reveal computes only
what changed."""

from dataclasses import dataclass

import numpy as np

from qalibrate.agreement import session_figures
from qalibrate.agreement.bland_altman import BlandAltman, bland_altman
from qalibrate.agreement.coefficients import Estimate
from qalibrate.agreement.icc import IccEstimate, icc_intervals
from qalibrate.agreement.pairwise import PairEstimate, pairwise_against_reference
from qalibrate.agreement.ratings import AgreementError
from qalibrate.calibration.models import ReferenceMode
from qalibrate.core.once import same_inputs_once
from qalibrate.scorecards.models import Criterion


@dataclass(frozen=True)
class CriterionVersusReference:
    """One evaluator's answers to one criterion against the reference answers (the agreed
    answer; the expert's own in expert mode), over the contacts both answered, N/A left out
    as in the criterion's agreement. Kappa and AC1 are None when undefined or with fewer than
    two such contacts; kappa also when either side gave one answer throughout (it is then 0
    by construction, whatever the agreement)."""

    criterion: Criterion
    weights: str  # the criterion's weights (session_figures.WEIGHTS_BY_LEVEL)
    n: int  # contacts both answered
    same: int  # of them, contacts where the answer equals the reference
    kappa: PairEstimate | None  # Cohen's kappa (weighted when the weights are not identity)
    ac1: PairEstimate | None  # Gwet's AC1; AC2 when the weights are not identity


@dataclass(frozen=True)
class CoefficientLine:
    """One coefficient of a criterion's family as the report lists it, with whether its
    interval is approximate at this session's size (the coverage benchmark's verdict) and
    how many contacts the benchmark needed for it (None: more than it measured)."""

    estimate: Estimate
    approximate: bool
    contacts_needed: int | None


@dataclass
class CriterionAgreement:
    criterion: Criterion
    figures: session_figures.CriterionFigures
    matches_agreed: float | None  # share of answers equal to the agreed answer
    flagged: bool  # flagged by the facilitator in this session
    previous: float | None = None

    @property
    def agreement(self) -> float | None:
        return self.figures.agreement

    @property
    def n(self) -> int:
        return self.figures.n

    @property
    def low_agreement(self) -> bool:
        return self.figures.flagged

    @property
    def contacts(self) -> int:
        """The contacts with an answer to the criterion (N/A left out), as the coefficients
        count them."""
        return max((e.n for e in self.figures.coefficients.values()), default=0)

    @property
    def flag_coefficient(self) -> Estimate | None:
        """The chance-corrected coefficient the flag reads: AC1 for a yes/no criterion,
        Krippendorff's alpha for ordered answers (calibration's module docstring)."""
        line = self.flag_line
        return None if line is None else line.estimate

    @property
    def coefficient_lines(self) -> list[CoefficientLine]:
        approximate = self.figures.approximate
        return [
            CoefficientLine(estimate, name in approximate, approximate.get(name))
            for name, estimate in self.figures.coefficients.items()
        ]

    @property
    def flag_line(self) -> CoefficientLine | None:
        key = "ac1" if self.figures.yes_no else "krippendorff_alpha"
        return next((line for line in self.coefficient_lines if line.estimate.name == key), None)

    @property
    def low_only_by_chance_correction(self) -> bool:
        """Ordered answers whose alpha is low while AC2 is not: nearly every answer is the
        same, which pulls alpha down however well evaluators agree, so the flag holds back."""
        figures = self.figures
        low = session_figures.CHANCE_CORRECTED_THRESHOLD
        return (
            not figures.yes_no
            and figures.alpha is not None
            and figures.alpha < low
            and figures.ac1 is not None
            and figures.ac1 >= low
        )


def criterion_level(criterion: Criterion) -> tuple[str, list | None]:
    """The measurement level a criterion's kind implies, and every possible answer in order
    (None for yes/no: the caller names "yes" and "no"). The whole scale counts, not just the
    points used: AC2 and Brennan-Prediger count unused answers, and quadratic weights measure
    a gap against the scale's full range."""
    if criterion.kind == "scale":
        return "interval", list(criterion.scale_values)
    if criterion.kind == "options":
        ordered = sorted(criterion.options, key=lambda option: option["points"])
        return "ordinal", [option["label"] for option in ordered]
    return "nominal", None


def _categories(criterion: Criterion) -> tuple[str, list | None]:
    """The weights a criterion's answers are compared with, and its possible answers."""
    level, domain = criterion_level(criterion)
    categories = ["yes", "no"] if criterion.kind == "yes_no" else domain
    return session_figures.WEIGHTS_BY_LEVEL[level], categories


def _statistics_value(criterion: Criterion, form_value: str | None):
    """An answer as the statistics take it: None when not given, "na" for N/A, a scale point
    as a number."""
    if form_value is None or form_value == "":
        return None
    if criterion.kind == "scale" and form_value != "na":
        return int(form_value)
    return form_value


def answer_table(criterion, session_contacts, evaluators, answers) -> list[list]:
    """Contacts × evaluators: each evaluator's answer to the criterion (None: not given)."""
    table = []
    for sc in session_contacts:
        by_evaluator = {
            a.evaluation.evaluator_id: a.form_value
            for a in answers.get((sc.contact_id, criterion.pk), [])
        }
        table.append([_statistics_value(criterion, by_evaluator.get(u.pk)) for u in evaluators])
    return table


def reference_answers(session, criterion, session_contacts, answers, agreed) -> list:
    """Per contact, the answer an evaluator's answers are compared with: in expert mode the
    expert's own, as the expert's total is the reference total; otherwise, and where the
    expert gave none, the agreed answer (which the reveal prefills with the majority)."""
    result = []
    for sc in session_contacts:
        value = None
        if session.reference_mode == ReferenceMode.EXPERT:
            value = next(
                (
                    a.form_value
                    for a in answers.get((sc.contact_id, criterion.pk), [])
                    if a.evaluation.evaluator_id == session.expert_id and a.form_value != ""
                ),
                None,
            )
        if value is None and (group_answer := agreed.get((sc.pk, criterion.pk))) is not None:
            value = group_answer.form_value
        result.append(_statistics_value(criterion, value))
    return result


def compare_with_reference(rows, totals, reference, criteria, tables, references) -> None:
    """Each evaluator's Bland-Altman limits against the reference totals, and kappa and AC1
    against the reference answers per criterion (N/A on either side left out), set on their
    rows (``rows``: EvaluatorRow in the order of ``totals``)."""
    compared = [k for k, row in enumerate(rows) if row.scored and not row.is_reference]
    for k in compared:
        rows[k].versus_reference = _limits_of_agreement(totals[k], reference)
    if not compared:
        return
    for criterion, reference_column in zip(criteria, references, strict=True):
        lines = _versus_reference(criterion, tables[criterion.pk], reference_column, compared)
        for k, line in zip(compared, lines, strict=True):
            if line is not None:
                rows[k].criteria_versus_reference.append(line)


def _limits_of_agreement(totals: np.ndarray, reference: np.ndarray) -> BlandAltman | None:
    try:
        return bland_altman(totals, reference)
    except AgreementError:
        return None


def _without_na(value):
    return None if value == "na" else value


def _versus_reference(
    criterion, table, reference_column, compared
) -> list[CriterionVersusReference | None]:
    """One criterion: the line of each compared evaluator (by position in ``compared``; None
    where no contact has an answer from both)."""
    weights, categories = _categories(criterion)
    theirs = [_without_na(value) for value in reference_column]
    answers = [[_without_na(row[k]) for k in compared] for row in table]
    try:
        # Every evaluator at once: the answers are coded once for the whole panel.
        estimates = pairwise_against_reference(
            answers, theirs, categories=categories, weights=weights
        )
    except AgreementError:
        estimates = [None] * len(compared)
    return [
        _versus_reference_line(
            criterion, weights, [row[position] for row in answers], theirs, estimates[position]
        )
        for position in range(len(compared))
    ]


def _versus_reference_line(
    criterion, weights, mine, theirs, coefficients
) -> CriterionVersusReference | None:
    pairs = [
        (answer, reference)
        for answer, reference in zip(mine, theirs, strict=True)
        if answer is not None and reference is not None
    ]
    if not pairs:
        return None
    found = coefficients or {}
    # When one side gives a single answer throughout, kappa is 0 however often the two
    # agree (its chance agreement is then their observed agreement): the kappa paradox
    # (A. R. Feinstein and D. V. Cicchetti (1990), "High agreement but low kappa",
    # J Clin Epidemiol 43(6):543-549). Shown as undefined rather than as a 0.
    both_vary = all(len(set(side)) > 1 for side in zip(*pairs, strict=True))
    return CriterionVersusReference(
        criterion=criterion,
        weights=weights,
        n=len(pairs),
        same=sum(answer == reference for answer, reference in pairs),
        kappa=found.get("cohen_kappa") if both_vary else None,
        ac1=found.get("ac1"),
    )


def criterion_agreement(
    criteria, session_contacts, tables, agreed, flags
) -> list[CriterionAgreement]:
    """Per scored criterion: its agreement figures, the share of answers equal to the agreed
    answer, and whether the facilitator flagged it."""
    result = []
    for criterion in criteria:
        table = tables[criterion.pk]
        matches = counted = 0
        for sc, answers in zip(session_contacts, table, strict=True):
            group_answer = agreed.get((sc.pk, criterion.pk))
            for value in answers:
                if value is None:
                    continue
                counted += 1
                matches += group_answer is not None and str(value) == group_answer.form_value
        level, domain = criterion_level(criterion)
        result.append(
            CriterionAgreement(
                criterion=criterion,
                figures=same_inputs_once(
                    "criterion-figures",
                    _criterion_figures,
                    table,
                    level,
                    domain,
                    criterion.kind == "yes_no",
                ),
                matches_agreed=matches / counted if counted else None,
                flagged=criterion.pk in flags,
            )
        )
    return result


def _criterion_figures(table, level, domain, yes_no) -> session_figures.CriterionFigures:
    return session_figures.criterion_figures(table, level=level, domain=domain, yes_no=yes_no)


def icc_of_totals(totals: np.ndarray) -> dict[str, IccEstimate] | None:
    """The ICCs with their intervals when every evaluator scored every contact."""
    if not totals.size or np.isnan(totals).any():
        return None
    try:
        return icc_intervals(totals.T)  # contacts (targets) × evaluators (judges)
    except AgreementError:
        return None
