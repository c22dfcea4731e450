"""/health/ says whether the database and the job queue answer, and which does not;
/health/ready/ whether this node can serve: its database reachable and fully migrated."""

import json
import os
import subprocess
import sys

import pytest
from django.db.migrations.recorder import MigrationRecorder
from huey import RedisHuey
from huey.contrib import djhuey

from tests.smtp import free_port


def test_health_is_ok_when_the_database_and_the_queue_answer(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_health_names_the_queue_when_redis_does_not_answer(client, db, monkeypatch):
    # A real Redis client, pointed at a port where nothing listens.
    down = RedisHuey("qalibrate-health-test", url=f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(djhuey, "HUEY", down)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "queue": "ConnectionError"}


def test_ready_when_every_migration_is_applied(client, db):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}


def test_not_ready_while_a_migration_is_not_applied(client, db):
    # As on a node whose code is newer than its database: the latest migration is not recorded.
    MigrationRecorder.Migration.objects.filter(app="notifications").order_by("-id")[0].delete()
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "migrations": "UnappliedMigrations",
    }
    assert client.get("/health/").status_code == 200  # alive, only not ready


REQUEST_BOTH = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for path in ("/health/", "/health/ready/"):
    response = client.get(path)
    print(json.dumps([path, response.status_code, response.json()]))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("QALIBRATE_DATABASE_URL")), reason="a process test: runs on SQLite only"
)
def test_health_names_the_database_when_postgresql_does_not_answer(tmp_path):
    """A process configured with a PostgreSQL on a port where nothing listens."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "qalibrate.settings",
        "QALIBRATE_DATA_DIR": str(tmp_path),
        "QALIBRATE_DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/test",
    }
    result = subprocess.run(
        [sys.executable, "-c", REQUEST_BOTH],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers == [
        ["/health/", 503, {"status": "error", "database": "OperationalError", "queue": "ok"}],
        [
            "/health/ready/",
            503,
            {"status": "error", "database": "OperationalError", "migrations": "OperationalError"},
        ],
    ]
