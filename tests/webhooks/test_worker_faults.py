"""A real `qalibrate worker` killed with SIGKILL while a receiver keeps it waiting for an answer,
then a new worker started: the delivery it was posting is taken over at once and sent again
under the same webhook-id, and every other delivery arrives once. Once per CI run (SQLite)."""

import json
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.notifications.test_worker_faults import (  # noqa: F401 (migrated is a fixture)
    database,
    migrated,
    run,
    start,
    start_worker,
    stop,
    wait_for,
    worker_environment,
)
from tests.webhooks.receiver import Receiver

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("QALIBRATE_DATABASE_URL")),
        reason="slow process test: runs once, in the SQLite pass",
    ),
]

COUNT = 4


def setup_code(url: str) -> str:
    return f"""
from qalibrate.webhooks.models import Delivery, Webhook
hook = Webhook.objects.create(name="BI", url="{url}", events=["ping"])
for n in range({COUNT}):
    Delivery.objects.create(webhook=hook, event="ping", key=f"fault-{{n}}",
                            payload={{"type": "ping", "data": {{"n": n}}}})
"""


RUN_DELIVERY = "\nfrom qalibrate.webhooks import tasks; tasks.deliver()\n"


def log_of(db: sqlite3.Connection) -> list[tuple]:
    return db.execute(
        "SELECT status, claimed_by, attempts FROM webhooks_delivery ORDER BY id"
    ).fetchall()


def test_a_worker_killed_while_posting_leaves_its_delivery_to_the_next(
    migrated,  # noqa: F811
    tmp_path,
):
    receiver = Receiver(hold_from=2).start()  # answers the first, keeps the second waiting
    environment = worker_environment(tmp_path)
    Path(tmp_path / "qalibrate.sqlite3").write_bytes(migrated.read_bytes())
    db = database(environment)
    log = tmp_path / "worker.log"
    try:
        worker = start_worker(environment, log)
        try:
            setup = start(setup_code(receiver.url) + RUN_DELIVERY, environment)
            wait_for(lambda: len(receiver.received) == 2, worker, log, "the second delivery")
        finally:
            stop(worker, signal.SIGKILL)  # waiting for the receiver's answer to the second
        receiver.release.set()
        assert setup.wait(timeout=60) == 0
        statuses = log_of(db)
        assert [status for status, _holder, _attempts in statuses] == [
            "delivered",
            "sending",
            "pending",
            "pending",
        ]
        assert statuses[1][1].endswith(f":{worker.pid}")

        worker = start_worker(environment, log)
        try:
            run(RUN_DELIVERY, environment)
            wait_for(
                lambda: all(status == "delivered" for status, *_ in log_of(db)),
                worker,
                log,
                "every delivery delivered",
            )
        finally:
            stop(worker)
    finally:
        receiver.release.set()
        receiver.stop()
    ids = [r.headers["webhook-id"] for r in receiver.received]
    numbers = [json.loads(r.body)["data"]["n"] for r in receiver.received]
    assert numbers == [0, 1, 1, 2, 3]  # the second twice: the dead worker's post, then again
    assert ids[1] == ids[2]
    assert len(set(ids)) == COUNT
