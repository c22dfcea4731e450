"""A month of double scoring (docs/double-scoring.md) before the demo's today, so the QA lead's
page, the evaluators' home pages and the history pages have pairs to show.

Two teams draw a fifth of their ordinary evaluations for a second, blind one:

- Customer support's calls, scored again by the other of its two evaluators. James Cole and
  Priya Shah agree within the tolerance on most calls, but hear "Shows empathy" differently on
  most of them: the criterion the QA lead is rewording in the call form's draft of version 3
  (scorecards.py, started 18 days ago in history.py). Twice they disagreed on whether a call
  was resolved (a callback booked), which takes a pair beyond the tolerance.
- Kundtjänst Norden's chats and e-mails, scored again by its QA lead, Maria Lindqvist, as the
  expert. Karl Nyberg stays within the tolerance but for one early pair; Anna Bergström agrees
  for three weeks, then answers ever more leniently: her latest three pairs are outside the
  tolerance in a row, which flags her and tells Maria (the notifications app's pair drift
  alert), as the sessions' history tells of her drift in Customer support's sessions.

The pairs outside the tolerance hold contacts no session has taken up: candidates for the next
session. A few second evaluations are still to do (the evaluators' and Maria's home pages).

The policy's draw is decided here, from the demo's seed, at the policy's share: the evaluations
it draws go through the evaluation services, so the draw, the second evaluator's choice and the
pair's figures are the app's own; the others are written in bulk, as history.py writes a
session's answers (through the services, one at a time, they would slow the build down for
nothing to see). Then every date is moved back to when it happened.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from qalibrate.accounts.models import Agent, Team, User
from qalibrate.contacts.models import Channel, Contact
from qalibrate.demo.history import CRITERIA, _given, _input, _submitted, _truth
from qalibrate.double_scoring import services as pair_services
from qalibrate.double_scoring.models import Pair, Policy
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationEvent, EventKind
from qalibrate.notifications.models import EmailStatus, Notification
from qalibrate.notifications.models import Kind as NotificationKind
from qalibrate.scorecards.models import Criterion, Scorecard, ScorecardVersion, Section
from qalibrate.scorecards.scoring import FormSpec, score_evaluation

SHARE_PERCENT = 20
TOLERANCE = Decimal(5)
MONTH_DAYS = 30
# How long before its evaluation a contact took place, at most.
CONTACT_AGE_DAYS = 21


@dataclass(frozen=True)
class Drawn:
    """One evaluation the policy drew: when it was submitted, by whom, the criteria the two
    evaluations answer differently, and whether that takes the pair outside the tolerance."""

    days_ago: int
    first: str
    differ: tuple[str, ...] = ()
    outside: bool = False
    # The first evaluator gives the lenient answer on ``differ`` (drift); else either one differs.
    lenient: bool = False
    # Working days until the second evaluation was submitted; None: it is still to do.
    second_after: int | None = 1


@dataclass(frozen=True)
class Plan:
    team: str
    language: str
    time_zone: str
    scorecard: str
    channels: tuple[str, ...]
    evaluators: tuple[str, ...]
    expert: str | None
    drawn: tuple[Drawn, ...]
    lead: str = "maria.lindqvist"  # who set the policy


PLANS = [
    Plan(
        team="Customer support",
        language="en",
        time_zone="Europe/London",
        scorecard="Inbound support call",
        channels=(Channel.CALL,),
        evaluators=("james.cole", "priya.shah"),
        expert=None,
        drawn=(
            Drawn(29, "james.cole", ("empathy",)),
            Drawn(26, "priya.shah", (), second_after=2),
            Drawn(23, "james.cole", ("resolves", "empathy"), outside=True),
            Drawn(20, "priya.shah", ("empathy",), second_after=3),
            Drawn(16, "james.cole", ("asks",)),
            Drawn(13, "priya.shah", ("resolves",), outside=True, second_after=2),
            Drawn(9, "james.cole", ("empathy",)),
            Drawn(6, "priya.shah", ("empathy",), second_after=2),
            Drawn(3, "priya.shah", second_after=None),
            Drawn(1, "james.cole", second_after=None),
        ),
    ),
    Plan(
        team="Kundtjänst Norden",
        language="sv",
        time_zone="Europe/Stockholm",
        scorecard="Chat and e-mail",
        channels=(Channel.CHAT, Channel.EMAIL, Channel.TICKET),
        evaluators=("anna.bergstrom", "karl.nyberg"),
        expert="maria.lindqvist",
        drawn=(
            Drawn(28, "karl.nyberg"),
            Drawn(27, "anna.bergstrom", second_after=2),
            Drawn(24, "karl.nyberg", ("links",), outside=True),
            Drawn(21, "anna.bergstrom", ("tone",), lenient=True),
            Drawn(17, "karl.nyberg", ("spelling",), second_after=2),
            Drawn(14, "anna.bergstrom", ("greet",), lenient=True),
            Drawn(11, "anna.bergstrom", ("spelling", "tone"), outside=True, lenient=True),
            Drawn(9, "karl.nyberg"),
            Drawn(7, "anna.bergstrom", ("back_forth",), outside=True, lenient=True),
            Drawn(4, "anna.bergstrom", ("answers", "tone"), outside=True, lenient=True),
            # Done after Anna's latest: Maria, in every pair, is not outside three in a row.
            Drawn(3, "karl.nyberg"),
            Drawn(2, "karl.nyberg", second_after=None),
            Drawn(1, "anna.bergstrom", second_after=None),
        ),
    ),
]


class _PolicyDraw:
    """The policy's draw during the demo's build: every evaluation submitted through the
    services here is one the demo drew at the policy's share, so ``random()`` says "drawn";
    the choice among second evaluators comes from the seed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def random(self) -> float:
        return 0.0

    def choice(self, people: list):
        return self._rng.choice(people)


@dataclass
class _Team:
    """What a team's month shares."""

    plan: Plan
    team: Team
    users: dict[str, User]
    lead: User
    version: ScorecardVersion
    criteria: dict[str, Criterion]
    spec: FormSpec
    sections: list[Section]
    agents: list[Agent]
    scenarios: list[dict]
    pool: list[Contact]  # contacts nobody scored and no session holds, the oldest first


@dataclass
class _Slot:
    """One ordinary evaluation of the month: drawn (with its plan) or not."""

    at: datetime
    evaluator: User
    drawn: Drawn | None = None
    contact: Contact | None = None
    evaluation: Evaluation | None = None
    pair: Pair | None = None
    second_at: datetime | None = None
    begun_at: datetime | None = None  # a second evaluation still to do: when it was begun


def build_double_scoring(*, now: datetime, seed: int = 2026) -> int:
    """Returns the number of evaluations made (first and second ones)."""
    rng = random.Random(seed + 30)
    saved = pair_services.draw_random
    pair_services.draw_random = _PolicyDraw(seed)
    try:
        return sum(_month(_context(plan), now, rng) for plan in PLANS)
    finally:
        pair_services.draw_random = saved


def _context(plan: Plan) -> _Team:
    from qalibrate.demo.builder import load_transcripts

    team = Team.objects.get(name=plan.team)
    version = Scorecard.objects.get(name=plan.scorecard).current_version
    sections = list(version.sections.prefetch_related("criteria"))
    names = (*plan.evaluators, *([plan.expert] if plan.expert else []), plan.lead)
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    pool = Contact.objects.filter(
        team=team,
        channel__in=plan.channels,
        evaluations__isnull=True,
        sessioncontact__isnull=True,
    ).order_by("occurred_at", "pk")
    return _Team(
        plan=plan,
        team=team,
        users=users,
        lead=users[plan.lead],
        version=version,
        criteria={
            name: Criterion.objects.get(section__version=version, text__startswith=start)
            for name, start in CRITERIA[plan.scorecard].items()
        },
        spec=version.scoring_spec(sections),
        sections=sections,
        agents=list(Agent.objects.filter(team=team).order_by("pk")),
        scenarios=[s for s in load_transcripts()[plan.language] if s["channel"] in plan.channels],
        pool=list(pool),
    )


def _month(context: _Team, now: datetime, rng: random.Random) -> int:
    """The team's policy, set by its QA lead before the month began, then the month's
    evaluations. Returns how many were made."""
    plan = context.plan
    policy = pair_services.policy_save(
        user=context.lead,
        team=context.team,
        scorecard=context.version.scorecard,
        share_percent=SHARE_PERCENT,
        new_evaluator_count=0,
        expert=context.users[plan.expert] if plan.expert else None,
        tolerance=TOLERANCE,
        active=True,
    )
    Policy.objects.filter(pk=policy.pk).update(updated_at=now - timedelta(days=MONTH_DAYS + 4))
    slots = _slots(context, now, rng)
    _contacts_for(context, slots, rng)
    plain = [slot for slot in slots if slot.drawn is None]
    _in_bulk(context, plain, rng)
    drawn = [slot for slot in slots if slot.drawn is not None]
    _drawn_for_real(context, drawn, rng)
    _dated(plain, drawn, rng)
    return len(slots) + len(drawn)


# --- when -----------------------------------------------------------------------------------


def _working_day(now: datetime, days_ago: int, zone: str) -> datetime:
    """That day in the team's time zone; a Saturday or Sunday becomes the Friday before."""
    local = (now - timedelta(days=days_ago)).astimezone(ZoneInfo(zone))
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    return local


def _in_hours(day: datetime, rng: random.Random) -> datetime:
    return day.replace(
        hour=rng.randint(8, 16), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0
    )


def _later(start: datetime, working_days: int, now: datetime, rng) -> datetime:
    """``working_days`` working days after ``start``, in working hours; before now."""
    day = start
    for _ in range(working_days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return min(_in_hours(day, rng), now - timedelta(minutes=rng.randint(20, 90)))


def _slots(context: _Team, now: datetime, rng: random.Random) -> list[_Slot]:
    """The month's evaluations: the drawn ones of the plan, and for each of them as many others
    as the share leaves undrawn, spread over the month's working days."""
    plan, users = context.plan, context.users
    zone = plan.time_zone
    slots = []
    for drawn in plan.drawn:
        at = _in_hours(_working_day(now, drawn.days_ago, zone), rng)
        slot = _Slot(at, users[drawn.first], drawn)
        if drawn.second_after is not None:
            slot.second_at = _later(at, drawn.second_after, now, rng)
        else:
            slot.begun_at = at + timedelta(minutes=rng.randint(20, 120))
        slots.append(slot)
    undrawn = len(plan.drawn) * (100 - SHARE_PERCENT) // SHARE_PERCENT
    for _ in range(undrawn):
        day = _working_day(now, rng.randint(1, MONTH_DAYS), zone)
        slots.append(_Slot(_in_hours(day, rng), users[rng.choice(plan.evaluators)]))
    slots.sort(key=lambda slot: slot.at)
    return slots


# --- which contacts --------------------------------------------------------------------------


def _contacts_for(context: _Team, slots: list[_Slot], rng: random.Random) -> None:
    """Each evaluation scores a contact of the days before it: one nobody has scored yet when
    there is one, else a new one (the demo's contacts are too few for a month of this)."""
    made = []
    for slot in slots:
        earliest = slot.at - timedelta(days=CONTACT_AGE_DAYS)
        found = next(
            (c for c in context.pool if earliest <= c.occurred_at < slot.at - timedelta(hours=2)),
            None,
        )
        if found is not None:
            context.pool.remove(found)
            slot.contact = found
        else:
            slot.contact = _new_contact(context, slot.at, rng)
            made.append(slot.contact)
    number = Contact.objects.filter(external_id__startswith=_prefix(context.plan)).count()
    for contact in made:
        number += 1
        contact.external_id = f"{_prefix(context.plan)}{number:04d}"
    Contact.objects.bulk_create(made)


def _prefix(plan: Plan) -> str:
    return f"DEMO-{plan.language.upper()}-D"


def _new_contact(context: _Team, before: datetime, rng: random.Random) -> Contact:
    from qalibrate.demo.builder import CUSTOMER_NAMES, _fill_names

    plan = context.plan
    agent = rng.choice(context.agents)
    scenario = rng.choice(context.scenarios)
    turns = _fill_names(
        scenario["turns"],
        agent.full_name.split(" ", 1)[0],
        rng.choice(CUSTOMER_NAMES[plan.language]),
    )
    day = _working_day(before, rng.randint(1, 4), plan.time_zone)
    duration = None
    if scenario["channel"] in (Channel.CALL, Channel.CHAT) and turns:
        duration = int(turns[-1]["t"]) + rng.randint(8, 40)
    return Contact(
        channel=scenario["channel"],
        agent=agent,
        team_id=agent.team_id,
        occurred_at=_in_hours(day, rng),
        duration_seconds=duration,
        language=plan.language,
        subject=scenario["topic"],
        transcript=turns,
        metadata={"scenario": scenario["key"], "quality": scenario.get("quality", "mixed")},
    )


# --- the evaluations -------------------------------------------------------------------------


def _in_bulk(context: _Team, slots: list[_Slot], rng: random.Random) -> None:
    """The evaluations the policy did not draw, each evaluator's plausible answers."""
    criteria = context.criteria
    sheets = []
    for slot in slots:
        truth = _truth(criteria, slot.contact.metadata["quality"], rng)
        slips = [1]
        given = {name: _given(c, truth[name], 0.0, rng, slips) for name, c in criteria.items()}
        sheets.append((slot.contact, slot.evaluator, given))
    _submitted(None, context.version, criteria, sheets, rng)
    made = Evaluation.objects.filter(
        contact__in=[slot.contact for slot in slots], session__isnull=True
    )
    by_contact = {evaluation.contact_id: evaluation for evaluation in made}
    for slot in slots:
        slot.evaluation = by_contact[slot.contact.pk]


def _drawn_for_real(context: _Team, slots: list[_Slot], rng: random.Random) -> None:
    """The drawn evaluations submitted through the services, the second ones too when they are
    done, in the order they happened: the policy draws, the pair keeps its figures and the
    pair drift alert judges the evaluator's latest pairs as they come."""
    events = [(slot.at, 0, slot) for slot in slots]
    events += [(slot.second_at, 1, slot) for slot in slots if slot.second_at is not None]
    sheets = {id(slot): _answers(context, slot, rng) for slot in slots}
    for _at, second, slot in sorted(events, key=lambda event: event[:2]):
        first_given, second_given = sheets[id(slot)]
        if not second:
            slot.evaluation = _scored(context, slot.contact, slot.evaluator, first_given, rng)
            slot.pair = Pair.objects.filter(first=slot.evaluation).first()
            if slot.pair is None:
                raise RuntimeError(f"the policy drew no second evaluation of {slot.contact}")
            continue
        scorer = slot.pair.second.evaluator
        _scored(context, slot.contact, scorer, second_given, rng)
        slot.pair.refresh_from_db()
        if slot.pair.within_tolerance is slot.drawn.outside:
            raise RuntimeError(f"pair {slot.pair.pk} is not as the demo's story has it")
    for slot in slots:
        if slot.begun_at is not None:
            _begun(context, slot.pair.second, sheets[id(slot)][1], rng)


def _begun(context: _Team, evaluation: Evaluation, given: dict, rng) -> None:
    """A second evaluation still to do, begun: the first half of its answers saved."""
    names = list(given)[: len(given) // 2]
    evaluation_services.evaluation_save(
        evaluation=evaluation,
        user=evaluation.evaluator,
        answers={context.criteria[name].pk: _input(given[name]) for name in names},
        seconds_spent=rng.randint(60, 300),
        sections=context.sections,
    )


def _scored(context: _Team, contact, evaluator: User, given: dict, rng) -> Evaluation:
    """As on the screen: the evaluator's draft (the second evaluation's is waiting), saved and
    submitted."""
    evaluation = evaluation_services.evaluation_start(
        contact=contact, evaluator=evaluator, version=context.version
    )
    evaluation_services.evaluation_save(
        evaluation=evaluation,
        user=evaluator,
        answers={context.criteria[name].pk: _input(value) for name, value in given.items()},
        seconds_spent=rng.randint(240, 900),
        sections=context.sections,
    )
    return evaluation_services.evaluation_submit(evaluation=evaluation, user=evaluator)


def _answers(context: _Team, slot: _Slot, rng: random.Random) -> tuple[dict, dict]:
    """The two evaluators' answers: the agent's truth, answered differently on the plan's
    criteria, on the side of the tolerance the story needs (a truth that fails a critical
    criterion zeroes both scores: another is drawn)."""
    drawn, criteria = slot.drawn, context.criteria
    for _ in range(100):
        truth = _truth(criteria, slot.contact.metadata["quality"], rng)
        first, second = dict(truth), dict(truth)
        for name in drawn.differ:
            _differ(criteria[name], name, truth, (first, second), drawn.lenient, rng)
        deviation = abs(_score(context, first) - _score(context, second))
        if (Decimal(str(round(deviation, 6))) > TOLERANCE) is drawn.outside:
            return first, second
    raise RuntimeError(f"no answers fit the demo's pair of {drawn}")


def _differ(criterion: Criterion, name: str, truth: dict, sheets, lenient: bool, rng) -> None:
    """Criterion ``name`` answered two ways. Lenient: the first evaluator gives the kinder
    answer, the second the agent's truth; else one of the two, either way, is a step off."""
    ranked = [o["label"] for o in sorted(criterion.options, key=lambda o: -o["points"])]
    if criterion.kind == "yes_no":
        truth[name] = "no" if lenient or truth[name] == "na" else truth[name]
        other = "yes" if truth[name] == "no" else "no"
    elif criterion.kind == "options":
        truth[name] = ranked[1] if lenient or truth[name] != ranked[0] else ranked[0]
        other = ranked[0] if truth[name] == ranked[1] else ranked[1]
    else:
        low, high = criterion.scale_min, criterion.scale_max
        value = min(int(truth[name]), high - 1) if lenient else int(truth[name])
        truth[name] = str(value)
        up = lenient or value == low or (value < high and rng.random() < 0.5)
        other = str(value + 1 if up else value - 1)
    first, second = sheets
    first[name] = second[name] = truth[name]
    off = first if lenient or rng.random() < 0.5 else second
    off[name] = other


def _score(context: _Team, given: dict) -> float:
    answers = {
        criterion.pk: Answer(
            criterion=criterion, value=_input(given[name]).value, is_na=given[name] == "na"
        ).scoring_value()
        for name, criterion in context.criteria.items()
    }
    return score_evaluation(context.spec, answers).score or 0.0


# --- when it happened -----------------------------------------------------------------------


def _dated(plain: list[_Slot], drawn: list[_Slot], rng: random.Random) -> None:
    """Every evaluation, pair and alert moved back to when it happened (auto_now fields: by
    update)."""
    for slot in plain:
        _evaluation_dated(slot.evaluation, slot.at, rng)
    for slot in drawn:
        _evaluation_dated(slot.evaluation, slot.at, rng)
        drawn_at = slot.at + timedelta(seconds=1)
        second = slot.pair.second
        Pair.objects.filter(pk=slot.pair.pk).update(drawn_at=drawn_at, completed_at=slot.second_at)
        # The second evaluator was told when the contact was drawn, by e-mail too; the news of
        # the seconds already done was read then.
        told = Notification.objects.filter(
            kind=NotificationKind.SECOND_EVALUATION, key__startswith=f"pair:{slot.pair.pk}:"
        )
        told.update(created_at=drawn_at, email_status=EmailStatus.SENT, sent_at=drawn_at)
        if slot.second_at is not None:
            told.update(read_at=slot.second_at)
        if slot.second_at is None:  # still to do, begun
            Evaluation.objects.filter(pk=second.pk).update(
                created_at=drawn_at, saved_at=slot.begun_at
            )
            continue
        _evaluation_dated(second, slot.second_at, rng, started=drawn_at)
        Notification.objects.filter(
            kind=NotificationKind.PAIR_DRIFT, key__startswith=f"pair:{slot.pair.pk}:"
        ).update(created_at=slot.second_at, email_status=EmailStatus.SENT, sent_at=slot.second_at)


def _evaluation_dated(evaluation: Evaluation, at: datetime, rng, started=None) -> None:
    started = started or at - timedelta(
        seconds=evaluation.time_spent_seconds + rng.randint(30, 600)
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(
        created_at=started, saved_at=at, submitted_at=at
    )
    EvaluationEvent.objects.filter(evaluation=evaluation, kind=EventKind.SUBMITTED).update(at=at)
