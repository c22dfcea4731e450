"""Evaluators autosaving at once, with a reveal mid-way, against real `qalibrate serve` nodes.

Builds a fresh organisation (one of the demo's scorecards, a calibration session in blind
scoring with 5 contacts and N evaluators), starts `qalibrate serve` (gunicorn, 2 workers each),
logs every evaluator in and lets each autosave the whole form, as the evaluation screen does,
every 0.5-1.5 s (--think) with one answer changed. Half-way the QA lead reveals the scores. At
the end every evaluation in the database is compared with the last save its evaluator was told was
accepted. Prints saves accepted, refused (after the reveal, as they must be), 5xx, lost, and
the save latency. Goal (issue 15): 0 lost, 0 5xx, p95 under 300 ms on the 2-core machine.

    .venv/bin/python benchmarks/autosave_load.py                      # SQLite, one node
    .venv/bin/python benchmarks/autosave_load.py --database postgres --nodes 2
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cookie_client import CookieClient  # noqa: E402

PASSWORD = "autosave-bench-9Qx"  # noqa: S105 (a throwaway account in a throwaway database)

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from qalibrate.accounts.models import Role, Team, User
from qalibrate.calibration import services
from qalibrate.contacts.models import Agent, Contact
from qalibrate.demo.scorecards import CALL_FORM, _fill
from qalibrate.scorecards import services as scorecards
from qalibrate.evaluations import services as evaluation_services
from qalibrate.scorecards.selectors import version_content

def person(name, role):
    return User.objects.create_user(name, f"{name}@example.com", PASSWORD, role=role)

team = Team.objects.create(name="Bench team")
lead = person("bench.lead", Role.QA_LEAD)
evaluators = [person(f"bench.evaluator{i}", Role.EVALUATOR) for i in range(EVALUATORS)]
card = scorecards.scorecard_create(author=lead, name="Inbound support call",
                                   purpose="customer_experience", language="en")
_fill(card.draft, CALL_FORM)
version = card.draft
scorecards.version_publish(version=version, user=lead)
version.refresh_from_db()
agent = Agent.objects.create(full_name="Bench Agent", team=team)
contacts = [
    Contact.objects.create(agent=agent, team=team, occurred_at=timezone.now(),
                           external_id=f"BENCH-{i}", subject="Billing")
    for i in range(5)
]
now = timezone.now()
session = services.session_plan(
    user=lead, contacts=contacts, evaluators=evaluators, title="Autosave benchmark",
    version=version, team=team, facilitator=lead,
    scoring_deadline=now + timedelta(days=2), meeting_at=now + timedelta(days=3),
)
services.session_move(session=session, user=lead, action="open")
fields = {}
for section in version_content(version):
    for criterion in section.criteria.all():
        spec = criterion.scoring_spec()
        if criterion.kind == "scale":
            choices = [str(v) for v in range(int(spec.scale_min), int(spec.scale_max) + 1)]
        elif criterion.kind == "text":
            choices = ["noted", "heard twice", "fine"]
        elif criterion.kind == "yes_no":
            choices = ["yes", "no"]
        else:
            choices = list(spec.options)
        fields[f"c{criterion.pk}"] = choices
work = {}
for user in evaluators:
    work[user.username] = [
        evaluation_services.evaluation_start(
            contact=c, evaluator=user, version=version, session=session).pk
        for c in contacts
    ]
print("SETUP" + json.dumps({"session": session.pk, "lead": lead.username, "fields": fields,
                            "work": work}))
"""

CHECK = """
import json
from qalibrate.evaluations.models import Answer
stored = {}
for answer in Answer.objects.all().values("evaluation_id", "criterion_id", "value", "is_na"):
    value = "na" if answer["is_na"] else answer["value"]
    stored.setdefault(str(answer["evaluation_id"]), {})[f"c{answer['criterion_id']}"] = value
print("CHECK" + json.dumps(stored))
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_create(prefix: str) -> tuple[str, str]:
    """A new, empty PostgreSQL database on this machine: its name and its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return name, f"postgres://postgres@127.0.0.1:5432/{name}"


def database_drop(name: str | None) -> None:
    if name:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
        )


def run_qalibrate(environment, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "qalibrate", *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        sys.exit(f"qalibrate {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


class Browser(CookieClient):
    """One person's cookies and CSRF token, over urllib (no third-party client)."""

    def request(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = None
        headers = {"Referer": self.base + path}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        # Only http://127.0.0.1 addresses the benchmark built itself.
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:  # no answer at all (connection refused or dropped, timeout)
            return 0, b""

    def log_in(self, username: str) -> None:
        self.request("/accounts/login/")
        status, page = self.request(
            "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        if status != 200 or b"evaluation" not in page and b"logout" not in page:
            raise SystemExit(f"log-in of {username} failed ({status})")


def evaluator_loop(base, username, evaluations, fields, think, ready, stop, results, accepted, rng):
    browser = Browser(base)
    browser.log_in(username)
    ready.wait()  # log-ins (Argon2) are not part of the measurement
    revisions = {pk: 0 for pk in evaluations}
    values = {pk: {} for pk in evaluations}
    names = sorted(fields)
    while not stop.is_set():
        pk = rng.choice(evaluations)
        draft = dict(values[pk])
        draft[rng.choice(names)] = None  # the field to change
        for name in names:
            if name not in draft or draft[name] is None:
                draft[name] = rng.choice(fields[name])
        started = time.perf_counter()
        status, body = browser.request(
            f"/evaluations/{pk}/save/", {**draft, "revision": revisions[pk], "seconds_spent": 1}
        )
        elapsed = time.perf_counter() - started
        results.append((time.monotonic(), status, elapsed))
        if status == 200:
            revisions[pk] = json.loads(body)["revision"]
            values[pk] = draft
            accepted[pk] = draft
        elif status == 409:  # the page refetches and saves again; here: a protocol error
            revisions[pk] = -1
        time.sleep(rng.uniform(*think))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--evaluators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds between one evaluator's saves (default 0.5 1.5)",
    )
    arguments = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="qalibrate-autosave-"))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QALIBRATE_")}
    environment |= {
        "QALIBRATE_DATA_DIR": str(data),
        "QALIBRATE_SECRET_KEY": uuid.uuid4().hex * 2,
        "QALIBRATE_EMAIL_BACKEND": "file",
        "PYTHONPATH": str(ROOT),
    }
    database = None
    if arguments.database == "postgres":
        database, environment["QALIBRATE_DATABASE_URL"] = database_create("qalibrate_autosave")
    nodes = []
    try:
        run_qalibrate(environment, "migrate", "--verbosity", "0")
        setup = SETUP.replace("PASSWORD", repr(PASSWORD)).replace(
            "EVALUATORS", str(arguments.evaluators)
        )
        output = run_qalibrate(environment, "shell", "-c", setup)
        plan = json.loads(re.search(r"SETUP(.*)", output).group(1))
        ports = [free_port() for _ in range(arguments.nodes)]
        for port in ports:
            nodes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "qalibrate", "serve", "--port", str(port)],
                    env=environment,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/health/", timeout=2)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)

        stop = threading.Event()
        ready = threading.Barrier(arguments.evaluators + 1)
        results, accepted = [], {}
        threads = []
        rng = random.Random(arguments.seed)
        for number, (username, evaluations) in enumerate(sorted(plan["work"].items())):
            thread = threading.Thread(
                target=evaluator_loop,
                args=(
                    bases[number % len(bases)],
                    username,
                    evaluations,
                    plan["fields"],
                    arguments.think,
                    ready,
                    stop,
                    results,
                    accepted,
                    random.Random(rng.random()),
                ),
            )
            thread.start()
            threads.append(thread)
        lead = Browser(bases[0])
        lead.log_in(plan["lead"])
        lead.request(f"/sessions/{plan['session']}/")
        ready.wait()
        time.sleep(arguments.seconds / 2)
        revealed_at = time.monotonic()
        status, _page = lead.request(f"/sessions/{plan['session']}/reveal/", {})
        reveal_took = time.monotonic() - revealed_at
        time.sleep(arguments.seconds / 2)
        stop.set()
        for thread in threads:
            thread.join(120)

        stored = json.loads(
            re.search(r"CHECK(.*)", run_qalibrate(environment, "shell", "-c", CHECK)).group(1)
        )
        lost = sum(
            1
            for pk, draft in accepted.items()
            for name, value in draft.items()
            if stored.get(str(pk), {}).get(name) != value
        )
        saves = [r for r in results]
        before = [elapsed for moment, code, elapsed in saves if moment < revealed_at]
        print(
            f"{arguments.evaluators} evaluators, {arguments.nodes} node(s) on "
            f"{arguments.database}, {arguments.seconds:.0f} s, reveal answered {status} "
            f"in {reveal_took * 1000:.0f} ms"
        )
        print(f"saves sent      {len(saves)}")
        print(f"accepted        {sum(1 for _m, code, _e in saves if code == 200)}")
        print(f"refused         {sum(1 for _m, code, _e in saves if 400 <= code < 500)}")
        print(f"5xx             {sum(1 for _m, code, _e in saves if code >= 500)}")
        print(f"no answer       {sum(1 for _m, code, _e in saves if code == 0)}")
        print(f"lost answers    {lost}")
        if before:
            print(
                f"save latency before the reveal: median {statistics.median(before) * 1000:.0f} ms"
                f", p95 {percentile(before, 0.95) * 1000:.0f} ms"
                f", p99 {percentile(before, 0.99) * 1000:.0f} ms, max {max(before) * 1000:.0f} ms"
            )
        everything = [elapsed for _m, _c, elapsed in saves]
        print(f"save latency overall: p95 {percentile(everything, 0.95) * 1000:.0f} ms")
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(30)
        database_drop(database)


if __name__ == "__main__":
    main()
