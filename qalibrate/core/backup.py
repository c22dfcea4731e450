"""Backups that restore: one .tar.gz with the database, the media folder and a manifest.

SQLite is copied through SQLite's online backup API: one read snapshot, taken while writers go on
in the write-ahead log (copying the file would miss what is still in the WAL, or catch a write
half done). PostgreSQL is dumped by ``pg_dump`` in its custom format. README "Backups".

Archive layout::

    manifest.json          version, database kind, when, row counts, media, migrations
    database.sqlite3       or database.pgdump
    media/...              the local media folder (not when media lives in an object store)
    secret_key             only with --with-secret-key
"""

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from qalibrate import __version__

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA = "media"
SECRET_KEY = "secret_key"  # noqa: S105 (the name of a file in the archive)
# Log-in sessions stay out: their keys are live cookies for whoever reads the backup.
SKIPPED_TABLES = {"django_session"}
OBJECT_STORE_NOTE = (
    "media files are in an object store, not in this backup; back them up with that store's tools"
)


class BackupError(Exception):
    """Stops a backup or a restore with one line saying why."""


def one_line(error: Exception) -> str:
    """The first line of an error (a database's can run to several), for the command's output."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# --- what is configured ----------------------------------------------------------------------


def database_kind() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"cannot back up a database of engine {engine}")


def media_root() -> Path | None:
    """The local media folder, or None when the default storage is not on this disk (S3)."""
    storage = storages["default"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


def counted_models() -> list:
    """Qalibrate's own tables, the manifest counts the rows of each."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("qalibrate.")
        and model._meta.managed
        and not model._meta.proxy
    ]


def _facts(cursor, tables: set[str]) -> dict:
    """Applied migrations and row counts, read through ``cursor`` from the backed-up snapshot."""
    if "django_migrations" not in tables:
        raise BackupError("the database holds no Qalibrate tables yet; nothing to back up")
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    counts = {}
    for model in counted_models():
        if model._meta.db_table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608
            counts[model._meta.label] = cursor.fetchone()[0]
    return {"counts": counts, "migrations": migrations}


# --- backup ----------------------------------------------------------------------------------


def create_backup(target: Path, *, with_secret_key: bool = False) -> dict:
    """Write the archive to ``target`` (replaced whole at the end, never left half written)
    and return its manifest."""
    target = Path(target).resolve()
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    kind = database_kind()
    root = media_root()
    if root is not None and target.is_relative_to(root.resolve()):
        raise BackupError(f"write the backup outside the media folder {root}")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".qalibrate-backup-") as work:
        work = Path(work)
        database_file = work / DATABASE_FILES[kind]
        if kind == "sqlite":
            facts = _sqlite_snapshot(Path(settings.DATABASES["default"]["NAME"]), database_file)
        else:
            facts = _postgres_dump(database_file)
        partial = work / "backup.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(database_file, arcname=database_file.name)
            media = _add_media(archive, root)
            if with_secret_key:
                _add_bytes(archive, SECRET_KEY, settings.SECRET_KEY.encode(), mode=0o600)
            manifest = {
                "format": ARCHIVE_FORMAT,
                "qalibrate_version": __version__,
                "created_at": timezone.now().isoformat(),
                "database": kind,
                "database_file": database_file.name,
                "counts": facts["counts"],
                "media": media,
                "secret_key": with_secret_key,
                "migrations": facts["migrations"],
            }
            # Last, so that its media counts are of the files actually written.
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
        # Personal data (names, transcripts, recordings): for the owner's eyes only.
        partial.chmod(0o600)
        os.replace(partial, target)
    return manifest


def _sqlite_snapshot(source_path: Path, copy_path: Path) -> dict:
    if not source_path.is_file():
        raise BackupError(f"there is no SQLite database at {source_path}")
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(copy_path)
    try:
        # One step (pages=-1): a single read transaction, so one consistent snapshot, while
        # writers go on appending to the WAL.
        source.backup(copy, pages=-1)
    finally:
        source.close()
    try:
        # One self-contained file: no -wal beside it to lose.
        copy.execute("PRAGMA journal_mode=DELETE")
        tables = {
            row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table in SKIPPED_TABLES & tables:
            copy.execute(f'DELETE FROM "{table}"')  # noqa: S608 (our own names)
        copy.commit()
        # Deleted rows leave their bytes in free pages until the file is rebuilt.
        copy.execute("VACUUM")
        return _facts(copy.cursor(), tables)
    finally:
        copy.close()


def _postgres_dump(path: Path) -> dict:
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the snapshot this transaction exports, so the manifest's counts are
        # of exactly the rows in the dump, however busy the writers are.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _facts(cursor, set(connection.introspection.table_names(cursor)))
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={path}",
                *[f"--exclude-table-data={table}" for table in sorted(SKIPPED_TABLES)],
                *_postgres_arguments(),
            ],
            "pg_dump",
        )
    return facts


def _add_media(archive: tarfile.TarFile, root: Path | None) -> dict:
    if root is None:
        backend = settings.STORAGES["default"]["BACKEND"]
        return {"included": False, "storage": backend, "note": OBJECT_STORE_NOTE}
    files = size = 0
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_symlink() or not path.is_file():
            continue
        name = f"{MEDIA}/{path.relative_to(root).as_posix()}"
        try:
            info = archive.gettarinfo(path, arcname=name)
            with path.open("rb") as data:
                archive.addfile(info, data)
        except FileNotFoundError:  # deleted since the listing: not part of the snapshot
            continue
        files += 1
        size += info.size
    return {"included": True, "files": files, "bytes": size}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, *, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), mode
    archive.addfile(info, io.BytesIO(data))


# --- PostgreSQL tools ------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} is not installed; it comes with PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client), of the server's major version or newer"
        )
    return path


def _postgres_arguments() -> list[str]:
    """The connection of DATABASES["default"]; never a prompt (a cron job would hang)."""
    database = settings.DATABASES["default"]
    arguments = [f"--dbname={database['NAME']}", "--no-password"]
    if database.get("HOST"):
        arguments.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        arguments.append(f"--port={database['PORT']}")
    if database.get("USER"):
        arguments.append(f"--username={database['USER']}")
    return arguments


def _run(command: list[str], name: str) -> None:
    database = settings.DATABASES["default"]
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    if database.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{name} failed: {lines[0] if lines else f'exit {result.returncode}'}")


# --- restore ---------------------------------------------------------------------------------


def restore_backup(source: Path, *, force: bool = False) -> dict:
    """Put the archive's database, media and (if it holds one) secret key in place, then
    migrate: a backup of an older version comes back in this version's shape. Only into an
    empty database and media folder unless ``force``. Returns the manifest."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no such file: {source}")
    kind = database_kind()
    root = media_root()
    if not force:
        _refuse_unless_empty(kind, root)
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".qalibrate-restore-") as work:
        work = Path(work)
        _unpack(source, work)
        manifest = _checked_manifest(work, kind, source, force=force)
        if kind == "sqlite":
            _restore_sqlite(work / DATABASE_FILES[kind])
        else:
            _restore_postgres(work / DATABASE_FILES[kind])
        if (work / MEDIA).is_dir() and root is not None:
            _replace_media(work / MEDIA, root)
        if (work / SECRET_KEY).is_file():
            _place_secret_key(work / SECRET_KEY, data_dir / "secret_key")
    connections.close_all()
    call_command("migrate", interactive=False, verbosity=0)
    return manifest


def _refuse_unless_empty(kind: str, root: Path | None) -> None:
    if kind == "sqlite":
        tables = _sqlite_tables(Path(settings.DATABASES["default"]["NAME"]))
    else:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
    reasons = []
    if tables:
        reasons.append(f"the database already has {len(tables)} tables")
    if root is not None and root.is_dir() and any(p.is_file() for p in root.rglob("*")):
        reasons.append(f"the media folder {root} holds files")
    if reasons:
        raise BackupError(
            f"restore refused: {' and '.join(reasons)}; restore into an empty data folder and "
            "database, or pass --force to replace them"
        )


def _sqlite_tables(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    database = sqlite3.connect(path)
    try:
        return {
            row[0]
            for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    finally:
        database.close()


def _unpack(source: Path, work: Path) -> None:
    """Regular files only, and only below ``work``: an archive is data, never a path to
    anywhere else on the disk."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive:
                name = PurePosixPath(member.name)
                if name.is_absolute() or ".." in name.parts:
                    raise BackupError(f"{source} holds an unsafe path: {member.name}")
                if not member.isfile():
                    continue
                destination = work.joinpath(*name.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as data, destination.open("wb") as out:
                    shutil.copyfileobj(data, out)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{source} is not a readable Qalibrate backup ({error})") from None


def _checked_manifest(work: Path, kind: str, source: Path, *, force: bool) -> dict:
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{source} is not a Qalibrate backup: it has no manifest.json") from None
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"{source} is of a backup format this version cannot read")
    if manifest.get("database") != kind:
        raise BackupError(
            f"{source} is a backup of {DATABASE_NAMES.get(manifest.get('database'), '?')}, "
            f"but Qalibrate is set up for {DATABASE_NAMES[kind]} (QALIBRATE_DATABASE_URL)"
        )
    if not (work / DATABASE_FILES[kind]).is_file():
        raise BackupError(f"{source} is incomplete: it has no {DATABASE_FILES[kind]}")
    # A backup from a newer version: its tables have columns this version would not fill in.
    ours = {
        config.label for config in apps.get_app_configs() if config.name.startswith("qalibrate.")
    }
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    newer = [
        name
        for name in manifest.get("migrations", [])
        if name.split(".")[0] in ours and name not in known
    ]
    if newer and not force:
        raise BackupError(
            f"{source} comes from a newer Qalibrate ({manifest.get('qalibrate_version')}, "
            f"migration {newer[0]} unknown here); upgrade Qalibrate first"
        )
    return manifest


def _restore_sqlite(database_file: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    check = sqlite3.connect(database_file)
    try:
        damaged = check.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    finally:
        check.close()
    if damaged:
        raise BackupError("the backup's SQLite database is damaged (quick_check failed)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(database_file, staged)
    # A WAL or shared-memory file of the database being replaced would be replayed into the
    # restored one and corrupt it.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)


def _restore_postgres(dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    connections.close_all()
    # One transaction: a restore that fails leaves the database as it was.
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-acl",
            "--clean",
            "--if-exists",
            "--single-transaction",
            *_postgres_arguments(),
            str(dump),
        ],
        "pg_restore",
    )


def _replace_media(unpacked: Path, root: Path) -> None:
    """Empty the folder and move the backup's files in. The folder itself stays: it may be a
    mount point (QALIBRATE_MEDIA_DIR on a shared disk)."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():  # without --force: checked to hold no file
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in unpacked.iterdir():
        shutil.move(child, root / child.name)


def _place_secret_key(source: Path, target: Path) -> None:
    staged = target.with_name(target.name + ".restoring")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(source.read_text().strip())
    os.replace(staged, target)
