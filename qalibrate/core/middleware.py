"""A full disk or a read-only data folder, met while a request writes, answers 503 naming the cause
instead of the generic server error page, and is logged once."""

import errno
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FULL = "disk full"
READ_ONLY = "read-only"
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
DENIED_ERRNOS = {errno.EACCES, errno.EPERM}
# SQLite's words for SQLITE_FULL and SQLITE_READONLY; PostgreSQL's SQLSTATE for disk_full.
SQLITE_MESSAGES = {
    "database or disk is full": FULL,
    "attempt to write a readonly database": READ_ONLY,
}
POSTGRES_DISK_FULL = "53100"
# Words SQLite in WAL mode may give for a full disk or a read-only folder (it cannot make its
# -shm and -wal files there): the disk then tells which, if either.
SQLITE_VAGUE_MESSAGES = ["disk I/O error", "unable to open database file"]
LOW_SPACE_BYTES = 1024 * 1024


def storage_problem(error: BaseException) -> tuple[str, BaseException] | None:
    """The cause (FULL or READ_ONLY) and the error that shows it, when the error or one that led
    to it is the server's storage refusing a write; None for any other error."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        cause = _cause(error)
        if cause:
            return cause, error
        error = error.__cause__ or error.__context__
    return None


def _cause(error: BaseException) -> str | None:
    if isinstance(error, OSError) and error.errno is not None:
        if error.errno in FULL_ERRNOS:
            return FULL
        if error.errno == errno.EROFS:
            return READ_ONLY
        # Refused permission elsewhere (a file the user named, say) is another problem.
        if error.errno in DENIED_ERRNOS and _in_data_folder(error.filename, error.filename2):
            return READ_ONLY
        return None
    if getattr(error, "sqlstate", None) == POSTGRES_DISK_FULL:
        return FULL
    # sqlite3.OperationalError, and Django's OperationalError made from it, in any case.
    if type(error).__name__ == "OperationalError":
        text = str(error)
        if any(words in text for words in SQLITE_VAGUE_MESSAGES):
            return _sqlite_disk_state()
        return next((cause for words, cause in SQLITE_MESSAGES.items() if words in text), None)
    return None


def _sqlite_disk_state() -> str | None:
    database = connection.settings_dict
    if connection.vendor != "sqlite":
        return None
    try:
        disk = os.statvfs(Path(database["NAME"]).parent)
    except OSError:
        return None
    if disk.f_flag & os.ST_RDONLY:
        return READ_ONLY
    if disk.f_bavail * disk.f_frsize < LOW_SPACE_BYTES:
        return FULL
    return None  # a failing disk or a missing folder: the generic error page, a traceback


def _in_data_folder(*filenames) -> bool:
    folders = [Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT)]
    for filename in filenames:
        if isinstance(filename, str | bytes | os.PathLike):
            path = Path(os.path.abspath(os.fsdecode(filename)))
            if any(path.is_relative_to(folder) for folder in folders):
                return True
    return False


class StorageErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        found = storage_problem(exception)
        if found is None:
            return None  # Django's own handling: the 500 page and a traceback in the log
        cause, error = found
        logger.error(
            "Storage failure, nothing saved: %s (%s %s): %s",
            cause,
            request.method,
            request.path,
            error,
            extra={"storage_problem": cause},
        )
        message = _storage_message(cause)
        if request.path_info.startswith("/api/") or not request.accepts("text/html"):
            response = JsonResponse({"detail": message, "errors": []}, status=503)
        else:
            response = render(
                request,
                "503_storage.html",
                {"heading": _storage_heading(cause), "message": message},
                status=503,
            )
        # Logged above with its cause; Django would log the 503 a second time without it.
        response._has_been_logged = True
        return response


def _storage_heading(cause: str) -> str:
    if cause == FULL:
        return _("The server's disk is full")
    return _("The server's data folder is read-only")


def _storage_message(cause: str) -> str:
    if cause == FULL:
        return _(
            "The server's disk is full, so nothing could be saved. Your changes were not "
            "stored; try again once an administrator has freed space."
        )
    return _(
        "The server's data folder is read-only, so nothing could be saved. Your changes were "
        "not stored; try again once an administrator has made it writable again."
    )
