"""The calibration report: the discussion's figures, charts and the raw answer matrix, and the
meeting's outcome (agreed answers, flags, follow-up actions) for the report files."""

from dataclasses import dataclass, field

from django.utils.translation import gettext

from qalibrate.calibration.agreement_figures import CriterionAgreement
from qalibrate.calibration.meeting_selectors import (
    ContactRow,
    CriterionRow,
    Discussion,
    discussion_with_history,
)
from qalibrate.calibration.models import (
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
)
from qalibrate.reports import charts
from qalibrate.scorecards.models import Criterion
from qalibrate.scorecards.scoring import InvalidAnswer, criterion_points


@dataclass(frozen=True)
class RawAnswer:
    contact: str
    agent: str
    criterion: str
    evaluator: str
    answer: str
    points: float | None


@dataclass(frozen=True)
class CriterionOutcome:
    """A criterion's agreement figures (None for a free-text criterion) and its three flags,
    each on its own: a criterion the group found unclear is not one with a process problem,
    and neither is one whose answers merely disagreed."""

    criterion: Criterion
    agreement: CriterionAgreement | None
    needs_clarification: bool
    process_problem: bool
    notes: list[str]

    @property
    def low_agreement(self) -> bool:
        return self.agreement is not None and self.agreement.low_agreement

    @property
    def flagged(self) -> bool:
        return self.needs_clarification or self.process_problem or self.low_agreement


@dataclass(frozen=True)
class ContactOutcome:
    """A contact as the meeting left it: its number in the report's charts, the agreed score,
    the agreed answers in the scorecard's order and the group's notes and feedback."""

    number: int
    row: ContactRow
    answers: list[CriterionRow]

    @property
    def contact(self):
        return self.row.contact

    @property
    def agreed_score(self) -> float | None:
        return self.row.session_contact.agreed_score

    @property
    def notes(self) -> str:
        return self.row.session_contact.notes

    @property
    def changed(self) -> list[CriterionRow]:
        """The criteria whose agreed answer was decided at the meeting, with their history."""
        return [item for item in self.answers if item.changed]


@dataclass
class Report:
    discussion: Discussion
    raw: list[RawAnswer]
    flags: list[CriterionFlag] = field(default_factory=list)
    actions: list[FollowUpAction] = field(default_factory=list)

    @property
    def session(self) -> CalibrationSession:
        return self.discussion.session

    @property
    def answer_count(self) -> int:
        return len(self.raw)

    @property
    def criteria(self) -> list[CriterionOutcome]:
        """The scored criteria in the scorecard's order, then free-text ones that were flagged."""
        by_criterion: dict[int, list[CriterionFlag]] = {}
        for flag in self.flags:
            by_criterion.setdefault(flag.criterion_id, []).append(flag)
        rows = [(row.criterion, row) for row in self.discussion.criteria]
        scored = {criterion.pk for criterion, _row in rows}
        for flag in self.flags:
            if flag.criterion_id not in scored:
                scored.add(flag.criterion_id)
                rows.append((flag.criterion, None))
        result = []
        for criterion, agreement in rows:
            flags = by_criterion.get(criterion.pk, [])
            kinds = {flag.kind for flag in flags}
            result.append(
                CriterionOutcome(
                    criterion=criterion,
                    agreement=agreement,
                    needs_clarification=FlagKind.CLARIFY in kinds,
                    process_problem=FlagKind.PROCESS in kinds,
                    notes=[flag.note for flag in flags if flag.note],
                )
            )
        return result

    @property
    def contact_outcomes(self) -> list[ContactOutcome]:
        """Numbered as in the charts (the discussion's order); scored criteria only."""
        order = {row.criterion.pk: i for i, row in enumerate(self.discussion.criteria)}
        return [
            ContactOutcome(
                number=number,
                row=row,
                answers=sorted(
                    (item for item in row.criteria if item.criterion.kind != "text"),
                    key=lambda item: order.get(item.criterion.pk, len(order)),
                ),
            )
            for number, row in enumerate(self.discussion.contacts, 1)
        ]

    @property
    def changed_contacts(self) -> list[ContactOutcome]:
        """The contacts with an agreed answer decided at the meeting, for the history."""
        return [outcome for outcome in self.contact_outcomes if outcome.changed]

    @property
    def changed_answer_count(self) -> int:
        return sum(len(outcome.changed) for outcome in self.changed_contacts)


def session_report(session: CalibrationSession, *, anonymous: bool = False) -> Report:
    """A fixed number of queries whatever the session's size (the discussion's with the agreed
    answers' history, the previous session's when there is one, and one each for the flags
    and the actions)."""
    result = discussion_with_history(session, anonymous=anonymous)
    return Report(
        discussion=result,
        raw=_raw_answers(result),
        flags=list(session.flags.select_related("criterion")),
        actions=list(session.actions.select_related("owner")),
    )


def _raw_answers(result: Discussion) -> list[RawAnswer]:
    rows = []
    for contact_row in sorted(result.contacts, key=lambda r: r.session_contact.position):
        contact = contact_row.contact
        for item in contact_row.criteria:
            spec = item.criterion.scoring_spec()
            answers = [(voice, voice.comment, None) for voice in item.texts]
            for group in item.groups:
                points = _points(item.criterion, spec, group.value)
                answers += [(voice, group.label, points) for voice in group.voices]
            rows += [
                RawAnswer(
                    contact.external_id,
                    str(contact.agent),
                    item.criterion.text,
                    voice.label,
                    answer,
                    points,
                )
                for voice, answer, points in answers
            ]
    return rows


def _points(criterion, spec, value: str) -> float | None:
    if value == "na":
        return None
    try:
        return criterion_points(spec, int(value) if criterion.kind == "scale" else value)[0]
    except (InvalidAnswer, ValueError):
        return None


def chart_texts() -> dict:
    return {
        "mean_abs": gettext("Mean deviation"),
        "bias": gettext("Bias (+ lenient, − strict)"),
        "tolerance": gettext("Tolerance"),
        "points": gettext("Points"),
        "reference": gettext("Reference"),
        "score": gettext("Score"),
        "deviation": gettext("Deviation from the reference (points)"),
    }


def contact_label(row, number: int) -> str:
    return f"{number}. {row.contact.agent}"


def report_figures(report: Report) -> dict:
    """The three charts as matplotlib figures (the page shows SVG, the PDF a PNG of the same)."""
    result, texts = report.discussion, chart_texts()
    tolerance = float(report.session.tolerance)
    evaluators = [row.label for row in result.evaluators]
    contacts = [contact_label(row, i) for i, row in enumerate(result.contacts, 1)]
    return {
        "deviation": charts.deviation_chart(
            evaluators,
            [row.deviation.mean_abs if row.deviation else None for row in result.evaluators],
            [row.deviation.bias if row.deviation else None for row in result.evaluators],
            tolerance=tolerance,
            texts=texts,
        ),
        "spread": charts.spread_chart(
            contacts,
            [row.spread.low if row.spread else None for row in result.contacts],
            [row.spread.high if row.spread else None for row in result.contacts],
            [row.reference_total for row in result.contacts],
            texts=texts,
        ),
        "heat_map": charts.heat_map(
            contacts,
            evaluators,
            [[cell["deviation"] for cell in row.cells] for row in result.contacts],
            tolerance=tolerance,
            texts=texts,
        ),
    }
