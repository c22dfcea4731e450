"""Imports and the disk: recordings written whole or not at all, nothing left of a failed import,
uploads removed once applied or abandoned. The full disk is real: MEDIA_ROOT on a small tmpfs
(mounting needs root; the test runs once per CI, on SQLite)."""

import io
import os
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.contacts import importing, tasks
from qalibrate.contacts.models import Contact, ContactImport, ImportStatus
from tests.factories import AgentFactory

HEADER = ["external_id", "channel", "agent_id", "occurred_at", "media_file"]
FULL_WORDS = "The server&#x27;s disk is full, so nothing could be saved."


@pytest.fixture
def agent(team):
    return AgentFactory(full_name="Emma Nilsson", employee_id="EN001", team=team)


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def upload(client, recordings: dict[str, bytes], channel="call") -> ContactImport:
    rows = [",".join(HEADER)] + [
        f"R-{number},{channel},EN001,2026-03-02 10:30,{name}"
        for number, name in enumerate(recordings, start=1)
    ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        for name, data in recordings.items():
            packed.writestr(name, data)
    response = client.post(
        reverse("contact_import"),
        {
            "file": SimpleUploadedFile("contacts.csv", "\n".join(rows).encode()),
            "media_archive": SimpleUploadedFile("recordings.zip", archive.getvalue()),
        },
    )
    assert response.status_code == 302
    return ContactImport.objects.latest("created_at")


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of 4 MB to hold MEDIA_ROOT."""
    if os.environ.get("QALIBRATE_DATABASE_URL"):
        pytest.skip("the mount-based fault tests run once per CI, on SQLite")
    in_ci = os.environ.get("CI") == "true"
    if os.geteuid() != 0:
        if in_ci:
            pytest.fail("CI runs the disk fault tests as root: they mount file systems")
        pytest.skip("mounting a file system needs root")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        if in_ci:
            pytest.fail(f"cannot mount a tmpfs: {mounted.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield folder
    subprocess.run(["umount", "--lazy", str(folder)], check=True)


def test_an_import_onto_a_full_disk_answers_503_and_leaves_nothing(
    client, users, agent, settings, small_disk, caplog
):
    settings.MEDIA_ROOT = small_disk
    client.force_login(users[Role.QA_LEAD])
    # The zip takes 2.4 of the 4 MB; the recordings it holds fit one and a half times more.
    recordings = {f"call-{number}.ogg": b"OggS" + os.urandom(600 * 1024) for number in range(1, 5)}
    batch = upload(client, recordings)
    uploads = files_in(small_disk)
    assert len(uploads) == 2 and all(name.startswith("imports/") for name in uploads)

    response = client.post(reverse("contact_import_apply", args=[batch.pk]))

    assert response.status_code == 503
    assert FULL_WORDS in response.content.decode()
    assert Contact.objects.count() == 0
    # The two recordings stored before the disk filled up are gone, and so is the third's part.
    assert files_in(small_disk) == uploads
    [record] = [r for r in caplog.records if r.name == "qalibrate.core.middleware"]
    assert "No space left on device" in record.getMessage()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED  # kept, to apply once there is room

    subprocess.run(["mount", "-o", "remount,size=16m", str(small_disk)], check=True)
    response = client.post(reverse("contact_import_apply", args=[batch.pk]))

    assert response.status_code == 302
    for contact in Contact.objects.all():
        with contact.media.open("rb") as handle:
            assert handle.read() == recordings[f"call-{contact.external_id[2:]}.ogg"]
    # Applied: its uploads are removed; the recordings alone stay.
    assert [name.split("/")[0] for name in files_in(small_disk)] == ["contacts"] * 4


# --- uploads removed when done ------------------------------------------------------------------


def test_uploads_are_removed_once_applied_or_rejected(client, users, agent, settings):
    client.force_login(users[Role.QA_LEAD])
    media = Path(settings.MEDIA_ROOT)
    applied = upload(client, {"a.ogg": b"OggS first"})
    client.post(reverse("contact_import_apply", args=[applied.pk]))
    applied.refresh_from_db()
    assert applied.status == ImportStatus.APPLIED and not applied.file
    assert not applied.media_archive and applied.original_name == "contacts.csv"
    assert not (media / "imports").exists() or files_in(media / "imports") == []

    rejected = upload(client, {"b.ogg": b"OggS"}, channel="fax")
    client.post(reverse("contact_import_apply", args=[rejected.pk]))
    rejected.refresh_from_db()
    assert rejected.status == ImportStatus.REJECTED and rejected.report["error_count"] == 1
    assert files_in(media / "imports") == []


def test_uploads_of_abandoned_checks_go_after_a_day(client, users, agent, settings):
    client.force_login(users[Role.QA_LEAD])
    media = Path(settings.MEDIA_ROOT)
    abandoned = upload(client, {"a.ogg": b"OggS"})
    fresh = upload(client, {"b.ogg": b"OggS"})
    day_and_more = timezone.now() - timedelta(days=1, minutes=1)
    ContactImport.objects.filter(pk=abandoned.pk).update(created_at=day_and_more)
    storage = ContactImport._meta.get_field("file").storage
    old_orphan = storage.save("imports/2026/01/left-by-a-crash.csv", ContentFile(b"x"))
    new_orphan = storage.save("imports/2026/01/being-saved.csv", ContentFile(b"x"))
    old_part = media / f"{importing.TEMPORARY_PREFIX}abc"
    new_part = media / f"{importing.TEMPORARY_PREFIX}def"
    old_part.write_bytes(b"half")
    new_part.write_bytes(b"half")
    long_ago = day_and_more.timestamp()
    os.utime(storage.path(old_orphan), (long_ago, long_ago))
    os.utime(old_part, (long_ago, long_ago))
    kept = {fresh.file.name, fresh.media_archive.name, new_orphan}

    assert tasks.import_uploads_expire.call_local() == 4  # the job, run here and now

    abandoned.refresh_from_db()
    assert not abandoned.file and not abandoned.media_archive
    assert {name for name in files_in(media) if name.startswith("imports/")} == kept
    assert not old_part.exists() and new_part.exists()
    assert importing.import_uploads_expire() == 0

    # Applying the abandoned check now asks for the file again.
    response = client.post(reverse("contact_import_apply", args=[abandoned.pk]))
    assert response["Location"] == reverse("contact_import")
    assert ContactImport.objects.get(pk=abandoned.pk).status == ImportStatus.PREVIEWED


def test_a_recording_is_written_under_a_temporary_name_then_renamed(agent, settings):
    """What the reader of MEDIA_ROOT can see while a recording is written: no part of it under
    its own name."""
    media = Path(settings.MEDIA_ROOT)
    contact = Contact(agent=agent, team=agent.team)
    seen = []

    class Watched(ContentFile):
        def chunks(self, chunk_size=None):
            for chunk in super().chunks(chunk_size):
                seen.append(files_in(media))
                yield chunk

    importing.file_store(contact.media, "call.ogg", Watched(b"OggS" * 1000, name="call.ogg"))

    assert seen and all(
        names == [] or names[0].startswith(importing.TEMPORARY_PREFIX) for names in seen
    )
    assert files_in(media) == [contact.media.name]
    assert contact.media.name.startswith("contacts/") and contact.media.name.endswith(".ogg")
    with contact.media.open("rb") as handle:
        assert handle.read() == b"OggS" * 1000
