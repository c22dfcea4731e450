"""A believable contact centre to explore Qalibrate with: people, teams, agents and contacts.

Everything is made from a fixed random seed, so two runs build the same organisation.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from qalibrate.accounts.models import Agent, Role, Team, User
from qalibrate.calibration.models import SessionStatus
from qalibrate.contacts.models import Channel, Contact
from qalibrate.demo.attention import build_attention
from qalibrate.demo.certification import build_certification
from qalibrate.demo.double_scoring import build_double_scoring
from qalibrate.demo.evaluations import build_evaluations
from qalibrate.demo.history import build_history
from qalibrate.demo.scorecards import build_scorecards
from qalibrate.demo.series import build_series
from qalibrate.demo.sessions import build_sessions
from qalibrate.notifications.models import EmailStatus, Notification
from qalibrate.notifications.models import Kind as NotificationKind

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "calibrate"  # noqa: S105 (printed at start; demo only)
CONTACTS_PER_AGENT = (7, 13)
HISTORY_DAYS = 90

TEAMS = [
    # name, language of its customers, time zone of its people
    ("Customer support", "en", "Europe/London"),
    ("Служба поддержки", "ru", "Europe/Moscow"),
    ("Kundtjänst Norden", "sv", "Europe/Stockholm"),
]

AGENT_NAMES = {
    "en": [
        "Emma Clarke",
        "Oliver Bennett",
        "Amelia Hughes",
        "Jack Turner",
        "Sophie Walsh",
        "Harry Patel",
        "Grace Morgan",
        "Liam O'Connor",
        "Chloe Evans",
        "Noah Fraser",
    ],
    "ru": [
        "Анна Кузнецова",
        "Дмитрий Соколов",
        "Екатерина Морозова",
        "Иван Лебедев",
        "Мария Новикова",
        "Алексей Павлов",
        "Ольга Васильева",
        "Сергей Попов",
        "Наталья Фёдорова",
        "Павел Михайлов",
    ],
    "sv": [
        "Elin Johansson",
        "Oskar Lindberg",
        "Maja Andersson",
        "Erik Nilsson",
        "Sara Berg",
        "Johan Karlsson",
        "Ida Svensson",
        "Lukas Holm",
        "Frida Ekström",
        "Viktor Larsson",
    ],
}

CUSTOMER_NAMES = {
    "en": ["Tom Davies", "Sarah Roberts", "Aisha Khan", "Ben Wright", "Lucy Thompson", "Dan Hall"],
    "ru": ["Игорь Петрович", "Светлана", "Виктор Андреевич", "Елена", "Андрей", "Татьяна"],
    "sv": ["Karin", "Anders", "Lena", "Mikael", "Annika", "Per"],
}

STAFF = [
    # username, first name, last name, role, language, indexes of their teams. Maria leads the
    # English and the Swedish teams, Olga the Russian one: neither sees the other's rows, but
    # evaluators of one team score in another's sessions (and see those sessions).
    ("admin", "Alex", "Morgan", Role.ADMIN, "en", (0, 1, 2)),
    ("maria.lindqvist", "Maria", "Lindqvist", Role.QA_LEAD, "sv", (0, 2)),
    ("olga.smirnova", "Ольга", "Смирнова", Role.QA_LEAD, "ru", (1,)),
    ("james.cole", "James", "Cole", Role.EVALUATOR, "en", (0,)),
    ("priya.shah", "Priya", "Shah", Role.EVALUATOR, "en", (0,)),
    ("irina.volkova", "Ирина", "Волкова", Role.EVALUATOR, "ru", (1,)),
    ("nikita.orlov", "Никита", "Орлов", Role.EVALUATOR, "ru", (1,)),
    ("anna.bergstrom", "Anna", "Bergström", Role.EVALUATOR, "sv", (2,)),
    ("karl.nyberg", "Karl", "Nyberg", Role.EVALUATOR, "sv", (2,)),
]
# Agents who also log in to see their own results: (team index, agent index in AGENT_NAMES).
AGENT_LOGINS = [("emma.clarke", 0, 0), ("anna.kuznetsova", 1, 0), ("elin.johansson", 2, 0)]

CHANNEL_WEIGHTS = {Channel.CALL: 5, Channel.CHAT: 3, Channel.EMAIL: 1, Channel.TICKET: 1}


@dataclass
class DemoSummary:
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, name
    teams: int = 0
    agents: int = 0
    contacts: int = 0
    recordings: int = 0
    scorecards: int = 0
    evaluations: int = 0
    sessions: int = 0


def load_transcripts() -> dict[str, list[dict]]:
    return json.loads((DATA_DIR / "transcripts.json").read_text(encoding="utf-8"))


def load_recordings() -> list[dict]:
    manifest = DATA_DIR / "audio" / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else []


def demo_exists() -> bool:
    return User.objects.filter(username="admin").exists()


@transaction.atomic
def build_demo(*, seed: int = 2026, now: datetime | None = None) -> DemoSummary:
    rng = random.Random(seed)
    now = now or timezone.now()
    summary = DemoSummary()
    teams = [Team.objects.create(name=name) for name, _, _ in TEAMS]
    summary.teams = len(teams)

    agents_by_language: dict[str, list[Agent]] = {}
    for team, (_, language, _) in zip(teams, TEAMS, strict=True):
        agents_by_language[language] = [
            Agent.objects.create(
                full_name=name, team=team, employee_id=f"{language.upper()}{i:03d}"
            )
            for i, name in enumerate(AGENT_NAMES[language], start=1)
        ]
    summary.agents = sum(len(agents) for agents in agents_by_language.values())

    for username, first, last, role, language, team_indexes in STAFF:
        time_zone = TEAMS[team_indexes[0]][2] if len(team_indexes) == 1 else "Europe/Stockholm"
        user = _make_user(username, first, last, role, language, time_zone)
        user.teams.set([teams[index] for index in team_indexes])
        summary.logins.append((role.label, username, str(user)))
    for username, team_index, agent_index in AGENT_LOGINS:
        _, language, time_zone = TEAMS[team_index]
        agent = agents_by_language[language][agent_index]
        first, last = agent.full_name.split(" ", 1)
        user = _make_user(username, first, last, Role.AGENT, language, time_zone)
        agent.user = user
        agent.save(update_fields=["user"])
        summary.logins.append((Role.AGENT.label, username, str(user)))
    # An automatic scorer the Swedish team tries (history.py): a program with a token, no log-in.
    scorer = _make_user("qa.assistant", "QA", "Assistant", Role.EVALUATOR, "sv", TEAMS[2][2])
    scorer.is_automatic = True
    scorer.set_unusable_password()
    scorer.save(update_fields=["is_automatic", "password"])
    scorer.teams.set([teams[2]])

    transcripts = load_transcripts()
    contacts = []
    for language, agents in agents_by_language.items():
        scenarios = transcripts[language]
        for agent in agents:
            for _ in range(rng.randint(*CONTACTS_PER_AGENT)):
                scenario = _pick_scenario(rng, scenarios)
                contacts.append(_make_contact(rng, agent, language, scenario, now, len(contacts)))
    Contact.objects.bulk_create(contacts)
    summary.contacts = len(contacts)
    summary.recordings = _attach_recordings(rng, agents_by_language, now)
    summary.contacts += summary.recordings

    lead = User.objects.get(username="maria.lindqvist")
    reviewers = [User.objects.get(username="emma.clarke"), User.objects.get(username="james.cole")]
    summary.scorecards = len(build_scorecards(lead=lead, reviewers=reviewers))
    summary.evaluations = build_evaluations()
    summary.sessions = build_sessions(now=now)
    build_series(now=now)
    summary.sessions += build_attention(now=now)
    summary.sessions += build_history(now=now)
    # Last of the ordinary evaluations: once the teams' policies exist, each one submitted may
    # be drawn.
    summary.evaluations += build_double_scoring(now=now)
    # After it: the new evaluators joined after that month, and score the gold set blind.
    newcomers = build_certification(now=now)
    summary.logins[len(STAFF) : len(STAFF)] = newcomers.logins
    summary.evaluations += newcomers.evaluations
    summary.contacts = Contact.objects.count()  # the history's sessions brought their own
    # The news of sessions that ended before the demo's today was read then, its e-mail sent;
    # only the latest drift alert waits for the QA lead, unread.
    ended = Notification.objects.filter(session__status=SessionStatus.COMPLETED)
    ended.update(email_status=EmailStatus.SENT, sent_at=now)
    drift = ended.filter(kind=NotificationKind.DRIFT).order_by("-session__meeting_at")
    latest = drift.values_list("session_id", flat=True).first()
    ended.exclude(kind=NotificationKind.DRIFT, session_id=latest).update(read_at=now)
    return summary


def _make_user(username, first, last, role, language, time_zone) -> User:
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@demo.qalibrate.example",
        role=role,
        language=language,
        time_zone=time_zone,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _pick_scenario(rng: random.Random, scenarios: list[dict]) -> dict:
    channels = [Channel(s["channel"]) for s in scenarios]
    weights = [CHANNEL_WEIGHTS[c] / channels.count(c) for c in channels]
    return rng.choices(scenarios, weights=weights)[0]


def _fill_names(turns: list[dict], agent_first_name: str, customer: str) -> list[dict]:
    return [
        {
            **turn,
            "text": turn["text"]
            .replace("{agent}", agent_first_name)
            .replace("{customer}", customer),
        }
        for turn in turns
    ]


def _working_hours_moment(rng: random.Random, now: datetime) -> datetime:
    day = now - timedelta(days=rng.randint(0, HISTORY_DAYS))
    return day.replace(
        hour=rng.randint(7, 18), minute=rng.randint(0, 59), second=rng.randint(0, 59)
    )


def _make_contact(rng, agent: Agent, language: str, scenario: dict, now, number: int) -> Contact:
    first_name = agent.full_name.split(" ", 1)[0]
    turns = _fill_names(scenario["turns"], first_name, rng.choice(CUSTOMER_NAMES[language]))
    channel = scenario["channel"]
    duration = None
    if channel in (Channel.CALL, Channel.CHAT) and turns:
        duration = int(turns[-1]["t"]) + rng.randint(8, 40)
    return Contact(
        channel=channel,
        agent=agent,
        team_id=agent.team_id,
        occurred_at=_working_hours_moment(rng, now),
        external_id=f"DEMO-{language.upper()}-{number + 1:05d}",
        duration_seconds=duration,
        language=language,
        subject=scenario["topic"],
        transcript=turns,
        metadata={"scenario": scenario["key"], "quality": scenario.get("quality", "mixed")},
    )


def _attach_recordings(rng, agents_by_language: dict[str, list[Agent]], now) -> int:
    """Calls with a real (synthesised) recording, their transcript timed to the audio."""
    transcripts = {
        (language, s["key"]): s
        for language, scenarios in load_transcripts().items()
        for s in scenarios
    }
    made = 0
    for number, recording in enumerate(load_recordings(), start=1):
        language = recording["lang"]
        scenario = transcripts.get((language, recording["scenario_key"]), {})
        agent = next(
            (
                a
                for a in agents_by_language[language]
                if a.full_name.startswith(recording["agent_name"])
            ),
            agents_by_language[language][0],
        )
        contact = Contact(
            channel=Channel.CALL,
            agent=agent,
            team_id=agent.team_id,
            occurred_at=_working_hours_moment(rng, now),
            external_id=f"DEMO-REC-{number:03d}",
            duration_seconds=round(recording["duration_seconds"]),
            language=language,
            subject=scenario.get("topic", ""),
            transcript=recording["turns"],
            metadata={
                "scenario": recording["scenario_key"],
                "quality": scenario.get("quality", "mixed"),
                "recording": "synthesised speech",
            },
        )
        with open(DATA_DIR / "audio" / recording["file"], "rb") as audio:
            contact.media.save(recording["file"], File(audio), save=False)
        contact.save()
        made += 1
    return made
