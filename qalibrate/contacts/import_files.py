"""Reading a contact import file (CSV, XLSX or JSON) into records for the importer
(qalibrate.contacts.importing): the checks of the whole file, then its rows as dicts by column.

CSV and XLSX files are read row by row, so big files need little memory; JSON files are read
whole and have a smaller size limit. ``file_check`` and ``file_apply`` are the import page's
steps: read the file, then check or apply its records. ``table_records_open`` reads any import's
CSV or XLSX table the same way, with the caller's column names (the history import uses it).
"""

import codecs
import csv
import io
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any, BinaryIO

import openpyxl
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qalibrate.contacts.importing import (
    ImportProblem,
    ImportRejected,
    ImportReport,
    Records,
    Rows,
    column_key,
    columns_check,
    contacts_apply,
    contacts_check,
    is_blank,
    records_from_list,
)
from qalibrate.core import jsonsafe

MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_JSON_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"

Lines = Iterator[tuple[int, list | tuple]]


def file_check(
    *, file: BinaryIO, filename: str, media_names: Collection[str] = frozenset(), user=None
) -> ImportReport:
    """Report what importing the file would do, writing nothing (importing.contacts_check)."""
    try:
        with records_open(file=file, filename=filename) as records:
            return contacts_check(records=records, media_names=media_names, user=user)
    except ImportProblem as problem:
        return ImportReport.for_file_problem(str(problem))


def file_apply(
    *, file: BinaryIO, filename: str, media_archive: BinaryIO | None = None, user=None
) -> ImportReport:
    """Import every contact of the file in one transaction (importing.contacts_apply); raises
    ImportRejected, having written nothing, if the file or any row has a problem."""
    try:
        with records_open(file=file, filename=filename) as records:
            return contacts_apply(records=records, media_archive=media_archive, user=user)
    except ImportProblem as problem:
        raise ImportRejected(ImportReport.for_file_problem(str(problem))) from None


@contextmanager
def records_open(*, file: BinaryIO, filename: str) -> Iterator[Records]:
    """The columns and rows of a CSV, XLSX or JSON file, after the checks of the whole file.
    Raises ImportProblem for a file that cannot be imported."""
    extension = PurePath(filename).suffix.lower()
    if extension not in (".csv", ".xlsx", ".json"):
        raise ImportProblem(_("Only CSV, XLSX and JSON files can be imported."))
    file, head, size = upload_checked(file, extension=extension)
    if extension == ".json":
        with _json_records(file, head=head, size=size) as records:
            yield records
        return
    with table_lines(file, extension=extension, head=head, size=size) as lines:
        yield records_from_lines(lines)


@contextmanager
def table_records_open(
    *,
    file: BinaryIO,
    filename: str,
    column_key: Callable[[Any], str],
    columns_check: Callable[[list[str]], None],
) -> Iterator[Records]:
    """The columns and rows of a CSV or XLSX file, after the checks of the whole file, for an
    import with its own columns: ``column_key`` names a header cell's column, ``columns_check``
    raises ImportProblem for columns that will not do. Raises ImportProblem for a file that
    cannot be imported."""
    extension = PurePath(filename).suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise ImportProblem(_("Only CSV and XLSX files can be imported."))
    file, head, size = upload_checked(file, extension=extension)
    with table_lines(file, extension=extension, head=head, size=size) as lines:
        yield records_from_lines(lines, column_key=column_key, columns_check=columns_check)


def upload_checked(file: BinaryIO, *, extension: str) -> tuple[BinaryIO, bytes, int]:
    """The checks of a whole uploaded file: within the size limit, not empty, its content what
    its extension says. Returns the file at its start, its first bytes and its size."""
    file, size = _rewound(file)
    if size > MAX_IMPORT_BYTES:
        raise ImportProblem(
            _("The file is larger than the limit of %(limit)s.")
            % {"limit": filesizeformat(MAX_IMPORT_BYTES)}
        )
    if size == 0:
        raise ImportProblem(_("The file is empty."))
    head = file.read(HEAD_BYTES)
    file.seek(0)
    _content_check(extension, head)
    return file, head, size


@contextmanager
def table_lines(file: BinaryIO, *, extension: str, head: bytes, size: int) -> Iterator[Lines]:
    """The numbered lines of a CSV file (its encoding and delimiter found from its first bytes)
    or of an XLSX workbook's first sheet, read as they come."""
    reader = _xlsx_lines if extension == ".xlsx" else _csv_file_lines
    with reader(file, head=head, size=size) as lines:
        yield lines


def _rewound(file: BinaryIO) -> tuple[BinaryIO, int]:
    """The file at its start, and its size, found without reading it if it can seek."""
    if not file.seekable():
        copy = tempfile.SpooledTemporaryFile(max_size=16 * HEAD_BYTES)
        while copy.tell() <= MAX_IMPORT_BYTES and (chunk := file.read(HEAD_BYTES)):
            copy.write(chunk)
        file = copy
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return file, size


def _content_check(extension: str, head: bytes) -> None:
    if extension == ".xlsx":
        if head.startswith(OLD_EXCEL_MAGIC):
            raise ImportProblem(
                _("This is an old Excel .xls file; save it as .xlsx or CSV and upload that.")
            )
        if not head.startswith(ZIP_MAGIC):
            raise ImportProblem(_("The file is not an XLSX workbook."))
    elif b"\x00" in head or head.startswith(ZIP_MAGIC):  # text never holds NUL bytes
        raise ImportProblem(
            _("The file is not a %(format)s text file.") % {"format": extension[1:].upper()}
        )


# --- tables (CSV, XLSX): the first line names the columns -------------------------------------


def records_from_lines(
    lines: Lines,
    *,
    column_key: Callable[[Any], str] = column_key,
    columns_check: Callable[[list[str]], None] = columns_check,
) -> Records:
    """A table's records: the first non-blank line names the columns (each cell through
    ``column_key``, the whole header through ``columns_check``); blank lines are skipped."""
    for _row, cells in lines:
        if not all(is_blank(cell) for cell in cells):
            header = [column_key(cell) for cell in cells]
            break
    else:
        raise ImportProblem(_("The file is empty."))
    columns_check(header)
    return Records(columns=[name for name in header if name], rows=_rows(header, lines))


def _rows(header: list[str], lines: Lines) -> Rows:
    too_many = _("The row has more values than the first row has column names.")
    for row, cells in lines:
        if all(is_blank(cell) for cell in cells):
            continue
        record = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        extra = any(not is_blank(cell) for cell in cells[len(header) :])
        yield row, record, too_many if extra else ""


# --- CSV --------------------------------------------------------------------------------------


@contextmanager
def _csv_file_lines(file: BinaryIO, *, head: bytes, size: int) -> Iterator[Lines]:
    encoding = _encoding_detect(head, complete=size <= len(head))
    delimiter = _delimiter_detect(head.decode(encoding, errors="replace"))
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        yield _csv_lines(text, delimiter=delimiter)
    finally:
        text.detach()  # leave the caller's file open


def _csv_lines(text: io.TextIOWrapper, *, delimiter: str) -> Lines:
    """The file's lines, numbered; one that cannot be read is a problem of the whole file."""
    try:
        yield from enumerate(csv.reader(text, delimiter=delimiter, strict=True), start=1)
    except UnicodeDecodeError as error:
        raise ImportProblem(
            _("The file's text cannot be read; save it as CSV in UTF-8 and upload it again.")
        ) from error
    except csv.Error as error:
        raise ImportProblem(
            _("The CSV file is malformed: %(problem)s") % {"problem": error}
        ) from error


def _encoding_detect(head: bytes, *, complete: bool) -> str:
    """UTF-8 with or without BOM, else Windows-1251, judged by the first bytes of the file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # Unless the file ends here, a character cut in two at the end of the chunk is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def _delimiter_detect(text: str) -> str:
    # Excel writes ";" where the decimal separator is a comma, as in Russian and Swedish.
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


# --- XLSX -------------------------------------------------------------------------------------


@contextmanager
def _xlsx_lines(file: BinaryIO, *, head: bytes, size: int) -> Iterator[Lines]:
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl
        raise ImportProblem(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        # Some programs store a wrong sheet size; once it is forgotten, every row is read.
        sheet.reset_dimensions()
        yield enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


# --- JSON -------------------------------------------------------------------------------------


@contextmanager
def _json_records(file: BinaryIO, *, head: bytes, size: int) -> Iterator[Records]:
    """A list of objects, one per contact. It is read whole, hence its smaller size limit."""
    if size > MAX_JSON_BYTES:
        raise ImportProblem(
            _("A JSON file may be at most %(limit)s; use CSV for bigger files.")
            % {"limit": filesizeformat(MAX_JSON_BYTES)}
        )
    try:
        data = jsonsafe.load(file)
    except jsonsafe.JSONTooDeep as error:
        raise ImportProblem(str(error)) from error
    except ValueError as error:  # also UnicodeDecodeError
        raise ImportProblem(_("The file is not valid JSON.")) from error
    if not isinstance(data, list):
        raise ImportProblem(_("The JSON file must hold a list of objects, one per contact."))
    yield records_from_list(data)
