"""A real S3-speaking server on 127.0.0.1 for tests of the S3 media storage: moto's, as a process."""

import socket
import subprocess
import sys
import time

import boto3
import pytest

from tests.smtp import free_port

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


def start_s3_server() -> tuple[subprocess.Popen, str]:
    """moto's S3 server on a free port; returns the process and its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if server.poll() is not None:
            pytest.fail("moto's S3 server stopped at start-up")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail("moto's S3 server did not start in time")


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


def s3_settings(endpoint: str, bucket: str) -> dict[str, str]:
    """The QALIBRATE_* variables that put media in this server's bucket (README "Settings")."""
    return {
        "QALIBRATE_MEDIA_STORAGE": "s3",
        "QALIBRATE_S3_BUCKET": bucket,
        "QALIBRATE_S3_ENDPOINT_URL": endpoint,
        "QALIBRATE_S3_ACCESS_KEY": CREDENTIALS["aws_access_key_id"],
        "QALIBRATE_S3_SECRET_KEY": CREDENTIALS["aws_secret_access_key"],
        "QALIBRATE_S3_REGION": REGION,
    }
