"""Background jobs recover from faults: a periodic job's lease expires, and is taken over at once
from a dead process on this machine; a job queue that is down never fails the change that made a
notification, whose e-mail then goes with the every-minute delivery. The same with real worker
processes killed mid-job: test_worker_faults.py."""

import logging
import subprocess
import sys
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from qalibrate.accounts.models import Role
from qalibrate.calibration import tasks as calibration_tasks
from qalibrate.notifications import services, tasks
from qalibrate.notifications.models import EmailStatus, JobLease, Notification
from tests.factories import AgentFactory, ContactFactory
from tests.smtp import free_port

MINUTE = timedelta(minutes=1)


@pytest.fixture
def gone_pid():
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lease_is_held_once_and_given_back(db, caplog):
    caplog.set_level(logging.INFO, logger="qalibrate.notifications.services")
    lease = services.lease_take("series", duration=MINUTE)
    assert lease is not None and lease.holder == services.worker_name()
    assert services.lease_take("series", duration=MINUTE) is None  # a live holder: this process
    assert "job series skipped: " + lease.holder + " is running it" in caplog.text
    assert services.lease_take("reminders", duration=MINUTE) is not None  # another job's own
    services.lease_give_back(lease)
    assert services.lease_take("series", duration=MINUTE) is not None


def test_a_lease_of_a_dead_process_here_is_taken_over_at_once(db, gone_pid, caplog):
    here = services.worker_name().rpartition(":")[0]
    now = timezone.now()
    JobLease.objects.create(name="series", holder=f"{here}:{gone_pid}", expires_at=now + MINUTE)
    lease = services.lease_take("series", duration=MINUTE, now=now)
    assert lease is not None
    assert JobLease.objects.get().holder == services.worker_name()
    assert "taking over the lease of" in caplog.text and "process is gone" in caplog.text


def test_a_lease_from_another_machine_is_taken_over_when_it_expires(db):
    now = timezone.now()
    JobLease.objects.create(name="series", holder="elsewhere:1", expires_at=now + MINUTE)
    assert services.lease_take("series", duration=MINUTE, now=now) is None
    assert services.lease_take("series", duration=MINUTE, now=now + MINUTE) is not None


def test_a_job_gives_its_lease_back_even_when_it_fails(db, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the series went wrong")

    monkeypatch.setattr("qalibrate.calibration.tasks.series_create_due_sessions", broken)
    with pytest.raises(RuntimeError):
        calibration_tasks.series_sessions.call_local()
    assert not JobLease.objects.exists()
    # A run while another live process holds it does nothing and says so.
    JobLease.objects.create(
        name="series", holder=services.worker_name(), expires_at=timezone.now() + MINUTE
    )
    assert calibration_tasks.series_sessions.call_local() is None


def plan_fields(users, version, team, second_evaluator, title):
    now = timezone.localtime()
    return {
        "title": title,
        "version": version.pk,
        "team": team.pk,
        "facilitator": users[Role.QA_LEAD].pk,
        "reference_mode": "consensus",
        "tolerance": "5",
        "scoring_deadline": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "meeting_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "agenda": "Lowest first",
        "ground_rules": "Be honest",
        "evaluators": [users[Role.EVALUATOR].pk, second_evaluator.pk],
        "sample_size": 5,
    }


# Real commits, so the wake-up of the outbox runs after them, inside the request, as in production.
@pytest.mark.django_db(transaction=True)
def test_planning_succeeds_while_the_queue_is_down_and_the_emails_go_when_it_is_back(
    client, users, version, team, second_evaluator, smtp_inbox, monkeypatch, caplog
):
    for _ in range(5):
        ContactFactory.create_batch(3, agent=AgentFactory(team=team))
    client.force_login(users[Role.QA_LEAD])
    monkeypatch.setattr(services, "_queue_down", False)
    with monkeypatch.context() as down:
        # Redis on a port where nothing listens: every enqueue fails to connect.
        dead_redis = RedisStorage("qalibrate", url=f"redis://127.0.0.1:{free_port()}/0")
        down.setattr(HUEY, "_immediate", False)
        down.setattr(HUEY, "storage", dead_redis)
        for title in ("April calibration", "May calibration"):
            response = client.post(
                reverse("session_plan"), plan_fields(users, version, team, second_evaluator, title)
            )
            assert response.status_code == 302, response.content.decode()[:2000]
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == 4
    assert smtp_inbox.messages == []
    outage = [r for r in caplog.records if "job queue is unreachable" in r.getMessage()]
    assert len(outage) == 1 and outage[0].levelno == logging.WARNING  # once per outage

    # The queue is back (jobs run at once in tests): the next wake-up sends what waited, once.
    response = client.post(
        reverse("session_plan"),
        plan_fields(users, version, team, second_evaluator, "June calibration"),
    )
    assert response.status_code == 302
    assert "job queue is reachable again" in caplog.text
    assert tasks.deliver_due.call_local()["sent"] == 0
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    ids = [m["Message-ID"] for m in smtp_inbox.messages]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_the_every_minute_delivery_sends_what_the_queue_did_not_take(
    users, session, smtp_inbox, monkeypatch
):
    # The notifications of the planned session wait, as after an outage of the queue.
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == 3
    assert tasks.deliver_due.call_local()["sent"] == 3
    assert tasks.deliver_due.call_local()["sent"] == 0
    assert len(smtp_inbox.messages) == 3
