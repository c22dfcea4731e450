"""The report as a PDF: the record of the meeting, with the page's charts.

Numbers and dates are written in the active language: the PDF e-mailed with the summary is
rendered in each recipient's language (qalibrate.notifications.services._attachments)."""

import io
from pathlib import Path

import matplotlib
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF, FontFace

from qalibrate.core.numbers import percent, rounded, signed
from qalibrate.reports import charts
from qalibrate.reports.coefficient_words import interval, number
from qalibrate.reports.selectors import Report, contact_label, report_figures
from qalibrate.reports.tables import (
    COEFFICIENT,
    COUNT,
    DATE,
    LONG_TEXT,
    NUMERIC,
    POINTS,
    SHARE,
    SIGNED,
    TEXT,
    YES_NO,
    Column,
    Table,
    action_table,
    answers_given,
    contact_table,
    criterion_pdf_table,
    evaluator_table,
    flag_table,
    local_date,
    yes_no_text,
)

# A Unicode font that ships with matplotlib: Cyrillic and Swedish letters in the PDF.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
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
        return "—" if value is None else yes_no_text(value)
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
        return formats.date_format(local_date(value), "SHORT_DATE_FORMAT")
    if isinstance(value, float):
        return rounded(value, 2)
    return str(value)


def _share_out(minimum, natural, columns, available: float) -> list[float]:
    """Column widths from their least and natural widths on `available` mm."""
    extra = available - sum(minimum)
    if extra <= 0:
        return [m * available / sum(minimum) for m in minimum]
    wanted = [n - m for n, m in zip(natural, minimum, strict=True)]
    if sum(wanted) <= extra:
        return _natural_widths(natural, columns, available)
    return _short_columns_first(minimum, wanted, extra)


def _natural_widths(natural, columns, available: float) -> list[float]:
    """Everything fits on one line: the table takes its natural width, if over a third of the
    page spread over the text columns so it reads as one block."""
    widths = natural
    if sum(widths) > available / 3:
        texts = [i for i, c in enumerate(columns) if c.kind in (TEXT, LONG_TEXT)]
        share = (available - sum(widths)) / (len(texts) or len(widths))
        widths = [w + share if (i in texts or not texts) else w for i, w in enumerate(widths)]
    return widths


def _short_columns_first(minimum, wanted, extra: float) -> list[float]:
    """The short columns get all they want first (a name or a status on one line), the long
    ones share what is left in proportion."""
    widths, left = list(minimum), extra
    pending = sorted(range(len(minimum)), key=lambda i: wanted[i])
    while pending and wanted[pending[0]] <= left / len(pending):
        index = pending.pop(0)
        widths[index] += wanted[index]
        left -= wanted[index]
    total = sum(wanted[i] for i in pending)
    for index in pending:
        widths[index] += left * wanted[index] / total
    return widths


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
        for size in (TABLE_FONT, 7, 6.5, 6, MIN_TABLE_FONT):
            minimum, natural = self._column_widths(headers, rows, columns, size)
            if sum(minimum) <= available:
                break
        return size, _share_out(minimum, natural, columns, available)

    def _column_widths(self, headers, rows, columns, size: float):
        """Each column's least width (its widest word) and natural width (its longest line,
        capped) at this font size, cell padding included."""
        available = self.epw
        slack = 2 * CELL_PADDING[1] + 0.6
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
        return minimum, natural

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
                    answers_given(item),
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
