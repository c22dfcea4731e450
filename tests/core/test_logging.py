"""The logs say what matters once: a routine 403 in one line, the worker's lines not doubled;
and, asked for JSON, a line per request and per background job that machines can read."""

import copy
import io
import json
import logging
import logging.config
import os
import subprocess
import sys

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from qalibrate.accounts.models import Role


def test_a_routine_403_is_logged_in_one_line_without_a_traceback(client, users, caplog):
    client.force_login(users[Role.AGENT])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/scorecards/new/")  # only QA leads and admins build scorecards
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /scorecards/new/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    from qalibrate.core.log_filters import ClientErrorWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), exc_info)
    record.status_code = 500
    assert ClientErrorWithoutTraceback().filter(record) and record.exc_info is exc_info


@pytest.fixture
def console():
    """settings.LOGGING applied anew, its console handler writing into a string."""
    logging.config.dictConfig(settings.LOGGING)
    stream = io.StringIO()
    [handler] = logging.getLogger("huey").handlers
    handler.setStream(stream)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def test_the_worker_prints_each_line_once_and_no_line_per_task(console):
    huey_logger = logging.getLogger("huey")
    # `qalibrate worker` (huey's run_huey) adds a handler of its own only when there is none.
    assert huey_logger.handlers and not huey_logger.propagate
    assert huey_logger.handlers[0] in logging.getLogger().handlers  # the one console
    logging.getLogger("huey.consumer").info("Huey consumer started")
    logging.getLogger("huey").info("Executing qalibrate.notifications.tasks.deliver: 1234")
    logging.getLogger("huey.consumer.Scheduler").info("Enqueueing periodic task deliver_due")
    logging.getLogger("huey").warning("Task 1234 failed")
    lines = console.getvalue().splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "INFO huey.consumer: Huey consumer started",
        "WARNING huey: Task 1234 failed",
    ]


# JSON lines (QALIBRATE_LOG_FORMAT=json): one per request and one per background job run.


@pytest.fixture
def json_console():
    """settings.LOGGING as QALIBRATE_LOG_FORMAT=json makes it, writing into a string."""
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["loggers"]["qalibrate.request"]["level"] = "INFO"
    config["loggers"]["qalibrate.jobs"]["level"] = "INFO"
    logging.config.dictConfig(config)
    stream = io.StringIO()
    [handler] = logging.getLogger().handlers
    handler.setStream(stream)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def json_lines(stream, logger_name):
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == logger_name]


@HUEY.task()
def fine_job():
    return 1


@HUEY.task()
def broken_job():
    raise ConnectionRefusedError("the SMTP server is away")


def test_a_request_is_one_json_line_with_its_route_status_time_and_user(
    client, users, json_console
):
    agent = users[Role.AGENT]
    client.force_login(agent)
    client.get("/")
    client.get("/scorecards/new/")  # 403 for an agent
    client.logout()
    client.get("/health/")
    home, forbidden, health = json_lines(json_console, "qalibrate.request")
    assert home | {"duration_ms": 0, "time": ""} == {
        "time": "",
        "level": "INFO",
        "logger": "qalibrate.request",
        "message": f"GET home 200 {home['duration_ms']:.1f} ms",
        "method": "GET",
        "route": "home",
        "status": 200,
        "duration_ms": 0,
        "user_id": agent.pk,
    }
    assert home["duration_ms"] > 0 and home["time"].endswith("+00:00")
    assert (forbidden["route"], forbidden["status"], forbidden["user_id"]) == (
        "scorecard_create",
        403,
        agent.pk,
    )
    assert (health["route"], health["status"], health["user_id"]) == ("health", 200, None)
    # Django's own warning for the 403 is a JSON line too, without the request object.
    [warning] = json_lines(json_console, "django.request")
    assert warning["status_code"] == 403 and "request" not in warning


def test_a_background_job_is_one_json_line_with_its_name_time_and_outcome(db, json_console):
    fine_job()  # tests run jobs at once, in this process
    broken_job()
    fine, broken = json_lines(json_console, "qalibrate.jobs")
    assert {k: fine[k] for k in ("level", "job", "outcome", "error")} == {
        "level": "INFO",
        "job": "fine_job",
        "outcome": "complete",
        "error": None,
    }
    assert {k: broken[k] for k in ("level", "job", "outcome", "error")} == {
        "level": "WARNING",
        "job": "broken_job",
        "outcome": "error",
        "error": "ConnectionRefusedError",
    }
    assert fine["duration_ms"] >= 0 and broken["job_id"]
    # huey's own report of the failure keeps its traceback, as one JSON string.
    [huey_error] = [line for line in json_lines(json_console, "huey") if "exception" in line]
    assert "ConnectionRefusedError: the SMTP server is away" in huey_error["exception"]


RUN_ONE_OF_EACH = """
import django
django.setup()
from django.test import Client
from huey.contrib.djhuey import HUEY

@HUEY.task()
def tidy_up():
    return None

Client(HTTP_HOST="127.0.0.1").get("/health/")
tidy_up()
"""


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("QALIBRATE_DATABASE_URL")), reason="a process test: runs on SQLite only"
)
@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_qalibrate_log_format_json_makes_every_line_json(tmp_path, log_format):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "qalibrate.settings",
        "QALIBRATE_DATA_DIR": str(tmp_path),
        "QALIBRATE_JOBS_IMMEDIATE": "1",
        "QALIBRATE_LOG_FORMAT": log_format,
    }
    result = subprocess.run(
        [sys.executable, "-c", RUN_ONE_OF_EACH],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    if log_format == "plain":
        # The default: warnings and errors only, no line per request or job.
        assert "health" not in result.stderr and "tidy_up" not in result.stderr
        return
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    [request] = [line for line in lines if line["logger"] == "qalibrate.request"]
    assert {k: request[k] for k in ("method", "route", "status", "user_id")} == {
        "method": "GET",
        "route": "health",
        "status": 200,
        "user_id": None,
    }
    [job] = [line for line in lines if line["logger"] == "qalibrate.jobs"]
    assert (job["job"], job["outcome"]) == ("tidy_up", "complete")
    assert isinstance(job["duration_ms"], float)
