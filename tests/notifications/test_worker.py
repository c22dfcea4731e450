"""A real `qalibrate worker` process takes a job from the queue and does it: an e-mail waiting in
the outbox goes out through a real SMTP server. Once with the default SQLite queue (a file in the
data folder) and once with Redis, as the README describes both."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.smtp import start_smtp_server

pytestmark = pytest.mark.slow

WAIT_SECONDS = 60

SETUP = """
from qalibrate.accounts.models import User
from qalibrate.notifications.models import Notification
user = User.objects.create_user("worker.test", "worker@example.com", "x")
Notification.objects.create(user=user, kind="materials_ready", key="worker-test",
    subject="Queued by the test", body_text="Sent by a worker.", body_html="<p>Sent.</p>")
"""
ENQUEUE = "from qalibrate.notifications import tasks; tasks.deliver()"


def redis_is_there() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def qalibrate(*args, environment):
    return subprocess.run(
        [sys.executable, "-m", "qalibrate", *args],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_a_worker_process_sends_a_queued_email(tmp_path, queue):
    if queue == "redis" and not redis_is_there():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is expected on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    controller, inbox = start_smtp_server()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment |= {
        "QALIBRATE_DATA_DIR": str(tmp_path),
        "QALIBRATE_EMAIL_HOST": "127.0.0.1",
        "QALIBRATE_EMAIL_PORT": str(controller.port),
    }
    if queue == "redis":
        # A database number of its own, emptied first, so other runs' jobs are not in the way.
        environment["QALIBRATE_REDIS_URL"] = "redis://127.0.0.1:6379/13"
        # Redis means several machines, which must share one secret key.
        environment["QALIBRATE_SECRET_KEY"] = "worker-test-key"
        qalibrate(
            "shell",
            "-c",
            "from huey.contrib.djhuey import HUEY; HUEY.flush()",
            environment=environment,
        )
    qalibrate("migrate", "--verbosity", "0", environment=environment)
    qalibrate("shell", "-c", SETUP, environment=environment)
    worker = subprocess.Popen(
        [sys.executable, "-m", "qalibrate", "worker"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        qalibrate("shell", "-c", ENQUEUE, environment=environment)
        started = time.monotonic()
        while not inbox.messages and time.monotonic() - started < WAIT_SECONDS:
            assert worker.poll() is None, worker.communicate()[0]
            time.sleep(0.2)
        assert [m["Subject"] for m in inbox.messages] == ["Queued by the test"]
        status = qalibrate(
            "shell",
            "-c",
            "from qalibrate.notifications.models import Notification as N; "
            "print(N.objects.get(key='worker-test').email_status)",
            environment=environment,
        )
        assert status.stdout.split()[-1] == "sent"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.communicate(timeout=30)
        controller.stop()
