"""The tables of the report, as the XLSX (exports.py) and the PDF (pdf.py) show them: each a
list of typed columns and rows of plain values, written by each file in its own way."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.reports.coefficient_words import (
    coefficient_name,
    interval,
    number,
    reading,
    short_name,
    value_of,
    weights_name,
)
from qalibrate.reports.selectors import Report, contact_label

RAW_COLUMNS = ["contact", "agent", "criterion", "evaluator", "answer", "points"]

# How a column's values are written: XLSX number formats, PDF text (see pdf._pdf_text).
TEXT, LONG_TEXT, COUNT, POINTS, SIGNED, COEFFICIENT, SHARE, DATE, YES_NO = (
    "text",
    "long_text",
    "count",
    "points",
    "signed",
    "coefficient",
    "share",
    "date",
    "yes_no",
)
NUMBER_FORMATS = {
    COUNT: "0",
    POINTS: "0.0",
    SIGNED: "+0.0;-0.0;0.0",
    COEFFICIENT: "0.00",
    SHARE: "0.0%",
    DATE: "mm-dd-yy",  # Excel's built-in format 14: the reader's own short date
}
NUMERIC = {COUNT, POINTS, SIGNED, COEFFICIENT, SHARE}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def yes_no_text(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def local_date(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def summary_lines(report: Report) -> list[tuple[str, object, str]]:
    """(label, value, kind) of the Summary sheet."""
    session, result = report.session, report.discussion
    alpha = result.totals.alpha if result.totals else None
    icc = result.icc or {}
    single, average = icc.get("ICC2"), icc.get("ICC2k")
    return [
        (_("Session"), session.title, TEXT),
        (_("Team"), str(session.team) if session.team else "", TEXT),
        (_("Scorecard"), str(session.version), TEXT),
        (_("Meeting"), local_date(session.meeting_at), DATE),
        (_("Facilitator"), str(session.facilitator), TEXT),
        (_("Status"), session.get_status_display(), TEXT),
        (_("Completed"), local_date(session.completed_at), DATE),
        (_("Reference"), session.get_reference_mode_display(), TEXT),
        (_("Tolerance (points)"), float(session.tolerance), POINTS),
        (_("Calibrated"), yes_no_text(result.calibrated), TEXT),
        (_("Scores within tolerance"), result.share_within, SHARE),
        (_("Alpha of the totals"), None if alpha is None else alpha.estimate, COEFFICIENT),
        (
            _("Alpha of the totals: standard error"),
            None if alpha is None else alpha.se,
            COEFFICIENT,
        ),
        # xgettext:no-python-format
        (_("95% interval, low"), None if alpha is None else alpha.low, COEFFICIENT),
        # xgettext:no-python-format
        (_("95% interval, high"), None if alpha is None else alpha.high, COEFFICIENT),
        (_("Alpha of the totals: contacts (n)"), None if alpha is None else alpha.n, COUNT),
        (_("Alpha of the totals: strength (Landis & Koch)"), reading(alpha), TEXT),
        (_("ICC(2,1) of the totals"), value_of(single), COEFFICIENT),
        # xgettext:no-python-format
        (_("ICC(2,1): 95% interval, low"), None if single is None else single.low, COEFFICIENT),
        # xgettext:no-python-format
        (_("ICC(2,1): 95% interval, high"), None if single is None else single.high, COEFFICIENT),
        (_("ICC(2,k) of the totals"), value_of(average), COEFFICIENT),
        # xgettext:no-python-format
        (_("ICC(2,k): 95% interval, low"), None if average is None else average.low, COEFFICIENT),
        # xgettext:no-python-format
        (_("ICC(2,k): 95% interval, high"), None if average is None else average.high, COEFFICIENT),
        (_("Contacts"), len(result.contacts), COUNT),
        (_("Evaluators"), len(result.evaluators), COUNT),
        (_("Answers"), report.answer_count, COUNT),
        (_("Summary of the meeting"), session.summary, LONG_TEXT),
    ]


def evaluator_table(report: Report) -> Table:
    columns = [
        Column(_("Evaluator")),
        Column(_("Contacts scored (n)"), COUNT),
        Column(_("Mean deviation"), POINTS),
        Column(_("Bias"), SIGNED),
        # xgettext:no-python-format
        Column(_("95% limits of agreement, lower"), SIGNED),
        # xgettext:no-python-format
        Column(_("95% limits of agreement, upper"), SIGNED),
        Column(_("Matches the agreed answer"), SHARE),
        Column(_("Within tolerance"), YES_NO),
        Column(_("Previous session"), POINTS),
    ]
    rows = [
        [
            row.label,
            row.scored,
            None if row.deviation is None else row.deviation.mean_abs,
            None if row.deviation is None else row.deviation.bias,
            None if row.versus_reference is None else row.versus_reference.lower_limit,
            None if row.versus_reference is None else row.versus_reference.upper_limit,
            row.matches_agreed,
            None if row.deviation is None else row.deviation.within_tolerance,
            None if row.previous is None else row.previous.mean_abs,
        ]
        for row in report.discussion.evaluators
    ]
    return Table(columns, rows)


def flag_columns() -> list[Column]:
    return [
        Column(_("Needs clarification"), YES_NO),
        Column(_("Process problem"), YES_NO),
        Column(_("Low agreement"), YES_NO),
    ]


def criterion_table(report: Report) -> Table:
    """Every scored criterion: its agreement figures, the chance-corrected coefficient its flag
    reads (AC1 for yes/no, alpha for ordered answers) with its interval, and the three flags
    apart."""
    columns = [
        Column(_("Criterion"), LONG_TEXT),
        Column("n", COUNT),
        Column(_("Agreement"), SHARE),
        Column(_("Weights")),
        Column(_("Chance-corrected")),
        Column(_("Value"), COEFFICIENT),
        Column(_("SE"), COEFFICIENT),
        # xgettext:no-python-format
        Column(_("95% interval, low"), COEFFICIENT),
        # xgettext:no-python-format
        Column(_("95% interval, high"), COEFFICIENT),
        Column(_("Strength (Landis & Koch)")),
        Column(_("Alpha"), COEFFICIENT),
        Column("AC1 / AC2", COEFFICIENT),
        Column(_("N/A consistency"), SHARE),
        Column(_("Matches the agreed answer"), SHARE),
        Column(_("Previous session"), SHARE),
        *flag_columns(),
        Column(_("Flag notes"), LONG_TEXT),
    ]
    rows = []
    for row in report.criteria:
        agreement = row.agreement
        figures = agreement.figures if agreement else None
        main = agreement.flag_coefficient if agreement else None
        rows.append(
            [
                row.criterion.text,
                figures.n if figures else None,
                figures.agreement if figures else None,
                weights_name(figures.weights) if figures else "",
                short_name(main.name, main.weights) if main else "",
                value_of(main),
                _part(main, "se"),
                _part(main, "low"),
                _part(main, "high"),
                reading(main),
                figures.alpha if figures else None,
                figures.ac1 if figures else None,
                figures.na_consistency if figures else None,
                agreement.matches_agreed if agreement else None,
                agreement.previous if agreement else None,
                row.needs_clarification,
                row.process_problem,
                row.low_agreement,
                "\n".join(row.notes),
            ]
        )
    return Table(columns, rows)


def coefficient_table(report: Report) -> Table:
    """The whole chance-corrected family per criterion, one row per coefficient."""
    columns = [
        Column(_("Criterion"), LONG_TEXT),
        Column(_("Coefficient")),
        Column(_("Weights")),
        Column(_("Contacts (n)"), COUNT),
        Column(_("Value"), COEFFICIENT),
        Column(_("SE"), COEFFICIENT),
        # xgettext:no-python-format
        Column(_("95% interval, low"), COEFFICIENT),
        # xgettext:no-python-format
        Column(_("95% interval, high"), COEFFICIENT),
        Column("Landis & Koch"),
        Column("Altman"),
    ]
    rows = [
        [
            row.criterion.text,
            coefficient_name(e.name, e.weights),
            weights_name(e.weights),
            e.n,
            e.value,
            e.se,
            e.low,
            e.high,
            reading(e),
            reading(e, "altman"),
        ]
        for row in report.discussion.criteria
        for e in row.figures.coefficients.values()
    ]
    return Table(columns, rows)


def limits_table(report: Report) -> Table:
    """Each evaluator's totals against the reference totals (Bland-Altman): bias and 95%
    limits of agreement, each with its 95% interval."""
    columns = [
        Column(_("Evaluator")),
        Column(_("Contacts (n)"), COUNT),
        Column(_("Bias"), SIGNED),
        Column(_("Bias: interval, low"), SIGNED),
        Column(_("Bias: interval, high"), SIGNED),
        Column(_("SD of the differences"), POINTS),
        Column(_("Lower limit"), SIGNED),
        Column(_("Lower limit: interval, low"), SIGNED),
        Column(_("Lower limit: interval, high"), SIGNED),
        Column(_("Upper limit"), SIGNED),
        Column(_("Upper limit: interval, low"), SIGNED),
        Column(_("Upper limit: interval, high"), SIGNED),
    ]
    rows = [
        [
            row.label,
            ba.n,
            ba.bias,
            ba.bias_low,
            ba.bias_high,
            ba.sd,
            ba.lower_limit,
            ba.lower_limit_low,
            ba.lower_limit_high,
            ba.upper_limit,
            ba.upper_limit_low,
            ba.upper_limit_high,
        ]
        for row in report.discussion.evaluators
        if (ba := row.versus_reference) is not None
    ]
    return Table(columns, rows)


def answers_versus_reference_table(report: Report) -> Table:
    """Each evaluator's answers per criterion against the reference answers: Cohen's kappa
    and AC1 (AC2 with the criterion's weights), each with its standard error and interval."""
    columns = [
        Column(_("Evaluator")),
        Column(_("Criterion"), LONG_TEXT),
        Column(_("Weights")),
        Column(_("Contacts (n)"), COUNT),
        Column(_("Same answer"), COUNT),
        Column(_("Cohen's kappa"), COEFFICIENT),
        Column(_("Kappa: SE"), COEFFICIENT),
        Column(_("Kappa: interval, low"), COEFFICIENT),
        Column(_("Kappa: interval, high"), COEFFICIENT),
        Column("AC1 / AC2"),
        Column(_("Value"), COEFFICIENT),
        Column(_("SE"), COEFFICIENT),
        # xgettext:no-python-format
        Column(_("95% interval, low"), COEFFICIENT),
        # xgettext:no-python-format
        Column(_("95% interval, high"), COEFFICIENT),
    ]
    rows = []
    for row in report.discussion.evaluators:
        for item in row.criteria_versus_reference:
            kappa, ac = item.kappa, item.ac1
            rows.append(
                [
                    row.label,
                    item.criterion.text,
                    weights_name(item.weights),
                    item.n,
                    item.same,
                    value_of(kappa),
                    _part(kappa, "se"),
                    _part(kappa, "low"),
                    _part(kappa, "high"),
                    short_name("ac1", item.weights),
                    value_of(ac),
                    _part(ac, "se"),
                    _part(ac, "low"),
                    _part(ac, "high"),
                ]
            )
    return Table(columns, rows)


def _part(estimate, name: str):
    return None if estimate is None else getattr(estimate, name)


def criterion_pdf_table(report: Report) -> Table:
    """The criteria as the PDF shows them: agreement, the flag's coefficient with its interval
    and its strength in words."""
    columns = [
        Column(_("Criterion"), LONG_TEXT),
        Column("n", COUNT),
        Column(_("Agreement"), SHARE),
        Column(_("Chance-corrected")),
        # xgettext:no-python-format
        Column(_("95% interval")),
        Column(_("Strength (Landis & Koch)"), LONG_TEXT),
        Column(_("N/A consistency"), SHARE),
        Column(_("Previous session"), SHARE),
    ]
    rows = []
    for row in report.discussion.criteria:
        line = row.flag_line
        main = None if line is None else line.estimate
        range_text = interval(main)
        if range_text and line.approximate:
            range_text += " (" + _("approximate") + ")"
        rows.append(
            [
                row.criterion.text,
                row.n,
                row.agreement,
                f"{short_name(main.name, main.weights)} {number(main.value)}" if main else "",
                range_text,
                reading(main),
                row.figures.na_consistency,
                row.previous,
            ]
        )
    return Table(columns, rows)


def flag_table(report: Report) -> Table:
    """Only the criteria with a flag: what the meeting sends back to the scorecard or to the
    process owners."""
    columns = [Column(_("Criterion"), LONG_TEXT), *flag_columns(), Column(_("Note"), LONG_TEXT)]
    rows = [
        [
            row.criterion.text,
            row.needs_clarification,
            row.process_problem,
            row.low_agreement,
            "\n".join(row.notes),
        ]
        for row in report.criteria
        if row.flagged
    ]
    return Table(columns, rows)


def contact_table(report: Report) -> Table:
    columns = [
        Column(_("Contact")),
        Column(_("External id")),
        Column(_("Agreed score"), POINTS),
        Column(_("Reference"), POINTS),
        Column(_("Spread"), POINTS),
        Column(_("SD"), POINTS),
        *[Column(row.label, POINTS) for row in report.discussion.evaluators],
    ]
    rows = [
        [
            contact_label(outcome.row, outcome.number),
            outcome.contact.external_id,
            outcome.agreed_score,
            outcome.row.reference_total,
            None if outcome.row.spread is None else outcome.row.spread.spread,
            None if outcome.row.spread is None else outcome.row.spread.sd,
            *outcome.row.totals,
        ]
        for outcome in report.contact_outcomes
    ]
    return Table(columns, rows)


def answers_given(item) -> str:
    return ", ".join(f"{group.label} × {group.count}" for group in item.groups)


def agreed_answer_table(report: Report) -> Table:
    """One row per contact and scored criterion, with the contact's notes and feedback."""
    columns = [
        Column(_("Contact")),
        Column(_("External id")),
        Column(_("Agreed score"), POINTS),
        Column(_("Criterion"), LONG_TEXT),
        Column(_("Answers given")),
        Column(_("Agreed answer")),
        Column(_("Why"), LONG_TEXT),
        Column(_("Notes and feedback"), LONG_TEXT),
    ]
    rows = [
        [
            contact_label(outcome.row, outcome.number),
            outcome.contact.external_id,
            outcome.agreed_score,
            item.criterion.text,
            answers_given(item),
            item.agreed_label,
            item.agreed.reason if item.agreed else "",
            outcome.notes,
        ]
        for outcome in report.contact_outcomes
        for item in outcome.answers
    ]
    return Table(columns, rows)


def action_table(report: Report) -> Table:
    columns = [
        Column(_("Action"), LONG_TEXT),
        Column(_("Owner")),
        Column(_("Due"), DATE),
        Column(_("Status")),
    ]
    rows = [
        [action.description, str(action.owner), action.due_date, action.get_status_display()]
        for action in report.actions
    ]
    return Table(columns, rows)


def raw_table(report: Report) -> Table:
    columns = [Column(name) for name in RAW_COLUMNS[:4]]
    columns += [Column(RAW_COLUMNS[4], LONG_TEXT), Column(RAW_COLUMNS[5], POINTS)]
    rows = [[r.contact, r.agent, r.criterion, r.evaluator, r.answer, r.points] for r in report.raw]
    return Table(columns, rows)
