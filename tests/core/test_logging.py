"""The logs say what matters once: a routine 403 in one line, the worker's lines not doubled."""

import io
import logging
import logging.config

import pytest
from django.conf import settings

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
