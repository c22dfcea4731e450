"""Reads for calibration sessions: who sees which session, the progress board, and the
discussion (totals, spread, answers per criterion, deviation from the reference, history)."""

import random
import string
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from qalibrate.accounts.models import User
from qalibrate.agreement import calibration
from qalibrate.agreement.bland_altman import BlandAltman, bland_altman
from qalibrate.agreement.calibration import ContactSpread, EvaluatorDeviation
from qalibrate.agreement.coefficients import Estimate
from qalibrate.agreement.icc import IccEstimate, icc_intervals
from qalibrate.agreement.pairwise import PairEstimate, pairwise_against_reference
from qalibrate.agreement.ratings import AgreementError
from qalibrate.calibration.models import (
    ActionStatus,
    AgreedAnswer,
    AgreedAnswerChange,
    AgreedSource,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
    ParticipantRole,
    ReferenceMode,
    SessionContact,
    SessionStatus,
)
from qalibrate.calibration.services import answer_order, can_plan, reference_answer
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationStatus
from qalibrate.scorecards import scoring
from qalibrate.scorecards.models import Criterion


def sessions_for(*, user: User) -> QuerySet[CalibrationSession]:
    """QA staff see every session; others the sessions they take part in, and agents also the
    completed sessions whose results were shared with them (their own contacts only)."""
    sessions = CalibrationSession.objects.select_related(
        "version__scorecard", "facilitator", "team"
    )
    if can_plan(user):
        return sessions
    mine = Q(participants__user=user)
    if user.is_agent:
        mine |= Q(
            status=SessionStatus.COMPLETED,
            share_with_agents=True,
            session_contacts__contact__agent__user=user,
        )
    return sessions.filter(mine).distinct()


def can_see_answers(user: User, session: CalibrationSession) -> bool:
    """Everyone's answers, after the reveal only: QA staff, and the session's evaluators.
    Agents never see who scored what, observers included."""
    if not session.is_revealed or user.is_agent:
        return False
    if can_plan(user):
        return True
    return session.participants.filter(user=user, role=ParticipantRole.EVALUATOR).exists()


def agent_results(session: CalibrationSession, *, user: User) -> dict:
    """The agreed answers, score and feedback for the agent's own contacts in the session."""
    session_contacts = list(
        session.session_contacts.filter(contact__agent__user=user)
        .select_related("contact__agent")
        .prefetch_related("agreed_answers__criterion")
    )
    process_flags = {
        f.criterion_id: f for f in session.flags.filter(kind="process").select_related("criterion")
    }
    sections = list(session.version.sections.prefetch_related("criteria"))
    results = []
    for sc in session_contacts:
        agreed = {a.criterion_id: a for a in sc.agreed_answers.all()}
        results.append(
            {
                "session_contact": sc,
                "sections": [
                    {
                        "section": section,
                        "items": [
                            {
                                "criterion": c,
                                "answer": answer_label(c, agreed[c.pk].form_value),
                                "reason": agreed[c.pk].reason,
                                "process": process_flags.get(c.pk),
                            }
                            for c in section.criteria.all()
                            if c.pk in agreed
                        ],
                    }
                    for section in sections
                ],
            }
        )
    # The team calibrated when the session was completed, not on the day it was planned for.
    return {"results": results, "calibrated_at": session.completed_at or session.meeting_at}


def actions_for(*, user: User, include_done: bool = False) -> QuerySet[FollowUpAction]:
    actions = FollowUpAction.objects.select_related("session", "owner").order_by(
        F("due_date").asc(nulls_last=True), "pk"
    )
    if not include_done:
        actions = actions.exclude(status=ActionStatus.DONE)
    if can_plan(user):
        return actions
    return actions.filter(owner=user)


def progress_board(session: CalibrationSession) -> dict:
    """Who has finished what: a status per evaluator and contact, never an answer or a score."""
    contacts = [sc.contact for sc in session.session_contacts.select_related("contact__agent")]
    evaluators = [
        p.user
        for p in session.participants.filter(role=ParticipantRole.EVALUATOR).select_related("user")
    ]
    status = {
        (evaluator_id, contact_id): state
        for evaluator_id, contact_id, state in Evaluation.objects.filter(
            session=session
        ).values_list("evaluator_id", "contact_id", "status")
    }
    rows = []
    for evaluator in evaluators:
        cells = [status.get((evaluator.pk, c.pk), "") for c in contacts]
        rows.append({"evaluator": evaluator, "cells": cells, "done": cells.count("submitted")})
    return {"contacts": contacts, "rows": rows}


def answer_label(criterion: Criterion, form_value: str) -> str:
    """An answer as people read it: Yes/No, N/A, a scale point or an option's label."""
    if form_value == "na":
        return gettext("N/A")
    if criterion.kind == "yes_no":
        return {"yes": gettext("Yes"), "no": gettext("No")}.get(form_value, form_value)
    return form_value


@dataclass
class Voice:
    """One evaluator's answer to one criterion, as the discussion shows it."""

    label: str
    comment: str


@dataclass
class AnswerGroup:
    value: str
    label: str
    voices: list[Voice]

    @property
    def count(self) -> int:
        return len(self.voices)


@dataclass(frozen=True)
class AgreedChange:
    """One entry of an agreed answer's history as people read it. ``kind``: "prefilled" (the
    reveal's proposal, ``source_label`` says from what), "set" (nothing was proposed),
    "changed" (another answer) or "confirmed" (the same answer, decided)."""

    kind: str
    source_label: str
    old: str  # answer labels
    new: str
    who: str  # "" in the anonymous display: the decider may be one of the evaluators
    at: datetime
    reason: str


def agreed_history(
    criterion: Criterion, agreed: AgreedAnswer | None, *, anonymous: bool
) -> list[AgreedChange]:
    """The history of one agreed answer, oldest first (its changes prefetched)."""
    if agreed is None:
        return []
    result = []
    for change in agreed.changes.all():
        if change.is_prefill:
            kind = "prefilled"
        elif change.old_value == "":
            kind = "set"
        else:
            kind = "confirmed" if change.old_value == change.new_value else "changed"
        result.append(
            AgreedChange(
                kind=kind,
                source_label=AgreedSource(change.source).label,
                old=answer_label(criterion, change.old_value),
                new=answer_label(criterion, change.new_value),
                who="" if anonymous or change.changed_by is None else str(change.changed_by),
                at=change.at,
                reason=change.reason,
            )
        )
    return result


@dataclass
class CriterionRow:
    criterion: Criterion
    groups: list[AnswerGroup]
    dispute: float
    reference: str | None
    agreed: AgreedAnswer | None
    flags: list[CriterionFlag]
    texts: list[Voice] = field(default_factory=list)  # free-text criteria: what each one wrote
    history: list[AgreedChange] = field(default_factory=list)  # discussion(changes=True) only

    @property
    def agreed_label(self) -> str:
        return answer_label(self.criterion, self.agreed.form_value) if self.agreed else ""

    @property
    def prefill(self) -> AgreedChange | None:
        """Where the reveal's proposal came from (None for sessions revealed before the
        history was kept, and where nobody answered)."""
        first = self.history[0] if self.history else None
        return first if first is not None and first.kind == "prefilled" else None

    @property
    def changed(self) -> bool:
        """Decided at the meeting (changed or confirmed), not only prefilled."""
        return any(entry.kind != "prefilled" for entry in self.history)


@dataclass
class ContactRow:
    session_contact: SessionContact
    totals: list[float | None]  # per evaluator, None: did not score (no submitted evaluation)
    spread: ContactSpread | None
    reference_total: float | None
    criteria: list[CriterionRow]

    @property
    def contact(self):
        return self.session_contact.contact

    @property
    def disputed(self) -> list[CriterionRow]:
        return [row for row in self.criteria if row.dispute > 0]

    @property
    def to_agree(self) -> list[CriterionRow]:
        """Disputed criteria whose answer the facilitator has not yet decided (a prefilled
        answer is only the reference's proposal)."""
        return [row for row in self.disputed if row.agreed is None or not row.agreed.decided_at]

    @property
    def is_agreed(self) -> bool:
        """Agreed: every disputed criterion decided, or the session completed and locked."""
        completed = self.session_contact.session.status == SessionStatus.COMPLETED
        return completed or not self.to_agree

    @property
    def undisputed(self) -> list[CriterionRow]:
        """Criteria everyone answered alike, and free-text ones with something written."""
        return [
            row
            for row in self.criteria
            if row.dispute == 0 and (row.criterion.kind != "text" or row.texts)
        ]

    @property
    def cells(self) -> list[dict]:
        """Totals with their deviation from the reference, for the matrix."""
        return [
            {
                "total": total,
                "deviation": None
                if total is None or self.reference_total is None
                else total - self.reference_total,
            }
            for total in self.totals
        ]


@dataclass(frozen=True)
class CriterionVersusReference:
    """One evaluator's answers to one criterion against the reference answers (the agreed
    answer; the expert's own in expert mode), over the contacts both answered, N/A left out
    as in the criterion's agreement. Kappa and AC1 are None when undefined or with fewer than
    two such contacts; kappa also when either side gave one answer throughout (it is then 0
    by construction, whatever the agreement)."""

    criterion: Criterion
    weights: str  # the criterion's weights (calibration.WEIGHTS_BY_LEVEL)
    n: int  # contacts both answered
    same: int  # of them, contacts where the answer equals the reference
    kappa: PairEstimate | None  # Cohen's kappa (weighted when the weights are not identity)
    ac1: PairEstimate | None  # Gwet's AC1; AC2 when the weights are not identity


@dataclass
class EvaluatorRow:
    user: User
    label: str
    deviation: EvaluatorDeviation | None
    scored: int
    matches_agreed: float | None = None  # share of their answers equal to the agreed answer
    previous: EvaluatorDeviation | None = None
    # Their totals against the reference totals the deviations use (None: under two contacts).
    versus_reference: BlandAltman | None = None
    criteria_versus_reference: list[CriterionVersusReference] = field(default_factory=list)
    is_reference: bool = False  # the expert whose scores are the reference (expert mode)


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
    figures: calibration.CriterionFigures
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
        low = calibration.CHANCE_CORRECTED_THRESHOLD
        return (
            not figures.yes_no
            and figures.alpha is not None
            and figures.alpha < low
            and figures.ac1 is not None
            and figures.ac1 >= low
        )


@dataclass
class Discussion:
    session: CalibrationSession
    anonymous: bool
    evaluators: list[EvaluatorRow]
    contacts: list[ContactRow]
    criteria: list[CriterionAgreement]
    share_within: float | None
    calibrated: bool | None
    totals: calibration.SessionFigures | None = None
    previous_session: CalibrationSession | None = None
    # ICC(1,1) … ICC(3,k) of the totals with F intervals; None unless every evaluator scored
    # every contact (and their totals vary).
    icc: dict[str, IccEstimate] | None = None

    @property
    def totals_approximate(self) -> bool:
        """Whether the interval of alpha of the totals rests on a panel smaller than the
        coverage benchmark found it keeps its promise for (agreement/coverage.py)."""
        return self.totals is not None and self.totals.approximate

    @property
    def mean_spread(self) -> float | None:
        spreads = [c.spread.spread for c in self.contacts if c.spread is not None]
        return sum(spreads) / len(spreads) if spreads else None


def evaluator_labels(session: CalibrationSession, evaluators: list[User], *, anonymous: bool):
    """Names, or "Evaluator A, B, C…" in an order shuffled per session, so the letters do not
    follow the invitation list on a shared screen."""
    if not anonymous:
        return {u.pk: str(u) for u in evaluators}
    shuffled = sorted(evaluators, key=lambda u: u.pk)
    # Seeded with the session and the site's secret key: the same letters on every page and
    # file of a session, and nobody can work them out from the session's number.
    seed = salted_hmac("qalibrate.evaluator_labels", str(session.pk)).hexdigest()
    random.Random(seed).shuffle(shuffled)
    letters = string.ascii_uppercase
    return {
        u.pk: gettext("Evaluator %(letter)s") % {"letter": letters[i % 26] * (1 + i // 26)}
        for i, u in enumerate(shuffled)
    }


def discussion(
    session: CalibrationSession,
    *,
    anonymous: bool = False,
    versus_reference: bool = True,
    changes: bool = False,
) -> Discussion:
    """Everything the discussion screen and the report need, in a fixed number of queries.

    ``versus_reference`` adds each evaluator's agreement with the reference (Bland-Altman on
    the totals, kappa and AC1 per criterion); pages that show only the deviations (a previous
    session's, the home page's) leave it out. ``changes`` adds each agreed answer's history
    (one query more)."""
    sections = list(session.version.sections.prefetch_related("criteria"))
    criteria = [c for s in sections for c in s.criteria.all()]
    session_contacts = list(session.session_contacts.select_related("contact__agent"))
    evaluators = [
        p.user
        for p in session.participants.filter(role=ParticipantRole.EVALUATOR).select_related("user")
    ]
    labels = evaluator_labels(session, evaluators, anonymous=anonymous)
    if anonymous:
        evaluators.sort(key=lambda u: labels[u.pk])  # columns A, B, C… on the shared screen
    submitted = {
        (e.evaluator_id, e.contact_id): e
        for e in Evaluation.objects.filter(session=session, status=EvaluationStatus.SUBMITTED)
    }
    answers: dict[tuple[int, int], list[Answer]] = {}
    for answer in Answer.objects.filter(
        evaluation__session=session, evaluation__status=EvaluationStatus.SUBMITTED
    ).select_related("evaluation"):
        answers.setdefault((answer.evaluation.contact_id, answer.criterion_id), []).append(answer)
    agreed_answers = AgreedAnswer.objects.filter(session_contact__session=session)
    if changes:
        agreed_answers = agreed_answers.prefetch_related(
            Prefetch("changes", queryset=AgreedAnswerChange.objects.select_related("changed_by"))
        )
    agreed = {(a.session_contact_id, a.criterion_id): a for a in agreed_answers}
    flags: dict[int, list[CriterionFlag]] = {}
    for flag in session.flags.all():
        flags.setdefault(flag.criterion_id, []).append(flag)

    order = {u.pk: i for i, u in enumerate(evaluators)}
    totals = np.array(
        [
            [
                np.nan
                if (e := submitted.get((u.pk, sc.contact_id))) is None or e.score is None
                else e.score
                for sc in session_contacts
            ]
            for u in evaluators
        ],
        dtype=float,
    ).reshape(len(evaluators), len(session_contacts))
    spreads = calibration.contact_spreads(totals)
    reference = np.array(
        [
            _reference_total(session, sc, totals[:, i], order)
            for i, sc in enumerate(session_contacts)
        ],
        dtype=float,
    )
    deviations = calibration.evaluator_deviations(
        totals, reference, tolerance=float(session.tolerance)
    )

    rows = []
    for i, sc in enumerate(session_contacts):
        criterion_rows = []
        for criterion in criteria:
            given = sorted(
                answers.get((sc.contact_id, criterion.pk), []),
                key=lambda a: order.get(a.evaluation.evaluator_id, 0),
            )
            group_answer = agreed.get((sc.pk, criterion.pk))
            item = _criterion_row(
                session, criterion, given, labels, group_answer, flags.get(criterion.pk, [])
            )
            if changes:
                item.history = agreed_history(criterion, group_answer, anonymous=anonymous)
            criterion_rows.append(item)
        criterion_rows.sort(key=lambda r: (r.criterion.kind == "text", -r.dispute))
        rows.append(
            ContactRow(
                session_contact=sc,
                totals=[None if np.isnan(t) else float(t) for t in totals[:, i]],
                spread=spreads[i],
                reference_total=None if np.isnan(reference[i]) else float(reference[i]),
                criteria=criterion_rows,
            )
        )
    spec = session.version.scoring_spec()
    opening = [
        _opening_reference(session, totals[:, i], order, spec, row.criteria)
        for i, row in enumerate(rows)
    ]
    rows = [rows[i] for i in meeting_order(spreads, opening)]
    matched: dict[int, list[bool]] = {}
    for sc in session_contacts:
        for criterion in criteria:
            group_answer = agreed.get((sc.pk, criterion.pk))
            for answer in answers.get((sc.contact_id, criterion.pk), []):
                if group_answer is not None and answer.form_value != "":
                    matched.setdefault(answer.evaluation.evaluator_id, []).append(
                        answer.form_value == group_answer.form_value
                    )
    evaluator_rows = [
        EvaluatorRow(
            user=u,
            label=labels[u.pk],
            deviation=deviations[k],
            scored=int(np.count_nonzero(~np.isnan(totals[k]))),
            matches_agreed=sum(matched[u.pk]) / len(matched[u.pk]) if matched.get(u.pk) else None,
            is_reference=session.reference_mode == ReferenceMode.EXPERT
            and u.pk == session.expert_id,
        )
        for k, u in enumerate(evaluators)
    ]
    scored_criteria = [c for c in criteria if c.kind != "text"]
    tables = {
        c.pk: _answer_table(c, session_contacts, evaluators, answers) for c in scored_criteria
    }
    if versus_reference:
        _compare_with_reference(
            session,
            evaluator_rows,
            totals,
            reference,
            scored_criteria,
            tables,
            [
                _reference_answers(session, c, session_contacts, answers, agreed)
                for c in scored_criteria
            ],
        )
    tolerance = float(session.tolerance)
    return Discussion(
        session=session,
        anonymous=anonymous,
        evaluators=evaluator_rows,
        contacts=rows,
        criteria=_criterion_agreement(scored_criteria, session_contacts, tables, agreed, flags),
        share_within=calibration.share_within(totals, reference, tolerance=tolerance),
        calibrated=calibration.is_calibrated(deviations),
        totals=calibration.session_figures(totals),
        icc=_icc_of_totals(totals),
    )


def _icc_of_totals(totals: np.ndarray) -> dict[str, IccEstimate] | None:
    """The ICCs with their intervals when every evaluator scored every contact."""
    if not totals.size or np.isnan(totals).any():
        return None
    try:
        return icc_intervals(totals.T)  # contacts (targets) × evaluators (judges)
    except AgreementError:
        return None


def _fixed_reference(session, column: np.ndarray, order) -> float | None:
    """The expert's total or the group median: references the agreed answers do not move
    (None: the reference is the agreed score)."""
    if session.reference_mode == ReferenceMode.EXPERT and session.expert_id in order:
        expert_total = column[order[session.expert_id]]
        if not np.isnan(expert_total):
            return float(expert_total)
    if session.reference_mode == ReferenceMode.MEDIAN:
        scored = column[~np.isnan(column)]
        return float(np.median(scored)) if scored.size else np.nan
    return None


def _reference_total(session, session_contact, column: np.ndarray, order) -> float:
    fixed = _fixed_reference(session, column, order)
    if fixed is not None:
        return fixed
    return np.nan if session_contact.agreed_score is None else session_contact.agreed_score


def _opening_reference(session, column, order, spec, criterion_rows) -> float:
    """The reference as the reveal set it. Where it is the agreed score, the score of the
    answers the reveal proposed: the order of the discussion stays put while the facilitator
    records agreed answers."""
    fixed = _fixed_reference(session, column, order)
    if fixed is not None:
        return fixed
    proposed = {
        row.criterion.pk: _scoring_value(row.criterion, row.reference)
        for row in criterion_rows
        if row.reference is not None
    }
    try:
        score = scoring.score_evaluation(spec, proposed).score if proposed else None
    except scoring.InvalidAnswer:
        score = None
    return np.nan if score is None else score


def _scoring_value(criterion: Criterion, form_value: str):
    if form_value == "na":
        return scoring.NA
    return int(form_value) if criterion.kind == "scale" else form_value


def meeting_order(spreads: list[ContactSpread | None], references: list[float]) -> list[int]:
    """Contact indices in the order to discuss them: the lowest reference (as revealed; the
    mean of the totals where there is none), the highest, then the widest spread. A tie on
    the reference goes to the wider spread, then to the earlier contact.

    The pure ordering takes the first contact among equals: ranking the contacts widest
    spread first before handing them over makes the first the wider."""
    ranked = sorted(
        range(len(spreads)),
        key=lambda i: (spreads[i] is None, -spreads[i].spread if spreads[i] else 0, i),
    )
    levels = []
    for i in ranked:
        level = spreads[i]
        if level is not None and not np.isnan(references[i]):
            level = replace(level, mean=references[i])  # the pure ordering ranks by "mean"
        levels.append(level)
    return [ranked[j] for j in calibration.discussion_order(levels)]


def _criterion_row(session, criterion, given, labels, agreed, flags) -> CriterionRow:
    if criterion.kind == "text":
        texts = [
            Voice(labels.get(a.evaluation.evaluator_id, ""), a.value) for a in given if a.value
        ]
        return CriterionRow(criterion, [], 0.0, None, None, flags, texts)
    groups: dict[str, AnswerGroup] = {}
    for value in answer_order(criterion):
        groups[value] = AnswerGroup(value, answer_label(criterion, value), [])
    for answer in given:
        value = answer.form_value
        if value == "":
            continue
        group = groups.setdefault(value, AnswerGroup(value, answer_label(criterion, value), []))
        group.voices.append(Voice(labels.get(answer.evaluation.evaluator_id, ""), answer.comment))
    values = [a.form_value for a in given if a.form_value != ""]
    return CriterionRow(
        criterion=criterion,
        groups=[g for g in groups.values() if g.count],
        dispute=calibration.dispute(values),
        reference=reference_answer(session, criterion, given),
        agreed=agreed,
        flags=flags,
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
    return calibration.WEIGHTS_BY_LEVEL[level], categories


def _statistics_value(criterion: Criterion, form_value: str | None):
    """An answer as the statistics take it: None when not given, "na" for N/A, a scale point
    as a number."""
    if form_value is None or form_value == "":
        return None
    if criterion.kind == "scale" and form_value != "na":
        return int(form_value)
    return form_value


def _answer_table(criterion, session_contacts, evaluators, answers) -> list[list]:
    """Contacts × evaluators: each evaluator's answer to the criterion (None: not given)."""
    table = []
    for sc in session_contacts:
        by_evaluator = {
            a.evaluation.evaluator_id: a.form_value
            for a in answers.get((sc.contact_id, criterion.pk), [])
        }
        table.append([_statistics_value(criterion, by_evaluator.get(u.pk)) for u in evaluators])
    return table


def _reference_answers(session, criterion, session_contacts, answers, agreed) -> list:
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


def _compare_with_reference(session, rows, totals, reference, criteria, tables, references) -> None:
    """Each evaluator's Bland-Altman limits against the reference totals, and kappa and AC1
    against the reference answers per criterion (N/A on either side left out)."""
    compared = [k for k, row in enumerate(rows) if row.scored and not row.is_reference]
    for k in compared:
        try:
            rows[k].versus_reference = bland_altman(totals[k], reference)
        except AgreementError:
            rows[k].versus_reference = None
    if not compared:
        return
    for criterion, reference_column in zip(criteria, references, strict=True):
        weights, categories = _categories(criterion)
        theirs = [None if v == "na" else v for v in reference_column]
        table = [
            [None if row[k] == "na" else row[k] for k in compared] for row in tables[criterion.pk]
        ]
        try:
            # Every evaluator at once: the answers are coded once for the whole panel.
            estimates = pairwise_against_reference(
                table, theirs, categories=categories, weights=weights
            )
        except AgreementError:
            estimates = [None] * len(compared)
        for position, k in enumerate(compared):
            pairs = [
                (answers[position], answer)
                for answers, answer in zip(table, theirs, strict=True)
                if answers[position] is not None and answer is not None
            ]
            if not pairs:
                continue
            found = estimates[position] or {}
            # When one side gives a single answer throughout, kappa is 0 however often the two
            # agree (its chance agreement is then their observed agreement): the kappa paradox
            # (A. R. Feinstein and D. V. Cicchetti (1990), "High agreement but low kappa",
            # J Clin Epidemiol 43(6):543-549). Shown as undefined rather than as a 0.
            both_vary = all(len(set(side)) > 1 for side in zip(*pairs, strict=True))
            rows[k].criteria_versus_reference.append(
                CriterionVersusReference(
                    criterion=criterion,
                    weights=weights,
                    n=len(pairs),
                    same=sum(mine == other for mine, other in pairs),
                    kappa=found.get("cohen_kappa") if both_vary else None,
                    ac1=found.get("ac1"),
                )
            )


def _criterion_agreement(criteria, session_contacts, tables, agreed, flags):
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
                figures=calibration.criterion_figures(
                    table, level=level, domain=domain, yes_no=criterion.kind == "yes_no"
                ),
                matches_agreed=matches / counted if counted else None,
                flagged=criterion.pk in flags,
            )
        )
    return result


def previous_session(session: CalibrationSession) -> CalibrationSession | None:
    """The last completed session before this one for the same team and scorecard."""
    return (
        CalibrationSession.objects.filter(
            status=SessionStatus.COMPLETED,
            team_id=session.team_id,
            version__scorecard_id=session.version.scorecard_id,
            meeting_at__lt=session.meeting_at,
        )
        .exclude(pk=session.pk)
        .order_by("-meeting_at")
        .first()
    )


def discussion_with_history(session: CalibrationSession, *, anonymous: bool = False) -> Discussion:
    """The discussion with each agreed answer's history, and each evaluator's deviation and
    each criterion's agreement in the previous session beside them (criteria matched across
    versions by their key)."""
    current = discussion(session, anonymous=anonymous, changes=True)
    earlier_session = previous_session(session)
    if earlier_session is None:
        return current
    earlier = discussion(earlier_session, versus_reference=False)
    by_user = {row.user.pk: row.deviation for row in earlier.evaluators}
    by_key = {row.criterion.key: row.agreement for row in earlier.criteria}
    if not anonymous:
        # Beside a letter, last session's figure names the person: that session's report
        # shows it under their name.
        for row in current.evaluators:
            row.previous = by_user.get(row.user.pk)
    for row in current.criteria:
        row.previous = by_key.get(row.criterion.key)
    current.previous_session = earlier_session
    return current


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def summary_draft(result: Discussion) -> str:
    """A first summary from the figures, flags and notes, for the facilitator to edit."""
    session = result.session
    lines = [
        gettext("%(contacts)d contacts, %(evaluators)d evaluators, tolerance %(tolerance)s points.")
        % {
            "contacts": len(result.contacts),
            "evaluators": len(result.evaluators),
            "tolerance": session.tolerance,
        }
    ]
    if result.share_within is not None:
        lines.append(
            gettext("Scores within tolerance of the reference: %(share)d%%.")
            % {"share": round(result.share_within * 100)}
        )
    if result.calibrated is not None:
        lines.append(
            gettext("The group is calibrated.")
            if result.calibrated
            else gettext("The group is not yet calibrated.")
        )
    for row in result.evaluators:
        if row.deviation is not None and not row.deviation.within_tolerance:
            lines.append(
                gettext("%(who)s: mean deviation %(points)s points (bias %(bias)s).")
                % {
                    "who": row.label,
                    "points": _points(row.deviation.mean_abs),
                    "bias": f"{row.deviation.bias:+.1f}",
                }
            )
    disputed = sorted(
        (c for c in result.criteria if c.agreement is not None and c.agreement < 0.8),
        key=lambda c: c.agreement,
    )
    if disputed:
        lines.append(gettext("Most disputed criteria:"))
        lines += [f"- {c.criterion.text} ({round(c.agreement * 100)}%)" for c in disputed[:5]]
    flags = [f for f in session.flags.select_related("criterion")]
    for kind, heading in (
        (FlagKind.CLARIFY, gettext("To clarify in the scorecard:")),
        (FlagKind.PROCESS, gettext("Process problems, not the agents' fault:")),
    ):
        chosen = [f for f in flags if f.kind == kind]
        if chosen:
            lines.append(heading)
            lines += [f"- {f.criterion.text}" + (f": {f.note}" if f.note else "") for f in chosen]
    noted = [row for row in result.contacts if row.session_contact.notes]
    if noted:
        lines.append(gettext("Notes per contact:"))
        lines += [
            f"- {row.contact.external_id} ({row.contact.agent}): {row.session_contact.notes}"
            for row in noted
        ]
    actions = list(session.actions.select_related("owner"))
    if actions:
        lines.append(gettext("Follow-up actions:"))
        lines += [
            f"- {a.description} ({a.owner}"
            + (f", {a.due_date.isoformat()}" if a.due_date else "")
            + ")"
            for a in actions
        ]
    return "\n".join(lines)


def flags_for_draft(version) -> dict[str, list[CriterionFlag]]:
    """Criterion key → flags that calibration sessions raised on the version this draft follows
    (since it was published), so the authors see what to clarify."""
    if not version.is_draft:
        return {}
    flags = CriterionFlag.objects.filter(
        session__version__scorecard_id=version.scorecard_id,
        session__version__number__lt=version.number,
    ).select_related("criterion", "session")
    base = version.scorecard.versions.filter(number=version.number - 1).first()
    if base is not None and base.published_at is not None:
        flags = flags.filter(created_at__gte=base.published_at)
    by_key: dict[str, list[CriterionFlag]] = {}
    for flag in flags:
        by_key.setdefault(flag.criterion.key, []).append(flag)
    return by_key


# --- An evaluator's own work: the contacts to score, the next one, their own results ----------


@dataclass
class MyContact:
    """One of a session's contacts as one evaluator sees it: only their own evaluation's state."""

    number: int  # 1-based, in the session's order
    contact: Contact
    state: str  # "" (not started), "draft" or "submitted"
    evaluation_id: int | None


@dataclass
class MyScoring:
    """One session the evaluator takes part in, with their own progress through its contacts."""

    session: CalibrationSession
    contacts: list[MyContact]

    @property
    def total(self) -> int:
        return len(self.contacts)

    @property
    def submitted(self) -> int:
        return sum(c.state == EvaluationStatus.SUBMITTED for c in self.contacts)

    @property
    def drafts(self) -> int:
        return sum(c.state == EvaluationStatus.DRAFT for c in self.contacts)

    @property
    def all_scored(self) -> bool:
        return self.submitted == self.total

    @property
    def next(self) -> MyContact | None:
        return next_to_score(self.contacts)

    @property
    def is_open(self) -> bool:
        return self.session.status == SessionStatus.SCORING

    @property
    def overdue(self) -> bool:
        return self.is_open and self.session.scoring_deadline < timezone.now()


def _my_contacts(session_contacts, mine: dict) -> list[MyContact]:
    result = []
    for number, sc in enumerate(session_contacts, start=1):
        evaluation_id, state = mine.get(sc.contact_id, (None, ""))
        result.append(MyContact(number, sc.contact, state, evaluation_id))
    return result


def my_contacts(session: CalibrationSession, *, user: User) -> list[MyContact]:
    """The session's contacts in order, each with the state of this user's own evaluation."""
    mine = {
        contact_id: (pk, state)
        for pk, contact_id, state in Evaluation.objects.filter(
            session=session, evaluator=user
        ).values_list("pk", "contact_id", "status")
    }
    return _my_contacts(session.session_contacts.select_related("contact__agent"), mine)


def next_to_score(contacts: list[MyContact], *, after: int | None = None) -> MyContact | None:
    """The first contact not yet submitted after contact `after` (a contact id), going round to
    the start: after a submit the evaluator moves on, and comes back for any skipped."""
    start = next((i + 1 for i, c in enumerate(contacts) if c.contact.pk == after), 0)
    for candidate in contacts[start:] + contacts[:start]:
        if candidate.state != EvaluationStatus.SUBMITTED and candidate.contact.pk != after:
            return candidate
    return None


def sessions_to_score(*, user: User) -> list[MyScoring]:
    """Sessions that invited the user to score and are open for scoring (soonest deadline
    first), then the planned ones not yet open; three queries whatever their number."""
    sessions = list(
        CalibrationSession.objects.filter(
            participants__user=user,
            participants__role=ParticipantRole.EVALUATOR,
            status__in=(SessionStatus.SCORING, SessionStatus.DRAFT),
        )
        .select_related("version__scorecard", "team")
        .order_by("-status", "scoring_deadline", "pk")  # "scoring" sorts before "draft"
    )
    session_contacts = SessionContact.objects.filter(session__in=sessions)
    by_session: dict[int, list[SessionContact]] = {}
    for sc in session_contacts.select_related("contact__agent"):
        by_session.setdefault(sc.session_id, []).append(sc)
    mine: dict[int, dict] = {}
    for pk, session_id, contact_id, state in Evaluation.objects.filter(
        session__in=sessions, evaluator=user
    ).values_list("pk", "session_id", "contact_id", "status"):
        mine.setdefault(session_id, {})[contact_id] = (pk, state)
    return [
        MyScoring(s, _my_contacts(by_session.get(s.pk, []), mine.get(s.pk, {}))) for s in sessions
    ]


@dataclass
class MyResult:
    """The evaluator's own figures in a revealed session: never anyone else's."""

    session: CalibrationSession
    row: EvaluatorRow | None  # None: they submitted nothing in it
    tolerance: float


def my_results(*, user: User, limit: int = 5) -> list[MyResult]:
    """The user's own deviation from the reference in the last revealed or completed sessions
    they scored in. Each takes the discussion's queries; `limit` keeps the home page quick."""
    sessions = (
        CalibrationSession.objects.filter(
            participants__user=user,
            participants__role=ParticipantRole.EVALUATOR,
            status__in=(SessionStatus.DISCUSSION, SessionStatus.COMPLETED),
        )
        .select_related("version__scorecard", "team")
        .order_by("-meeting_at", "-pk")[:limit]
    )
    results = []
    for session in sessions:
        rows = discussion(session, versus_reference=False).evaluators
        own = next((row for row in rows if row.user.pk == user.pk and row.scored), None)
        results.append(MyResult(session, own, float(session.tolerance)))
    return results


def drafts_in_progress(*, user: User, limit: int = 10) -> QuerySet[Evaluation]:
    """The user's own unfinished evaluations that can still be finished: a draft left in a
    session that has been revealed is closed."""
    return (
        Evaluation.objects.filter(evaluator=user, status=EvaluationStatus.DRAFT)
        .filter(Q(session__isnull=True) | Q(session__status=SessionStatus.SCORING))
        .select_related("contact__agent", "version__scorecard", "session")
        .order_by("-saved_at")[:limit]
    )
