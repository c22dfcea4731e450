import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from qalibrate.core import backup


class Command(BaseCommand):
    help = (
        "Restore a `qalibrate backup` archive into an empty database and data folder, then "
        "migrate (README: Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="an archive written by `qalibrate backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and media folder even if they hold data",
        )

    def handle(self, *args, file, force, **options):
        try:
            manifest = backup.restore_backup(file, force=force)
        except (backup.BackupError, DatabaseError, sqlite3.Error) as error:
            raise CommandError(backup.one_line(error)) from None
        kind = backup.DATABASE_NAMES[manifest["database"]]
        self.stdout.write(
            f"Restored the {kind} database of {manifest['created_at']} "
            f"(Qalibrate {manifest['qalibrate_version']}) and migrated it."
        )
        media = manifest["media"]
        if not media["included"]:
            self.stdout.write(f"No media files: {media['note']}.")
        elif backup.media_root() is None:
            self.stdout.write(
                "The backup's media files were not restored: media is configured to live in an "
                "object store; upload the archive's media/ folder with that store's tools."
            )
        else:
            self.stdout.write(f"Restored {media['files']} media files into {backup.media_root()}.")
        if manifest["secret_key"]:
            self.stdout.write("Restored the secret key into the data folder.")
