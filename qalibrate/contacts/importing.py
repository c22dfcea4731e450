"""Importing contacts: every record checked, then applied in one transaction.

The records are parsed already, rows as dicts by column: a list of objects (the API's
contacts/bulk/, a JSON file) or what qalibrate.contacts.import_files reads from a CSV, XLSX or
JSON file, row by row. ``contacts_check`` reports what importing them would do, writing
nothing; ``contacts_apply`` writes every contact in one transaction, or nothing at all if any
row has a problem. Rows are written in batches, so big files need little memory.
"""

import io
import json
import logging
import lzma
import os
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, NamedTuple

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Agent, Team
from qalibrate.accounts.permissions import visible_teams
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.contacts.models import Channel, Contact, ContactImport
from qalibrate.core import jsonsafe

logger = logging.getLogger(__name__)

MAX_RECORDING_BYTES = 500 * 1024 * 1024
# What the recordings zip of one import may unpack to: by its directory before anything is
# unpacked, and counted again as the recordings are unpacked (each time a row names one).
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
# Audio barely compresses: a member that unpacks to more than this many times its packed size is
# a zip bomb. A member of at most RATIO_FREE_BYTES may compress as it likes (a short silence).
MAX_COMPRESSION_RATIO = 100
RATIO_FREE_BYTES = 1024 * 1024
MAX_ERRORS = 200
MAX_DURATION_SECONDS = 7 * 24 * 3600
SAMPLE_ROWS = 10
BATCH_SIZE = 2000

REQUIRED_COLUMNS = ["external_id", "channel", "agent_id", "occurred_at"]
OPTIONAL_COLUMNS = [
    "agent_name",
    "team",
    "duration",
    "language",
    "subject",
    "transcript",
    "media_file",
]
KNOWN_COLUMNS = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS}
# On update, these fields change only if the file has their column; the others always change.
UPDATED_ALWAYS = ["channel", "agent", "team", "occurred_at"]
UPDATED_IF_COLUMN = {
    "duration": "duration_seconds",
    "language": "language",
    "subject": "subject",
    "transcript": "transcript",
}
CHANNEL_WORDS = {
    "call": Channel.CALL,
    "chat": Channel.CHAT,
    "email": Channel.EMAIL,
    "e-mail": Channel.EMAIL,
    "ticket": Channel.TICKET,
    "звонок": Channel.CALL,
    "чат": Channel.CHAT,
    "письмо": Channel.EMAIL,
    "тикет": Channel.TICKET,
    "samtal": Channel.CALL,
    "chatt": Channel.CHAT,
    "e-post": Channel.EMAIL,
    "ärende": Channel.TICKET,
}
DATE_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
# How a recording of each kind starts: a member must be audio by its content, not only its name.
AUDIO_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    ".ogg": lambda head: head.startswith(b"OggS"),
    ".opus": lambda head: head.startswith(b"OggS"),
    # An ID3 tag, or straight away an MPEG audio frame: its sync is the first eleven bits set,
    # so its first two bytes are at least FF E0.
    ".mp3": lambda head: head.startswith(b"ID3") or head[:2] >= b"\xff\xe0",
    ".wav": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE",
    ".m4a": lambda head: head[4:8] == b"ftyp",
    ".webm": lambda head: head.startswith(b"\x1a\x45\xdf\xa3"),  # EBML
}
AUDIO_EXTENSIONS = set(AUDIO_SIGNATURES)
SIGNATURE_BYTES = 12
# A file being written carries this prefix in MEDIA_ROOT until it is whole and renamed into place.
TEMPORARY_PREFIX = ".incomplete-"
# Uploads of a check never applied, and temporary files a stopped process left, go after a day.
ABANDONED_AFTER = timedelta(days=1)


@dataclass
class RowError:
    """One problem: the row as the user sees it in the file (0: the whole file) and the column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if not self.column:
            return _("Row %(row)d: %(problem)s") % {"row": self.row, "problem": self.message}
        return _("Row %(row)d, column %(column)s: %(problem)s") % {
            "row": self.row,
            "column": self.column,
            "problem": self.message,
        }


@dataclass
class RowReport:
    """What a check of rows found wrong: the first MAX_ERRORS problems and how many there were.
    Each import's report adds its own counts."""

    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0

    @classmethod
    def for_file_problem(cls, message: str) -> "RowReport":
        return cls(errors=[RowError(row=0, column="", message=message)], error_count=1)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict:
        return asdict(self)

    def error_add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


@dataclass
class ImportReport(RowReport):
    """What a contact import found or did: counts, the first problems and the first rows."""

    total_rows: int = 0
    valid_rows: int = 0
    creates: int = 0
    updates: int = 0
    new_agents: list[str] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)  # the first MAX_ERRORS
    sample: list[dict] = field(default_factory=list)


class ImportRejected(Exception):
    """The file has problems, so nothing was imported; ``report`` lists them."""

    def __init__(self, report: RowReport):
        super().__init__("; ".join(str(error) for error in report.errors[:3]))
        self.report = report


class ImportProblem(Exception):
    """The records as a whole (their file, their columns) cannot be imported."""


class CellProblem(Exception):
    """One value cannot be used."""


# (row number as the user sees it, values by column, a problem with the whole row or "")
Rows = Iterator[tuple[int, dict[str, Any], str]]


class Records(NamedTuple):
    """Parsed records: the column names, then the rows as dicts by column, read as they come.
    Reading them may raise ImportProblem (a file that turns out unreadable half-way)."""

    columns: list[str]
    rows: Rows


# --- public API -------------------------------------------------------------------------------


def contacts_check(
    *, records: list | Records, media_names: Collection[str] = frozenset(), user=None
) -> ImportReport:
    """Report what importing the records would do, writing nothing to the database.

    ``records``: a list of objects, one per contact (see ``records_from_list``), or Records
    read from a file (qalibrate.contacts.import_files). ``media_names`` are the file names in
    the recordings archive (see ``media_names_in``). With ``user``, only the teams they run
    (accounts.permissions.visible_teams) may receive contacts.
    """
    return _Import(media_names=media_names, user=user).run(records)


def contacts_apply(
    *, records: list | Records, media_archive: BinaryIO | None = None, user=None
) -> ImportReport:
    """Import every contact of the records in one transaction, recordings taken from the zip.

    Raises ImportRejected, having written nothing, if the records or any row has a problem. Any
    other failure (a full disk) also leaves nothing: the rows roll back and the recordings already
    stored are removed. Call it outside a transaction of your own, whose later rollback would
    leave the recordings behind.
    """
    archive = _zip_open(media_archive)
    try:
        recordings = _recordings_read(archive) if archive else _Recordings()
        importer = _Import(
            media_names=recordings.names(),
            archive=archive,
            members=recordings.members,
            write=True,
            user=user,
        )
        try:
            with transaction.atomic():
                report = importer.run(records)
                if not report.ok:
                    raise ImportRejected(report)
                audit_record(
                    action=AuditAction.IMPORTED,
                    actor=user,
                    details={
                        "kind": "contacts",
                        "rows": report.total_rows,
                        "created": report.creates,
                        "updated": report.updates,
                    },
                )
        except Exception:
            # The transaction rolled back, but recordings already copied to storage did not.
            importer.media_discard()
            raise
    finally:
        if archive:
            archive.close()
    return report


# --- records and their columns ----------------------------------------------------------------


def records_from_list(items: list) -> Records:
    """Records as JSON holds them (the API's body, a JSON file): a list of objects, one per
    contact, their keys the columns."""
    if not items:
        raise ImportProblem(_("The file contains no contacts."))
    columns = list(
        dict.fromkeys(column_key(key) for item in items if isinstance(item, dict) for key in item)
    )
    columns_check(columns)
    return Records(columns=columns, rows=_rows_from_list(items))


def _rows_from_list(items: list) -> Rows:
    for row, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield row, {}, _("This item is not an object with the contact's fields.")
        elif not all(is_blank(value) for value in item.values()):
            yield row, {column_key(key): value for key, value in item.items()}, ""


def column_key(value: Any) -> str:
    """Known columns in lower case; any other column keeps its name, for the metadata."""
    name = _text(value)
    return name.lower() if name.lower() in KNOWN_COLUMNS else name


def columns_check(columns: list[str]) -> None:
    columns_require(columns, REQUIRED_COLUMNS)


def columns_require(columns: list[str], required) -> None:
    """Each column once, and every required one there; shared by the contact, people and
    history imports."""
    repeated = [name for name, count in Counter(filter(None, columns)).items() if count > 1]
    if repeated:
        raise ImportProblem(
            _("Each column may appear only once; repeated: %(columns)s.")
            % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in required if name not in columns]
    if missing:
        raise ImportProblem(
            _("Required columns are missing: %(missing)s. The file has the columns: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": shown(", ".join(filter(None, columns))) or "—",
            }
        )


# --- stored files -----------------------------------------------------------------------------


def file_store(field_file: FieldFile, name: str, content: File) -> None:
    """Save ``content`` as ``field_file`` (the model itself is not saved) so that the storage
    holds the whole file or nothing. On the local disk the file is written under a temporary name
    in MEDIA_ROOT, then renamed into place; if writing fails (a full disk) the part is removed."""
    storage = field_file.storage
    try:
        root = Path(storage.path(""))
    except NotImplementedError:
        # A remote storage (an S3 bucket): an upload there is stored whole or not at all.
        field_file.save(name, content, save=False)
        return
    root.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=root)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in content.chunks():
                handle.write(chunk)
        with open(temporary, "rb") as written:
            field_file.save(name, _WrittenFile(written), save=False)
    finally:
        Path(temporary).unlink(missing_ok=True)  # already gone once renamed


class _WrittenFile(File):
    """A whole temporary file: the file system storage moves it into place by renaming it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def import_files_delete(batch: ContactImport) -> None:
    """Remove the uploaded files of an import that needs them no more (applied, rejected or
    abandoned); the import's row and its report stay."""
    for field_file in (batch.file, batch.media_archive):
        if field_file:
            field_file.delete(save=False)
    if batch.pk:
        batch.save(update_fields=["file", "media_archive"])


def import_uploads_expire(*, now: datetime | None = None) -> int:
    """Remove what imports left behind for more than a day: the uploads of checks never applied,
    files under imports/ that no import names, temporary files of a stopped process. Returns the
    number of files removed."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    removed = 0
    old = ContactImport.objects.filter(created_at__lt=cutoff).exclude(file="", media_archive="")
    for batch in old:
        removed += bool(batch.file) + bool(batch.media_archive)
        import_files_delete(batch)
    storage = ContactImport._meta.get_field("file").storage
    named = {
        name
        for pair in ContactImport.objects.values_list("file", "media_archive")
        for name in pair
        if name
    }
    for name in _stored_files(storage, "imports"):
        if name not in named and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            removed += 1
    try:
        root = Path(storage.path(""))
    except NotImplementedError:
        return removed  # a remote storage never holds half-written files
    for path in root.glob(TEMPORARY_PREFIX + "*"):
        if datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _stored_files(storage, folder: str) -> Iterator[str]:
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from _stored_files(storage, f"{folder}/{name}")


class MediaNames(frozenset):
    """The base names of the audio files of a recordings zip, as ``media_names_in`` finds them.
    ``refused`` holds why an audio file a row may name cannot be used (by base name), and
    ``problems`` why the whole archive cannot; ``contacts_check`` reports both."""

    refused: dict[str, str]
    problems: tuple[str, ...]

    def __new__(cls, names=(), *, refused=None, problems=()):
        self = super().__new__(cls, names)
        self.refused = dict(refused or {})
        self.problems = tuple(problems)
        return self


def media_names_in(archive: BinaryIO) -> MediaNames:
    """The base names of the audio files in a zip archive, with what is wrong with them; none if
    it is not a zip archive."""
    opened = _zip_open(archive)
    if opened is None:
        return MediaNames()
    with opened:
        return _recordings_read(opened).names()


# --- one pass over the rows -------------------------------------------------------------------


class _Import:
    """One pass over the records: every row checked and, when writing, saved in batches."""

    def __init__(
        self,
        *,
        media_names: Collection[str],
        archive: zipfile.ZipFile | None = None,
        members: dict[str, zipfile.ZipInfo] | None = None,
        write: bool = False,
        user=None,
    ):
        self.user = user
        # What media_names_in found; plain names (a caller's set) have nothing refused.
        self.media_names = (
            media_names if isinstance(media_names, MediaNames) else MediaNames(media_names)
        )
        self.archive = archive
        self.members = members or {}  # when writing: base name -> ZipInfo
        self.write = write
        self.stored_media: list[str] = []
        self.unpacked_bytes = 0  # of the recordings, each time one is stored

    def run(self, records: list | Records) -> ImportReport:
        self.report = ImportReport()
        # A refused recordings archive is a problem of the whole import; its rows are still
        # checked, so the report lists everything at once. Nothing is written after a problem.
        for problem in self.media_names.problems:
            self.report.error_add(RowError(row=0, column="", message=problem))
        try:
            if isinstance(records, list):
                records = records_from_list(records)
            self._start(records.columns)
            for row, record, problem in records.rows:
                self._row_add(row, record, problem)
            self._batch_flush()
        except ImportProblem as problem:
            return ImportReport.for_file_problem(str(problem))
        if not self.report.total_rows:
            return ImportReport.for_file_problem(_("The file contains no contacts."))
        return self.report

    def media_discard(self) -> None:
        storage = Contact._meta.get_field("media").storage
        for name in self.stored_media:
            try:
                storage.delete(name)
            except OSError:
                # The failure that stopped the import is the one to report; this is only logged.
                logger.exception("Could not remove the recording %s of a failed import", name)

    def _start(self, columns: list[str]) -> None:
        # Looked up once for the whole file, never per row.
        self.agents = {a.employee_id: a for a in Agent.objects.exclude(employee_id=None)}
        teams = Team.objects.all() if self.user is None else visible_teams(self.user)
        self.teams = {team.name.casefold(): team for team in teams}
        self.my_team_ids = {team.pk for team in self.teams.values()}
        self.first_row_of: dict[str, int] = {}
        self.batch: list[tuple[Contact, str | None]] = []
        self.update_fields = UPDATED_ALWAYS + [
            name for column, name in UPDATED_IF_COLUMN.items() if column in columns
        ]
        if any(column not in KNOWN_COLUMNS for column in columns):
            self.update_fields.append("metadata")

    def _row_add(self, row: int, record: dict[str, Any], problem: str) -> None:
        report = self.report
        report.total_rows += 1
        if problem:
            report.error_add(RowError(row=row, column="", message=problem))
            return
        cells = Cells(row=row, record=record)
        external_id = cells.value("external_id", _external_id_parse, required=True)
        channel = cells.value("channel", _channel_parse, required=True)
        agent = self._agent_find(cells)
        occurred_at = cells.value("occurred_at", _datetime_parse, required=True)
        duration = cells.value("duration", _duration_parse)
        language = cells.value("language", _language_parse) or settings.LANGUAGE_CODE
        subject = cells.value("subject", _subject_parse) or ""
        transcript = cells.value("transcript", _transcript_parse) or []
        media_name = cells.value("media_file", self._media_name_parse)
        if external_id in self.first_row_of:
            cells.error_add(
                "external_id",
                _("%(value)s already appears in row %(first)d.")
                % {"value": shown(external_id), "first": self.first_row_of[external_id]},
            )
        elif external_id:
            self.first_row_of[external_id] = row
        for error in cells.errors:
            report.error_add(error)
        if cells.errors:
            return
        contact = Contact(
            external_id=external_id,
            channel=channel,
            agent=agent,
            team_id=agent.team_id,
            occurred_at=occurred_at,
            duration_seconds=duration,
            language=language,
            subject=subject,
            transcript=transcript,
            metadata=_metadata(record),
        )
        report.valid_rows += 1
        if len(report.sample) < SAMPLE_ROWS:
            report.sample.append(_sample(contact))
        self.batch.append((contact, media_name))
        if len(self.batch) >= BATCH_SIZE:
            self._batch_flush()

    def _agent_find(self, cells: "Cells") -> Agent | None:
        employee_id = cells.value("agent_id", _employee_id_parse, required=True)
        if employee_id is None:
            return None
        if employee_id in self.agents:
            agent = self.agents[employee_id]
            if agent.team_id is not None and agent.team_id not in self.my_team_ids:
                cells.error_add(
                    "agent_id",
                    _("The agent %(value)s belongs to a team you do not run.")
                    % {"value": shown(employee_id)},
                )
                return None
            return agent
        full_name = cells.value("agent_name", _agent_name_parse)
        team_name = _text(cells.record.get("team"))
        if not (full_name and team_name):
            cells.error_add(
                "agent_id",
                _("No agent has the employee id %(value)s; to create one, fill in %(columns)s.")
                % {"value": shown(employee_id), "columns": "agent_name, team"},
            )
            return None
        team = self.teams.get(team_name.casefold())
        if team is None:
            cells.error_add("team", _("No team is called %(value)s.") % {"value": shown(team_name)})
            return None
        # Saved just before the first contact that needs it, so only when writing.
        agent = Agent(full_name=full_name, employee_id=employee_id, team=team)
        self.agents[employee_id] = agent
        self.report.new_agents.append(f"{full_name} ({employee_id})")
        return agent

    def _media_name_parse(self, raw: Any) -> str:
        # Only the base name counts, as in media_names_in.
        name = PurePosixPath(_text(raw).replace("\\", "/")).name
        if name in self.media_names.refused:
            raise CellProblem(self.media_names.refused[name])
        if name not in self.media_names:
            missing = self.report.missing_media
            if name not in missing and len(missing) < MAX_ERRORS:
                missing.append(name)
            raise CellProblem(
                _("The recording %(value)s is not among the audio files of the zip archive.")
                % {"value": shown(name)}
            )
        return name

    def _batch_flush(self) -> None:
        if not self.batch:
            return
        ids = [contact.external_id for contact, media_name in self.batch]
        known = Contact.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        updates = len(set(known))
        self.report.updates += updates
        self.report.creates += len(ids) - updates
        # After the first problem nothing more is written: the transaction will roll back.
        if self.write and self.report.ok:
            self._batch_save()
        self.batch = []

    def _batch_save(self) -> None:
        plain, with_media = [], []
        for contact, media_name in self.batch:
            if contact.agent.pk is None:  # a new agent, first needed in this batch
                contact.agent.save()
            if media_name:
                self._media_store(contact, media_name)
                with_media.append(contact)
            else:
                plain.append(contact)
        # A row without a recording leaves the recording of a known contact as it is.
        for contacts, fields in [
            (plain, self.update_fields),
            (with_media, [*self.update_fields, "media"]),
        ]:
            if contacts:
                Contact.objects.bulk_create(
                    contacts,
                    update_conflicts=True,
                    unique_fields=["external_id"],
                    update_fields=fields,
                )

    def _media_store(self, contact: Contact, name: str) -> None:
        """Unpack one recording into storage, counting the bytes as they come: more than the
        archive's directory declares, or than the import may unpack in all, stop the import
        (ImportProblem) and leave no part of the file behind."""
        info = self.members[name]
        with _member_reading(name):
            member = self.archive.open(info)
        with member:
            counted = _CountedMember(
                member,
                name=name,
                declared=min(info.file_size, MAX_RECORDING_BYTES),
                left=MAX_ARCHIVE_BYTES - self.unpacked_bytes,
            )
            file_store(contact.media, name, File(counted, name=name))
        self.unpacked_bytes += counted.count
        self.stored_media.append(contact.media.name)


class Cells:
    """The values of one row, parsed column by column; problems are collected, not raised."""

    def __init__(self, *, row: int, record: dict[str, Any]):
        self.row = row
        self.record = record
        self.errors: list[RowError] = []

    def value(self, column: str, parse: Callable[[Any], Any], *, required: bool = False) -> Any:
        raw = self.record.get(column)
        if is_blank(raw):
            if required:
                self.error_add(column, _("A value is required."))
            return None
        try:
            return parse(raw)
        except CellProblem as problem:
            self.error_add(column, str(problem))
            return None

    def error_add(self, column: str, message: str) -> None:
        self.errors.append(RowError(row=self.row, column=column, message=message))


def _metadata(record: dict[str, Any]) -> dict[str, str]:
    return {
        column: text
        for column, value in record.items()
        if column not in KNOWN_COLUMNS and (text := _text(value))
    }


def _sample(contact: Contact) -> dict:
    return {
        "external_id": contact.external_id,
        "channel": contact.channel,
        "agent": contact.agent.full_name,
        "occurred_at": timezone.localtime(contact.occurred_at).isoformat(),
        "duration_seconds": contact.duration_seconds,
        "language": contact.language,
        "subject": contact.subject,
    }


# --- values -----------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store every number as a float
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def shown(text: str) -> str:
    """A value quoted in a message, shortened so that one bad cell cannot flood the report."""
    return text if len(text) <= 60 else text[:59] + "…"


def _length_checked(text: str, limit: int) -> str:
    if len(text) > limit:
        raise CellProblem(
            _("At most %(limit)d characters are allowed; this value has %(length)d.")
            % {"limit": limit, "length": len(text)}
        )
    return text


def _external_id_parse(raw: Any) -> str:
    return _length_checked(_text(raw), 100)


def _employee_id_parse(raw: Any) -> str:
    return _length_checked(_text(raw), 50)


def _agent_name_parse(raw: Any) -> str:
    return _length_checked(_text(raw), 150)


def _subject_parse(raw: Any) -> str:
    return _length_checked(_text(raw), 200)


def _channel_parse(raw: Any) -> str:
    text = _text(raw)
    channel = CHANNEL_WORDS.get(text.casefold())
    if channel is None:
        raise CellProblem(
            _("Unknown channel %(value)s; use call, chat, email or ticket.")
            % {"value": shown(text)}
        )
    return channel.value


def _language_parse(raw: Any) -> str:
    text = _text(raw)
    code = text.lower().replace("_", "-").split("-")[0]  # "ru-RU" means ru
    if code not in dict(settings.LANGUAGES):
        raise CellProblem(
            _("Unknown language %(value)s; use %(codes)s.")
            % {"value": shown(text), "codes": ", ".join(dict(settings.LANGUAGES))}
        )
    return code


def _datetime_parse(raw: Any) -> datetime:
    """ISO 8601, DD.MM.YYYY HH:MM[:SS] or a spreadsheet date; naive times in TIME_ZONE."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime.combine(raw, time())
    else:
        value = _datetime_from_text(_text(raw))
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _datetime_from_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise CellProblem(
        _("%(value)s is not a date and time; write e.g. 2026-03-02 10:30 or 02.03.2026 10:30.")
        % {"value": shown(text)}
    )


def _duration_parse(raw: Any) -> int:
    """Seconds, m:ss or h:mm:ss; spreadsheet cells may hold a number, a time or a timedelta."""
    if isinstance(raw, timedelta):
        seconds = raw.total_seconds()
    elif isinstance(raw, time):
        seconds = raw.hour * 3600 + raw.minute * 60 + raw.second
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        seconds = raw
    else:
        seconds = _duration_from_text(_text(raw))
    if seconds != int(seconds) or seconds < 0:
        raise CellProblem(_duration_problem(raw))
    if seconds > MAX_DURATION_SECONDS:
        raise CellProblem(_("%(value)s is longer than a week.") % {"value": shown(_text(raw))})
    return int(seconds)


def _duration_from_text(text: str) -> int:
    parts = text.split(":")
    if len(parts) > 3 or not all(part.isdecimal() for part in parts):
        raise CellProblem(_duration_problem(text))
    if any(int(part) >= 60 for part in parts[1:]):
        raise CellProblem(_duration_problem(text))
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


def _duration_problem(raw: Any) -> str:
    return _("%(value)s is not a duration; write seconds, m:ss or h:mm:ss.") % {
        "value": shown(_text(raw))
    }


def _transcript_parse(raw: Any) -> list[dict]:
    """Plain text, one turn a line; or a JSON list of turns with t, speaker and text."""
    if isinstance(raw, list):  # already a list in a JSON file
        turns = raw
    else:
        text = _text(raw)
        if not text.startswith("["):
            return [
                {"t": None, "speaker": "", "text": line.strip()}
                for line in text.splitlines()
                if line.strip()
            ]
        try:
            turns = jsonsafe.loads(text)
        except ValueError:  # also nested too deep
            turns = None
        if not isinstance(turns, list):
            raise CellProblem(_("The transcript starts with [ but is not a JSON list of turns."))
    return [_turn_parse(number, turn) for number, turn in enumerate(turns, start=1)]


def _turn_parse(number: int, turn: Any) -> dict:
    if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
        raise CellProblem(_("Turn %(number)d of the transcript has no text.") % {"number": number})
    t = turn.get("t")
    if t is not None and (isinstance(t, bool) or not isinstance(t, int | float) or t < 0):
        raise CellProblem(
            _("Turn %(number)d of the transcript: t must be the seconds from the start.")
            % {"number": number}
        )
    speaker = turn.get("speaker") or ""
    if not isinstance(speaker, str):
        raise CellProblem(
            _("Turn %(number)d of the transcript: speaker must be text.") % {"number": number}
        )
    return {"t": t, "speaker": speaker.strip(), "text": turn["text"]}


# --- recordings -------------------------------------------------------------------------------


def _zip_open(archive: BinaryIO | None) -> zipfile.ZipFile | None:
    if archive is None:
        return None
    try:
        return zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        # Treated like an archive without recordings: rows naming one are reported.
        return None


@dataclass
class _Recordings:
    """What a recordings zip offers: its usable audio members by base name, the audio members a
    row may not use and why, and the problems of the whole archive."""

    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def names(self) -> MediaNames:
        return MediaNames(self.members, refused=self.refused, problems=self.problems)


def _recordings_read(archive: zipfile.ZipFile) -> _Recordings:
    """The audio members of the archive, judged first by its central directory (sizes and
    compression ratios, before anything is unpacked), then by their first bytes."""
    recordings = _Recordings()
    recordings.problems = _archive_problems(archive.infolist(), size=_archive_size(archive))
    for name, info in _audio_members(archive).items():
        if info.file_size > MAX_RECORDING_BYTES:
            recordings.refused[name] = _(
                "The recording %(name)s is %(size)s, more than the limit of %(limit)s."
            ) % {
                "name": shown(name),
                "size": filesizeformat(info.file_size),
                "limit": filesizeformat(MAX_RECORDING_BYTES),
            }
        elif recordings.problems:
            recordings.members[name] = info  # the archive is refused: nothing more is opened
        elif problem := _content_problem(archive, name, info):
            recordings.refused[name] = problem
        else:
            recordings.members[name] = info
    return recordings


def _archive_size(archive: zipfile.ZipFile) -> int | None:
    try:
        return archive.fp.seek(0, os.SEEK_END)  # each member's reading seeks to its own place
    except (AttributeError, OSError, ValueError):
        return None


def _archive_problems(infos: list[zipfile.ZipInfo], *, size: int | None) -> list[str]:
    """What the central directory tells against the whole archive: members that claim more
    packed data than the archive holds (to hide their ratio, or to share their data), a member
    that compresses as no recording does (a zip bomb), more bytes in all than one import may
    unpack."""
    problems = []
    if size is not None and sum(info.compress_size for info in infos) > size:
        problems.append(
            _(
                "The zip archive is damaged: its directory claims more packed data than the "
                "archive holds."
            )
        )
    bomb = next(
        (
            info
            for info in infos
            if info.file_size > RATIO_FREE_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size
        ),
        None,
    )
    if bomb:
        problems.append(
            _(
                "The zip archive is refused: %(name)s would unpack from %(packed)s to %(size)s. "
                "Recordings barely compress, so this looks like a zip bomb."
            )
            % {
                "name": shown(PurePosixPath(bomb.filename.replace("\\", "/")).name),
                "packed": filesizeformat(bomb.compress_size),
                "size": filesizeformat(bomb.file_size),
            }
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_ARCHIVE_BYTES:
        problems.append(
            _(
                "The zip archive would unpack to %(size)s, more than the limit of %(limit)s "
                "for the recordings of one import."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(MAX_ARCHIVE_BYTES)}
        )
    return problems


def _content_problem(archive: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> str:
    """Why the member is not the audio its extension names, judged by its first bytes; "" if
    it is."""
    extension = PurePosixPath(name).suffix.lower()
    try:
        with _member_reading(name), archive.open(info) as member:
            head = member.read(SIGNATURE_BYTES)
    except ImportProblem as problem:
        return str(problem)
    if AUDIO_SIGNATURES[extension](head):
        return ""
    return _(
        "The content of %(name)s in the zip archive is not audio of the kind its extension "
        "%(extension)s says."
    ) % {"name": shown(name), "extension": extension}


# Errors of unpacking damaged or forged data (bz2 raises an OSError without an errno).
_UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError)


@contextmanager
def _member_reading(name: str) -> Iterator[None]:
    """Errors of unpacking the member, as an ImportProblem naming it; errors of the disk pass."""
    try:
        yield
    except _UNPACK_ERRORS as error:
        raise ImportProblem(_member_damaged(name)) from error
    except OSError as error:
        if error.errno is not None:
            raise
        raise ImportProblem(_member_damaged(name)) from error


def _member_damaged(name: str) -> str:
    return _(
        "The recording %(name)s in the zip archive is damaged: it does not unpack to what the "
        "archive says."
    ) % {"name": shown(name)}


class _CountedMember(io.IOBase):
    """A member of the recordings zip as it is unpacked, its bytes counted as they come: more
    than ``declared`` (a header that lies) or than ``left`` of the import's limit raise
    ImportProblem. Not seekable, so storages read it once from the start."""

    def __init__(self, member: BinaryIO, *, name: str, declared: int, left: int):
        super().__init__()
        self.member = member
        self.member_name = name  # not "name": File would take it for a path on the disk
        self.declared = declared
        self.left = left
        self.count = 0

    def read(self, size: int | None = -1) -> bytes:
        allowed = min(self.declared, self.left) - self.count
        if size is None or size < 0 or size > allowed + 1:
            size = allowed + 1  # one byte more than allowed is enough to tell
        with _member_reading(self.member_name):
            data = self.member.read(size)
        self.count += len(data)
        if self.count > self.left:
            raise ImportProblem(
                _(
                    "The recordings the rows name would unpack to more than %(limit)s in all, "
                    "the limit for one import."
                )
                % {"limit": filesizeformat(MAX_ARCHIVE_BYTES)}
            )
        if self.count > self.declared:
            raise ImportProblem(_member_damaged(self.member_name))
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.member.close()
        super().close()


def _audio_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The files of the archive with an audio extension, by base name (the first of a name);
    odd and unsafe members are left out. Their sizes and content are judged by the caller."""
    members = {}
    for info in archive.infolist():
        path = PurePosixPath(info.filename.replace("\\", "/"))
        unsafe = path.is_absolute() or ".." in path.parts
        encrypted = info.flag_bits & 0x1
        if info.is_dir() or unsafe or encrypted:
            continue
        if path.suffix.lower() in AUDIO_EXTENSIONS:
            members.setdefault(path.name, info)
    return members
