"""The ``qalibrate`` console command: Django's management commands plus our own."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qalibrate.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "qalibrate"
    if argv[1:2] == ["agreement"]:
        # Statistics for spreadsheets: pure numpy, no Django, no database, no settings.
        from qalibrate.agreement.cli import main as agreement_main

        sys.exit(agreement_main(argv[2:]))
    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        # A wrong setting stops start-up with one line naming it, not a traceback.
        print(f"qalibrate: configuration error: {error}", file=sys.stderr)
        sys.exit(2)

    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
