import csv
import io
import json
import math
import zipfile
from datetime import UTC, datetime, time
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from qalibrate.accounts.models import Agent, Role
from qalibrate.contacts import import_files, importing
from qalibrate.contacts.import_files import file_apply as contacts_apply
from qalibrate.contacts.import_files import file_check as contacts_check
from qalibrate.contacts.importing import ImportRejected
from qalibrate.contacts.models import Contact
from tests.factories import AgentFactory, ContactFactory

OGG = b"OggS" + bytes(range(256)) * 8
HEADER = ["external_id", "channel", "agent_id", "occurred_at"]


@pytest.fixture
def agents(team):
    return {
        "EN001": AgentFactory(full_name="Emma Nilsson", employee_id="EN001", team=team),
        "RU002": AgentFactory(full_name="Ольга Петрова", employee_id="RU002", team=team),
    }


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def check(data: bytes, filename="contacts.csv", **kwargs):
    return contacts_check(file=io.BytesIO(data), filename=filename, **kwargs)


def apply(data: bytes, filename="contacts.csv", media_archive=None):
    return contacts_apply(file=io.BytesIO(data), filename=filename, media_archive=media_archive)


def problems(report) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in report.errors]


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def assert_rejected_without_writing(data: bytes, filename="contacts.csv", **kwargs):
    """Both the check and the apply report the problem, and nothing reaches the database."""
    contacts, agents = Contact.objects.count(), Agent.objects.count()
    report = check(data, filename)
    with pytest.raises(ImportRejected) as rejected:
        apply(data, filename, **kwargs)
    assert problems(rejected.value.report) == problems(report)
    assert (Contact.objects.count(), Agent.objects.count()) == (contacts, agents)
    return report


# --- good files -------------------------------------------------------------------------------


def test_good_csv_creates_contacts(agents, team, settings):
    settings.TIME_ZONE = "Europe/Stockholm"  # UTC+1 in early March
    settings.LANGUAGE_CODE = "sv"
    turns = [
        {"t": 0, "speaker": "agent", "text": "Hej"},
        {"t": 4.5, "speaker": "customer", "text": "Hallå"},
    ]
    data = csv_bytes(
        [
            [*HEADER, "duration", "language", "subject", "transcript", "Queue", "Campaign"],
            [
                "CRM-1",
                "call",
                "EN001",
                "2026-03-02 10:30",
                "4:35",
                "en",
                "Double charge",
                "Agent: Hello\n\nCustomer: Hi, I was charged twice.",
                "Billing",
                "",
            ],
            [
                "CRM-2",
                "Chat",
                "EN001",
                "2026-03-02T10:30:00+01:00",
                "1:02:03",
                "",
                "",
                json.dumps(turns),
                "",
                "Spring",
            ],
            ["CRM-3", "письмо", "RU002", "02.03.2026 10:30", "95", "ru-RU", "Возврат", "", "", ""],
            [],
            ["CRM-4", "ärende", "RU002", "2026-03-02T10:30Z", "", "SV", "", "", "", ""],
            ["CRM-5", "ticket", "EN001", "2026-03-02", "", "", "", "", "", ""],
        ]
    )

    report = check(data)
    assert report.ok and problems(report) == []
    assert (report.total_rows, report.valid_rows, report.creates, report.updates) == (5, 5, 5, 0)
    assert Contact.objects.count() == 0
    assert report.sample[0] == {
        "external_id": "CRM-1",
        "channel": "call",
        "agent": "Emma Nilsson",
        "occurred_at": "2026-03-02T10:30:00+01:00",
        "duration_seconds": 275,
        "language": "en",
        "subject": "Double charge",
    }
    json.dumps(report.as_dict())

    applied = apply(data)
    assert (applied.creates, applied.updates, applied.error_count) == (5, 0, 0)
    contacts = {c.external_id: c for c in Contact.objects.all()}
    first = contacts["CRM-1"]
    assert (first.channel, first.agent, first.team) == ("call", agents["EN001"], team)
    assert first.occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert (first.duration_seconds, first.language, first.subject) == (275, "en", "Double charge")
    assert first.transcript == [
        {"t": None, "speaker": "", "text": "Agent: Hello"},
        {"t": None, "speaker": "", "text": "Customer: Hi, I was charged twice."},
    ]
    assert first.metadata == {"Queue": "Billing"}
    second = contacts["CRM-2"]
    assert (second.channel, second.duration_seconds, second.language) == ("chat", 3723, "sv")
    assert second.occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert second.transcript == turns and second.metadata == {"Campaign": "Spring"}
    third = contacts["CRM-3"]
    assert (third.channel, third.language, third.subject) == ("email", "ru", "Возврат")
    assert third.occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert contacts["CRM-4"].occurred_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert contacts["CRM-4"].channel == "ticket" and contacts["CRM-4"].language == "sv"
    assert contacts["CRM-5"].occurred_at == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    assert contacts["CRM-5"].duration_seconds is None and contacts["CRM-5"].transcript == []


def test_reimport_updates_the_same_contacts(agents):
    first = csv_bytes(
        [
            [*HEADER, "subject", "Queue"],
            ["CRM-1", "call", "EN001", "2026-03-02 10:30", "Old subject", "Billing"],
            ["CRM-2", "chat", "EN001", "2026-03-02 11:30", "Old", "Billing"],
        ]
    )
    apply(first)
    created_at = Contact.objects.get(external_id="CRM-1").created_at
    second = csv_bytes(
        [
            [*HEADER, "subject", "Queue"],
            ["CRM-1", "email", "RU002", "2026-03-03 10:30", "New subject", "Refunds"],
            ["CRM-2", "chat", "EN001", "2026-03-02 11:30", "Old", "Billing"],
            ["CRM-3", "chat", "EN001", "2026-03-02 11:30", "", ""],
        ]
    )

    report = check(second)
    assert (report.creates, report.updates) == (1, 2)
    applied = apply(second)
    assert (applied.creates, applied.updates) == (1, 2)
    assert Contact.objects.count() == 3
    updated = Contact.objects.get(external_id="CRM-1")
    assert (updated.channel, updated.agent, updated.subject) == (
        "email",
        agents["RU002"],
        "New subject",
    )
    assert updated.metadata == {"Queue": "Refunds"} and updated.created_at == created_at

    apply(second)
    assert Contact.objects.count() == 3


def test_columns_left_out_of_the_file_keep_their_values(agents):
    apply(
        csv_bytes(
            [
                [*HEADER, "subject", "transcript", "duration", "Queue"],
                ["CRM-1", "call", "EN001", "2026-03-02 10:30", "Billing", "Hello", "60", "Billing"],
            ]
        )
    )
    apply(csv_bytes([[*HEADER], ["CRM-1", "chat", "EN001", "2026-03-02 10:30"]]))
    contact = Contact.objects.get()
    assert contact.channel == "chat"
    assert (contact.subject, contact.duration_seconds, contact.metadata) == (
        "Billing",
        60,
        {"Queue": "Billing"},
    )
    assert contact.transcript == [{"t": None, "speaker": "", "text": "Hello"}]


def test_semicolon_delimited_csv(agents):
    data = csv_bytes(
        [[*HEADER, "subject"], ["CRM-1", "call", "EN001", "02.03.2026 10:30:15", "Refund, twice"]],
        delimiter=";",
    )
    apply(data)
    contact = Contact.objects.get()
    assert contact.subject == "Refund, twice" and contact.occurred_at.second == 15


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8-sig"])
def test_russian_spreadsheet_encodings(agents, encoding):
    data = csv_bytes(
        [[*HEADER, "subject"], ["RU-1", "Звонок", "RU002", "02.03.2026 10:30", "Возврат средств"]],
        delimiter=";",
        encoding=encoding,
    )
    report = apply(data)
    assert report.ok
    contact = Contact.objects.get()
    assert (contact.external_id, contact.channel) == ("RU-1", "call")
    assert contact.subject == "Возврат средств"


def test_utf8_is_recognised_when_the_first_chunk_cuts_a_letter_in_two(agents, monkeypatch):
    data = csv_bytes([[*HEADER, "subject"], ["RU-1", "call", "RU002", "2026-03-02", "Возврат"]])
    monkeypatch.setattr(import_files, "HEAD_BYTES", data.index("В".encode()) + 1)
    apply(data)
    assert Contact.objects.get().subject == "Возврат"


def test_xlsx_with_real_dates_and_numbers(agents, settings):
    settings.TIME_ZONE = "Europe/Moscow"  # UTC+3
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [" External_ID ", "Channel", "AGENT_ID", "occurred_at", "duration", "subject", "Queue"]
    )
    sheet.append([100234, "call", "EN001", datetime(2026, 3, 2, 10, 30), 275, "Billing", 7])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["X-2", "chatt", "RU002", "02.03.2026 12:00", time(0, 4, 35), None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = apply(buffer.getvalue(), "contacts.XLSX")
    assert (report.total_rows, report.creates) == (2, 2)
    first = Contact.objects.get(external_id="100234")
    assert first.occurred_at == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert (first.duration_seconds, first.subject, first.metadata) == (
        275,
        "Billing",
        {"Queue": "7"},
    )
    second = Contact.objects.get(external_id="X-2")
    assert (second.channel, second.duration_seconds) == ("chat", 275)
    assert second.occurred_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_xlsx_problems_name_the_spreadsheet_row(agents):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["X-1", "call", "EN001", "2026-03-02"])
    workbook.active.append([])
    workbook.active.append(["X-2", "fax", "EN001", "2026-03-02"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = assert_rejected_without_writing(buffer.getvalue(), "contacts.xlsx")
    assert problems(report) == [(4, "channel")]


def test_json_list(agents):
    data = json.dumps(
        [
            {
                "external_id": "J-1",
                "channel": "email",
                "agent_id": "EN001",
                "occurred_at": "2026-03-02T10:30:00+00:00",
                "duration": 62,
                "Priority": 2,
                "transcript": [{"t": 0, "speaker": "agent", "text": "Hi"}],
            },
            {
                "external_id": "J-2",
                "channel": "chat",
                "agent_id": "RU002",
                "occurred_at": "2026-03-02 11:00",
            },
        ]
    ).encode()
    report = apply(data, "export.json")
    assert (report.total_rows, report.creates) == (2, 2)
    contact = Contact.objects.get(external_id="J-1")
    assert contact.duration_seconds == 62 and contact.metadata == {"Priority": "2"}
    assert contact.transcript == [{"t": 0, "speaker": "agent", "text": "Hi"}]


def test_json_item_that_is_not_an_object(agents):
    data = json.dumps(
        [
            {
                "external_id": "J-1",
                "channel": "call",
                "agent_id": "EN001",
                "occurred_at": "2026-03-02",
            },
            "J-2",
        ]
    ).encode()
    report = assert_rejected_without_writing(data, "export.json")
    assert problems(report) == [(2, "")]


def test_parsed_records_are_imported_as_their_json_file(agents):
    """The importer takes records already parsed (the API's body); a file is parsed first."""
    records = [
        {"external_id": "R-1", "channel": "call", "agent_id": "EN001", "occurred_at": "2026-03-02"},
        {"external_id": "R-2", "channel": "fax", "agent_id": "EN001", "occurred_at": "2026-03-02"},
    ]
    from_file = check(json.dumps(records).encode(), "export.json")
    assert importing.contacts_check(records=records) == from_file
    assert problems(from_file) == [(2, "channel")]
    assert importing.contacts_apply(records=records[:1]).creates == 1
    assert (
        importing.contacts_check(records=[]).errors[0].message == "The file contains no contacts."
    )


def test_a_django_file_is_read_and_left_open(agents):
    from django.core.files.base import ContentFile

    upload = ContentFile(csv_bytes([HEADER, ["CRM-1", "call", "EN001", "2026-03-02"]]))
    assert contacts_apply(file=upload, filename="c.csv").creates == 1
    assert not upload.closed


def test_a_stream_that_cannot_seek(agents):
    class Stream(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self.data.readinto(buffer)

    data = csv_bytes([HEADER, ["CRM-1", "call", "EN001", "2026-03-02"]])
    assert contacts_check(file=Stream(data), filename="c.csv").creates == 1


# --- problems in rows -------------------------------------------------------------------------

COLUMNS = [*importing.REQUIRED_COLUMNS, *importing.OPTIONAL_COLUMNS]  # every column it knows
GOOD_ROW = {
    "external_id": "OK-1",
    "channel": "call",
    "agent_id": "EN001",
    "occurred_at": "2026-03-02 10:30",
}


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        ({"external_id": ""}, "external_id"),
        ({"channel": " "}, "channel"),
        ({"agent_id": ""}, "agent_id"),
        ({"occurred_at": ""}, "occurred_at"),
        ({"channel": "fax"}, "channel"),
        ({"agent_id": "NOPE"}, "agent_id"),
        ({"agent_id": "NEW9", "agent_name": "New Person"}, "agent_id"),
        ({"agent_id": "NEW9", "agent_name": "New Person", "team": "No such team"}, "team"),
        (
            {"agent_id": "NEW9" * 20, "agent_name": "New Person", "team": "Customer support"},
            "agent_id",
        ),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "31.02.2026 10:00"}, "occurred_at"),
        ({"occurred_at": "2026-13-01"}, "occurred_at"),
        ({"duration": "4:75"}, "duration"),
        ({"duration": "-5"}, "duration"),
        ({"duration": "1.5"}, "duration"),
        ({"duration": "1:2:3:4"}, "duration"),
        ({"duration": "999999999"}, "duration"),
        ({"language": "de"}, "language"),
        ({"external_id": "OK-1"}, "external_id"),
        ({"media_file": "missing.ogg"}, "media_file"),
        ({"subject": "x" * 201}, "subject"),
        ({"external_id": "x" * 101}, "external_id"),
        ({"transcript": "[not json"}, "transcript"),
        ({"transcript": '[{"speaker": "agent"}]'}, "transcript"),
        ({"transcript": '[{"t": "soon", "text": "Hi"}]'}, "transcript"),
    ],
)
def test_a_bad_value_names_row_and_column_and_nothing_is_written(agents, bad, column):
    ContactFactory(external_id="EXISTING")
    rows = [GOOD_ROW, {**GOOD_ROW, "external_id": "BAD-1", **bad}]
    data = csv_bytes([COLUMNS, *([row.get(name, "") for name in COLUMNS] for row in rows)])
    report = assert_rejected_without_writing(data)
    assert problems(report) == [(3, column)]
    assert (report.error_count, report.valid_rows, report.total_rows) == (1, 1, 2)
    assert not report.ok and report.errors[0].message


def test_every_problem_of_a_row_is_reported(agents):
    data = csv_bytes([HEADER, ["", "fax", "NOPE", "soon"]])
    report = assert_rejected_without_writing(data)
    assert problems(report) == [
        (2, "external_id"),
        (2, "channel"),
        (2, "agent_id"),
        (2, "occurred_at"),
    ]
    assert str(report.errors[1]).startswith("Row 2, column channel: Unknown channel fax")


def test_rows_are_counted_as_a_spreadsheet_shows_them(agents):
    data = csv_bytes(
        [
            [*HEADER, "transcript"],
            ["OK-1", "call", "EN001", "2026-03-02", "three\nline\ntranscript"],
            [],
            ["OK-2", "call", "EN001", "tomorrow", ""],
        ]
    )
    assert problems(check(data)) == [(4, "occurred_at")]


def test_a_row_with_more_values_than_columns(agents):
    data = b"external_id,channel,agent_id,occurred_at\nOK-1,call,EN001,2026-03-02,Refund, twice\n"
    assert problems(assert_rejected_without_writing(data)) == [(2, "")]


def test_only_the_first_problems_are_kept_but_all_are_counted(agents):
    data = csv_bytes([HEADER, *([f"X-{i}", "fax", "EN001", "2026-03-02"] for i in range(250))])
    report = check(data)
    assert (len(report.errors), report.error_count, report.total_rows) == (200, 250, 250)


# --- problems with the whole file -------------------------------------------------------------

OLD_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("contacts.csv", b"external_id;channel\nX-1;call\n", "agent_id, occurred_at"),
        ("contacts.csv", b"external_id,channel,agent_id,occurred_at,channel\n", "channel"),
        ("contacts.txt", b"external_id,channel,agent_id,occurred_at\n", "CSV"),
        ("contacts", b"external_id,channel,agent_id,occurred_at\n", "CSV"),
        ("contacts.xlsx", b"external_id,channel,agent_id,occurred_at\n", "XLSX"),
        ("contacts.xlsx", OLD_XLS, ".xls"),
        ("contacts.xlsx", b"PK\x03\x04 not really a zip", "XLSX"),
        ("contacts.csv", b"PK\x03\x04\x14\x00\x06\x00", "CSV"),
        ("contacts.csv", b"", "empty"),
        ("contacts.csv", b"\xef\xbb\xbf\r\n\r\n", "empty"),
        ("contacts.csv", b"external_id,channel,agent_id,occurred_at\r\n\r\n", "no contacts"),
        (
            "contacts.csv",
            b"external_id,channel,agent_id,occurred_at\nX\x98,call,EN001,2026-03-02\n",
            "UTF-8",
        ),
        ("contacts.csv", b'external_id,channel,agent_id,occurred_at\n"X-1,call', "malformed"),
        ("contacts.json", b'{"external_id": "X"}', "list"),
        ("contacts.json", b'[{"external_id": ', "JSON"),
        ("contacts.json", b"[]", "no contacts"),
        ("contacts.json", b'[{"external_id": "X", "channel": "call"}]', "agent_id, occurred_at"),
    ],
)
def test_a_bad_file_gives_one_problem_and_nothing_is_written(agents, filename, data, words):
    report = assert_rejected_without_writing(data, filename)
    assert problems(report) == [(0, "")] and report.error_count == 1
    assert words in report.errors[0].message
    assert (report.total_rows, report.sample) == (0, [])


def test_a_file_over_the_limit_is_refused_without_reading_it(agents, monkeypatch):
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    monkeypatch.setattr(import_files, "MAX_IMPORT_BYTES", 100)
    report = contacts_check(file=Unreadable(b"x" * 101), filename="big.csv")
    assert problems(report) == [(0, "")] and "limit" in report.errors[0].message
    with pytest.raises(ImportRejected):
        contacts_apply(file=Unreadable(b"x" * 101), filename="big.csv")


def test_json_has_its_own_smaller_limit(agents, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_JSON_BYTES", 10)
    report = check(b'[{"external_id": "X-1"}]', "contacts.json")
    assert problems(report) == [(0, "")] and "CSV" in report.errors[0].message


# --- agents -----------------------------------------------------------------------------------


def test_an_unknown_agent_with_name_and_team_is_created(agents, team):
    data = csv_bytes(
        [
            [*HEADER, "agent_name", "team"],
            ["N-1", "call", "NEW1", "2026-03-02", "Nora New", "customer SUPPORT"],
            ["N-2", "chat", "NEW1", "2026-03-02", "", ""],
            ["N-3", "chat", "EN001", "2026-03-02", "", "A team that does not matter here"],
        ]
    )
    report = check(data)
    assert report.ok and report.new_agents == ["Nora New (NEW1)"]
    assert not Agent.objects.filter(employee_id="NEW1").exists()

    apply(data)
    agent = Agent.objects.get(employee_id="NEW1")
    assert (agent.full_name, agent.team) == ("Nora New", team)
    assert set(agent.contacts.values_list("external_id", flat=True)) == {"N-1", "N-2"}
    assert Contact.objects.get(external_id="N-1").team == team


def test_the_contact_team_is_the_agent_team(agents):
    other = AgentFactory(employee_id="SA001")
    apply(csv_bytes([HEADER, ["S-1", "call", "SA001", "2026-03-02"]]))
    assert Contact.objects.get().team == other.team


# --- recordings -------------------------------------------------------------------------------


def test_recordings_come_from_the_zip(agents, settings):
    archive = zip_bytes(
        {
            "recordings/call-1.ogg": OGG,
            "../evil.ogg": OGG,
            "/etc/absolute.ogg": OGG,
            "notes.txt": b"not audio",
            "recordings/": b"",
        }
    )
    assert importing.media_names_in(io.BytesIO(archive)) == {"call-1.ogg"}
    assert importing.media_names_in(io.BytesIO(b"not a zip")) == set()

    bad = csv_bytes(
        [
            [*HEADER, "media_file"],
            ["M-1", "call", "EN001", "2026-03-02", "call-1.ogg"],
            ["M-2", "call", "EN001", "2026-03-02", "evil.ogg"],
            ["M-3", "call", "EN001", "2026-03-02", "../evil.ogg"],
            ["M-4", "call", "EN001", "2026-03-02", "notes.txt"],
        ]
    )
    report = check(bad, media_names=importing.media_names_in(io.BytesIO(archive)))
    assert problems(report) == [(3, "media_file"), (4, "media_file"), (5, "media_file")]
    assert report.missing_media == ["evil.ogg", "notes.txt"]
    with pytest.raises(ImportRejected):
        apply(bad, media_archive=io.BytesIO(archive))
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.ogg"))

    good = csv_bytes(
        [
            [*HEADER, "media_file"],
            ["M-1", "call", "EN001", "2026-03-02", "recordings\\call-1.ogg"],
            ["M-2", "chat", "EN001", "2026-03-02", ""],
        ]
    )
    apply(good, media_archive=io.BytesIO(archive))
    contact = Contact.objects.get(external_id="M-1")
    assert contact.media.name.endswith(".ogg") and "evil" not in contact.media.name
    with contact.media.open("rb") as handle:
        assert handle.read() == OGG
    assert not Contact.objects.get(external_id="M-2").media

    # Without media_file the recording stays; so it does with an empty media_file cell.
    stored = contact.media.name
    apply(csv_bytes([HEADER, ["M-1", "chat", "EN001", "2026-03-03"]]))
    apply(csv_bytes([[*HEADER, "media_file"], ["M-1", "chat", "EN001", "2026-03-03", ""]]))
    assert Contact.objects.get(external_id="M-1").media.name == stored


def test_rejected_apply_removes_recordings_already_stored(agents, settings, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 1)  # the first row is written before the bad one
    data = csv_bytes(
        [
            [*HEADER, "media_file"],
            ["M-1", "call", "EN001", "2026-03-02", "call-1.ogg"],
            ["M-2", "fax", "EN001", "2026-03-02", ""],
        ]
    )
    with pytest.raises(ImportRejected):
        apply(data, media_archive=io.BytesIO(zip_bytes({"call-1.ogg": OGG})))
    assert Contact.objects.count() == 0
    assert not any(path.is_file() for path in Path(settings.MEDIA_ROOT).rglob("*"))


# --- big files --------------------------------------------------------------------------------


@pytest.mark.slow
def test_big_files_are_written_in_batches_not_per_row(
    agents, tmp_path, django_assert_max_num_queries
):
    rows = 20_000
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, "duration", "subject", "Queue"])
        for i in range(rows):
            writer.writerow(
                [f"B-{i}", "call", "EN001", "2026-03-02 10:30", "4:35", "Billing", "Q1"]
            )
    batches = math.ceil(rows / importing.BATCH_SIZE)
    fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
    # Django splits one bulk insert by the database's parameter limit (83 rows on SQLite).
    inserts = math.ceil(
        importing.BATCH_SIZE / connection.ops.bulk_batch_size(fields, [None] * rows)
    )
    most = batches * (1 + inserts) + 10
    assert most < rows / 50

    with path.open("rb") as handle, django_assert_max_num_queries(batches + 5):
        assert contacts_check(file=handle, filename="big.csv").creates == rows
    with path.open("rb") as handle, django_assert_max_num_queries(most):
        assert contacts_apply(file=handle, filename="big.csv").creates == rows
    assert Contact.objects.count() == rows


# --- through the pages ------------------------------------------------------------------------


def test_upload_check_and_apply_through_the_pages(client, users, agents):
    client.force_login(users[Role.QA_LEAD])
    data = csv_bytes([[*HEADER, "media_file"], ["W-1", "call", "EN001", "2026-03-02", "c.ogg"]])
    response = client.post(
        reverse("contact_import"),
        {
            "file": SimpleUploadedFile("contacts.csv", data),
            "media_archive": SimpleUploadedFile("rec.zip", zip_bytes({"c.ogg": OGG})),
        },
    )
    assert response.status_code == 302
    report_page = client.get(response["Location"])
    assert "W-1" in report_page.content.decode()
    assert report_page.context["report"]["creates"] == 1
    pk = report_page.context["batch"].pk
    assert client.post(reverse("contact_import_apply", args=[pk])).status_code == 302
    with Contact.objects.get(external_id="W-1").media.open("rb") as handle:
        assert handle.read() == OGG


def test_single_recordings_instead_of_a_zip(client, users, agents):
    client.force_login(users[Role.QA_LEAD])
    rows = [
        [*HEADER, "media_file"],
        ["S-1", "call", "EN001", "2026-03-02", "a.ogg"],
        ["S-2", "call", "EN001", "2026-03-02", "b.ogg"],
    ]
    response = client.post(
        reverse("contact_import"),
        {
            "file": SimpleUploadedFile("contacts.csv", csv_bytes(rows)),
            "recordings": [
                SimpleUploadedFile("a.ogg", OGG),
                SimpleUploadedFile("b.ogg", OGG + b"second"),
            ],
        },
    )
    assert response.status_code == 302
    pk = client.get(response["Location"]).context["batch"].pk
    client.post(reverse("contact_import_apply", args=[pk]))
    with Contact.objects.get(external_id="S-2").media.open("rb") as handle:
        assert handle.read() == OGG + b"second"


def test_single_recordings_must_be_audio(client, users, agents):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(
        reverse("contact_import"),
        {
            "file": SimpleUploadedFile("contacts.csv", csv_bytes([HEADER])),
            "recordings": [SimpleUploadedFile("notes.txt", b"hello")],
        },
    )
    assert response.status_code == 200
    assert "notes.txt is not an audio file." in response.content.decode()
