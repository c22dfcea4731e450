"""Reading a history import file (CSV or XLSX) into records for qalibrate.history.importing, the
template offered for download, and the upload kept between its check and its application.

Files are read by the contact import's readers (qalibrate.contacts.import_files: size limit,
encoding and delimiter of a CSV, the first sheet of a workbook), with this import's columns.
``file_check`` and ``file_apply`` are the import page's steps. An upload waits under
``imports/history/`` in the default storage until it is applied; one never applied is removed
after a day with the contact import's abandoned uploads (contacts.importing.import_uploads_expire
removes any file under ``imports/`` that no contact import names).
"""

import csv
import io
import secrets
from datetime import date
from pathlib import PurePath
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import default_storage
from openpyxl import Workbook
from openpyxl.styles import Font

from qalibrate.accounts.models import User
from qalibrate.contacts.import_files import MAX_IMPORT_BYTES, table_records_open
from qalibrate.contacts.importing import ImportProblem
from qalibrate.history.import_checks import KNOWN_COLUMNS, column_key, columns_check
from qalibrate.history.importing import (
    HistoryReport,
    ImportRejected,
    history_apply,
    history_check,
)

UPLOAD_FOLDER = "imports/history"
EXTENSIONS = (".csv", ".xlsx")
# The template's example: one answer of one evaluator; a session needs a second evaluator's row.
TEMPLATE_ROW = {
    "session_date": date(2026, 3, 2),
    "team": "Customer support",
    "scorecard": "Inbound support call",
    "version": 1,
    "external_id": "CRM-100234",
    "criterion": "Greets with own name",
    "evaluator": "anna@example.com",
    "answer": "yes",
    "agreed_answer": "no",
    "reason": "The name was said too fast to be heard.",
    "title": "March calibration",
    "tolerance": 5,
    "notes": "",
    "channel": "call",
    "agent_id": "",
    "agent_name": "",
}

__all__ = ["MAX_IMPORT_BYTES", "file_apply", "file_check"]


def file_check(*, file: BinaryIO, filename: str, user: User) -> HistoryReport:
    """Report what importing the file would do, writing nothing (importing.history_check)."""
    try:
        with records_open(file=file, filename=filename) as records:
            return history_check(records=records, user=user)
    except ImportProblem as problem:
        return HistoryReport.for_file_problem(str(problem))


def file_apply(*, file: BinaryIO, filename: str, user: User) -> HistoryReport:
    """Import every session of the file in one transaction (importing.history_apply); raises
    ImportRejected, having written nothing, if the file or any row has a problem."""
    try:
        with records_open(file=file, filename=filename) as records:
            return history_apply(records=records, user=user, source_name=filename)
    except ImportProblem as problem:
        raise ImportRejected(HistoryReport.for_file_problem(str(problem))) from None


def records_open(*, file: BinaryIO, filename: str):
    """The file's columns and rows with this import's column names, after the checks of the
    whole file (a context manager; raises ImportProblem for a file that cannot be imported)."""
    return table_records_open(
        file=file, filename=filename, column_key=column_key, columns_check=columns_check
    )


# --- the upload between check and apply --------------------------------------------------------


def upload_store(upload: File) -> str:
    """Keep an uploaded file until it is applied; returns its name in the default storage."""
    extension = PurePath(upload.name or "").suffix.lower()
    name = f"{UPLOAD_FOLDER}/{secrets.token_hex(16)}{extension if extension in EXTENSIONS else ''}"
    try:
        return default_storage.save(name, upload)
    except Exception:
        # A full disk, say: no half-written file may stay behind.
        upload_delete(name)
        raise


def upload_open(name: str) -> BinaryIO | None:
    """The kept upload, or None once it is gone (applied, or removed after a day)."""
    if not name or not default_storage.exists(name):
        return None
    return default_storage.open(name, "rb")


def upload_delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


# --- the template ------------------------------------------------------------------------------


def template_csv() -> bytes:
    """The columns and an example row, as CSV in UTF-8 with a BOM (Excel opens it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(KNOWN_COLUMNS)
    writer.writerow([_csv_cell(TEMPLATE_ROW[column]) for column in KNOWN_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The columns and an example row as a workbook: the date a date, numbers as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(KNOWN_COLUMNS)
    sheet.append([TEMPLATE_ROW[column] for column in KNOWN_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.cell(row=2, column=KNOWN_COLUMNS.index("session_date") + 1).number_format = "yyyy-mm-dd"
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(str(column[1].value)) + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_cell(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
