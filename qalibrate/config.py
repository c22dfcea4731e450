"""Reading settings from the environment with one clear error per bad value.

Every setting is named ``QALIBRATE_<NAME>``; the README lists them all.
"""

import os
import secrets
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


def secret_key(data_dir: Path, production: bool) -> str:
    """The key from the environment; outside production mode a generated one kept on disk."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if production:
        raise ImproperlyConfigured(f"{PREFIX}SECRET_KEY is required when {PREFIX}PRODUCTION is on")
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
