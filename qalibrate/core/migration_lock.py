"""Migrations run by one process at a time, however many machines start together.

`qalibrate serve` migrates before it serves; several nodes starting at once on an empty database
would otherwise each try to create the same tables. The lock is PostgreSQL's advisory lock (held
by the database for this connection, so it is released even when the process dies), or on SQLite,
where every process is on one machine, an flock on a file in the data folder.
"""

from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

# Any fixed number: the advisory lock's name, the same in every Qalibrate process.
ADVISORY_LOCK_KEY = 0x51A11B

LOCK_FILE = "migrate.lock"


@contextmanager
def _advisory_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


@contextmanager
def _file_lock(path: Path):
    import fcntl  # Unix only, as is gunicorn, which `serve` runs.

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        yield


def migrate_locked(verbosity: int = 0) -> None:
    """Apply the migrations that are missing, waiting for any other process doing the same."""
    if connection.vendor == "postgresql":
        lock = _advisory_lock()
    else:
        lock = _file_lock(Path(settings.DATA_DIR) / LOCK_FILE)
    with lock:
        call_command("migrate", interactive=False, verbosity=verbosity)
