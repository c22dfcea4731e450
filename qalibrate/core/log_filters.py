"""Filters for the logging configuration in settings.LOGGING."""

import logging


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
