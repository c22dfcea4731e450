"""Real `qalibrate serve` processes for the tests that need more than one worker."""

import subprocess
import sys


def serve(*, port: int, workers: int, environment: dict, log) -> subprocess.Popen:
    """`qalibrate serve` with gunicorn workers on 127.0.0.1:port, writing to `log`. It runs in a
    process group of its own: os.killpg(process.pid, SIGTERM) stops it with its workers."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qalibrate",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(port),
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
