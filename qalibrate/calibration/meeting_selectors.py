"""The meeting screen's reads: the discussion of a revealed session (totals, spread, answers
per criterion, deviation from the reference, agreement, history), the order to discuss the
contacts in, the previous session beside it, and the draft summary. The statistics on the
loaded answers are in qalibrate.calibration.agreement_figures."""

import random
import string
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from django.db.models import Prefetch
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from qalibrate.accounts.models import User
from qalibrate.agreement import session_figures
from qalibrate.agreement.bland_altman import BlandAltman
from qalibrate.agreement.icc import IccEstimate
from qalibrate.agreement.session_figures import ContactSpread, EvaluatorDeviation
from qalibrate.calibration.agreement_figures import (
    CriterionAgreement,
    CriterionVersusReference,
    answer_table,
    compare_with_reference,
    criterion_agreement,
    icc_of_totals,
    reference_answers,
)
from qalibrate.calibration.answers import answer_label, answer_order, reference_answer
from qalibrate.calibration.models import (
    AgreedAnswer,
    AgreedAnswerChange,
    AgreedSource,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    ParticipantRole,
    ReferenceMode,
    SessionContact,
    SessionStatus,
)
from qalibrate.core.once import completed_once
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationStatus
from qalibrate.scorecards import scoring
from qalibrate.scorecards.models import Criterion


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


@dataclass
class Discussion:
    session: CalibrationSession
    anonymous: bool
    evaluators: list[EvaluatorRow]
    contacts: list[ContactRow]
    criteria: list[CriterionAgreement]
    share_within: float | None
    calibrated: bool | None
    totals: session_figures.SessionFigures | None = None
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
    (one query more). A completed session's is computed once and kept (core.once)."""
    result = completed_once(
        session,
        "discussion",
        lambda: _discussion(
            session, anonymous=anonymous, versus_reference=versus_reference, changes=changes
        ),
        anonymous,
        versus_reference,
        changes,
    )
    result.session = session
    return result


def _discussion(
    session: CalibrationSession, *, anonymous: bool, versus_reference: bool, changes: bool
) -> Discussion:
    loaded = _load(session, anonymous=anonymous, changes=changes)
    totals = _totals_matrix(loaded)
    spreads = session_figures.contact_spreads(totals)
    reference = _reference_totals(loaded, totals)
    tolerance = float(session.tolerance)
    deviations = session_figures.evaluator_deviations(totals, reference, tolerance=tolerance)
    rows = _contact_rows(loaded, totals, spreads, reference, anonymous=anonymous, changes=changes)
    rows = _in_meeting_order(loaded, rows, totals, spreads)
    evaluator_rows = _evaluator_rows(loaded, totals, deviations)
    scored_criteria = [c for c in loaded.criteria if c.kind != "text"]
    tables = {
        c.pk: answer_table(c, loaded.session_contacts, loaded.evaluators, loaded.answers)
        for c in scored_criteria
    }
    if versus_reference:
        references = [
            reference_answers(session, c, loaded.session_contacts, loaded.answers, loaded.agreed)
            for c in scored_criteria
        ]
        compare_with_reference(
            evaluator_rows, totals, reference, scored_criteria, tables, references
        )
    return Discussion(
        session=session,
        anonymous=anonymous,
        evaluators=evaluator_rows,
        contacts=rows,
        criteria=criterion_agreement(
            scored_criteria, loaded.session_contacts, tables, loaded.agreed, loaded.flags
        ),
        share_within=session_figures.share_within(totals, reference, tolerance=tolerance),
        calibrated=session_figures.is_calibrated(deviations),
        totals=session_figures.session_figures(totals),
        icc=icc_of_totals(totals),
    )


@dataclass
class _Loaded:
    """What the discussion reads from the database, keyed for the steps that follow."""

    session: CalibrationSession
    criteria: list[Criterion]  # in the scorecard's order
    session_contacts: list[SessionContact]
    evaluators: list[User]  # the columns: by letter in the anonymous display
    labels: dict[int, str]  # user id → name or letter
    submitted: dict[tuple[int, int], Evaluation]  # (evaluator id, contact id)
    answers: dict[tuple[int, int], list[Answer]]  # (contact id, criterion id), submitted only
    agreed: dict[tuple[int, int], AgreedAnswer]  # (session contact id, criterion id)
    flags: dict[int, list[CriterionFlag]]  # criterion id
    order: dict[int, int]  # user id → column


def _load(session: CalibrationSession, *, anonymous: bool, changes: bool) -> _Loaded:
    sections = list(session.version.sections.prefetch_related("criteria"))
    session_contacts = list(session.session_contacts.select_related("contact__agent"))
    evaluators = [
        p.user
        for p in session.participants.filter(role=ParticipantRole.EVALUATOR).select_related("user")
    ]
    labels = evaluator_labels(session, evaluators, anonymous=anonymous)
    if anonymous:
        evaluators.sort(key=lambda u: labels[u.pk])  # columns A, B, C… on the shared screen
    submitted = Evaluation.objects.filter(session=session, status=EvaluationStatus.SUBMITTED)
    return _Loaded(
        session=session,
        criteria=[c for s in sections for c in s.criteria.all()],
        session_contacts=session_contacts,
        evaluators=evaluators,
        labels=labels,
        submitted={(e.evaluator_id, e.contact_id): e for e in submitted},
        answers=submitted_answers(session),
        agreed=agreed_answers(session, changes=changes),
        flags=_flags_by_criterion(session),
        order={u.pk: i for i, u in enumerate(evaluators)},
    )


def submitted_answers(session: CalibrationSession) -> dict[tuple[int, int], list[Answer]]:
    answers: dict[tuple[int, int], list[Answer]] = {}
    for answer in Answer.objects.filter(
        evaluation__session=session, evaluation__status=EvaluationStatus.SUBMITTED
    ).select_related("evaluation"):
        answers.setdefault((answer.evaluation.contact_id, answer.criterion_id), []).append(answer)
    return answers


def agreed_answers(
    session: CalibrationSession, *, changes: bool
) -> dict[tuple[int, int], AgreedAnswer]:
    agreed_answers = AgreedAnswer.objects.filter(session_contact__session=session)
    if changes:
        agreed_answers = agreed_answers.prefetch_related(
            Prefetch("changes", queryset=AgreedAnswerChange.objects.select_related("changed_by"))
        )
    return {(a.session_contact_id, a.criterion_id): a for a in agreed_answers}


def _flags_by_criterion(session: CalibrationSession) -> dict[int, list[CriterionFlag]]:
    flags: dict[int, list[CriterionFlag]] = {}
    for flag in session.flags.all():
        flags.setdefault(flag.criterion_id, []).append(flag)
    return flags


def _totals_matrix(loaded: _Loaded) -> np.ndarray:
    """Evaluators × contacts: each submitted evaluation's score (NaN: none)."""
    totals = [
        [_score(loaded.submitted.get((u.pk, sc.contact_id))) for sc in loaded.session_contacts]
        for u in loaded.evaluators
    ]
    shape = (len(loaded.evaluators), len(loaded.session_contacts))
    return np.array(totals, dtype=float).reshape(shape)


def _score(evaluation: Evaluation | None) -> float:
    return np.nan if evaluation is None or evaluation.score is None else evaluation.score


def _reference_totals(loaded: _Loaded, totals: np.ndarray) -> np.ndarray:
    """Per contact, the total the evaluators' totals are compared with (NaN: none yet)."""
    return np.array(
        [
            _reference_total(loaded.session, sc, totals[:, i], loaded.order)
            for i, sc in enumerate(loaded.session_contacts)
        ],
        dtype=float,
    )


def _contact_rows(
    loaded: _Loaded, totals, spreads, reference, *, anonymous: bool, changes: bool
) -> list[ContactRow]:
    """The contacts in the session's order, each with its criteria (disputed first)."""
    rows = []
    for i, sc in enumerate(loaded.session_contacts):
        criterion_rows = [
            _criterion_row(loaded, sc, criterion, anonymous=anonymous, changes=changes)
            for criterion in loaded.criteria
        ]
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
    return rows


def _in_meeting_order(loaded: _Loaded, rows, totals, spreads) -> list[ContactRow]:
    """The rows in the order to discuss them, set by the references as the reveal made them."""
    spec = loaded.session.version.scoring_spec()
    opening = [
        _opening_reference(loaded.session, totals[:, i], loaded.order, spec, row.criteria)
        for i, row in enumerate(rows)
    ]
    return [rows[i] for i in meeting_order(spreads, opening)]


def _evaluator_rows(loaded: _Loaded, totals, deviations) -> list[EvaluatorRow]:
    session, matched = loaded.session, _matched_agreed(loaded)
    return [
        EvaluatorRow(
            user=u,
            label=loaded.labels[u.pk],
            deviation=deviations[k],
            scored=int(np.count_nonzero(~np.isnan(totals[k]))),
            matches_agreed=sum(matched[u.pk]) / len(matched[u.pk]) if matched.get(u.pk) else None,
            is_reference=session.reference_mode == ReferenceMode.EXPERT
            and u.pk == session.expert_id,
        )
        for k, u in enumerate(loaded.evaluators)
    ]


def _matched_agreed(loaded: _Loaded) -> dict[int, list[bool]]:
    """Evaluator id → for each of their answers with an agreed answer, whether it is the same."""
    matched: dict[int, list[bool]] = {}
    for sc in loaded.session_contacts:
        for criterion in loaded.criteria:
            group_answer = loaded.agreed.get((sc.pk, criterion.pk))
            if group_answer is None:
                continue
            for answer in loaded.answers.get((sc.contact_id, criterion.pk), []):
                if answer.form_value != "":
                    matched.setdefault(answer.evaluation.evaluator_id, []).append(
                        answer.form_value == group_answer.form_value
                    )
    return matched


def _criterion_row(
    loaded: _Loaded, sc, criterion, *, anonymous: bool, changes: bool
) -> CriterionRow:
    """One criterion of one contact: the answers given (in column order), grouped."""
    given = sorted(
        loaded.answers.get((sc.contact_id, criterion.pk), []),
        key=lambda a: loaded.order.get(a.evaluation.evaluator_id, 0),
    )
    group_answer = loaded.agreed.get((sc.pk, criterion.pk))
    flags = loaded.flags.get(criterion.pk, [])
    if criterion.kind == "text":
        row = _text_row(criterion, given, loaded.labels, flags)
    else:
        row = CriterionRow(
            criterion=criterion,
            groups=_answer_groups(criterion, given, loaded.labels),
            dispute=session_figures.dispute([a.form_value for a in given if a.form_value != ""]),
            reference=reference_answer(loaded.session, criterion, given),
            agreed=group_answer,
            flags=flags,
        )
    if changes:
        row.history = agreed_history(criterion, group_answer, anonymous=anonymous)
    return row


def _text_row(criterion, given, labels, flags) -> CriterionRow:
    texts = [Voice(labels.get(a.evaluation.evaluator_id, ""), a.value) for a in given if a.value]
    return CriterionRow(criterion, [], 0.0, None, None, flags, texts)


def _answer_groups(criterion, given, labels) -> list[AnswerGroup]:
    """The answers given, grouped by value in the form's order (values nobody gave left out)."""
    groups: dict[str, AnswerGroup] = {}
    for value in answer_order(criterion):
        groups[value] = AnswerGroup(value, answer_label(criterion, value), [])
    for answer in given:
        value = answer.form_value
        if value == "":
            continue
        group = groups.setdefault(value, AnswerGroup(value, answer_label(criterion, value), []))
        group.voices.append(Voice(labels.get(answer.evaluation.evaluator_id, ""), answer.comment))
    return [g for g in groups.values() if g.count]


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
    return [ranked[j] for j in session_figures.discussion_order(levels)]


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
    versions by their key). A completed session's is computed once and kept (core.once)."""
    result = completed_once(
        session,
        "discussion-with-history",
        lambda: _discussion_with_history(session, anonymous=anonymous),
        anonymous,
    )
    result.session = session
    return result


def _discussion_with_history(session: CalibrationSession, *, anonymous: bool) -> Discussion:
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


def summary_draft(result: Discussion) -> str:
    """A first summary from the figures, flags and notes, for the facilitator to edit (two
    queries: the flags and the follow-up actions)."""
    lines = [
        *_figure_lines(result),
        *_deviation_lines(result),
        *_disputed_lines(result),
        *_flag_lines(result.session),
        *_note_lines(result),
        *_action_lines(result.session),
    ]
    return "\n".join(lines)


def _figure_lines(result: Discussion) -> list[str]:
    lines = [
        gettext("%(contacts)d contacts, %(evaluators)d evaluators, tolerance %(tolerance)s points.")
        % {
            "contacts": len(result.contacts),
            "evaluators": len(result.evaluators),
            "tolerance": result.session.tolerance,
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
    return lines


def _deviation_lines(result: Discussion) -> list[str]:
    """The evaluators outside the tolerance."""
    return [
        gettext("%(who)s: mean deviation %(points)s points (bias %(bias)s).")
        % {
            "who": row.label,
            "points": _points(row.deviation.mean_abs),
            "bias": f"{row.deviation.bias:+.1f}",
        }
        for row in result.evaluators
        if row.deviation is not None and not row.deviation.within_tolerance
    ]


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _disputed_lines(result: Discussion) -> list[str]:
    disputed = sorted(
        (c for c in result.criteria if c.agreement is not None and c.agreement < 0.8),
        key=lambda c: c.agreement,
    )
    if not disputed:
        return []
    return [
        gettext("Most disputed criteria:"),
        *(f"- {c.criterion.text} ({round(c.agreement * 100)}%)" for c in disputed[:5]),
    ]


def _flag_lines(session: CalibrationSession) -> list[str]:
    flags = list(session.flags.select_related("criterion"))
    lines = []
    for kind, heading in (
        (FlagKind.CLARIFY, gettext("To clarify in the scorecard:")),
        (FlagKind.PROCESS, gettext("Process problems, not the agents' fault:")),
    ):
        chosen = [f for f in flags if f.kind == kind]
        if chosen:
            lines.append(heading)
            lines += [f"- {f.criterion.text}" + (f": {f.note}" if f.note else "") for f in chosen]
    return lines


def _note_lines(result: Discussion) -> list[str]:
    noted = [row for row in result.contacts if row.session_contact.notes]
    if not noted:
        return []
    return [
        gettext("Notes per contact:"),
        *(
            f"- {row.contact.external_id} ({row.contact.agent}): {row.session_contact.notes}"
            for row in noted
        ),
    ]


def _action_lines(session: CalibrationSession) -> list[str]:
    actions = list(session.actions.select_related("owner"))
    if not actions:
        return []
    return [
        gettext("Follow-up actions:"),
        *(
            f"- {a.description} ({a.owner}"
            + (f", {a.due_date.isoformat()}" if a.due_date else "")
            + ")"
            for a in actions
        ),
    ]
