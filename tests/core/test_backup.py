"""`qalibrate backup` and `qalibrate restore` as real processes, on a live database: a thread
keeps writing while the backup runs; the backup goes into an empty data folder (SQLite) or a
fresh database (PostgreSQL), and every completed session's report, as the API gives it and as
the CSV export, is the same there, and so are the media files.

Slow (real processes), so each runs once per CI: SQLite on the first pass, PostgreSQL on the
second (QALIBRATE_DATABASE_URL set to postgres)."""

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from qalibrate.accounts.models import User
from qalibrate.demo.builder import build_demo
from qalibrate.notifications.models import Notification

ON_POSTGRES = os.environ.get("QALIBRATE_DATABASE_URL", "").startswith("postgres")
TIMEOUT_SECONDS = 300

# Run in a process of its own against a data folder: row counts first (before its log-ins add
# rows), then each completed session's report as the API and the CSV download give it.
REPORTS = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qalibrate.settings")
import django
django.setup()
from django.test import Client
from rest_framework.test import APIClient
from qalibrate.calibration.models import CalibrationSession, SessionStatus
from qalibrate.core.backup import counted_models

from django.db import connection
tables = set(connection.introspection.table_names())
counts = {
    model._meta.label: model._base_manager.count()
    for model in counted_models() if model._meta.db_table in tables
}
reports = {}
completed = CalibrationSession.objects.filter(status=SessionStatus.COMPLETED).order_by("pk")
for session in completed:
    api, web = APIClient(), Client()
    api.force_authenticate(session.facilitator)
    web.force_login(session.facilitator)
    url = f"/api/v1/sessions/{session.pk}/report/"
    named, anonymous = api.get(url), api.get(url + "?anonymous=true")
    csv = web.get(f"/reports/sessions/{session.pk}/report.csv")
    assert named.status_code == anonymous.status_code == csv.status_code == 200, session
    reports[session.pk] = {
        "named": named.json(), "anonymous": anonymous.json(), "csv": csv.content.decode()
    }
print(json.dumps({"counts": counts, "reports": reports}))
"""


def environment(data_dir: Path, database_url: str | None = None) -> dict:
    variables = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    variables |= {"QALIBRATE_DATA_DIR": str(data_dir), "QALIBRATE_ALLOWED_HOSTS": "testserver"}
    if database_url:
        variables["QALIBRATE_DATABASE_URL"] = database_url
    return variables


def qalibrate(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qalibrate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


def reports(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", REPORTS],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def media_files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def archive_contents(archive: Path) -> tuple[list[str], dict]:
    with tarfile.open(archive) as opened:
        return opened.getnames(), json.load(opened.extractfile("manifest.json"))


class Writer(threading.Thread):
    """Notifications, one transaction each, until told to stop: a busy application."""

    def __init__(self, user: User):
        super().__init__(daemon=True)
        self.user, self.written, self.error = user, 0, None
        self.stopping = threading.Event()

    def run(self):
        try:
            while not self.stopping.is_set():
                Notification.objects.create(
                    user=self.user,
                    kind="materials_ready",
                    key=f"backup-test:{self.written}",
                    subject="Written while the backup runs",
                    body_text="x" * 4000,
                    body_html="<p>x</p>",
                )
                self.written += 1
        except Exception as error:  # noqa: BLE001 (reported by the test)
            self.error = error
        finally:
            connection.close()

    def wait_for(self, count: int) -> None:
        started = time.monotonic()
        while self.written < count and self.error is None and time.monotonic() - started < 60:
            time.sleep(0.05)
        assert self.written >= count, self.error


def back_up_while_writing(env: dict, archive: Path, *options, wal: Path | None = None) -> dict:
    """Run `qalibrate backup` while a thread writes; the manifest's count of the rows being
    written falls between what was committed when it started and when it ended."""
    before = Notification.objects.count()
    writer = Writer(User.objects.get(username="james.cole"))
    writer.start()
    try:
        writer.wait_for(20)
        if wal is not None:
            assert wal.stat().st_size > 0, "the WAL should be live while the backup runs"
        started = writer.written
        result = qalibrate("backup", str(archive), *options, env=env)
        ended = writer.written
    finally:
        writer.stopping.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert result.returncode == 0, result.stderr
    assert ended > started, "the writer should have been writing during the backup"
    _names, manifest = archive_contents(archive)
    # +1: a row committed whose counter the writer had not yet raised.
    assert (
        before + started <= manifest["counts"]["notifications.Notification"] <= before + ended + 1
    )
    return manifest


def assert_same_reports(before: dict, after: dict, *, anonymous: bool) -> None:
    assert before["reports"], "the demo should have completed sessions"
    assert after["reports"].keys() == before["reports"].keys()
    for pk, report in before["reports"].items():
        restored = after["reports"][pk]
        assert restored["named"] == report["named"], pk
        assert restored["csv"] == report["csv"], pk
        if anonymous:  # the letters are seeded with the secret key
            assert restored["anonymous"] == report["anonymous"], pk


def assert_refused_once_used(archive: Path, env: dict) -> None:
    again = qalibrate("restore", str(archive), env=env)
    assert again.returncode == 1
    assert len(again.stderr.strip().splitlines()) == 1, again.stderr
    assert "restore refused" in again.stderr and "--force" in again.stderr


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="runs on the SQLite pass; PostgreSQL has its own test")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_taken_while_writing_restores_the_same_reports(tmp_path, settings):
    build_demo()
    database = Path(connection.settings_dict["NAME"])
    source = environment(tmp_path, f"sqlite:///{database}")
    before = reports(source)
    archive = tmp_path / "backup.tar.gz"

    manifest = back_up_while_writing(source, archive, wal=Path(f"{database}-wal"))

    names, _manifest = archive_contents(archive)
    assert "secret_key" not in names
    assert manifest["database"] == "sqlite" and manifest["secret_key"] is False
    assert manifest["media"]["files"] == len(media_files(settings.MEDIA_ROOT)) >= 6

    target = tmp_path / "restored"
    restored_env = environment(target)
    result = qalibrate("restore", str(archive), env=restored_env)
    assert result.returncode == 0, result.stderr
    restored = sqlite3.connect(target / "qalibrate.sqlite3")
    try:
        # Log-in sessions stay out of backups; the source has the report script's.
        assert restored.execute("SELECT COUNT(*) FROM django_session").fetchone()[0] == 0
    finally:
        restored.close()

    after = reports(restored_env)
    assert after["counts"] == manifest["counts"]
    assert_same_reports(before, after, anonymous=False)
    assert media_files(target / "media") == media_files(settings.MEDIA_ROOT)
    assert_refused_once_used(archive, restored_env)


def postgres_url(database: dict, name: str) -> str:
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    return f"postgres://{database['USER']}{password}@{host}:{database.get('PORT') or 5432}/{name}"


@contextlib.contextmanager
def fresh_database(database: dict):
    import psycopg

    name = f"qalibrate_backup_{uuid.uuid4().hex[:12]}"
    server = psycopg.connect(
        host=database.get("HOST") or "127.0.0.1",
        port=database.get("PORT") or 5432,
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        server.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        server.close()


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="needs QALIBRATE_DATABASE_URL set to PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_taken_while_writing_restores_the_same_reports(tmp_path, settings):
    import psycopg

    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            if os.environ.get("CI") == "true":
                pytest.fail(f"{tool} is expected in CI (Debian: postgresql-client)")
            pytest.skip(f"no {tool}")
    build_demo()
    database = connection.settings_dict
    source = environment(tmp_path, postgres_url(database, database["NAME"]))
    before = reports(source)
    archive = tmp_path / "backup.tar.gz"

    manifest = back_up_while_writing(source, archive, "--with-secret-key")

    names, _manifest = archive_contents(archive)
    assert {"database.pgdump", "secret_key", "manifest.json"} <= set(names)
    assert manifest["database"] == "postgresql" and manifest["secret_key"] is True
    with fresh_database(database) as name:
        target = tmp_path / "restored"
        restored_env = environment(target, postgres_url(database, name))
        result = qalibrate("restore", str(archive), env=restored_env)
        assert result.returncode == 0, result.stderr
        assert (target / "secret_key").read_text() == (tmp_path / "secret_key").read_text()
        with psycopg.connect(postgres_url(database, name)) as restored:
            sessions = restored.execute("SELECT COUNT(*) FROM django_session").fetchone()[0]
        assert sessions == 0, "log-in sessions stay out of backups"

        after = reports(restored_env)
        assert after["counts"] == manifest["counts"]
        assert_same_reports(before, after, anonymous=True)
        assert media_files(target / "media") == media_files(settings.MEDIA_ROOT)
        assert_refused_once_used(archive, restored_env)
