"""Filters and the JSON formatter for the logging configuration in settings.LOGGING."""

import json
import logging
from datetime import UTC, datetime


class ClientErrorWithoutTraceback(logging.Filter):
    """A 4xx answer (a 403 for a page someone may not see, say) is routine: Django logs it with
    the exception that caused it, which prints a traceback as if something had crashed. Keep the
    one-line warning, drop the traceback; server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# What every LogRecord has; anything else on a record came from `extra=` and is written as a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Django's request log passes the request object itself: its fields are in the message already.
_LEFT_OUT = frozenset({"request"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line (QALIBRATE_LOG_FORMAT=json): time, level, logger, message, the
    record's extra fields (a request's method, route, status, duration_ms, user_id; a job's name,
    duration_ms, outcome), and the traceback as one string when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _LEFT_OUT and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)
