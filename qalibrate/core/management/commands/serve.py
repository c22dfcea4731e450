import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply migrations and serve Qalibrate with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host, port, workers, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Qalibrate is running at http://{host}:{port}/  (Ctrl+C stops it)")
        sys.stdout.flush()
        command = [
            sys.executable, "-m", "gunicorn", "qalibrate.wsgi",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--threads", "4",
            "--access-logfile", "-",
        ]  # fmt: skip
        os.execv(sys.executable, command)
