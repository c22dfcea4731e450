import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from qalibrate.demo.builder import DEMO_PASSWORD, build_demo, demo_exists


class Command(BaseCommand):
    help = "Set up the database, load the demo organisation (once) and start the server."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete all data and rebuild.")
        parser.add_argument("--no-serve", action="store_true", help="Load the data, do not serve.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, reset, no_serve, host, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if demo_exists():
            self.stdout.write("Demo data is already loaded (use --reset to rebuild it).")
            logins = None
        else:
            self.stdout.write("Loading the demo organisation ...")
            summary = build_demo()
            logins = summary.logins
            self.stdout.write(
                f"{summary.teams} teams, {summary.agents} agents, {summary.contacts} contacts "
                f"({summary.recordings} with recordings), {summary.scorecards} scorecards, "
                f"{summary.evaluations} evaluations, {summary.sessions} calibration sessions."
            )
        self._print_logins(logins)
        if not no_serve:
            # The background jobs (e-mail to DATA_DIR/mail, reminders, series) run beside the
            # server; Ctrl+C stops both, as they share the terminal's process group.
            subprocess.Popen([sys.executable, "-m", "qalibrate", "worker"])
            self.stdout.write(
                "Background jobs: a worker is running (e-mail goes to files in "
                f"{settings.EMAIL_FILE_PATH})."
            )
            call_command("serve", host=host, port=port)

    def _print_logins(self, logins) -> None:
        from qalibrate.accounts.models import User

        if logins is None:
            logins = [
                (user.get_role_display(), user.username, str(user))
                for user in User.objects.filter(email__endswith="@demo.qalibrate.example").order_by(
                    "role", "username"
                )
            ]
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for role, username, name in logins:
            self.stdout.write(f"  {role:<15} {username:<18} {name}")
        self.stdout.write("")
