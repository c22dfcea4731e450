"""The calibration report: the discussion's figures, charts and the raw answer matrix."""

from dataclasses import dataclass

from django.utils.translation import gettext

from qalibrate.calibration.models import CalibrationSession
from qalibrate.calibration.selectors import Discussion, discussion_with_history
from qalibrate.reports import charts
from qalibrate.scorecards.scoring import InvalidAnswer, criterion_points


@dataclass(frozen=True)
class RawAnswer:
    contact: str
    agent: str
    criterion: str
    evaluator: str
    answer: str
    points: float | None


@dataclass
class Report:
    discussion: Discussion
    raw: list[RawAnswer]

    @property
    def session(self) -> CalibrationSession:
        return self.discussion.session

    @property
    def answer_count(self) -> int:
        return len(self.raw)


def session_report(session: CalibrationSession, *, anonymous: bool = False) -> Report:
    """A fixed number of queries whatever the session's size (the discussion's, twice when
    there is a previous session)."""
    result = discussion_with_history(session, anonymous=anonymous)
    return Report(discussion=result, raw=_raw_answers(result))


def _raw_answers(result: Discussion) -> list[RawAnswer]:
    rows = []
    for contact_row in sorted(result.contacts, key=lambda r: r.session_contact.position):
        contact = contact_row.contact
        for item in contact_row.criteria:
            spec = item.criterion.scoring_spec()
            for voice in item.texts:
                rows.append(
                    RawAnswer(contact.external_id, str(contact.agent), item.criterion.text,
                              voice.label, voice.comment, None)
                )  # fmt: skip
            for group in item.groups:
                points = _points(item.criterion, spec, group.value)
                for voice in group.voices:
                    rows.append(
                        RawAnswer(contact.external_id, str(contact.agent), item.criterion.text,
                                  voice.label, group.label, points)
                    )  # fmt: skip
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
        ),  # fmt: skip
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
        ),  # fmt: skip
    }
