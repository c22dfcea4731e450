"""/metrics: refused to strangers; request latency by route, the queue and the e-mail outbox, with
values that match what happened; and, under gunicorn, the requests of every worker process."""

import os
import signal
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from huey.contrib import djhuey
from prometheus_client.parser import text_string_to_metric_families

from qalibrate.accounts.models import Role
from qalibrate.config import metrics_root
from qalibrate.notifications.models import EmailStatus, Notification
from tests.servers import serve
from tests.smtp import free_port


def samples(text: str) -> dict:
    """{(sample name, sorted labels): value} of an exposition."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def requests_counted(text: str, route: str, method="GET", status="2xx") -> float:
    name = "qalibrate_http_request_duration_seconds_count"
    return value(text, name, route=route, method=method, status=status) or 0.0


# Who may read them


def test_metrics_answer_the_local_address_by_default(client, db):
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.7", "2001:db8::5"])
def test_metrics_refuse_other_addresses(client, db, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 403


def test_metrics_refuse_a_request_that_came_through_a_proxy(client, db):
    # Behind nginx on the same machine, every visitor arrives from 127.0.0.1.
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403


def test_metrics_with_the_bearer_token_from_anywhere(client, db, settings):
    settings.METRICS_TOKEN = "a-long-random-token"
    settings.METRICS_ALLOW = []
    stranger = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **stranger).status_code == 403
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/metrics", headers=wrong, **stranger).status_code == 403
    assert client.get("/metrics").status_code == 403  # no address is allowed without it now
    right = {"Authorization": "Bearer a-long-random-token"}
    assert client.get("/metrics", headers=right, **stranger).status_code == 200


def test_metrics_allow_the_networks_configured(client, db, settings):
    import ipaddress

    settings.METRICS_ALLOW = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="11.1.2.3").status_code == 403


# What they say


def test_a_request_is_counted_under_its_route_name_not_its_path(client, users):
    before = client.get("/metrics").content.decode()
    client.get("/health/")
    client.force_login(users[Role.AGENT])
    assert client.get("/scorecards/new/").status_code == 403  # agents may not build scorecards
    assert client.get("/no/such/page/").status_code == 404
    assert client.get("/static/qalibrate/favicon.svg").status_code == 200  # WhiteNoise's
    after = client.get("/metrics").content.decode()

    assert requests_counted(after, "health") == requests_counted(before, "health") + 1
    assert requests_counted(after, "scorecard_create", status="4xx") == (
        requests_counted(before, "scorecard_create", status="4xx") + 1
    )
    assert requests_counted(after, "unmatched", status="4xx") == (
        requests_counted(before, "unmatched", status="4xx") + 1
    )
    assert requests_counted(after, "static") == requests_counted(before, "static") + 1
    assert "/scorecards/new/" not in after and "/no/such/page/" not in after
    # The scrape before was itself counted by the time of the one after.
    assert requests_counted(after, "metrics") == requests_counted(before, "metrics") + 1
    bucket = value(
        after,
        "qalibrate_http_request_duration_seconds_bucket",
        route="health",
        method="GET",
        status="2xx",
        le="+Inf",
    )
    assert bucket == requests_counted(after, "health")


def make_notification(user, key, status, *, age=timedelta(0), next_attempt_in=None):
    notification = Notification.objects.create(
        user=user,
        kind="materials_ready",
        key=key,
        subject="s",
        body_text="b",
        body_html="<p>b</p>",
        email_status=status,
        next_attempt_at=None if next_attempt_in is None else timezone.now() + next_attempt_in,
    )
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - age)
    return notification


def test_the_outbox_is_counted_from_the_database(client, users):
    person = users[Role.EVALUATOR]
    minutes = timedelta(minutes=1)
    make_notification(person, "fresh", EmailStatus.PENDING, age=1 * minutes)
    # Written 20 minutes ago and never sent: late.
    make_notification(person, "stuck", EmailStatus.PENDING, age=20 * minutes)
    # Failed once long ago, retried in 10 minutes: waiting, not late.
    make_notification(
        person, "retry", EmailStatus.PENDING, age=30 * minutes, next_attempt_in=10 * minutes
    )
    # Its retry was due 8 minutes ago: late.
    make_notification(
        person, "overdue", EmailStatus.PENDING, age=3 * minutes, next_attempt_in=-8 * minutes
    )
    make_notification(person, "in-flight", EmailStatus.SENDING, age=2 * minutes)
    make_notification(person, "gave-up", EmailStatus.FAILED, age=90 * minutes)
    make_notification(person, "done", EmailStatus.SENT, age=120 * minutes)
    make_notification(person, "nobody", EmailStatus.OFF, age=120 * minutes)

    text = client.get("/metrics").content.decode()
    backlog = Notification.objects.filter(
        email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING]
    ).count()
    assert value(text, "qalibrate_outbox_backlog") == backlog == 5
    assert value(text, "qalibrate_outbox_late") == 2
    assert value(text, "qalibrate_outbox_failed") == 1
    assert 30 * 60 <= value(text, "qalibrate_outbox_oldest_age_seconds") < 31 * 60
    assert value(text, "qalibrate_database_up") == 1


def test_an_empty_outbox_has_no_age(client, db):
    text = client.get("/metrics").content.decode()
    assert value(text, "qalibrate_outbox_backlog") == 0
    assert value(text, "qalibrate_outbox_oldest_age_seconds") == 0


def test_the_queue_depth_is_the_jobs_waiting(client, db, tmp_path, monkeypatch):
    queue = SqliteHuey("qalibrate-metrics-test", filename=str(tmp_path / "jobs.sqlite3"))

    @queue.task()
    def nothing():
        return None

    for _ in range(3):
        nothing()  # queued: no worker takes it
    monkeypatch.setattr(djhuey, "HUEY", queue)
    text = client.get("/metrics").content.decode()
    assert value(text, "qalibrate_queue_pending_jobs") == 3
    assert value(text, "qalibrate_queue_up") == 1


def test_a_queue_that_does_not_answer_is_said_not_hidden(client, db, monkeypatch):
    down = RedisHuey("qalibrate-metrics-test", url=f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(djhuey, "HUEY", down)
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert value(text, "qalibrate_queue_up") == 0
    assert value(text, "qalibrate_queue_pending_jobs") is None
    assert value(text, "qalibrate_outbox_backlog") == 0


# Several gunicorn workers


def get(url: str) -> tuple[int, str]:
    # Generous: a worker's first request imports every view, slow on a busy machine; a request
    # given up on here would still be counted there.
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (http://127.0.0.1)
        return response.status, response.read().decode()


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("QALIBRATE_DATABASE_URL")), reason="a process test: runs on SQLite only"
)
def test_metrics_add_up_the_requests_of_every_gunicorn_worker(tmp_path):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    environment["QALIBRATE_DATA_DIR"] = str(tmp_path)
    log = (tmp_path / "serve.log").open("w")
    server = serve(port=port, workers=2, environment=environment, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                get(f"{base}/health/")
                break
            except OSError:
                assert time.monotonic() - started < 120, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        _, text = get(f"{base}/metrics")
        served = requests_counted(text, "health")
        assert served >= 1
        # The server's pid is gunicorn's master (serve execs it): its workers share this folder.
        folder = metrics_root(tmp_path) / str(server.pid)
        with ThreadPoolExecutor(8) as pool:
            while len(list(folder.glob("histogram_*.db"))) < 2:
                assert served < 2000, "one worker served every request"
                statuses = list(pool.map(lambda _: get(f"{base}/health/")[0], range(40)))
                assert statuses == [200] * 40
                served += 40
        workers = {int(path.stem.split("_")[1]) for path in folder.glob("histogram_*.db")}
        assert len(workers) == 2 and server.pid not in workers

        status, text = get(f"{base}/metrics")
        assert status == 200
        assert requests_counted(text, "health") == served
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
