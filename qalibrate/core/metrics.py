"""What /metrics says, in Prometheus' text format (prometheus-client).

Request latency is measured in each process as requests are served. Under gunicorn's several
worker processes each writes its numbers to files in PROMETHEUS_MULTIPROC_DIR (qalibrate/wsgi.py
sets it up) and a scrape, whichever worker answers it, adds up every worker's files. The queue
and the e-mail outbox are counted from the queue and the database at scrape time."""

import ipaddress
import os
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from huey.contrib import djhuey
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client import exposition as prometheus_exposition
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from qalibrate.notifications.models import EmailStatus, Notification

CONTENT_TYPE = prometheus_exposition.CONTENT_TYPE_LATEST
# An e-mail still waiting this long after it was due means the worker is not keeping up.
LATE_AFTER = timedelta(minutes=5)

REQUEST_SECONDS = Histogram(
    "qalibrate_http_request_duration_seconds",
    "Time to answer a request, by URL pattern name, method and status class.",
    ["route", "method", "status"],
    registry=None,  # collected per scrape, by scrape_registry()
)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route=route, method=method, status=f"{status // 100}xx").observe(seconds)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class QueueAndOutboxCollector:
    """Counted when scraped, so every worker answers the same and nothing goes stale."""

    def collect(self):
        queue_up = GaugeMetricFamily(
            "qalibrate_queue_up", "1 when the job queue answered this scrape, else 0."
        )
        try:
            pending_jobs = djhuey.HUEY.pending_count()
        except Exception:  # any failure of the queue's store: Redis down, the file unreadable
            queue_up.add_metric([], 0)
        else:
            queue_up.add_metric([], 1)
            yield GaugeMetricFamily(
                "qalibrate_queue_pending_jobs", "Jobs waiting in the queue.", value=pending_jobs
            )
        yield queue_up

        database_up = GaugeMetricFamily(
            "qalibrate_database_up", "1 when the database answered this scrape, else 0."
        )
        try:
            outbox = outbox_counts()
        except DatabaseError:
            database_up.add_metric([], 0)
        else:
            database_up.add_metric([], 1)
            yield GaugeMetricFamily(
                "qalibrate_outbox_backlog",
                "E-mails waiting to be sent or being sent.",
                value=outbox["backlog"],
            )
            yield GaugeMetricFamily(
                "qalibrate_outbox_oldest_age_seconds",
                "Age of the oldest e-mail waiting to be sent (0 when none waits).",
                value=outbox["oldest_age_seconds"],
            )
            yield GaugeMetricFamily(
                "qalibrate_outbox_late",
                "E-mails waiting more than 5 minutes after they were due (jobs late).",
                value=outbox["late"],
            )
            yield GaugeMetricFamily(
                "qalibrate_outbox_failed",
                "E-mails given up on after their last attempt, until an administrator retries.",
                value=outbox["failed"],
            )
        yield database_up


def outbox_counts() -> dict:
    """One query over the outbox: backlog, late, failed, and the oldest waiting e-mail."""
    now = timezone.now()
    waiting = Q(email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
    # Due at next_attempt_at after a failed attempt, else as soon as it was written.
    late = Q(email_status=EmailStatus.PENDING) & (
        Q(next_attempt_at__lt=now - LATE_AFTER)
        | Q(next_attempt_at__isnull=True, created_at__lt=now - LATE_AFTER)
    )
    row = Notification.objects.filter(
        email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING, EmailStatus.FAILED]
    ).aggregate(
        backlog=Count("pk", filter=waiting),
        late=Count("pk", filter=late),
        failed=Count("pk", filter=Q(email_status=EmailStatus.FAILED)),
        oldest=Min("created_at", filter=waiting),
    )
    oldest = row.pop("oldest")
    row["oldest_age_seconds"] = (now - oldest).total_seconds() if oldest else 0.0
    return row


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)  # every worker's request numbers, from their files
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(QueueAndOutboxCollector())
    return registry


def exposition() -> bytes:
    return generate_latest(scrape_registry())


def may_scrape(request) -> bool:
    """With the bearer token (when one is set), or from an address in QALIBRATE_METRICS_ALLOW,
    and then only for a request that did not come through a proxy: behind a proxy on the same
    machine every visitor would otherwise arrive from 127.0.0.1."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False  # a Unix socket: no address to judge
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in settings.METRICS_ALLOW)
