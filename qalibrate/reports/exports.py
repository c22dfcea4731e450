"""The report as files: CSV (the raw answer matrix), XLSX (summary, evaluators, criteria,
contacts, raw answers) and PDF (the printable report with the page's charts)."""

import csv
import io
from pathlib import Path

import matplotlib
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font

from qalibrate.core.templatetags.qalibrate_tags import rounded
from qalibrate.reports import charts
from qalibrate.reports.selectors import Report, contact_label, report_figures

RAW_COLUMNS = ["contact", "agent", "criterion", "evaluator", "answer", "points"]
# A Unicode font that ships with matplotlib: Cyrillic and Swedish letters in the PDF.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RAW_COLUMNS)
    for row in report.raw:
        writer.writerow([row.contact, row.agent, row.criterion, row.evaluator, row.answer,
                         "" if row.points is None else f"{row.points:g}"])  # fmt: skip
    return buffer.getvalue()


def _share(value):
    return None if value is None else round(value, 4)


def _yes_no(value) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _icc(result, key: str) -> float | None:
    icc = result.totals.icc if result.totals else None
    return None if icc is None else round(icc[key], 4)


def summary_lines(report: Report) -> list[tuple[str, object]]:
    result = report.discussion
    alpha = result.totals.alpha if result.totals else None
    return [
        (_("Session"), report.session.title),
        (_("Scorecard"), str(report.session.version)),
        (_("Meeting"), formats.date_format(report.session.meeting_at, "SHORT_DATE_FORMAT")),
        (_("Tolerance (points)"), float(report.session.tolerance)),
        (_("Calibrated"), _yes_no(result.calibrated)),
        (_("Scores within tolerance"), _share(result.share_within)),
        (_("Alpha of the totals"), None if alpha is None else round(alpha.estimate, 4)),
        # xgettext:no-python-format
        (_("95% interval, low"), None if alpha is None else round(alpha.low, 4)),
        # xgettext:no-python-format
        (_("95% interval, high"), None if alpha is None else round(alpha.high, 4)),
        (_("ICC(2,1) of the totals"), _icc(result, "ICC2")),
        (_("ICC(2,k) of the totals"), _icc(result, "ICC2k")),
        (_("Contacts"), len(result.contacts)),
        (_("Evaluators"), len(result.evaluators)),
        (_("Answers"), report.answer_count),
    ]


def evaluator_rows(report: Report) -> list[list]:
    return [
        [
            row.label,
            row.scored,
            None if row.deviation is None else round(row.deviation.mean_abs, 2),
            None if row.deviation is None else round(row.deviation.bias, 2),
            _share(row.matches_agreed),
            _yes_no(None if row.deviation is None else row.deviation.within_tolerance),
            None if row.previous is None else round(row.previous.mean_abs, 2),
        ]
        for row in report.discussion.evaluators
    ]


def evaluator_headers() -> list[str]:
    return [
        _("Evaluator"),
        _("Contacts scored (n)"),
        _("Mean deviation"),
        _("Bias"),
        _("Matches the agreed answer"),
        _("Within tolerance"),
        _("Previous session"),
    ]


def criterion_rows(report: Report) -> list[list]:
    rows = []
    for row in report.discussion.criteria:
        figures = row.figures
        rows.append([
            row.criterion.text, figures.n, _share(figures.agreement), _share(figures.alpha),
            _share(figures.ac1), _share(figures.na_consistency), _share(row.matches_agreed),
            _yes_no(figures.flagged or row.flagged), _share(row.previous),
        ])  # fmt: skip
    return rows


def criterion_headers() -> list[str]:
    return [
        _("Criterion"),
        "n",
        _("Agreement"),
        _("Alpha"),
        "AC1",
        _("N/A consistency"),
        _("Matches the agreed answer"),
        _("Needs clarification"),
        _("Previous session"),
    ]


def contact_rows(report: Report) -> list[list]:
    result = report.discussion
    return [
        [contact_label(row, i), row.contact.external_id,
         None if row.reference_total is None else round(row.reference_total, 2),
         None if row.spread is None else round(row.spread.spread, 2),
         None if row.spread is None or row.spread.sd is None else round(row.spread.sd, 2)]
        + [None if t is None else round(t, 2) for t in row.totals]
        for i, row in enumerate(result.contacts, 1)
    ]  # fmt: skip


def contact_headers(report: Report) -> list[str]:
    return [_("Contact"), _("External id"), _("Reference"), _("Spread"), _("SD")] + [
        row.label for row in report.discussion.evaluators
    ]


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheets = [
        (_("Summary"), [_("Figure"), _("Value")], [list(line) for line in summary_lines(report)]),
        (_("Evaluators"), evaluator_headers(), evaluator_rows(report)),
        (_("Criteria"), criterion_headers(), criterion_rows(report)),
        (_("Contacts"), contact_headers(report), contact_rows(report)),
        (_("Raw answers"), RAW_COLUMNS,
         [[r.contact, r.agent, r.criterion, r.evaluator, r.answer, r.points] for r in report.raw]),
    ]  # fmt: skip
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _ReportPDF(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"Qalibrate · {self.page_no()}", align="C")


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return rounded(value, 2)
    return str(value)


def report_pdf(report: Report) -> bytes:
    pdf = _ReportPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, _("Calibration report: %(title)s") % {"title": report.session.title})
    pdf.set_font("DejaVu", size=9)
    pdf.ln(2)
    for label, value in summary_lines(report):
        pdf.cell(70, 6, label)
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")
    figures = report_figures(report)
    for heading, headers, rows, chart in (
        (_("Evaluators"), evaluator_headers(), evaluator_rows(report), "deviation"),
        (_("Contacts"), contact_headers(report), contact_rows(report), "spread"),
        (_("Criteria"), criterion_headers(), criterion_rows(report), None),
    ):
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=7)
        widths = (3, *[1] * (len(headers) - 1))  # the name column gets the room
        with pdf.table(text_align="LEFT", line_height=4.5, col_widths=widths) as table:
            table.row([str(h) for h in headers])
            for row in rows:
                table.row([_text(v) for v in row])
        if chart:
            pdf.image(io.BytesIO(charts.as_png(figures[chart])), w=160)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, _("Deviation per contact and evaluator"), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(charts.as_png(figures["heat_map"])), w=170)
    return bytes(pdf.output())
