"""The recordings zip of a contact import (issue 18): a zip bomb, a member whose header lies about
its size, recordings that unpack to more than the limit in total, and files that only carry an
audio extension are refused with a clear problem in the report; nothing is written. Real audio
of each kind still comes through."""

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qalibrate import config
from qalibrate.accounts.models import Role
from qalibrate.contacts import importing
from qalibrate.contacts.importing import ImportRejected
from qalibrate.contacts.models import Contact, ContactImport, ImportStatus
from tests.contacts.test_importing import apply, check, csv_bytes, problems, zip_bytes
from tests.factories import AgentFactory
from tests.s3server import s3_client, s3_settings, start_s3_server

HEADER = ["external_id", "channel", "agent_id", "occurred_at", "media_file"]
MB = 1024 * 1024
# The first bytes of a real file of each kind, followed by data that barely compresses.
NOISE = bytes(range(256)) * 4 + os.urandom(3000)
AUDIO = {
    "call.ogg": b"OggS\x00\x02" + NOISE,
    "call.opus": b"OggS\x00\x02" + bytes(20) + b"OpusHead" + NOISE,
    "call.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x0a" + NOISE,
    "frames.mp3": b"\xff\xfb\x90\x64" + NOISE,  # an MPEG frame without an ID3 tag
    "call.wav": b"RIFF\x24\x10\x00\x00WAVEfmt \x10\x00\x00\x00" + NOISE,
    "call.m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + NOISE,
    "call.webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + NOISE,
}


@pytest.fixture
def agent(team):
    return AgentFactory(full_name="Emma Nilsson", employee_id="EN001", team=team)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A real zip bomb: one .ogg member of 200 MB (OggS, then zeros) deflated to about 200 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("call-1.ogg", "w") as member:
            member.write(b"OggS")
            zeros = bytes(MB)
            for _ in range(200):
                member.write(zeros)
    data = buffer.getvalue()
    assert len(data) < 300 * 1024
    return data


@pytest.fixture
def opened_members(monkeypatch) -> list:
    """The members any zip archive opens from now on (to read or unpack them)."""
    opened = []
    real_open = zipfile.ZipFile.open

    def open_noted(self, name, mode="r", *args, **kwargs):
        if mode == "r":  # not the members a test writes
            opened.append(name)
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_noted)
    return opened


def rows_naming(*names: str) -> bytes:
    return csv_bytes(
        [HEADER]
        + [[f"R-{n}", "call", "EN001", "2026-03-02 10:30", name] for n, name in enumerate(names)]
    )


def deflated(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def stored_files(settings) -> list[Path]:
    """Every file under MEDIA_ROOT: recordings, and parts of them a stopped write left."""
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def refused(rows: bytes, archive: bytes, settings) -> tuple:
    """The check's report and the rejected apply's report; nothing was written by either."""
    report = check(rows, media_names=importing.media_names_in(io.BytesIO(archive)))
    with pytest.raises(ImportRejected) as rejected:
        apply(rows, media_archive=io.BytesIO(archive))
    assert Contact.objects.count() == 0
    assert stored_files(settings) == []
    return report, rejected.value.report


def messages(report) -> str:
    # Sizes come with a no-break space between number and unit.
    return " | ".join(str(error) for error in report.errors).replace("\xa0", " ")


# --- a zip bomb: refused from the central directory, before anything is unpacked --------------


def test_a_zip_bomb_is_refused_by_its_compression_ratio(agent, settings, bomb, opened_members):
    report, applied = refused(rows_naming("call-1.ogg"), bomb, settings)
    assert opened_members == []  # judged by the central directory: nothing was unpacked
    for found in (report, applied):
        assert problems(found) == [(0, "")]
        assert "call-1.ogg" in messages(found) and "zip bomb" in messages(found)


def test_a_zip_bomb_through_the_pages_is_a_report_not_an_error(
    client, users, agent, settings, bomb
):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(
        reverse("contact_import"),
        {
            "file": SimpleUploadedFile("contacts.csv", rows_naming("call-1.ogg")),
            "media_archive": SimpleUploadedFile("recordings.zip", bomb),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "zip bomb" in page.content.decode()
    batch = ContactImport.objects.get()
    assert batch.report["error_count"] == 1

    response = client.post(reverse("contact_import_apply", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.REJECTED
    assert "zip bomb" in batch.report["errors"][0]["message"]
    assert Contact.objects.count() == 0
    assert stored_files(settings) == []  # the uploads are gone too, and no recording came


def test_a_small_member_may_compress_well(agent, settings):
    # Below the exempt size a high ratio is harmless: a short silence in a WAV file, say.
    silence = b"RIFF\x24\x10\x00\x00WAVE" + bytes(64 * 1024)
    archive = deflated({"quiet.wav": silence})
    assert apply(rows_naming("quiet.wav"), media_archive=io.BytesIO(archive)).creates == 1
    with Contact.objects.get().media.open("rb") as handle:
        assert handle.read() == silence


def test_the_whole_archive_is_limited_before_anything_is_unpacked(
    agent, settings, monkeypatch, opened_members
):
    # Three recordings that barely compress: each is fine, together more than the limit.
    monkeypatch.setattr(importing, "MAX_ARCHIVE_BYTES", 2 * MB, raising=False)
    members = {f"call-{n}.ogg": b"OggS" + os.urandom(800 * 1024) for n in range(3)}
    archive = deflated(members)
    report, applied = refused(rows_naming("call-0.ogg"), archive, settings)
    assert opened_members == []  # judged by the central directory: no member was even opened
    for found in (report, applied):
        assert problems(found) == [(0, "")]
        assert "2.3 MB" in messages(found) and "2.0 MB" in messages(found)


def test_the_limit_counts_what_is_unpacked_for_every_row(agent, settings, monkeypatch):
    # One recording of 600 KB named by five rows would unpack to 3 MB: the count of bytes
    # actually unpacked stops the import at the limit, and what was stored is removed.
    monkeypatch.setattr(importing, "MAX_ARCHIVE_BYTES", 2 * MB, raising=False)
    archive = deflated({"call.ogg": b"OggS" + os.urandom(600 * 1024)})
    rows = rows_naming(*["call.ogg"] * 5)
    with pytest.raises(ImportRejected) as rejected:
        apply(rows, media_archive=io.BytesIO(archive))
    assert "2.0 MB" in messages(rejected.value.report)
    assert Contact.objects.count() == 0
    assert stored_files(settings) == []


def lying(archive: bytes, *, file_size: int) -> bytes:
    """The archive with its only member's uncompressed size rewritten, in the local header and in
    the central directory, as a forged zip would have it."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, file_size)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, file_size)
    return bytes(data)


@pytest.mark.parametrize("declared", [3000, 200_000])
def test_a_member_whose_header_lies_about_its_size_is_refused(agent, settings, declared):
    # 20 MB of zeros that claim to be far less: small, and a harmless ratio, by the header.
    content = b"OggS" + bytes(20 * MB)
    archive = lying(deflated({"call-1.ogg": content}), file_size=declared)
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo("call-1.ogg")
    assert (info.file_size, info.compress_size < 30 * 1024) == (declared, True)

    rows = rows_naming("call-1.ogg")
    report = check(rows, media_names=importing.media_names_in(io.BytesIO(archive)))
    with pytest.raises(ImportRejected) as rejected:
        apply(rows, media_archive=io.BytesIO(archive))
    applied = rejected.value.report
    if declared < 4096:
        # Reading its first bytes unpacks a first block, already more than the header says.
        assert problems(report) == problems(applied) == [(2, "media_file")]
    else:
        assert report.ok  # it looks fine until it is unpacked
        assert problems(applied) == [(0, "")]
    assert "call-1.ogg" in messages(applied) and "damaged" in messages(applied)
    assert Contact.objects.count() == 0
    assert stored_files(settings) == []  # no recording, and no part of one


def test_a_bomb_whose_directory_lies_about_its_packed_size_is_refused(agent, settings):
    # 20 MB of zeros claiming 1 MB of packed data, a ratio of 20 that looks like audio's: but
    # the whole archive holds only some 20 KB.
    data = bytearray(deflated({"call-1.ogg": b"OggS" + bytes(20 * MB)}))
    struct.pack_into("<I", data, data.index(b"PK\x01\x02") + 20, MB)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("call-1.ogg")
    assert info.file_size < 100 * info.compress_size
    report, applied = refused(rows_naming("call-1.ogg"), bytes(data), settings)
    for found in (report, applied):
        assert problems(found) == [(0, "")]
        assert "more packed data than the archive holds" in messages(found)


def test_a_member_larger_than_a_recording_may_be_is_named_in_the_report(
    agent, settings, monkeypatch
):
    monkeypatch.setattr(importing, "MAX_RECORDING_BYTES", 100 * 1024)
    archive = deflated({"long.ogg": b"OggS" + os.urandom(200 * 1024)})
    report, applied = refused(rows_naming("long.ogg"), archive, settings)
    for found in (report, applied):
        assert problems(found) == [(2, "media_file")]
        assert "long.ogg" in messages(found) and "100.0 KB" in messages(found)
        assert found.missing_media == []


# --- members must be audio by their content ---------------------------------------------------


def test_an_mp3_whose_content_is_text_is_refused(agent, settings):
    archive = zip_bytes({"call-1.mp3": b"Dear customer, this is not a recording.\n" * 50})
    report, applied = refused(rows_naming("call-1.mp3"), archive, settings)
    for found in (report, applied):
        assert problems(found) == [(2, "media_file")]
        assert "call-1.mp3" in messages(found) and ".mp3" in messages(found)
        assert "not audio" in messages(found)


@pytest.mark.parametrize("name", sorted(AUDIO))
def test_each_kind_of_audio_must_start_as_that_kind_does(agent, settings, name):
    # Another kind's content under this extension is refused too, as is an HTML page.
    extension = Path(name).suffix
    ogg = extension in (".ogg", ".opus")  # the same Ogg container
    fakes = [b"<html><body>not audio</body></html>" + NOISE] + [
        data
        for other, data in AUDIO.items()
        if Path(other).suffix != extension and not (ogg and data.startswith(b"OggS"))
    ]
    for fake in fakes:
        archive = zip_bytes({name: fake})
        report, applied = refused(rows_naming(name), archive, settings)
        assert problems(report) == problems(applied) == [(2, "media_file")]


def test_real_audio_of_each_kind_is_imported(agent, settings):
    archive = zip_bytes(AUDIO)
    rows = rows_naming(*AUDIO)
    assert importing.media_names_in(io.BytesIO(archive)) == set(AUDIO)
    assert check(rows, media_names=importing.media_names_in(io.BytesIO(archive))).ok
    assert apply(rows, media_archive=io.BytesIO(archive)).creates == len(AUDIO)
    stored = {}
    for number, name in enumerate(AUDIO):
        with Contact.objects.get(external_id=f"R-{number}").media.open("rb") as handle:
            stored[name] = handle.read()
    assert stored == AUDIO


def test_a_refused_member_no_row_names_does_no_harm(agent, settings):
    # A text file with an audio extension that no row uses is never stored.
    archive = zip_bytes({"call.ogg": AUDIO["call.ogg"], "readme.mp3": b"just a note"})
    assert apply(rows_naming("call.ogg"), media_archive=io.BytesIO(archive)).creates == 1


def test_a_damaged_member_is_a_problem_in_the_report(agent, settings):
    content = AUDIO["call.ogg"] * 4
    data = bytearray(deflated({"call.ogg": content}))
    start = data.index(b"call.ogg") + len("call.ogg")  # the compressed data follows its name
    data[start + 40 : start + 80] = bytes(40)  # broken deflate data (or a wrong CRC)
    with pytest.raises(ImportRejected) as rejected:
        apply(rows_naming("call.ogg"), media_archive=io.BytesIO(bytes(data)))
    assert "call.ogg" in messages(rejected.value.report)
    assert Contact.objects.count() == 0
    assert stored_files(settings) == []


# --- onto an S3 bucket: the counted recording is read once, from the start --------------------

BUCKET = "qalibrate-import-recordings"


@pytest.fixture(scope="module")
def s3_endpoint():
    server, endpoint = start_s3_server()
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.terminate()
    server.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("QALIBRATE_DATABASE_URL")),
    reason="a process test: runs once per CI, on SQLite (the storage is the same on PostgreSQL)",
)
def test_recordings_unpacked_into_s3_are_whole_or_not_there(
    agent, settings, monkeypatch, s3_endpoint
):
    for name, value in s3_settings(s3_endpoint, BUCKET).items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": config.media_storage()}
    bucket = s3_client(s3_endpoint)
    recording = b"OggS" + os.urandom(600 * 1024)
    archive = deflated({"call.ogg": recording})

    apply(rows_naming("call.ogg"), media_archive=io.BytesIO(archive))
    media = Contact.objects.get().media.name
    assert bucket.get_object(Bucket=BUCKET, Key=media)["Body"].read() == recording

    Contact.objects.all().delete()
    bucket.delete_object(Bucket=BUCKET, Key=media)
    monkeypatch.setattr(importing, "MAX_ARCHIVE_BYTES", 2 * MB, raising=False)
    with pytest.raises(ImportRejected):
        apply(rows_naming(*["call.ogg"] * 5), media_archive=io.BytesIO(archive))
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert Contact.objects.count() == 0
