"""A full disk or a read-only data folder answers 503 naming the cause, not the generic 500 page.

The faults are real: a running `qalibrate serve` keeps its data folder on a small tmpfs that the
test then remounts read-only or fills up. Mounting needs root; the test runs once per CI (on
SQLite: the database is the file in the data folder)."""

import errno
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from qalibrate.core.middleware import FULL, READ_ONLY, storage_problem
from tests.smtp import free_port

FULL_WORDS = "The server's disk is full, so nothing could be saved."
READ_ONLY_WORDS = "The server's data folder is read-only, so nothing could be saved."
SETUP = """
from qalibrate.accounts.models import Agent, Team, User
from qalibrate.api.tokens import token_create
user = User.objects.create_user("lead", "lead@example.com", "a-long-password", role="admin")
Agent.objects.create(full_name="Emma Nilsson", employee_id="EN001",
                     team=Team.objects.create(name="Support"))
print(token_create(user=user, name="test")[1])
"""


def mount_allowed() -> None:
    if os.environ.get("QALIBRATE_DATABASE_URL"):
        pytest.skip("the mount-based fault tests run once per CI, on SQLite")
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the disk fault tests as root: they mount file systems")
        pytest.skip("mounting a file system needs root")


def mount(*arguments: str) -> None:
    result = subprocess.run(["mount", *arguments], capture_output=True, text=True)
    if result.returncode:
        if os.environ.get("CI") == "true":
            pytest.fail(f"mount {' '.join(arguments)}: {result.stderr}")
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of 64 MB: the data folder, on a file system of its own."""
    mount_allowed()
    folder = tmp_path / "data"
    folder.mkdir()
    mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder))
    yield folder
    while subprocess.run(["mountpoint", "-q", str(folder)]).returncode == 0:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def make_read_only(folder: Path) -> None:
    """The data folder's mount made read-only, as `mount --bind -o ro` does: every file opened
    there from now on refuses writes (EROFS). Remounting the whole tmpfs read-only, as the
    kernel does to a file system with errors, is refused while the server keeps a file open
    to write (its job queue's SQLite file)."""
    mount("--bind", str(folder), str(folder))
    mount("-o", "remount,bind,ro", str(folder))


def fill(folder: Path) -> None:
    """Write until the file system has no byte left."""
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    try:
        with open(folder / "filler", "ab", buffering=0) as handle:
            while True:
                handle.write(b"\0")
    except OSError as error:
        assert error.errno == errno.ENOSPC


def qalibrate(*arguments, environment) -> str:
    return subprocess.run(
        [sys.executable, "-m", "qalibrate", *arguments],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def fetch(opener, port: int, path: str, data=None, headers=None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(opener, port: int, server: subprocess.Popen, output: Path) -> None:
    started = time.monotonic()
    while time.monotonic() - started < 60:
        assert server.poll() is None, output.read_text()
        try:
            fetch(opener, port, "/health/")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer: {output.read_text()}")


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "words"), [("read-only", READ_ONLY_WORDS), ("full", FULL_WORDS)])
def test_log_in_and_api_on_a_broken_data_folder_answer_503_naming_the_cause(
    small_disk, tmp_path, fault, words
):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment |= {"QALIBRATE_DATA_DIR": str(small_disk), "QALIBRATE_LOG_LEVEL": "WARNING"}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the server's own choice, in RAM
    port = free_port()
    output = tmp_path / "server.log"  # not on the broken disk
    with output.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "qalibrate", "serve", "--port", str(port), "--workers", "1"],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        wait_for(opener, port, server, output)  # `serve` has migrated the database
        token = qalibrate("shell", "-c", SETUP, environment=environment).split()[-1]
        status, page = fetch(opener, port, "/accounts/login/")
        assert status == 200
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

        if fault == "read-only":
            make_read_only(small_disk)
        else:
            fill(small_disk)

        form = f"csrfmiddlewaretoken={csrf}&username=lead&password=a-long-password".encode()
        referer = {"Referer": f"http://127.0.0.1:{port}/accounts/login/"}
        status, page = fetch(opener, port, "/accounts/login/", form, referer)
        assert status == 503, page
        assert words in page.replace("&#x27;", "'")
        assert "Something went wrong on our side" not in page  # not the generic 500 page

        row = {
            "external_id": "A-1",
            "channel": "call",
            "agent_id": "EN001",
            "occurred_at": "2026-03-02 10:30",
        }
        status, body = fetch(
            opener,
            port,
            "/api/v1/contacts/bulk/",
            json.dumps([row]).encode(),
            {"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        assert status == 503, body
        assert json.loads(body)["detail"].startswith(words)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a worker stuck on the broken disk
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    logged = output.read_text()
    cause = READ_ONLY if fault == "read-only" else FULL
    # Each failed request logged once, with its cause; no second "Service Unavailable" line.
    assert logged.count(f"Storage failure, nothing saved: {cause} (") == 2, logged
    assert "Service Unavailable" not in logged and "Traceback" not in logged, logged


# --- which errors are the storage's -----------------------------------------------------------


def test_a_vague_sqlite_error_is_the_storage_only_when_the_disk_says_so(db):
    from django.db import OperationalError

    # The test database's disk has room and can be written: the error is something else.
    assert storage_problem(OperationalError("disk I/O error")) is None
    assert storage_problem(OperationalError("no such table: x")) is None
    full = OperationalError("database or disk is full")
    assert storage_problem(full) == (FULL, full)


def test_refused_permission_is_the_storage_only_inside_the_data_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    inside = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "media" / "x"))
    outside = PermissionError(errno.EACCES, "Permission denied", "/etc/shadow")
    assert storage_problem(inside) == (READ_ONLY, inside)
    assert storage_problem(outside) is None
    assert storage_problem(ConnectionRefusedError(errno.ECONNREFUSED, "refused")) is None
    assert storage_problem(ValueError("a bug")) is None


def test_the_cause_is_found_behind_the_error_raised_in_its_place():
    full = OSError(errno.ENOSPC, "No space left on device")
    try:
        try:
            raise full
        except OSError as error:
            raise RuntimeError("while storing a recording") from error
    except RuntimeError as error:
        assert storage_problem(error) == (FULL, full)
