"""The README's first command, for real: `qalibrate demo` serves the login page on its port."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.smtp import free_port

STARTUP_LIMIT_SECONDS = 180


def test_demo_command_serves_the_login_page(tmp_path):
    port = free_port()
    # As in the README: SQLite in a fresh data folder, whatever database the suite runs on.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment["QALIBRATE_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "qalibrate", "demo", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        page = None
        while time.monotonic() - started < STARTUP_LIMIT_SECONDS and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert page is not None, "the demo did not serve the login page in time"
        assert "Log in to Qalibrate" in page
        assert "/static/qalibrate/css/app.css" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Demo logins (password for all: calibrate)" in output
    assert f"http://127.0.0.1:{port}/" in output
