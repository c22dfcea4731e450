"""The API's request limit holds across worker processes: real `qalibrate serve --workers 3`
processes count together, in the file cache of the data folder or in Redis.

Slow (a server starts), so it runs once per CI: skipped when QALIBRATE_DATABASE_URL is set."""

import os
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.notifications.test_worker import redis_is_there
from tests.servers import serve
from tests.smtp import free_port

LIMIT = 120  # settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]: 120/minute
REDIS_URL = "redis://127.0.0.1:6379/11"  # a database number of its own, emptied first

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("QALIBRATE_DATABASE_URL")), reason="process test: runs on SQLite only"
    ),
]


def _status(url: str) -> tuple[int, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (http://, ours)
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")
    except urllib.error.URLError:  # not listening yet
        return 0, None


@pytest.fixture
def server(tmp_path, request):
    """`qalibrate serve --workers 3` on a fresh data folder; its address."""
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("QALIBRATE_")
    }
    environment["QALIBRATE_DATA_DIR"] = str(tmp_path / "data")
    environment["QALIBRATE_SECRET_KEY"] = "throttle-test-" + "x" * 40
    if request.param == "redis":
        if not redis_is_there():
            if os.environ.get("CI") == "true":
                pytest.fail("Redis is expected on 127.0.0.1:6379 in CI")
            pytest.skip("no Redis on 127.0.0.1:6379")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        environment["QALIBRATE_REDIS_URL"] = REDIS_URL
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 (closed below)
    process = serve(port=port, workers=3, environment=environment, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _status(f"{base}/accounts/login/")[0] != 200:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # serve and its gunicorn workers
            process.wait(timeout=30)
        log.close()


@pytest.mark.parametrize("server", ["files", "redis"], indirect=True)
def test_three_processes_let_through_no_more_than_the_limit(server):
    url = f"{server}/api/docs/"  # anonymous, and throttled as the whole API is
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(_status, [url] * (LIMIT + 80)))
    accepted = sum(1 for status, _ in answers if status == 200)
    refused = [retry for status, retry in answers if status == 429]
    assert accepted + len(refused) == len(answers), {status for status, _ in answers}
    # Counted apart, three processes would let through up to three times the limit.
    assert LIMIT - 5 <= accepted <= LIMIT
    assert all(retry and 0 < int(retry) <= 60 for retry in refused)
