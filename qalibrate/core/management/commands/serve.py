import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from qalibrate.core.migration_lock import migrate_locked


class Command(BaseCommand):
    help = "Apply migrations (one process at a time) and serve Qalibrate with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Do not migrate: a separate `qalibrate migrate` does it once for all nodes.",
        )

    def handle(self, *args, host, port, workers, no_migrate, **options):
        if not no_migrate:
            migrate_locked()
        # gunicorn's workers open their own connections; this process's would linger unused.
        connections.close_all()
        self.stdout.write(f"Qalibrate is running at http://{host}:{port}/  (Ctrl+C stops it)")
        sys.stdout.flush()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "qalibrate.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
        ]
        if settings.LOG_FORMAT != "json":  # in JSON, Qalibrate's own request line replaces it
            command += ["--access-logfile", "-"]
        os.execv(sys.executable, command)
