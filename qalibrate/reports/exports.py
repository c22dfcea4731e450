"""The report as spreadsheets: CSV (the raw answer matrix) and XLSX (figures, agreed answers,
flags and actions, with number formats). The XLSX keeps numbers as numbers (shares as fractions
shown as percentages). The PDF is in pdf.py, the tables both files show in tables.py."""

import csv
import io
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qalibrate.reports.selectors import Report
from qalibrate.reports.tables import (
    DATE,
    LONG_TEXT,
    NUMBER_FORMATS,
    NUMERIC,
    RAW_COLUMNS,
    SHARE,
    TEXT,
    YES_NO,
    Column,
    Table,
    action_table,
    agreed_answer_table,
    answers_versus_reference_table,
    coefficient_table,
    contact_table,
    criterion_table,
    evaluator_table,
    limits_table,
    raw_table,
    summary_lines,
    yes_no_text,
)


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RAW_COLUMNS)
    for row in report.raw:
        text = (row.contact, row.agent, row.criterion, row.evaluator, row.answer)
        points = "" if row.points is None else f"{row.points:g}"  # a number, never quoted
        writer.writerow([*(safe_cell(value) for value in text), points])
    return buffer.getvalue()


HEADER_FILL = PatternFill("solid", fgColor="E4E7EB")
LONG_TEXT_WIDTH = 50
# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV or XLSX cell: text a spreadsheet would run as a formula gets a leading apostrophe;
    numbers (a negative one too) and other values pass unchanged. Every CSV and XLSX the app
    writes goes through here (in an XLSX through _as_text)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def table_csv(table: Table) -> str:
    """One table as CSV: numbers as they are stored (shares as fractions), dates in ISO
    form, yes or no in words, text made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(header) for header in table.headers])
    for row in table.rows:
        writer.writerow(
            [
                _csv_value(value, column.kind)
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    return buffer.getvalue()


def _csv_value(value, kind: str):
    if kind == YES_NO:
        return yes_no_text(value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def table_xlsx(title: str, table: Table) -> bytes:
    """One table as a workbook of one sheet, written as the report's sheets are."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_sheet(workbook.create_sheet(title[:31]), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    summary = workbook.create_sheet(_("Summary")[:31])
    _write_sheet(summary, Table([Column(_("Figure")), Column(_("Value"), LONG_TEXT)], []))
    for label, value, kind in summary_lines(report):
        summary.append([label, value])
        for cell in summary[summary.max_row]:
            _as_text(cell)
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
        _as_text(cell)
    for row in table.rows:
        sheet.append(row)
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
            _as_text(cell)
            _format_cell(cell, column.kind)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(sheet.max_row, 2)}"
    _fit_columns(sheet, [column.kind for column in table.columns])


def _as_text(cell) -> None:
    """What people typed stays text: openpyxl stores text starting with "=" as a formula, so
    text is made safe (safe_cell: it stays safe when the sheet is saved again as CSV) and kept
    a string cell. Numbers stay numbers."""
    if isinstance(cell.value, str):
        cell.value = safe_cell(cell.value)
    if cell.data_type == "f":
        cell.data_type = "s"


def _format_cell(cell, kind: str) -> None:
    if kind == YES_NO:
        cell.value = yes_no_text(cell.value)
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
