import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from qalibrate.core import backup


class Command(BaseCommand):
    help = (
        "Write the database, the media folder and a manifest into one .tar.gz file, safely "
        "while Qalibrate runs (README: Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write, e.g. qalibrate.tar.gz")
        parser.add_argument(
            "--with-secret-key",
            action="store_true",
            help="also store the secret key (whoever has the file and the key can forge log-ins)",
        )

    def handle(self, *args, file, with_secret_key, **options):
        try:
            manifest = backup.create_backup(file, with_secret_key=with_secret_key)
        except (backup.BackupError, DatabaseError, sqlite3.Error) as error:
            raise CommandError(backup.one_line(error)) from None
        rows = sum(manifest["counts"].values())
        media = manifest["media"]
        self.stdout.write(
            f"{file}: {backup.DATABASE_NAMES[manifest['database']]} database ({rows} rows in "
            f"{len(manifest['counts'])} tables)"
        )
        if media["included"]:
            self.stdout.write(f"{file}: {media['files']} media files ({media['bytes']} bytes)")
        else:
            self.stdout.write(f"{file}: no media files: {media['note']}")
        if with_secret_key:
            self.stdout.write(f"{file}: the secret key is inside; keep the file safe")
