"""Reading settings from the environment with one clear error per bad value.

Every setting is named ``QALIBRATE_<NAME>``; the README lists them all.
"""

import hashlib
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PREFIX = "QALIBRATE_"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(PREFIX + name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(PREFIX + name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{PREFIX}{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}"
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(PREFIX + name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(PREFIX + name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_map(name: str) -> dict[str, str]:
    """ "qa-leads=qa_lead,qa-admins=admin" as {"qa-leads": "qa_lead", "qa-admins": "admin"}."""
    pairs = (item.split("=", 1) for item in env_list(name, []) if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs if key.strip()}


def _mask_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def database_config(data_dir: Path) -> dict:
    """SQLite in the data folder by default; any database given by QALIBRATE_DATABASE_URL."""
    name = PREFIX + "DATABASE_URL"
    raw = os.environ.get(name)
    if raw is None:
        return sqlite_config(data_dir / "qalibrate.sqlite3")
    url = raw.strip()
    if not url:
        raise ImproperlyConfigured(f"{name} is set but empty; unset it to use SQLite")
    scheme = urlsplit(url).scheme
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with postgres:// or sqlite:///, got {_mask_password(url)!r}"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} is malformed ({error}): {_mask_password(url)!r}"
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database: {_mask_password(url)!r}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_config(Path(config["NAME"]))
    return config


def sqlite_config(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers go on while one request writes; IMMEDIATE takes the write
            # lock at the start of a transaction, so concurrent writers wait instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


def several_nodes_sign() -> str | None:
    """Which setting says Qalibrate runs on several machines, or None.

    A shared job queue or a shared object store is there for more than one machine; each machine
    would generate a key of its own, and a log-in signed on one would be unknown on the next.
    """
    if env_str("REDIS_URL"):
        return f"{PREFIX}REDIS_URL is set"
    if env_str("MEDIA_STORAGE").lower() == "s3":
        return f"{PREFIX}MEDIA_STORAGE is s3"
    return None


def secret_key(data_dir: Path, production: bool, several_nodes: str | None = None) -> str:
    """The key from the environment; outside production mode, on one machine, a generated one
    kept on disk. ``several_nodes`` is the reason to think there are several (see above)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if production:
        raise ImproperlyConfigured(f"{PREFIX}SECRET_KEY is required when {PREFIX}PRODUCTION is on")
    if several_nodes:
        raise ImproperlyConfigured(
            f"{PREFIX}SECRET_KEY is required when {several_nodes}: every machine must sign "
            "log-ins with the same key"
        )
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


MEDIA_STORAGES = ("local", "s3")


def media_dir(data_dir: Path) -> Path:
    """Where local media go: DATA_DIR/media, or a shared folder (NFS) named by MEDIA_DIR."""
    raw = env_str("MEDIA_DIR")
    return Path(raw).resolve() if raw else data_dir / "media"


def media_storage() -> dict:
    """Django's "default" storage for uploads and recordings: the local folder (MEDIA_ROOT), or a
    bucket of an S3-compatible object store (django-storages), shared by every machine."""
    kind = env_str("MEDIA_STORAGE", "local").lower()
    if kind not in MEDIA_STORAGES:
        raise ImproperlyConfigured(f"{PREFIX}MEDIA_STORAGE must be local or s3, got {kind!r}")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env_str("S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured(
            f"{PREFIX}S3_BUCKET is required when {PREFIX}MEDIA_STORAGE is s3"
        )
    endpoint = env_str("S3_ENDPOINT_URL")
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ImproperlyConfigured(
            f"{PREFIX}S3_ENDPOINT_URL must start with http:// or https://, got {endpoint!r}"
        )
    options = {
        "bucket_name": bucket,
        # Unset, boto3 finds them itself: AWS_* variables, ~/.aws, the machine's role.
        "access_key": env_str("S3_ACCESS_KEY") or None,
        "secret_key": env_str("S3_SECRET_KEY") or None,
        "region_name": env_str("S3_REGION") or None,
        "endpoint_url": endpoint or None,
        # MinIO, Ceph and the like answer at one address for every bucket.
        "addressing_style": "path" if endpoint else None,
        # As on disk: a second upload of "call.mp3" gets a new name, never replaces the first.
        "file_overwrite": False,
        "default_acl": None,
        # A recording being read is kept in memory up to 10 MB, in a temporary file beyond.
        "max_memory_size": 10 * 1024 * 1024,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def metrics_root(data_dir: Path) -> Path:
    """Where gunicorn's workers keep their request counts for /metrics (see wsgi.py): in RAM
    (/dev/shm) where there is one, one folder per installation."""
    shared_memory = Path("/dev/shm")  # noqa: S108 (a folder of our own inside it)
    base = shared_memory if os.access(shared_memory, os.W_OK) else Path(tempfile.gettempdir())
    installation = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return base / f"qalibrate-metrics-{installation}"
