"""Two new evaluators on the gold set (docs/certification.md), so the certification pages, the
QA leads' lists and a candidate's home page have something to show.

- Hannah Reid joined Customer support a fortnight before the demo's today. She has taken part in
  no session, so every contact the team agreed on is gold for her (the team with the largest
  gold set: eight completed sessions of six calls). Maria Lindqvist started her certification
  on the call form; Hannah scored two or three gold calls a day, answering mostly as the team
  agreed, now and then a criterion a step off, and the stopping rule certified her after a
  handful of calls.
- Полина Зайцева joined Служба поддержки days ago. Ольга Смирнова started her certification
  on the chat form; she has scored two gold contacts: her home page shows the Certification
  card with the next one to score.

They are made here, after the double scoring: had they been in the teams all month, the
policy's draw could have asked them for second evaluations the story gives to others. Each
step goes through the services (start, next contact, save, submit, and the receiver judging
each submission by the stopping rule), with the gold order drawn from the demo's seed; then
the dates are moved back with .update(), as double_scoring.py does.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qalibrate.accounts.models import Role, Team, User
from qalibrate.calibration.models import AgreedAnswer, SessionContact
from qalibrate.certification import services
from qalibrate.certification.models import Certification, CertificationStatus
from qalibrate.demo.double_scoring import _working_day
from qalibrate.demo.history import _input, _ranked
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationEvent, EventKind
from qalibrate.notifications.models import EmailStatus, Notification
from qalibrate.notifications.models import Kind as NotificationKind
from qalibrate.scorecards.models import Criterion, Scorecard, ScorecardVersion
from qalibrate.scorecards.scoring import FormSpec, score_evaluation

# A newcomer who scores as the team does is off by a few points now and then, never by much:
# a step off that would move the score further is not taken (the tolerance is 5 points).
MOST_OFF = 4.0
# How many criteria the newcomer answers otherwise on a contact: mostly none or one.
SLIPS = (0, 1, 2)
SLIP_WEIGHTS = (4, 5, 1)
# Working hours in the team's time zone, and the pause between two gold contacts (minutes).
DAY_ENDS = 17
PAUSE = (60, 200)


@dataclass(frozen=True)
class Newcomer:
    """A new evaluator and their certification: who started it when, and how far it is."""

    username: str
    first: str
    last: str
    team: str
    scorecard: str
    lead: str  # the team's QA lead, who starts the certification
    # Days before the demo's today; a Saturday or Sunday becomes the Friday before, so a start
    # 10 days ago stays within the last two weeks.
    joined_days_ago: int
    started_days_ago: int
    # Gold contacts scored so far; None: until the stopping rule decides.
    scored: int | None = None


NEWCOMERS = [
    Newcomer(
        "hannah.reid",
        "Hannah",
        "Reid",
        team="Customer support",
        scorecard="Inbound support call",
        lead="maria.lindqvist",
        joined_days_ago=14,
        started_days_ago=10,
    ),
    Newcomer(
        "polina.zaitseva",
        "Полина",
        "Зайцева",
        team="Служба поддержки",
        scorecard="Chat and e-mail",
        lead="olga.smirnova",
        joined_days_ago=6,
        started_days_ago=2,
        scored=2,
    ),
]


@dataclass
class Built:
    """What the builder adds to its summary."""

    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, name
    evaluations: int = 0


@dataclass
class _Form:
    """A scorecard version as the newcomer's answers are scored on it."""

    version: ScorecardVersion
    sections: list
    criteria: dict[int, Criterion]
    spec: FormSpec


def build_certification(*, now: datetime, seed: int = 2026) -> Built:
    """The newcomers and their certifications. The gold order comes from the seed; the app's
    own, unpredictable one is put back afterwards."""
    rng = random.Random(seed + 40)
    built = Built()
    saved = services.order_random
    services.order_random = random.Random(seed + 41)
    try:
        for newcomer in NEWCOMERS:
            user = _person(newcomer, now)
            built.logins.append((Role.EVALUATOR.label, user.username, str(user)))
            built.evaluations += _certified(newcomer, user, now, rng)
    finally:
        services.order_random = saved
    return built


def _person(newcomer: Newcomer, now: datetime) -> User:
    """Made as builder.py makes the demo's people: the team's language and time zone, the demo
    password; joined when the story has it."""
    from qalibrate.demo.builder import TEAMS, _make_user

    language, time_zone = next((lang, zone) for name, lang, zone in TEAMS if name == newcomer.team)
    user = _make_user(
        newcomer.username, newcomer.first, newcomer.last, Role.EVALUATOR, language, time_zone
    )
    user.teams.set([Team.objects.get(name=newcomer.team)])
    joined = _working_day(now, newcomer.joined_days_ago, time_zone)
    User.objects.filter(pk=user.pk).update(
        date_joined=joined.replace(hour=9, minute=0, second=0, microsecond=0)
    )
    return user


def _certified(newcomer: Newcomer, user: User, now: datetime, rng: random.Random) -> int:
    """The QA lead starts the certification; the newcomer scores gold contacts until the rule
    decides (or as many as the story says). Returns how many evaluations were made."""
    team = Team.objects.get(name=newcomer.team)
    certification = services.certification_start(
        user=User.objects.get(username=newcomer.lead),
        evaluator=user,
        team=team,
        scorecard=Scorecard.objects.get(name=newcomer.scorecard),
    )
    forms: dict[int, _Form] = {}
    evaluations = []
    wanted = newcomer.scored or certification.max_contacts
    while certification.in_progress and len(evaluations) < wanted:
        evaluation = services.certification_next(user=user, certification=certification)
        if evaluation.version_id not in forms:
            forms[evaluation.version_id] = _form(evaluation.version)
        evaluations.append(_scored(evaluation, user, forms[evaluation.version_id], rng))
        certification.refresh_from_db()
    if newcomer.scored is None and certification.status != CertificationStatus.CERTIFIED:
        raise RuntimeError(f"{user} was not certified: {certification.status}")
    _dated(certification, evaluations, newcomer, user.time_zone, now, rng)
    return len(evaluations)


def _form(version: ScorecardVersion) -> _Form:
    sections = list(version.sections.prefetch_related("criteria"))
    criteria = {c.pk: c for section in sections for c in section.criteria.all()}
    return _Form(version, sections, criteria, version.scoring_spec(sections))


def _scored(evaluation: Evaluation, user: User, form: _Form, rng: random.Random) -> Evaluation:
    """The newcomer's answers saved and submitted, as on the screen; the submission makes the
    certification's receiver judge it."""
    gold = evaluation.gold_attempt.gold
    given = _answers(gold, form, rng)
    evaluation_services.evaluation_save(
        evaluation=evaluation,
        user=user,
        answers={pk: _input(value) for pk, value in given.items()},
        # New to the form, they take their time.
        seconds_spent=rng.randint(420, 900),
        sections=form.sections,
    )
    return evaluation_services.evaluation_submit(evaluation=evaluation, user=user)


# --- the answers ----------------------------------------------------------------------------


def _answers(gold: SessionContact, form: _Form, rng: random.Random) -> dict[int, str]:
    """The agreed answers, a criterion or two heard a step otherwise now and then: never a
    critical one (everyone hears those), and never so far that the score strays more than
    MOST_OFF points."""
    agreed = {
        answer.criterion_id: "na" if answer.is_na else answer.value
        for answer in AgreedAnswer.objects.filter(session_contact=gold).order_by("criterion_id")
    }
    steps = _small_steps(form, agreed, gold.agreed_score)
    slips = rng.choices(SLIPS, weights=SLIP_WEIGHTS)[0]
    given = dict(agreed)
    for pk, value in rng.sample(steps, min(slips, len(steps))):
        tried = {**given, pk: value}
        if abs(_score(form, tried) - gold.agreed_score) <= MOST_OFF:
            given = tried
    return given


def _small_steps(form: _Form, agreed: dict[int, str], score: float) -> list[tuple[int, str]]:
    """Each answer one step off the agreed one that moves the score, by MOST_OFF at most."""
    steps = []
    for pk, value in agreed.items():
        criterion = form.criteria[pk]
        if value == "na" or criterion.critical != "none":
            continue
        for other in _neighbours(criterion, value):
            if 0 < abs(_score(form, {**agreed, pk: other}) - score) <= MOST_OFF:
                steps.append((pk, other))
    return steps


def _neighbours(criterion: Criterion, value: str) -> list[str]:
    """The answers a step away: the other yes/no, the next option up or down, a point up or
    down the scale."""
    if criterion.kind == "yes_no":
        return ["no" if value == "yes" else "yes"]
    if criterion.kind == "options":
        ranked = _ranked(criterion)
        index = ranked.index(value)
        return [ranked[i] for i in (index - 1, index + 1) if 0 <= i < len(ranked)]
    if criterion.kind == "scale":
        number = int(value)
        return [
            str(n)
            for n in (number - 1, number + 1)
            if criterion.scale_min <= n <= criterion.scale_max
        ]
    return []


def _score(form: _Form, given: dict[int, str]) -> float:
    values = {
        pk: Answer(
            criterion=form.criteria[pk], value=_input(value).value, is_na=value == "na"
        ).scoring_value()
        for pk, value in given.items()
    }
    return score_evaluation(form.spec, values).score or 0.0


# --- when it happened -----------------------------------------------------------------------


def _dated(certification, evaluations, newcomer: Newcomer, zone: str, now, rng) -> None:
    """The certification started on a working morning of the story; each gold contact scored
    a while after the one before, in working hours; finished with the last one."""
    started = _working_day(now, newcomer.started_days_ago, zone).replace(
        hour=9, minute=rng.randint(0, 40), second=rng.randint(0, 59), microsecond=0
    )
    at = started
    for evaluation in evaluations:
        at = _next_moment(at, zone, rng)
        at = min(at, now - timedelta(minutes=rng.randint(20, 90)))
        begun = at - timedelta(seconds=evaluation.time_spent_seconds + rng.randint(60, 300))
        Evaluation.objects.filter(pk=evaluation.pk).update(
            created_at=begun, saved_at=at, submitted_at=at
        )
        EvaluationEvent.objects.filter(evaluation=evaluation, kind=EventKind.SUBMITTED).update(
            at=at
        )
    finished = at if not certification.in_progress else None
    Certification.objects.filter(pk=certification.pk).update(
        started_at=started, finished_at=finished
    )
    # The candidate was told when it started, by e-mail too, and read it then.
    Notification.objects.filter(
        kind=NotificationKind.CERTIFICATION, key=f"certification:{certification.pk}:certification"
    ).update(created_at=started, email_status=EmailStatus.SENT, sent_at=started, read_at=started)


def _next_moment(previous: datetime, zone: str, rng: random.Random) -> datetime:
    """A while after ``previous``; after the working day's end, the next working morning."""
    at = previous + timedelta(minutes=rng.randint(*PAUSE))
    local = at.astimezone(ZoneInfo(zone))
    if local.hour < DAY_ENDS:
        return at
    day = local + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=9, minute=rng.randint(10, 50), second=rng.randint(0, 59))
