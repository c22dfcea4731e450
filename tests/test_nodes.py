"""Qalibrate on several machines, for real (README "Running on several machines").

- Three `qalibrate serve` started together on an empty PostgreSQL database all come up: one
  migrates under the lock while the others wait, then find nothing left to do.
- Two `qalibrate serve --no-migrate` nodes behind nginx (deploy/nginx.conf itself, round robin),
  sharing PostgreSQL, Redis (the job queue), an S3 bucket (moto's server) and the secret key, with
  a `qalibrate worker` and an SMTP server: a QA lead and two evaluators log in through the proxy,
  plan a session, score it and reveal it; a recording is served by both nodes; every e-mail
  arrives once.

Each test makes its own PostgreSQL database and drops it after, so these run once per CI, in the
SQLite pass. Under CI=true a missing nginx, Redis or PostgreSQL fails the run.
"""

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import redis

from tests.cookie_client import CookieClient
from tests.s3server import s3_client, s3_settings, start_s3_server
from tests.smtp import free_port, start_smtp_server

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
REDIS_URL = "redis://127.0.0.1:6379/11"  # a database number of its own, emptied first
WAIT_SECONDS = 120
PASSWORD = "calibrate"  # every demo user's

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("QALIBRATE_DATABASE_URL")),
        reason="makes its own PostgreSQL database: runs once per CI, in the SQLite pass",
    ),
]


def need(available: bool, what: str) -> None:
    if not available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is expected in CI")
        pytest.skip(f"no {what}")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def database():
    """A fresh, empty PostgreSQL database; its URL. Dropped after the test."""
    try:
        admin = psycopg.connect(POSTGRES + "postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        need(False, "PostgreSQL on 127.0.0.1:5432 (user postgres)")
    name = f"qalibrate_nodes_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield POSTGRES + name
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Processes:
    """Processes of one test, each with its output in a file; all stopped at the end."""

    def __init__(self, folder: Path, environment: dict[str, str]):
        self.folder = folder
        self.environment = environment
        self.running: dict[str, subprocess.Popen] = {}

    def output(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def start(self, name: str, command: list[str], **variables) -> subprocess.Popen:
        data = self.folder / name  # every node is its own machine: a data folder of its own
        data.mkdir(exist_ok=True)
        environment = {"QALIBRATE_DATA_DIR": str(data), **self.environment, **variables}
        with (self.folder / f"{name}.log").open("w") as sink:
            process = subprocess.Popen(
                command,
                env=environment,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def qalibrate(self, name: str, *args: str) -> subprocess.Popen:
        return self.start(name, [sys.executable, "-m", "qalibrate", *args])

    def run(self, name: str, *args: str) -> None:
        process = self.qalibrate(name, *args)
        assert process.wait(timeout=600) == 0, self.output(name)

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def base_environment(database_url: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    return environment | {
        "QALIBRATE_DATABASE_URL": database_url,
        "QALIBRATE_SECRET_KEY": secrets.token_urlsafe(40),  # the same on every node
        "PYTHONUNBUFFERED": "1",
    }


def wait_for_health(processes: Processes, name: str, port: int) -> None:
    started = time.monotonic()
    while time.monotonic() - started < WAIT_SECONDS:
        if processes.running[name].poll() is not None:
            pytest.fail(f"{name} stopped:\n{processes.output(name)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as answer:
                assert json.loads(answer.read())["status"] == "ok"
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{name} did not answer /health/ in time:\n{processes.output(name)}")


def test_three_nodes_starting_together_on_an_empty_database_all_come_up(tmp_path, database):
    processes = Processes(tmp_path, base_environment(database))
    try:
        ports = {f"node{i}": free_port() for i in (1, 2, 3)}
        for name, port in ports.items():
            processes.qalibrate(name, "serve", "--port", str(port), "--workers", "1")
        for name, port in ports.items():
            wait_for_health(processes, name, port)
        processes.run("check", "migrate", "--check")
    finally:
        processes.stop_all()


def proxy_config(folder: Path, proxy_port: int, node_ports: list[int]) -> Path:
    """deploy/nginx.conf with these nodes and this port, inside a main file of its own: nginx
    runs in the foreground as this user, with every path in the folder."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in node_ports)
    site, count = re.subn(
        r"upstream qalibrate \{\n(?:    server [^\n]*\n)+", "upstream qalibrate {\n" + servers, site
    )
    assert count == 1, "deploy/nginx.conf lost its upstream block"
    site, count = re.subn(r"listen 80;", f"listen 127.0.0.1:{proxy_port};", site)
    assert count == 1, "deploy/nginx.conf lost its listen line"
    (folder / "site.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"
        "worker_processes 1;\n"
        "daemon off;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {folder / 'access.log'};\n"
        f"{temp}\n"
        f"    include {folder / 'site.conf'};\n"
        "}\n"
    )
    return main


class Browser(CookieClient):
    """Plain HTTP through the proxy with a cookie jar, as a browser would: session and CSRF
    cookies, the CSRF token in forms and in the API's X-CSRFToken header."""

    def get(self, path: str, headers: dict | None = None):
        # self.base is always http://127.0.0.1:<port>.
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310
        return self.opener.open(request, timeout=60)

    def post_form(self, path: str, fields: dict) -> tuple[str, str]:
        """The page the form leads to (after redirects): (its path, its HTML)."""
        body = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310
        with self.opener.open(request, timeout=60) as answer:
            return urllib.parse.urlsplit(answer.url).path, answer.read().decode()

    def api(self, path: str, payload: dict | None = None) -> dict:
        headers = {"X-CSRFToken": self.csrf(), "Content-Type": "application/json"}
        data = None if payload is None else json.dumps(payload).encode()
        method = "GET" if payload is None else "POST"
        request = urllib.request.Request(  # noqa: S310
            f"{self.base}/api/v1{path}", data=data, headers=headers, method=method
        )
        try:
            with self.opener.open(request, timeout=60) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            pytest.fail(f"{method} {path}: {error.code} {error.read()[:2000]!r}")

    def log_in(self, username: str) -> None:
        self.get("/accounts/login/").close()
        path, page = self.post_form(
            "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        assert path != "/accounts/login/", f"{username} could not log in:\n{page[:2000]}"


def answers_on(page: str) -> dict[str, str]:
    """An answer for every criterion of the evaluation screen: the first choice offered, or a
    few words for a text criterion."""
    answers = {}
    for name, value in re.findall(r'<input type="radio" name="(c\d+)" value="([^"]*)"', page):
        answers.setdefault(name, value)
    for name in re.findall(r'<textarea name="(c\d+)"', page):
        answers.setdefault(name, "Clear and polite.")
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert answers and revision, page[:2000]
    return answers | {"revision": revision.group(1)}


def score_every_contact(browser: Browser, session: dict) -> None:
    for item in session["contacts"]:
        contact = item["contact"]["id"]
        path, page = browser.post_form(f"/sessions/{session['id']}/score/{contact}/", {})
        assert re.fullmatch(r"/evaluations/\d+/", path), (path, page[:2000])
        scored = path
        path, page = browser.post_form(f"{scored}submit/", answers_on(page))
        # Submitted, it leads on to the next contact to score, or back to the session.
        assert path != scored, f"not submitted:\n{page[:3000]}"


@contextmanager
def started(processes: Processes):
    try:
        yield processes
    finally:
        processes.stop_all()


def outbox(database_url: str) -> list[tuple[int, str, str, str]]:
    """Every notification: (id, e-mail status, kind, user name)."""
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT n.id, n.email_status, n.kind, u.username FROM notifications_notification n "
            "JOIN accounts_user u ON u.id = n.user_id ORDER BY n.id"
        ).fetchall()


def test_two_nodes_behind_nginx_share_log_ins_recordings_and_jobs(tmp_path, database):
    nginx = nginx_binary()
    need(nginx is not None, "nginx (apt-get install nginx)")
    need(port_open(6379), "Redis on 127.0.0.1:6379")
    redis.Redis.from_url(REDIS_URL).flushdb()

    with ExitStack() as stack:
        s3, endpoint = start_s3_server()
        stack.callback(s3.wait, timeout=30)
        stack.callback(s3.terminate)
        s3_client(endpoint).create_bucket(Bucket="recordings")
        smtp, inbox = start_smtp_server()
        stack.callback(smtp.stop)

        proxy_port, node_ports = free_port(), [free_port(), free_port()]
        site = f"http://127.0.0.1:{proxy_port}"
        environment = (
            base_environment(database)
            | s3_settings(endpoint, "recordings")
            | {
                "QALIBRATE_REDIS_URL": REDIS_URL,
                "QALIBRATE_EMAIL_HOST": "127.0.0.1",
                "QALIBRATE_EMAIL_PORT": str(smtp.port),
                "QALIBRATE_SITE_URL": site,
            }
        )
        processes = stack.enter_context(started(Processes(tmp_path, environment)))

        # Migrations once, then the demo organisation: its recordings go to the bucket.
        processes.run("migrate", "migrate", "--verbosity", "0")
        processes.run("setup", "demo", "--no-serve")
        recordings = s3_client(endpoint).list_objects_v2(Bucket="recordings").get("KeyCount", 0)
        assert recordings >= 1
        # The demo's past notifications are marked sent without being sent; the rest must go.
        history = {row[0] for row in outbox(database) if row[1] == "sent"}

        for number, port in enumerate(node_ports, start=1):
            processes.qalibrate(f"node{number}", "serve", "--no-migrate", "--port", str(port))
        processes.qalibrate("worker", "worker")
        nginx_folder = tmp_path / "nginx"
        nginx_folder.mkdir()
        config = proxy_config(nginx_folder, proxy_port, node_ports)
        processes.start(
            "nginx", [nginx, "-p", str(nginx_folder), "-c", str(config), "-e", "stderr"]
        )
        for number, port in enumerate(node_ports, start=1):
            wait_for_health(processes, f"node{number}", port)
        wait_for_health(processes, "nginx", proxy_port)

        # The QA lead plans and opens a session (the README's example), through the proxy.
        lead = Browser(site)
        lead.log_in("maria.lindqvist")
        deadline = datetime.now(UTC) + timedelta(days=7)
        session = lead.api(
            "/sessions/",
            {
                "title": "Several machines",
                "version": 2,
                "team": 1,
                "evaluators": [4, 5],
                "scoring_deadline": deadline.isoformat(),
                "meeting_at": (deadline + timedelta(days=1)).isoformat(),
                "sample_size": 5,
            },
        )
        assert len(session["contacts"]) == 5
        assert [e["name"] for e in session["evaluators"]] == ["James Cole", "Priya Shah"]
        evaluators = ["james.cole", "priya.shah"]
        lead.api(f"/sessions/{session['id']}/open/", {})

        # Both evaluators score every contact on the pages, request after request alternating
        # between the nodes: a log-in made on one is good on the other.
        for username in evaluators:
            evaluator = Browser(site)
            evaluator.log_in(username)
            score_every_contact(evaluator, session)
        revealed = lead.api(f"/sessions/{session['id']}/reveal/", {})
        assert revealed["status"] == "discussion", revealed
        report = lead.api(f"/sessions/{session['id']}/report/")
        assert report["headline"]["evaluators"] == 2

        # A recording from the bucket, whole and by byte range, served by each node in turn.
        contacts = lead.api("/contacts/?channel=call&page_size=200")["results"]
        recorded = next(c for c in contacts if c["has_recording"])
        whole = lead.get(f"/contacts/{recorded['id']}/recording/").read()
        assert len(whole) > 1000
        for _ in node_ports:
            with lead.get(
                f"/contacts/{recorded['id']}/recording/", {"Range": "bytes=100-199"}
            ) as part:
                assert part.status == 206
                assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
                assert part.read() == whole[100:200]
        for number in (1, 2):
            log = processes.output(f"node{number}")
            assert "/recording/" in log and "/api/v1/" in log, f"node{number} served nothing"

        # Every e-mail once: the worker sends the outbox; none is left waiting, none is repeated.
        expected = {
            (kind, username)
            for kind in ("invitation", "materials_ready", "results_revealed")
            for username in evaluators
        }
        started_waiting = time.monotonic()
        while time.monotonic() - started_waiting < WAIT_SECONDS:
            assert processes.running["worker"].poll() is None, processes.output("worker")
            rows = [row for row in outbox(database) if row[0] not in history]
            sent = {(kind, user) for _, status, kind, user in rows if status == "sent"}
            waiting = [row for row in rows if row[1] in ("pending", "sending")]
            if expected <= sent and not waiting:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"e-mail still waiting: {waiting}\n{processes.output('worker')}")
        time.sleep(2)  # a repeat, if any, would arrive now
        received = Counter(message["Message-ID"] for message in inbox.messages)
        assert [mid for mid, times in received.items() if times > 1] == []
        mailed = {f"<notification-{row[0]}@127.0.0.1>" for row in rows if row[1] == "sent"}
        assert set(received) == mailed
        assert {row[1] for row in rows} <= {"sent", "off", "no_address"}


def test_the_compose_file_wires_the_nodes_as_the_readme_says():
    """Docker is not run in CI; this reads deploy/compose.yaml and checks its wiring instead."""
    import yaml

    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    upstream = re.findall(r"server (\w+):8000", (ROOT / "deploy" / "nginx.conf").read_text())
    assert upstream == ["app1", "app2"]
    app = [services[name] for name in ("app1", "app2", "worker", "migrate")]
    for service in app:
        assert service["environment"]["QALIBRATE_SECRET_KEY"].startswith("${QALIBRATE_SECRET_KEY")
        assert service["environment"]["QALIBRATE_REDIS_URL"] == "redis://redis:6379/0"
        assert "media:/srv/media" in service["volumes"]
    assert services["migrate"]["command"][:2] == ["qalibrate", "migrate"]
    for name in upstream:
        assert "--no-migrate" in services[name]["command"]
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "FROM python:3.12-slim" in dockerfile and '"qalibrate", "serve"' in dockerfile
