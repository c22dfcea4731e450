"""The README's first command, for real: `qalibrate demo` serves the login page on its port, and
the README's curl example of the REST API works against it as written."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.slow

STARTUP_LIMIT_SECONDS = 180
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`qalibrate demo` on a free port, as in the README: SQLite in a fresh data folder, whatever
    database the suite runs on. Yields (port, environment, the file its output goes to)."""
    data = tmp_path_factory.mktemp("demo")
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment |= {"QALIBRATE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    output = data / "output.txt"
    with output.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "qalibrate", "demo", "--port", str(port)],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        while time.monotonic() - started < STARTUP_LIMIT_SECONDS and server.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/").close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the demo did not serve the login page in time:\n" + output.read_text())
        yield port, environment, output
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_demo_command_serves_the_login_page(demo):
    port, _environment, output = demo
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as response:
        page = response.read().decode()
    assert "Log in to Qalibrate" in page
    assert "/static/qalibrate/css/app.css" in page
    printed = output.read_text()
    assert "Demo logins (password for all: calibrate)" in printed
    assert f"http://127.0.0.1:{port}/" in printed


def readme_api_example() -> str:
    text = README.read_text()
    match = re.search(r"<!-- api-example -->\n```sh\n(.*?)```", text, re.S)
    assert match, "the README's REST API section lost its example"
    return match.group(1)


@pytest.mark.skipif(
    not shutil.which("curl") and os.environ.get("CI") != "true", reason="needs curl"
)
def test_the_readme_curl_example_works_against_the_demo(demo):
    port, environment, _output = demo
    script = readme_api_example()
    assert "http://127.0.0.1:8000/api/v1" in script
    # Only the port and the way to reach the `qalibrate` command differ from the README.
    script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace(
        ".venv/bin/qalibrate", f"{sys.executable} -m qalibrate"
    )
    script = script.replace("curl -s", 'curl -s -w "\\n%{http_code}\\n"')
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split("\n")
    planned, planned_status, report, report_status = lines
    assert planned_status == "201", planned
    session = json.loads(planned)
    assert session["status"] == "draft" and len(session["contacts"]) == 5
    assert [e["name"] for e in session["evaluators"]] == ["James Cole", "Priya Shah"]
    assert session["version"]["scorecard_name"] == "Inbound support call"
    assert report_status == "200", report
    figures = json.loads(report)
    assert figures["session"]["title"] == "Customer support: calls, week 47"
    assert figures["headline"]["evaluators"] >= 2 and figures["evaluators"]
