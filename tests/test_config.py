import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from qalibrate import config


@pytest.fixture
def env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("QALIBRATE_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_sqlite_in_the_data_folder_by_default(env, tmp_path):
    db = config.database_config(tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == tmp_path / "qalibrate.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_url(env, tmp_path):
    env.setenv("QALIBRATE_DATABASE_URL", "postgres://qa:secret@db.local:5433/qalibrate")
    db = config.database_config(tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db.local", 5433, "qalibrate", "qa")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "is set but empty"),
        ("mysql://root@localhost/q", "must start with postgres:// or sqlite:///"),
        ("db.local:5432/qalibrate", "must start with postgres:// or sqlite:///"),
        ("postgres://qa:secret@db.local:notaport/q", "malformed"),
        ("postgres://qa:secret@db.local:5432/", "names no database"),
    ],
)
def test_bad_database_url_names_the_setting(env, tmp_path, url, message):
    env.setenv("QALIBRATE_DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="QALIBRATE_DATABASE_URL") as error:
        config.database_config(tmp_path)
    assert message in str(error.value)
    assert "secret" not in str(error.value)


def test_bad_boolean_is_refused(env):
    env.setenv("QALIBRATE_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="QALIBRATE_DEBUG must be"):
        config.env_bool("DEBUG")


def test_secret_key_is_generated_once_and_kept(env, tmp_path):
    first = config.secret_key(tmp_path, production=False)
    assert len(first) > 40
    assert config.secret_key(tmp_path, production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_is_required_in_production(env, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="QALIBRATE_SECRET_KEY is required"):
        config.secret_key(tmp_path, production=True)
    env.setenv("QALIBRATE_SECRET_KEY", "from-the-environment")
    assert config.secret_key(tmp_path, production=True) == "from-the-environment"


def _run_cli(tmp_path: Path, **environment) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    clean |= {"QALIBRATE_DATA_DIR": str(tmp_path), **environment}
    return subprocess.run(
        [sys.executable, "-m", "qalibrate", "check"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_console_command_stops_with_one_clear_line_on_a_bad_url(tmp_path):
    result = _run_cli(tmp_path, QALIBRATE_DATABASE_URL="postgres//nohost")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("qalibrate: configuration error: QALIBRATE_DATABASE_URL")


def test_console_command_runs_django_checks(tmp_path):
    result = _run_cli(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
