"""Health checks, and the middleware that times every request for /metrics and the request log.

README "Health and metrics" describes what they answer."""

import logging
import time

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from huey.contrib import djhuey

from qalibrate.core import metrics

request_logger = logging.getLogger("qalibrate.request")
health_logger = logging.getLogger("qalibrate.health")


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_queue() -> None:
    # One cheap call that reaches the store: COUNT on the SQLite file, LLEN on Redis.
    djhuey.HUEY.pending_count()


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise UnappliedMigrations(f"{len(plan)} migrations not applied")


class UnappliedMigrations(Exception):
    pass


def run_checks(checks: dict) -> dict[str, str]:
    """Each part's "ok", or the class of the error it raised: the class only, since an error's
    message may name hosts or users, and the health pages answer anyone."""
    outcome = {}
    for part, check in checks.items():
        try:
            check()
        except Exception as error:
            health_logger.warning("Health check %s failed: %r", part, error)
            outcome[part] = type(error).__name__
        else:
            outcome[part] = "ok"
    return outcome


STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(request) -> str:
    """The URL pattern's name, not the path: one series per page, not per contact or session."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        if request.path.startswith(STATIC_PREFIX):
            return "static"  # answered by WhiteNoise before URL resolution
        return "unmatched"  # a 404 outside every pattern
    return match.view_name  # "namespace:name", or the view's dotted path when it has no name


def user_id_of(request) -> int | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class RequestMetricsMiddleware:
    """Times the whole request (placed first in MIDDLEWARE) into the latency histogram, and
    writes the request's line to the "qalibrate.request" log (INFO; README "Health and metrics")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        method = request.method if request.method in KNOWN_METHODS else "other"
        route = route_of(request)
        metrics.observe_request(route, method, response.status_code, seconds)
        if request_logger.isEnabledFor(logging.INFO):
            request_logger.info(
                "%s %s %s %.1f ms",
                method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": user_id_of(request),
                },
            )
        return response
