"""Production mode serves every page over HTTPS: plain HTTP is redirected, HSTS tells browsers
to stay on HTTPS, the health checks and metrics stay reachable over plain HTTP for probes, and
`qalibrate check --deploy` has nothing to say (issue 18). Settings are read once per process,
so each case runs in a fresh Python with production's environment."""

import json
import os
import secrets
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

TIMEOUT_SECONDS = 120
REQUESTS = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
seen = {}
for name, path, secure in [
    ("login_http", "/accounts/login/", False),
    ("login_https", "/accounts/login/", True),
    ("health_http", "/health/", False),
    ("metrics_http", "/metrics", False),
]:
    extra = {"HTTP_X_FORWARDED_PROTO": "https"} if secure else {}
    response = Client().get(path, **extra)
    seen[name] = {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "hsts": response.get("Strict-Transport-Security", ""),
    }
print(json.dumps(seen))
"""


def production(tmp_path, **more) -> dict:
    # Not the test run's own switches (pytest-playwright's DJANGO_ALLOW_ASYNC_UNSAFE among them).
    variables = {k: v for k, v in os.environ.items() if not k.startswith(("QALIBRATE_", "DJANGO_"))}
    return variables | {
        "QALIBRATE_DATA_DIR": str(tmp_path),
        "QALIBRATE_PRODUCTION": "1",
        "QALIBRATE_SECRET_KEY": secrets.token_urlsafe(50),
        "QALIBRATE_ALLOWED_HOSTS": "testserver,qa.example.com",
        **more,
    }


def run(arguments: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run(
        ["-m", "qalibrate", "check", "--deploy", "--fail-level", "WARNING"], production(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_plain_http_is_redirected_and_https_carries_hsts(tmp_path):
    env = production(tmp_path, DJANGO_SETTINGS_MODULE="qalibrate.settings")
    result = run(["-c", REQUESTS], env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["login_http"]["status"] == 301
    assert seen["login_http"]["location"] == "https://testserver/accounts/login/"
    assert seen["login_https"]["status"] == 200
    hsts = seen["login_https"]["hsts"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    # Probes and scrapers inside the network call these over plain HTTP.
    assert seen["health_http"]["status"] == 200
    assert seen["metrics_http"]["status"] != 301


def test_the_redirect_can_be_left_to_the_proxy(tmp_path):
    env = production(
        tmp_path, DJANGO_SETTINGS_MODULE="qalibrate.settings", QALIBRATE_SSL_REDIRECT="0"
    )
    result = run(["-c", REQUESTS], env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["login_http"]["status"] == 200
