"""How fast the history pages are with years of completed sessions (issue 17, item 8).

Run from the repository root:

    .venv/bin/python benchmarks/history.py [--sessions 500] [--requests 20]

On a fresh SQLite file in a temporary folder it builds a team's completed calibration sessions
of 10 evaluators × 10 contacts × 50 criteria each (version 1 of the scorecard for the first
half, version 2, with one criterion reworded, after), inserting directly, in bulk, the rows the
history reads: sessions, their contacts and evaluators, the submitted evaluations and their
answers, the agreed answers. Ten answer patterns are drawn at random (each evaluator hears a
criterion right with a chance of 85-99%, the first evaluator leans lenient); each session takes
one. The first session of each pattern is recorded by the real `session_record_save` (timed);
the records of the others (SessionRecord, EvaluatorRecord, CriterionRecord, Ruling) are copies
of their pattern's, with the session's own ids and date, so they say exactly what recording
them would.

Then, logged in as the QA lead, it requests each history page (trends, an evaluator, a
criterion's history, a rulings search) through Django's test client, first at 50 sessions, then
at the full number, and prints the median and 95th percentile time of --requests requests and
the number of SQL queries of one: the goal is under 150 ms a page, with as many queries at 500
sessions as at 50.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
GOAL_MS = 150
PATTERNS = 10
REASONS = [
    "Two identifiers before any account detail: the name alone is not enough.",
    "The customer had to call again, so the issue was not resolved.",
    "A booked callback is a next step, not a resolution.",
    "The refund time quoted matches what Billing pays.",
    "Reflecting back the customer's words is what the top of the scale asks for.",
]
NOTES = [
    "Model call: use it in onboarding.",
    "Ask for two identifiers before anything about the account.",
    "Check the outage map before blaming the equipment.",
]
TOPICS = [
    "Greets the customer",
    "Verifies the customer's identity",
    "Asks about the need",
    "Gives correct information",
    "Resolves the issue",
    "Shows empathy",
    "Summarises what happens next",
    "Offers further help",
    "Uses the customer's name",
    "Keeps the customer informed while waiting",
]
SECTIONS = ["Opening", "Understanding", "Solution", "Tone", "Closing"]
PAGES = [
    # label, URL name, what the arguments and query are
    ("trends", "history_trends"),
    ("evaluator", "history_evaluator"),
    ("criterion history", "history_criterion"),
    ("rulings search", "history_rulings"),
]


# --- raw bulk inserts ------------------------------------------------------------------------


def insert(model, columns: list[str], rows, **constants) -> None:
    """INSERT ``rows`` (tuples of ``columns``, as the database takes them) into the model's
    table; every other column (but the primary key) gets ``constants`` or the field's default,
    prepared once."""
    from django.db import connection

    proto = model()
    fixed = {}
    for f in model._meta.concrete_fields:
        if f.attname in columns or f.primary_key:
            continue
        value = constants[f.attname] if f.attname in constants else getattr(proto, f.attname)
        fixed[f.column] = f.get_db_prep_save(value, connection)
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    names = [fields[c] for c in columns] + list(fixed)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    tail = tuple(fixed.values())
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, 20_000)):
            cursor.executemany(sql, [(*row, *tail) for row in batch])


def prep(model, name: str, value):
    """A value as the database takes it for the model's field (dates and times)."""
    from django.db import connection

    return model._meta.get_field(name).get_db_prep_save(value, connection)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


# --- the organisation and the answer patterns ---------------------------------------------------


@dataclass
class Pattern:
    """One session's answers: per contact, per evaluator, per criterion the form value; the
    agreed value, its reason and the contact's notes; and the scores they make."""

    answers: list[list[list[str]]]  # contact → evaluator → criterion
    agreed: list[list[str]]  # contact → criterion
    reasons: dict[tuple[int, int], str]  # (contact, criterion) → reason
    notes: list[str]  # per contact
    scores: list[list[float | None]] = field(default_factory=list)  # contact → evaluator
    agreed_scores: list[float | None] = field(default_factory=list)  # contact


@dataclass
class Bench:
    evaluators: int = 10
    contacts: int = 10
    criteria: int = 50
    seed: int = 17
    patterns_drawn: int = PATTERNS
    rng: random.Random = field(init=False)
    lead: object = None
    team: object = None
    users: list = field(default_factory=list)
    agents: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    kinds: list = field(default_factory=list)  # per criterion position
    criterion_ids: dict = field(default_factory=dict)  # version id → [criterion ids]
    patterns: list[Pattern] = field(default_factory=list)
    sessions: list = field(default_factory=list)  # (session id, pattern, version, first ids)
    templates: dict = field(default_factory=dict)  # pattern index → recorded session id
    record_seconds: list[float] = field(default_factory=list)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    # The scorecard, people and answer patterns.

    def setup(self) -> None:
        from qalibrate.accounts.models import Agent, Role, Team, User
        from qalibrate.scorecards import services as scorecards

        self.team = Team.objects.create(name="Benchmark team")
        self.lead = User.objects.create_user(
            "bench.lead", "lead@example.com", "bench-lead-9Qx", role=Role.QA_LEAD
        )
        self.lead.teams.add(self.team)
        self.users = [
            User.objects.create_user(
                f"bench.evaluator{i}", f"e{i}@example.com", None, role=Role.EVALUATOR
            )
            for i in range(self.evaluators)
        ]
        self.agents = Agent.objects.bulk_create(
            Agent(full_name=f"Agent {n}", employee_id=f"B{n:03d}", team=self.team)
            for n in range(20)
        )
        card = scorecards.scorecard_create(
            author=self.lead,
            name="Benchmark call form",
            purpose="customer_experience",
            language="en",
        )
        self._fill(card.draft)
        first = card.draft
        scorecards.version_publish(version=first, user=self.lead)
        second = scorecards.draft_start(scorecard=card, user=self.lead)
        reworded = _ordered(second)[1]  # "Verifies the customer's identity"
        reworded.guideline = "Two identifiers (customer number, date of birth, address) before "
        reworded.guideline += "any account detail; the name alone is not enough."
        reworded.save()
        scorecards.version_publish(
            version=second, user=self.lead, change_note="The identity check names its identifiers."
        )
        self.versions = [first, second]
        for version in self.versions:
            ordered = _ordered(version)
            self.criterion_ids[version.pk] = [c.pk for c in ordered]
            self.kinds = ordered  # the same kinds in both versions
        self.patterns = [self._pattern() for _ in range(self.patterns_drawn)]

    def _fill(self, version) -> None:
        from qalibrate.scorecards import services as scorecards

        per_section = -(-self.criteria // len(SECTIONS))
        made = 0
        for title in SECTIONS:
            section = scorecards.section_add(version=version, title=title, weight=1)
            for _ in range(min(per_section, self.criteria - made)):
                text = f"{TOPICS[made % len(TOPICS)]} ({title.lower()}, {made + 1})"
                scorecards.criterion_add(section=section, text=text, **_kind(made))
                made += 1

    def _pattern(self) -> Pattern:
        """Answers drawn for one session: each criterion is heard right by an evaluator with its
        own chance; the first evaluator, when wrong, leans up."""
        rng = self.rng
        chances = [rng.uniform(0.85, 0.99) for _ in self.kinds]
        answers, agreed, reasons, notes = [], [], {}, []
        for j in range(self.contacts):
            truth = [_draw(c, rng) for c in self.kinds]
            given = [
                [
                    truth[k] if rng.random() < chances[k] else _other(c, truth[k], rng, up=e == 0)
                    for k, c in enumerate(self.kinds)
                ]
                for e in range(self.evaluators)
            ]
            answers.append(given)
            agreed.append(truth)
            for k in range(len(self.kinds)):
                if len({g[k] for g in given}) > 1 and rng.random() < 0.2:
                    reasons[(j, k)] = rng.choice(REASONS)
            notes.append(rng.choice(NOTES) if rng.random() < 0.3 else "")
        pattern = Pattern(answers, agreed, reasons, notes)
        self._score(pattern)
        return pattern

    def _score(self, pattern: Pattern) -> None:
        from qalibrate.scorecards.scoring import score_evaluation

        spec = self.versions[0].scoring_spec()
        ids = self.criterion_ids[self.versions[0].pk]

        def score(values):
            return score_evaluation(
                spec,
                {
                    pk: _scoring_value(c, v)
                    for pk, c, v in zip(ids, self.kinds, values, strict=True)
                },
            ).score

        pattern.scores = [[score(given) for given in contact] for contact in pattern.answers]
        pattern.agreed_scores = [score(values) for values in pattern.agreed]

    # Sessions.

    def add_sessions(self, count: int, *, total: int, start: datetime) -> float:
        """Insert ``count`` more completed sessions (of ``total`` planned, one every two days
        from ``start``, version 2 from the middle on); returns the seconds it took."""
        from django.db import transaction

        began = time.perf_counter()
        first = len(self.sessions)
        with transaction.atomic():  # one commit: SQLite commits each statement on its own
            for i in range(first, first + count):
                version = self.versions[0 if i < total // 2 else 1]
                meeting = start + timedelta(days=2 * i)
                self._session(i, meeting, version, self.rng.randrange(self.patterns_drawn))
        return time.perf_counter() - began

    def _session(self, i: int, meeting: datetime, version, pattern_index: int) -> None:
        from qalibrate.calibration.models import (
            AgreedAnswer,
            CalibrationSession,
            Participant,
            SessionContact,
        )
        from qalibrate.contacts.models import Contact
        from qalibrate.evaluations.models import Answer, Evaluation

        pattern = self.patterns[pattern_index]
        criteria = self.criterion_ids[version.pk]
        session = CalibrationSession.objects.create(
            title=f"Benchmark session {i + 1}",
            version=version,
            team=self.team,
            facilitator=self.lead,
            created_by=self.lead,
            scoring_deadline=meeting - timedelta(days=1),
            meeting_at=meeting,
            status="completed",
            summary="Benchmark",
            completed_at=meeting + timedelta(hours=1),
        )
        when = prep(Evaluation, "submitted_at", meeting - timedelta(days=2))
        ids = {m: next_id(m) for m in (Contact, SessionContact, Evaluation, AgreedAnswer)}
        insert(
            Contact,
            ["id", "channel", "agent_id", "team_id", "occurred_at", "external_id", "language"],
            (
                (
                    ids[Contact] + j,
                    "call",
                    self.agents[(i + j) % len(self.agents)].pk,
                    self.team.pk,
                    prep(Contact, "occurred_at", meeting - timedelta(days=10)),
                    f"B-{i}-{j}",
                    "en",
                )
                for j in range(self.contacts)
            ),
            created_at=meeting,
        )
        insert(
            SessionContact,
            ["id", "session_id", "contact_id", "position", "notes", "agreed_score"],
            (
                (
                    ids[SessionContact] + j,
                    session.pk,
                    ids[Contact] + j,
                    j,
                    pattern.notes[j],
                    pattern.agreed_scores[j],
                )
                for j in range(self.contacts)
            ),
        )
        insert(
            Participant,
            ["session_id", "user_id", "role"],
            ((session.pk, u.pk, "evaluator") for u in self.users),
        )
        e_count = self.evaluators
        insert(
            Evaluation,
            [
                "id",
                "contact_id",
                "evaluator_id",
                "version_id",
                "session_id",
                "status",
                "score",
                "revision",
                "time_spent_seconds",
                "created_at",
                "saved_at",
                "submitted_at",
            ],
            (
                (
                    ids[Evaluation] + j * e_count + e,
                    ids[Contact] + j,
                    u.pk,
                    version.pk,
                    session.pk,
                    "submitted",
                    pattern.scores[j][e],
                    1,
                    600,
                    when,
                    when,
                    when,
                )
                for j in range(self.contacts)
                for e, u in enumerate(self.users)
            ),
        )
        insert(
            Answer,
            ["evaluation_id", "criterion_id", "value", "is_na"],
            (
                (ids[Evaluation] + j * e_count + e, pk, "" if v == "na" else v, v == "na")
                for j in range(self.contacts)
                for e in range(e_count)
                for pk, v in zip(criteria, pattern.answers[j][e], strict=True)
            ),
        )
        decided = prep(AgreedAnswer, "decided_at", meeting + timedelta(minutes=30))
        insert(
            AgreedAnswer,
            [
                "id",
                "session_contact_id",
                "criterion_id",
                "value",
                "is_na",
                "reason",
                "decided_by_id",
                "decided_at",
            ],
            (
                (
                    ids[AgreedAnswer] + j * len(criteria) + k,
                    ids[SessionContact] + j,
                    pk,
                    "" if v == "na" else v,
                    v == "na",
                    pattern.reasons.get((j, k), ""),
                    self.lead.pk,
                    decided,
                )
                for j in range(self.contacts)
                for k, (pk, v) in enumerate(zip(criteria, pattern.agreed[j], strict=True))
            ),
        )
        self.sessions.append((session.pk, pattern_index, version, ids))

    # Records.

    def record(self) -> None:
        """Record the sessions that have no record yet: the first of each pattern by
        session_record_save (timed), the others as copies of it."""
        from django.db import transaction

        from qalibrate.calibration.models import CalibrationSession
        from qalibrate.history.models import SessionRecord
        from qalibrate.history.services import session_record_save

        done = set(SessionRecord.objects.values_list("session_id", flat=True))
        for session_id, pattern_index, _version, _ids in self.sessions:
            if session_id in done or pattern_index in self.templates:
                continue
            began = time.perf_counter()
            session_record_save(session=CalibrationSession.objects.get(pk=session_id), alerts=False)
            self.record_seconds.append(time.perf_counter() - began)
            self.templates[pattern_index] = session_id
            done.add(session_id)
        copies = [s for s in self.sessions if s[0] not in done]
        with transaction.atomic():
            self._copy(copies)

    def _copy(self, copies) -> None:
        from django.utils import timezone

        from qalibrate.calibration.models import CalibrationSession
        from qalibrate.history.models import CriterionRecord, EvaluatorRecord, Ruling, SessionRecord

        if not copies:
            return
        by_session = {s[0]: s for s in self.sessions}
        template_records = {
            r.session_id: r
            for r in SessionRecord.objects.filter(session_id__in=self.templates.values())
        }
        meetings = dict(
            CalibrationSession.objects.filter(pk__in=[c[0] for c in copies]).values_list(
                "pk", "meeting_at"
            )
        )
        new = []
        for session_id, pattern_index, version, _ids in copies:
            template = template_records[self.templates[pattern_index]]
            meeting = meetings[session_id]
            record = SessionRecord(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in SessionRecord._meta.concrete_fields
                    if not f.primary_key
                }
            )
            record.session_id, record.version_id = session_id, version.pk
            record.held_on = timezone.localdate(meeting)
            record.source_completed_at = meeting + timedelta(hours=1)
            new.append(record)
        SessionRecord.objects.bulk_create(new)
        records = {
            r.session_id: r
            for r in SessionRecord.objects.filter(session_id__in=[c[0] for c in copies])
        }
        source = {t.pk: t for t in template_records.values()}
        self._copy_rows(EvaluatorRecord, copies, records, source, by_session)
        self._copy_rows(CriterionRecord, copies, records, source, by_session)
        self._copy_rows(Ruling, copies, records, source, by_session)

    def _copy_rows(self, model, copies, records, source, by_session) -> None:
        """The template record's rows of ``model`` for each copied record: its own record,
        date and, where the row names one, criterion (same position in the session's version),
        contact and agreed answer (same position in the session)."""
        rows_of = {}
        for row in model.objects.filter(record__in=list(source.values())):
            rows_of.setdefault(row.record_id, []).append(row)
        template_of = {session: self.templates[p] for session, p, _v, _i in self.sessions}
        record_of_session = {r.session_id: r.pk for r in source.values()}
        new = []
        for session_id, _pattern, version, ids in copies:
            record = records[session_id]
            template_session = template_of[session_id]
            template_ids, template_version = (
                by_session[template_session][3],
                by_session[template_session][2],
            )
            positions = {pk: k for k, pk in enumerate(self.criterion_ids[template_version.pk])}
            for row in rows_of.get(record_of_session[template_session], []):
                copy = model(
                    **{
                        f.attname: getattr(row, f.attname)
                        for f in model._meta.concrete_fields
                        if not f.primary_key
                    }
                )
                copy.record_id, copy.held_on = record.pk, record.held_on
                if hasattr(copy, "criterion_id"):
                    copy.criterion_id = self.criterion_ids[version.pk][positions[row.criterion_id]]
                if model.__name__ == "Ruling":
                    self._ruling_ids(copy, row, ids, template_ids, version)
                new.append(copy)
        model.objects.bulk_create(new, batch_size=5_000)

    def _ruling_ids(self, copy, row, ids, template_ids, version) -> None:
        from qalibrate.calibration.models import AgreedAnswer
        from qalibrate.contacts.models import Contact

        offset = row.agreed_answer_id - template_ids[AgreedAnswer]
        copy.agreed_answer_id = ids[AgreedAnswer] + offset
        copy.contact_id = ids[Contact] + (row.contact_id - template_ids[Contact])
        copy.team_id = self.team.pk

    # Pages.

    def pages(self) -> list[tuple[str, str]]:
        """(label, URL) of each history page."""
        from django.urls import reverse

        arguments = {
            "history_evaluator": [self.users[0].pk],
            "history_criterion": [self._reworded_key()],
        }
        found = []
        for label, name in PAGES:
            url = reverse(name, args=arguments.get(name, []))
            if name == "history_rulings":
                url += "?q=identifiers"
            found.append((label, url))
        return found

    def _reworded_key(self) -> str:
        from qalibrate.scorecards.models import Criterion

        return Criterion.objects.get(pk=self.criterion_ids[self.versions[0].pk][1]).key


def _ordered(version) -> list:
    """The version's criteria in the form's order."""
    from qalibrate.scorecards.models import Criterion

    return list(
        Criterion.objects.filter(section__version=version).order_by("section__position", "position")
    )


def _kind(position: int) -> dict:
    """The criterion's kind by its position: three in five yes/no (one with N/A), a 0-5 scale,
    three options."""
    which = position % 5
    if which < 3:
        return {"kind": "yes_no", "points": 1 + which, "na_allowed": which == 2}
    if which == 3:
        return {"kind": "scale", "points": 4, "scale_min": 0, "scale_max": 5}
    return {
        "kind": "options",
        "options": [
            {"label": "Correct", "points": 3},
            {"label": "Partly correct", "points": 1},
            {"label": "Wrong", "points": 0},
        ],
    }


def _draw(criterion, rng) -> str:
    if criterion.kind == "yes_no":
        if criterion.na_allowed and rng.random() < 0.1:
            return "na"
        return "yes" if rng.random() < 0.75 else "no"
    if criterion.kind == "scale":
        return str(rng.choice([2, 3, 3, 4, 4, 5]))
    return rng.choice(["Correct", "Correct", "Correct", "Partly correct", "Wrong"])


def _other(criterion, truth: str, rng, *, up: bool) -> str:
    """An answer other than ``truth``, higher when ``up`` (a lenient evaluator who hears a
    "yes" keeps it)."""
    if criterion.kind == "yes_no":
        return "no" if truth == "yes" and not up else "yes"
    if criterion.kind == "scale":
        value = int(truth)
        if up and value < 5:
            return str(value + 1)
        return str(rng.choice([v for v in (value - 1, value + 1) if 0 <= v <= 5]))
    labels = ["Correct", "Partly correct", "Wrong"]
    position = labels.index(truth)
    if up and position:
        return labels[position - 1]
    return rng.choice([label for label in labels if label != truth])


def _scoring_value(criterion, value: str):
    from qalibrate.scorecards.scoring import NA

    if value == "na":
        return NA
    return int(value) if criterion.kind == "scale" else value


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    sessions: int
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    status: int | None = None


def measure(bench: Bench, client, *, requests: int, sessions: int) -> list[Timing]:
    """Each page: one request counting its queries, then ``requests`` timed ones."""
    from django.db import connection

    timings = []
    for label, url in bench.pages():
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = client.get(url)
        seconds = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(url)
            seconds.append(time.perf_counter() - began)
        seconds.sort()
        timings.append(
            Timing(
                label,
                sessions,
                median_ms=statistics.median(seconds) * 1000,
                p95_ms=seconds[max(0, round(0.95 * len(seconds)) - 1)] * 1000,
                queries=len(queries),
                status=response.status_code,
            )
        )
    return timings


def table(timings: list[Timing]) -> str:
    lines = [
        f"{'page':<18} {'sessions':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  verdict",
        "-" * 70,
    ]
    counts = {}
    for t in timings:
        counts.setdefault(t.label, set()).add(t.queries)
        lines.append(
            f"{t.label:<18} {t.sessions:>8} {t.median_ms:>10.1f} {t.p95_ms:>8.1f} "
            f"{t.queries:>8}  {_verdict(t)}"
        )
    for label, found in counts.items():
        same = "the same at every size" if len(found) == 1 else f"GROWS: {sorted(found)}"
        lines.append(f"queries of {label}: {same}")
    return "\n".join(lines)


def _verdict(timing: Timing) -> str:
    if timing.status != 200:
        return f"HTTP {timing.status}"
    return "ok" if timing.median_ms < GOAL_MS else f"over {GOAL_MS} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--first", type=int, default=50, help="sessions at the first measure")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qalibrate-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "qalibrate.settings"
    os.environ["QALIBRATE_DATA_DIR"] = str(folder / "data")
    sys.path.insert(0, str(REPOSITORY))
    try:
        run(args)
    finally:
        shutil.rmtree(folder)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    call_command("migrate", verbosity=0)
    bench = Bench()
    bench.setup()
    start = timezone.now() - timedelta(days=2 * args.sessions)
    client = Client()
    client.force_login(bench.lead)
    timings = []
    print(
        f"database: {connection.vendor}; {bench.evaluators} evaluators × {bench.contacts} "
        f"contacts × {bench.criteria} criteria a session"
    )
    for size in (args.first, args.sessions):
        seconds = bench.add_sessions(size - len(bench.sessions), total=args.sessions, start=start)
        began = time.perf_counter()
        bench.record()
        recording = time.perf_counter() - began
        print(f"{size} sessions: rows inserted in {seconds:.1f} s, records in {recording:.1f} s")
        timings += measure(bench, client, requests=args.requests, sessions=size)
    each = statistics.median(bench.record_seconds)
    print(
        f"session_record_save: {len(bench.record_seconds)} sessions, median {each:.2f} s each "
        f"(recording all {args.sessions} would take about {each * args.sessions / 60:.0f} min)"
    )
    print()
    order = [label for label, _name in PAGES]
    print(table(sorted(timings, key=lambda t: (order.index(t.label), t.sessions))))


if __name__ == "__main__":
    main()
