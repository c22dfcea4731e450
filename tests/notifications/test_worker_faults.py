"""Real `qalibrate worker` processes killed with SIGKILL in the middle of their work, then a new
worker started: the next run of the series job goes ahead (its lease is taken over from the dead
process), and every e-mail of a batch arrives exactly once (one claim per message, taken over at
once). On the SQLite queue and on Redis; once per CI run (the workers use their own SQLite
database in a temporary folder whatever the suite's database)."""

import asyncio
import email
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.notifications.test_worker import qalibrate, redis_is_there
from tests.smtp import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("QALIBRATE_DATABASE_URL")),
        reason="slow process test: runs once, in the SQLite pass",
    ),
]

WAIT_SECONDS = 45
REPOSITORY = Path(__file__).resolve().parents[2]
SERIES_COUNT = 8

SERIES_SETUP = f"""
from datetime import time, timedelta
from django.utils import timezone
from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory, build_scorecard

lead = UserFactory(username="lead", role=Role.QA_LEAD)
evaluators = [UserFactory(role=Role.EVALUATOR) for _ in range(2)]
team = TeamFactory()
scorecard = build_scorecard(lead, publish=True)
agents = [AgentFactory(team=team) for _ in range(3)]
for i in range(5 * {SERIES_COUNT}):
    ContactFactory(agent=agents[i % 3], occurred_at=timezone.now() - timedelta(days=1))
today = timezone.now().date()
for n in range({SERIES_COUNT}):
    # Weekly, the next meeting in two days: each series has one session due now.
    services.series_create(
        user=lead, evaluators=evaluators, title=f"Series {{n}}", team=team, scorecard=scorecard,
        facilitator=lead, cadence_kind="weekly", interval=1,
        weekday=(today + timedelta(days=2)).weekday(), first_day=today, meeting_time=time(10),
        time_zone="UTC", lead_days=7, scoring_days=1, sample_days=30, sample_size=5,
    )
"""
RUN_SERIES = "\nfrom qalibrate.calibration import tasks; tasks.series_sessions()\n"

MAIL_COUNT = 6
MAIL_SETUP = f"""
from qalibrate.accounts.models import User
from qalibrate.notifications.models import Notification
user = User.objects.create_user("mail.test", "mail@example.com", "x")
for n in range({MAIL_COUNT}):
    Notification.objects.create(user=user, kind="materials_ready", key=f"fault-{{n}}",
        subject=f"Message {{n}}", body_text="Sent by a worker.", body_html="<p>Sent.</p>")
"""
RUN_DELIVERY = "\nfrom qalibrate.notifications import tasks; tasks.deliver()\n"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated database, made once and copied for each test (migrating takes a while)."""
    folder = tmp_path_factory.mktemp("migrated")
    qalibrate("migrate", "--verbosity", "0", environment=worker_environment(folder))
    return folder / "qalibrate.sqlite3"


def worker_environment(data_dir: Path) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    # One key for every process, as several machines on one Redis queue need.
    return environment | {"QALIBRATE_DATA_DIR": str(data_dir), "QALIBRATE_SECRET_KEY": "x" * 50}


class StalledSqliteQueue:
    """Holds the SQLite queue's write lock: a worker that queues a job waits for it."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "jobs.sqlite3"
        self.connection = None

    def stall(self) -> None:
        self.connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def resume(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class StalledRedisProxy:
    """A TCP proxy in front of Redis that can stop passing commands on: a worker that queues a
    job waits for the reply. Only the workers of the test go through it, so other users of the
    Redis server are not held up."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.stalled = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self.stalled.set()

    def resume(self) -> None:
        self.stalled.clear()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, destination: socket.socket, commands: bool) -> None:
        try:
            while data := source.recv(65536):
                while commands and self.stalled.is_set():
                    time.sleep(0.01)
                destination.sendall(data)
        except OSError:
            pass
        finally:
            # Shut down, not only closed: the other direction's thread is still reading these,
            # and Redis must see a dead worker's connection end, or it hands the next job to
            # that connection's pending pop.
            for end in (source, destination):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path, migrated):
    """(the environment of a worker, its queue that the test can stall): its own data folder
    (database and SQLite queue), or a Redis queue behind a proxy."""
    if request.param == "redis" and not redis_is_there():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is expected on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    shutil.copyfile(migrated, tmp_path / "qalibrate.sqlite3")
    environment = worker_environment(tmp_path)
    if request.param == "sqlite":
        yield environment, StalledSqliteQueue(tmp_path)
        return
    proxy = StalledRedisProxy(("127.0.0.1", 6379))
    # A database number of its own (test_worker.py uses 13), emptied first.
    environment["QALIBRATE_REDIS_URL"] = f"redis://127.0.0.1:{proxy.port}/12"
    run("from huey.contrib.djhuey import HUEY; HUEY.flush()", environment)
    yield environment, proxy
    proxy.resume()
    proxy.close()


def run(code: str, environment: dict) -> None:
    qalibrate("shell", "-c", code, environment=environment)


def start(code: str, environment: dict) -> subprocess.Popen:
    """Run ``code`` in `qalibrate shell` without waiting: the worker may finish a job before
    that process has even ended."""
    return subprocess.Popen(
        [sys.executable, "-m", "qalibrate", "shell", "-c", code], env=environment, cwd=REPOSITORY
    )


def start_worker(environment: dict, log: Path) -> subprocess.Popen:
    # No periodic jobs: the test queues each job itself, whatever the time of day.
    return subprocess.Popen(
        [sys.executable, "-m", "qalibrate", "worker", "--no-periodic"],
        env=environment,
        cwd=REPOSITORY,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(worker: subprocess.Popen, how=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, how)
    worker.wait(timeout=30)  # reaped: its pid names no process any more


def wait_for(condition, worker: subprocess.Popen, log: Path, what: str):
    started = time.monotonic()
    while time.monotonic() - started < WAIT_SECONDS:
        found = condition()
        if found:
            return found
        assert worker.poll() is None, log.read_text()
        time.sleep(0.01)
    pytest.fail(f"waited {WAIT_SECONDS} s for {what}; the worker said:\n{log.read_text()}")


def database(environment: dict) -> sqlite3.Connection:
    path = Path(environment["QALIBRATE_DATA_DIR"]) / "qalibrate.sqlite3"
    return sqlite3.connect(path, timeout=30, isolation_level=None)


def lease_holder(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT holder FROM notifications_joblease WHERE name = 'series'").fetchone()
    return row[0] if row else None


def session_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM calibration_calibrationsession").fetchone()[0]


def test_a_worker_killed_inside_the_series_job_does_not_stop_the_next_run(queue, tmp_path):
    environment, jobs = queue
    db = database(environment)
    log = tmp_path / "worker.log"
    worker = start_worker(environment, log)
    try:
        setup = start(SERIES_SETUP + RUN_SERIES, environment)
        wait_for(
            lambda: (lease_holder(db) or "").endswith(f":{worker.pid}"),
            worker,
            log,
            "the worker to start the series job",
        )
        # The queue stalls: after each series' session the job queues its e-mails, and waits
        # there. Its lease cannot have been given back: the series are not all done.
        jobs.stall()
        wait_for(lambda: session_count(db) > 0, worker, log, "the first session")
    finally:
        stop(worker, signal.SIGKILL)  # inside the job, waiting for the queue
        jobs.resume()
    assert setup.wait(timeout=60) == 0
    assert (lease_holder(db) or "").endswith(f":{worker.pid}")  # left behind by the dead worker
    assert session_count(db) < SERIES_COUNT

    worker = start_worker(environment, log)
    try:
        run(RUN_SERIES, environment)
        wait_for(
            lambda: session_count(db) == SERIES_COUNT and lease_holder(db) is None,
            worker,
            log,
            f"{SERIES_COUNT} sessions and the lease given back",
        )
    finally:
        stop(worker)
    assert "taking over the lease of" in log.read_text()
    per_series = db.execute(
        "SELECT count(*) FROM calibration_calibrationsession GROUP BY series_id"
    ).fetchall()
    assert per_series == [(1,)] * SERIES_COUNT


class HoldingInbox:
    """An SMTP server's handler that accepts ``accept_first`` messages, then holds the next one
    unanswered (the sender waits for the reply) until released, and then refuses it."""

    def __init__(self, accept_first: int):
        self.accept_first = accept_first
        self.messages = []
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if len(self.messages) == self.accept_first and not self.release.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def outbox(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute(
        "SELECT email_status, claimed_by FROM notifications_notification ORDER BY id"
    ).fetchall()


def test_a_worker_killed_inside_a_delivery_batch_leaves_one_claim_taken_over_at_once(
    queue, tmp_path
):
    environment, _jobs = queue
    inbox = HoldingInbox(accept_first=2)
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    environment |= {"QALIBRATE_EMAIL_HOST": "127.0.0.1", "QALIBRATE_EMAIL_PORT": str(server.port)}
    db = database(environment)
    log = tmp_path / "worker.log"
    try:
        worker = start_worker(environment, log)
        try:
            setup = start(MAIL_SETUP + RUN_DELIVERY, environment)
            wait_for(inbox.holding.is_set, worker, log, "the third e-mail to be sent")
        finally:
            stop(worker, signal.SIGKILL)  # waiting for the server's reply to the third
        inbox.release.set()
        assert setup.wait(timeout=60) == 0
        statuses = outbox(db)
        assert [status for status, _holder in statuses] == ["sent"] * 2 + ["sending"] + [
            "pending"
        ] * (MAIL_COUNT - 3)
        assert statuses[2][1].endswith(f":{worker.pid}")

        worker = start_worker(environment, log)
        try:
            run(RUN_DELIVERY, environment)
            wait_for(
                lambda: outbox(db) == [("sent", "")] * MAIL_COUNT,
                worker,
                log,
                "every e-mail to be sent",
            )
        finally:
            stop(worker)
    finally:
        server.stop()
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == [f"Message {n}" for n in range(MAIL_COUNT)]  # each exactly once
    ids = {m["Message-ID"] for m in inbox.messages}
    assert len(ids) == MAIL_COUNT and all(i.endswith("@127.0.0.1>") for i in ids)
    assert "taken over from" in log.read_text()
