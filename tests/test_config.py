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


@pytest.mark.slow
def test_console_command_runs_django_checks(tmp_path):
    result = _run_cli(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [("QALIBRATE_REDIS_URL", "redis://cache:6379/0"), ("QALIBRATE_MEDIA_STORAGE", "s3")],
)
def test_several_machines_need_the_secret_key_given(env, tmp_path, name, value):
    env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=f"QALIBRATE_SECRET_KEY is required when {name}"):
        config.secret_key(tmp_path, production=False, several_nodes=config.several_nodes_sign())
    assert not (tmp_path / "secret_key").exists()
    env.setenv("QALIBRATE_SECRET_KEY", "shared")
    assert config.secret_key(tmp_path, False, config.several_nodes_sign()) == "shared"


def test_one_machine_signals_nothing(env):
    env.setenv("QALIBRATE_MEDIA_STORAGE", "local")
    assert config.several_nodes_sign() is None


def test_media_stay_on_the_local_disk_by_default(env, tmp_path):
    assert config.media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert config.media_dir(tmp_path) == tmp_path / "media"
    env.setenv("QALIBRATE_MEDIA_DIR", str(tmp_path / "nfs"))
    assert config.media_dir(tmp_path) == tmp_path / "nfs"


def test_s3_media_storage(env):
    env.setenv("QALIBRATE_MEDIA_STORAGE", "s3")
    env.setenv("QALIBRATE_S3_BUCKET", "recordings")
    env.setenv("QALIBRATE_S3_ENDPOINT_URL", "http://minio:9000")
    env.setenv("QALIBRATE_S3_ACCESS_KEY", "qa")
    env.setenv("QALIBRATE_S3_SECRET_KEY", "s3cret")
    env.setenv("QALIBRATE_S3_REGION", "eu-north-1")
    storage = config.media_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "recordings"
    assert options["endpoint_url"] == "http://minio:9000"
    assert (options["access_key"], options["secret_key"]) == ("qa", "s3cret")
    assert options["region_name"] == "eu-north-1"
    assert options["file_overwrite"] is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"QALIBRATE_MEDIA_STORAGE": "ftp"}, "QALIBRATE_MEDIA_STORAGE must be local or s3"),
        ({"QALIBRATE_MEDIA_STORAGE": "s3"}, "QALIBRATE_S3_BUCKET is required"),
        (
            {
                "QALIBRATE_MEDIA_STORAGE": "s3",
                "QALIBRATE_S3_BUCKET": "b",
                "QALIBRATE_S3_ENDPOINT_URL": "minio:9000",
            },
            "QALIBRATE_S3_ENDPOINT_URL must start with http",
        ),
    ],
)
def test_bad_media_storage_names_the_setting(env, variables, message):
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        config.media_storage()


def test_console_command_stops_with_one_line_without_a_shared_key(tmp_path):
    result = _run_cli(tmp_path, QALIBRATE_REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "qalibrate: configuration error: QALIBRATE_SECRET_KEY is required when "
        "QALIBRATE_REDIS_URL is set: every machine must sign log-ins with the same key"
    ]
