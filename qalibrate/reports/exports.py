"""The report as files: CSV (the raw answer matrix), XLSX (figures, agreed answers, flags and
actions, with number formats) and PDF (the record of the meeting, with the page's charts).

The XLSX keeps numbers as numbers (shares as fractions shown as percentages); the PDF writes
them, and dates, in the active language: the PDF e-mailed with the summary is rendered in each
recipient's language (qalibrate.notifications.services._attachments)."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import matplotlib
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF, FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qalibrate.core.templatetags.qalibrate_tags import percent, rounded, signed
from qalibrate.reports import charts
from qalibrate.reports.coefficient_words import (
    coefficient_name,
    interval,
    number,
    reading,
    short_name,
    value_of,
    weights_name,
)
from qalibrate.reports.selectors import Report, contact_label, report_figures

RAW_COLUMNS = ["contact", "agent", "criterion", "evaluator", "answer", "points"]
# A Unicode font that ships with matplotlib: Cyrillic and Swedish letters in the PDF.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RAW_COLUMNS)
    for row in report.raw:
        writer.writerow(
            [
                row.contact,
                row.agent,
                row.criterion,
                row.evaluator,
                row.answer,
                "" if row.points is None else f"{row.points:g}",
            ]
        )
    return buffer.getvalue()


# -- The tables both files show ---------------------------------------------------------------

# How a column's values are written: XLSX number formats, PDF text (see _pdf_text).
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


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _local_date(value: datetime | date | None) -> date | None:
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
        (_("Meeting"), _local_date(session.meeting_at), DATE),
        (_("Facilitator"), str(session.facilitator), TEXT),
        (_("Status"), session.get_status_display(), TEXT),
        (_("Completed"), _local_date(session.completed_at), DATE),
        (_("Reference"), session.get_reference_mode_display(), TEXT),
        (_("Tolerance (points)"), float(session.tolerance), POINTS),
        (_("Calibrated"), _yes_no(result.calibrated), TEXT),
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


def _answers_given(item) -> str:
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
            _answers_given(item),
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


# -- XLSX --------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="E4E7EB")
LONG_TEXT_WIDTH = 50


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    summary = workbook.create_sheet(_("Summary")[:31])
    _write_sheet(summary, Table([Column(_("Figure")), Column(_("Value"), LONG_TEXT)], []))
    for label, value, kind in summary_lines(report):
        summary.append([label, value])
        _format_cell(summary.cell(summary.max_row, 2), kind)
    summary.auto_filter.ref = f"A1:B{summary.max_row}"
    _fit_columns(summary, [TEXT, LONG_TEXT])
    for title, table in (
        (_("Evaluators"), evaluator_table(report)),
        (_("Criteria"), criterion_table(report)),
        (_("Coefficients"), coefficient_table(report)),
        (_("Evaluators vs reference"), limits_table(report)),
        (_("Answers vs reference"), answers_versus_reference_table(report)),
        (_("Contacts"), contact_table(report)),
        (_("Agreed answers"), agreed_answer_table(report)),
        (_("Actions"), action_table(report)),
        (_("Raw answers"), raw_table(report)),
    ):
        _write_sheet(workbook.create_sheet(title[:31]), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet, table: Table) -> None:
    """Bold, frozen header row with filters; each cell with its column's number format."""
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append(row)
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
            _format_cell(cell, column.kind)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(sheet.max_row, 2)}"
    _fit_columns(sheet, [column.kind for column in table.columns])


def _format_cell(cell, kind: str) -> None:
    if kind == YES_NO:
        cell.value = _yes_no(cell.value)
    elif kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]
    elif kind == LONG_TEXT:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fit_columns(sheet, kinds: list[str]) -> None:
    """Wide enough for the longest value (numbers as they show), the header wrapping at its
    words; long text wraps at LONG_TEXT_WIDTH."""
    for index, kind in enumerate(kinds, 1):
        cells = list(sheet.iter_cols(min_col=index, max_col=index, values_only=True))[0]
        header, values = str(cells[0] or ""), cells[1:]
        longest_word = max((len(word) for word in header.split()), default=4)
        if kind in NUMERIC:
            longest = 9 if kind == SHARE else 8
        elif kind == DATE:
            longest = 11
        else:
            longest = max(
                (len(line) for v in values if v for line in str(v).splitlines()), default=0
            )
        width = max(longest_word, min(longest, LONG_TEXT_WIDTH), 6) + 2
        sheet.column_dimensions[get_column_letter(index)].width = width


# -- PDF ---------------------------------------------------------------------------------------

INK, MUTED, ACCENT, OK, ERROR = (
    (31, 41, 51),
    (82, 96, 109),
    (15, 95, 115),
    (27, 110, 58),
    (180, 35, 24),
)
LINE, SHADE = (203, 210, 217), (240, 244, 248)
BODY, SMALL, TABLE_FONT, MIN_TABLE_FONT = 9, 7.5, 7.5, 5.5
CELL_PADDING = (0.9, 1.2)  # mm: top and bottom, left and right
MAX_CHART_HEIGHT = 140  # mm


def _pdf_text(value, kind: str = TEXT) -> str:
    """A value as the reader of the active language writes it."""
    if kind == YES_NO:
        return "—" if value is None else _yes_no(value)
    if value is None or value == "":
        return "—" if kind != LONG_TEXT and kind != TEXT else ""
    if kind == SHARE:
        return percent(value)
    if kind == COUNT:
        return rounded(value, 0)
    if kind == POINTS:
        return rounded(value, 1)
    if kind == SIGNED:
        return signed(value, 1)
    if kind == COEFFICIENT:
        return rounded(value, 2)
    if kind == DATE:
        return formats.date_format(_local_date(value), "SHORT_DATE_FORMAT")
    if isinstance(value, float):
        return rounded(value, 2)
    return str(value)


class _ReportPDF(FPDF):
    title_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 8, f"Qalibrate · {self.title_text}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 8, f"{self.page_no()} / {{nb}}", align="R")
        self.set_text_color(*INK)

    # Text ------------------------------------------------------------------------------------

    def heading(self, text: str, *, keep: float = 25, size: float = 13) -> None:
        """A section heading that never ends a page: `keep` mm of what follows come with it."""
        height = size * 0.55
        if self.will_page_break(height + 3 + keep) and self.get_y() > self.t_margin + 1:
            self.add_page()
        elif self.get_y() > self.t_margin + 1:
            self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*ACCENT if size >= 12 else INK)
        self.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1)

    def paragraph(self, text: str, *, size: float = BODY, colour=INK, bold=False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def muted(self, text: str) -> None:
        self.paragraph(text, size=SMALL, colour=MUTED)
        self.ln(1)

    # Tables ----------------------------------------------------------------------------------

    def data_table(self, table: Table, *, keep_rows: int = 2, layout=None) -> None:
        """A table whose columns fit their content: no word or id is ever cut in the middle
        (the font shrinks before that happens); numbers right-aligned. `layout`: the font size
        and widths of table_layout, for tables that should line up with each other."""
        headers = table.headers
        texts = self._texts(table)
        size, widths = layout or self._fit(headers, texts, table.columns)
        line_height = size * 0.47
        first_rows = (1 + keep_rows) * (line_height * 2 + 2)
        if self.will_page_break(first_rows):
            self.add_page()
        self.set_draw_color(*LINE)
        self.set_line_width(0.2)
        self.set_font("DejaVu", size=size)
        align = ["RIGHT" if c.kind in NUMERIC else "LEFT" for c in table.columns]
        with self.table(
            width=min(sum(widths), self.epw - 0.01),
            col_widths=widths,
            align="LEFT",
            text_align=align,
            line_height=line_height,
            padding=CELL_PADDING,
            v_align="TOP",
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", fill_color=SHADE, color=INK),
        ) as pdf_table:
            pdf_table.row(headers)
            for row in texts:
                pdf_table.row(row)
        self.ln(2)

    def table_layout(self, table: Table) -> tuple[float, list[float]]:
        return self._fit(table.headers, self._texts(table), table.columns)

    @staticmethod
    def _texts(table: Table) -> list[list[str]]:
        return [
            [_pdf_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            for row in table.rows
        ]

    def _fit(self, headers, rows, columns) -> tuple[float, list[float]]:
        """The table's font size and column widths (mm), as a browser lays out a table: every
        column at least as wide as its widest word, the rest shared out to the columns whose
        text would otherwise wrap."""
        available = self.epw
        slack = 2 * CELL_PADDING[1] + 0.6
        for size in (TABLE_FONT, 7, 6.5, 6, MIN_TABLE_FONT):
            self.set_font("DejaVu", "B", size)
            head_min = [self.widest_word(h) for h in headers]
            head_full = [self.get_string_width(h) for h in headers]
            self.set_font("DejaVu", "", size)
            minimum, natural = [], []
            for index, column in enumerate(columns):
                cells = [row[index] for row in rows]
                words = max([head_min[index], *(self.widest_word(t) for t in cells)])
                full = max([words, *(self._widest_line(t) for t in cells)])
                if column.kind in NUMERIC | {DATE, YES_NO}:
                    full = max(full, head_full[index] if len(headers[index]) < 14 else 0)
                minimum.append(words + slack)
                # No column takes over the page: a long reason wraps beside its criterion.
                natural.append(max(words, min(full, available * 0.4)) + slack)
            if sum(minimum) <= available:
                break
        extra = available - sum(minimum)
        if extra <= 0:
            return size, [m * available / sum(minimum) for m in minimum]
        wanted = [n - m for n, m in zip(natural, minimum, strict=True)]
        if sum(wanted) <= extra:
            # Everything fits on one line: the table takes its natural width, if over a
            # third of the page spread over the text columns so it reads as one block.
            widths = natural
            if sum(widths) > available / 3:
                texts = [i for i, c in enumerate(columns) if c.kind in (TEXT, LONG_TEXT)]
                share = (available - sum(widths)) / (len(texts) or len(widths))
                widths = [
                    w + share if (i in texts or not texts) else w for i, w in enumerate(widths)
                ]
            return size, widths
        # The short columns get all they want first (a name or a status on one line), the
        # long ones share what is left in proportion.
        widths, left = list(minimum), extra
        pending = sorted(range(len(columns)), key=lambda i: wanted[i])
        while pending and wanted[pending[0]] <= left / len(pending):
            index = pending.pop(0)
            widths[index] += wanted[index]
            left -= wanted[index]
        total = sum(wanted[i] for i in pending)
        for index in pending:
            widths[index] += left * wanted[index] / total
        return size, widths

    def widest_word(self, text: str) -> float:
        return max((self.get_string_width(word) for word in text.split()), default=0)

    def _widest_line(self, text: str) -> float:
        return max((self.get_string_width(line) for line in text.splitlines()), default=0)

    def keep_together(self, height: float) -> None:
        """Start a block of `height` mm on a new page when it would break over the end of this
        one (a block longer than a page breaks where it must)."""
        if self.will_page_break(height) and height < self.eph and self.get_y() > self.t_margin + 1:
            self.add_page()

    def text_height(self, text: str, width: float, line_height: float, *, bold=False, size=BODY):
        """The height of `text` wrapped in `width` mm (the width inside any cell margin)."""
        self.set_font("DejaVu", "B" if bold else "", size)
        margin, self.c_margin = self.c_margin, 0  # table cells use their padding instead
        try:
            lines = self.multi_cell(width, line_height, text, dry_run=True, output="LINES")
        finally:
            self.c_margin = margin
        return len(lines) * line_height

    def table_height(self, table: Table, layout) -> float:
        """The height data_table will take with `layout`, measured without drawing."""
        size, widths = layout
        line_height = size * 0.47
        height = 0.0
        for index, row in enumerate([table.headers, *self._texts(table)]):
            height += 2 * CELL_PADDING[0] + max(
                self.text_height(
                    text or " ",
                    width - 2 * CELL_PADDING[1] - 0.2,
                    line_height,
                    bold=index == 0,
                    size=size,
                )
                for text, width in zip(row, widths, strict=True)
            )
        return height + 2

    # Charts ----------------------------------------------------------------------------------

    def chart(self, heading: str, figure, table: Table | None = None) -> None:
        """The heading and its chart on the same page, below what came before; the chart's
        table with them too when the three fit on one page."""
        width_in, height_in = figure.get_size_inches()
        width, height = width_in * 25.4, height_in * 25.4
        scale = min(1.0, self.epw / width, MAX_CHART_HEIGHT / height)
        layout = self.table_layout(table) if table else None
        keep = height * scale + 2
        if table and keep + self.table_height(table, layout) + 12 < self.eph:
            keep += self.table_height(table, layout)
        self.heading(heading, keep=keep)
        self.image(io.BytesIO(charts.as_png(figure)), w=width * scale, h=height * scale)
        self.ln(2)
        if table:
            self.data_table(table, layout=layout)


def report_pdf(report: Report) -> bytes:
    session, result = report.session, report.discussion
    pdf = _ReportPDF(format="A4")
    pdf.title_text = session.title
    pdf.set_title(_("Calibration report: %(title)s") % {"title": session.title})
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(
        0,
        8,
        _("Calibration report: %(title)s") % {"title": session.title},
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)
    _facts(pdf, report)
    pdf.ln(2)
    _headline(pdf, report)
    if result.icc:
        single, average = result.icc["ICC2"], result.icc["ICC2k"]
        pdf.muted(
            # xgettext:no-python-format
            _(
                "Intraclass correlation of the totals (every evaluator scored every contact): "
                "ICC(2,1) %(single)s (95%% interval %(single_interval)s) for one evaluator's "
                "totals, ICC(2,k) %(average)s (95%% interval %(average_interval)s) for the "
                "group's average."
            )
            % {
                "single": number(single.value),
                "single_interval": interval(single) or "—",
                "average": number(average.value),
                "average_interval": interval(average) or "—",
            }
        )
    if result.previous_session:
        earlier = result.previous_session
        pdf.muted(
            _("Compared with the previous session: %(title)s (%(when)s).")
            % {"title": earlier.title, "when": _pdf_text(earlier.meeting_at, DATE)}
        )

    pdf.heading(_("Summary"), keep=10)
    if session.summary.strip():
        pdf.paragraph(session.summary.strip())
    else:
        pdf.muted(_("No summary yet: it is written when the session is completed."))

    pdf.heading(_("Follow-up actions"), keep=15)
    if report.actions:
        pdf.data_table(action_table(report))
    else:
        pdf.muted(_("No follow-up actions."))

    pdf.heading(_("Flagged criteria"), keep=20)
    pdf.muted(
        # xgettext:no-python-format
        _(
            "Needs clarification and process problem are set in the meeting; low agreement comes "
            "from this session's answers: below 80% agreement, or for yes/no an AC1 below 0.67, "
            "for scales and options an alpha and an AC2 both below 0.67."
        )
    )
    flags = flag_table(report)
    if flags.rows:
        pdf.data_table(flags)
    else:
        pdf.muted(_("No criterion was flagged."))

    _agreed_answers(pdf, report)

    figures = report_figures(report)
    pdf.chart(_("Evaluators"), figures["deviation"], evaluator_table(report))
    pdf.chart(_("Contacts"), figures["spread"], contact_table(report))
    # The flags and their notes are in the table above: here the figures.
    criteria = criterion_pdf_table(report)
    layout = pdf.table_layout(criteria)
    height = pdf.table_height(criteria, layout) + 24
    pdf.heading(_("Criteria"), keep=height if height < pdf.eph - 20 else 30)
    pdf.muted(
        # xgettext:no-python-format
        _(
            "Agreement is the share of pairs of evaluators who gave the same answer, N/A left "
            "out; N/A consistency says whether they agree that the criterion applies. The "
            "chance-corrected figure (AC1 for yes/no, Krippendorff's alpha for scales and "
            "options) says how much of the agreement is more than luck, with its 95% interval "
            "and its strength on the Landis & Koch scale, at least as strong as said with the "
            "probability shown. Low agreement: below 80% agreement, or for yes/no an AC1 below "
            "0.67, for scales and options an alpha and an AC2 both below 0.67. Weights: options "
            "count their order, a scale how far apart two answers are (quadratic). The XLSX file "
            "has every coefficient."
        )
    )
    pdf.data_table(criteria, layout=layout)
    pdf.chart(_("Deviation per contact and evaluator"), figures["heat_map"])
    return bytes(pdf.output())


def _facts(pdf: _ReportPDF, report: Report) -> None:
    """Team, scorecard, meeting and the rest, as two columns of label and value."""
    session = report.session
    facts = [
        (_("Team"), str(session.team) if session.team else "—"),
        (_("Scorecard"), str(session.version)),
        (_("Meeting"), formats.date_format(timezone.localtime(session.meeting_at), "DATE_FORMAT")),
        (_("Facilitator"), str(session.facilitator)),
        (_("Reference"), session.get_reference_mode_display()),
        (_("Tolerance"), _("%(points)s points") % {"points": rounded(session.tolerance, 1)}),
        (_("Status"), session.get_status_display()),
    ]
    if session.completed_at:
        completed = timezone.localtime(session.completed_at)
        facts.append((_("Completed"), formats.date_format(completed, "DATE_FORMAT")))
    pdf.set_font("DejaVu", size=8.5)
    label_width = max(pdf.get_string_width(label) for label, _value in facts) + 3
    half = pdf.epw / 2
    for start in range(0, len(facts), 2):
        y = pdf.get_y()
        bottom = y
        for offset, (label, value) in enumerate(facts[start : start + 2]):
            pdf.set_xy(pdf.l_margin + offset * half, y)
            pdf.set_text_color(*MUTED)
            pdf.cell(label_width, 4.8, label)
            pdf.set_text_color(*INK)
            pdf.multi_cell(
                half - label_width - 2, 4.8, value, align="L", new_x="LMARGIN", new_y="NEXT"
            )
            bottom = max(bottom, pdf.get_y())
        pdf.set_y(bottom)


def _headline(pdf: _ReportPDF, report: Report) -> None:
    """The four figures of the report page, as boxes across the page."""
    session, result = report.session, report.discussion
    alpha = result.totals.alpha if result.totals else None
    if result.calibrated is None:
        verdict, colour = "—", INK
    elif result.calibrated:
        verdict, colour = _("Calibrated"), OK
    else:
        verdict, colour = _("Not calibrated"), ERROR
    alpha_label = _("Krippendorff's alpha of the totals")
    if alpha and interval(alpha):
        alpha_label += " (" + _("95%% interval %(range)s") % {"range": interval(alpha)} + ")"
    if result.totals_approximate:
        alpha_label += "; " + ngettext(
            "approximate: only %(n)s contact", "approximate: only %(n)s contacts", alpha.n
        ) % {"n": alpha.n}
    boxes = [
        (
            verdict,
            colour,
            _("every evaluator's mean deviation ≤ %(points)s points")
            % {"points": rounded(session.tolerance, 1)},
        ),
        (_pdf_text(result.share_within, SHARE), INK, _("Scores within tolerance")),
        ("—" if alpha is None else rounded(alpha.estimate, 2), INK, alpha_label),
        (
            f"{len(result.contacts)} · {len(result.evaluators)} · {report.answer_count}",
            INK,
            _("contacts · evaluators · answers (n)"),
        ),
    ]
    gap, padding = 3, 2.5
    width = (pdf.epw - gap * (len(boxes) - 1)) / len(boxes)
    inner = width - 2 * padding

    # One size for the four figures, small enough that no word breaks ("Не откалибровано").
    size = 13
    pdf.set_font("DejaVu", "B", size)
    while (
        size > 9
        and max(pdf.widest_word(value) for value, _c, _l in boxes) > inner - 2 * pdf.c_margin - 0.5
    ):
        size -= 0.5
        pdf.set_font("DejaVu", "B", size)
    value_height = size * 0.46

    def height_of(value, label):
        pdf.set_font("DejaVu", "B", size)
        top = pdf.multi_cell(inner, value_height, value, align="L", dry_run=True, output="HEIGHT")
        pdf.set_font("DejaVu", size=7)
        return top + 1 + pdf.multi_cell(inner, 3.4, label, align="L", dry_run=True, output="HEIGHT")

    height = max(height_of(value, label) for value, _c, label in boxes) + 2 * padding
    if pdf.will_page_break(height):
        pdf.add_page()
    y = pdf.get_y()
    for index, (value, colour, label) in enumerate(boxes):
        x = pdf.l_margin + index * (width + gap)
        pdf.set_fill_color(*SHADE)
        pdf.set_draw_color(*(colour if colour != INK else LINE))
        pdf.set_line_width(0.4 if colour != INK else 0.2)
        pdf.rect(x, y, width, height, style="DF")
        pdf.set_xy(x + padding, y + padding)
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(inner, value_height, value, align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(x + padding, pdf.get_y() + 1)
        pdf.set_font("DejaVu", size=7)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(inner, 3.4, label, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, y + height + 3)


def _agreed_answers(pdf: _ReportPDF, report: Report) -> None:
    """Per contact: the agreed score, the agreed answers with the reasons, and the feedback."""
    pdf.heading(_("Contacts: agreed answers and feedback"), keep=40)
    columns = [
        Column(_("Criterion"), LONG_TEXT),
        Column(_("Answers given")),
        Column(_("Agreed answer")),
        Column(_("Why"), LONG_TEXT),
    ]
    outcomes = report.contact_outcomes
    tables = [
        Table(
            columns,
            [
                [
                    item.criterion.text,
                    _answers_given(item),
                    item.agreed_label or "—",
                    item.agreed.reason if item.agreed else "",
                ]
                for item in outcome.answers
            ],
        )
        for outcome in outcomes
    ]
    # One layout for all the contacts' tables, so they line up page after page.
    layout = pdf.table_layout(Table(columns, [row for table in tables for row in table.rows]))
    for outcome, table in zip(outcomes, tables, strict=True):
        _contact_block(pdf, outcome, table, layout)


def _contact_block(pdf: _ReportPDF, outcome, table: Table, layout) -> None:
    """A contact on one page where it fits: its heading, facts, answers and notes."""
    contact = outcome.contact
    title = f"{contact_label(outcome.row, outcome.number)} · {contact.external_id}"
    facts = [
        _("Agreed score: %(score)s") % {"score": _pdf_text(outcome.agreed_score, POINTS)},
        contact.get_channel_display(),
        _pdf_text(contact.occurred_at, DATE),
    ]
    if outcome.row.spread is not None:
        facts.append(
            _("evaluators' scores %(low)s to %(high)s")
            % {
                "low": rounded(outcome.row.spread.low, 1),
                "high": rounded(outcome.row.spread.high, 1),
            }
        )
    facts_text, notes = " · ".join(facts), outcome.notes.strip()
    height = (
        10.5 * 0.55
        + 4
        + pdf.text_height(facts_text, pdf.epw - 2, 4.25, size=8.5)
        + 1
        + pdf.table_height(table, layout)
        + (pdf.text_height(notes, pdf.epw - 2, 4.25, size=8.5) + 4.25 if notes else 0)
        + 1
    )
    pdf.keep_together(height)
    pdf.heading(title, keep=30, size=10.5)
    pdf.paragraph(facts_text, size=8.5, colour=MUTED)
    pdf.ln(1)
    pdf.data_table(table, keep_rows=1, layout=layout)
    if notes:
        if pdf.will_page_break(12):
            pdf.add_page()
        pdf.paragraph(_("Notes and feedback"), size=8.5, bold=True)
        pdf.paragraph(notes, size=8.5)
    pdf.ln(1)
