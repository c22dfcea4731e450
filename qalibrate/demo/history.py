"""Four months of calibration before the demo's today, so the history pages tell a story.

Each team meets about twice a month. Customer support's six sessions before the two of
qalibrate/demo/sessions.py are scored on version 1 of the call form until the identity check
is reworded in version 2 (its guideline names the identifiers that count), and the evaluators
who read version 1's "identity is checked" differently stop disagreeing. Anna Bergström scores
like the others for months, then ever more leniently: in the last two sessions her totals are
beyond the tolerance and the team's drift rule tells the facilitator (the alert also names
Irina Volkova, strict beyond it in the same two sessions). The Russian and Swedish teams score
chats and e-mails. Every team runs into the same process problems again and again (flags and
follow-up actions) and writes down why it agreed on an answer, in its own language: the book
of rulings.

Sessions go the real way (planned, opened, revealed, answers agreed, completed), so each is
recorded in the history when it completes; only the evaluators' submitted answers are written
in bulk, as the evaluation services leave them. They are made after the demo's other sessions,
which keeps those sessions' ids (the README's examples use them).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation

from qalibrate.accounts.models import Agent, Team, User
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import CalibrationSession, SessionStatus
from qalibrate.contacts.models import Channel, Contact
from qalibrate.demo.history_texts import ACTIONS, FLAGS, NOTES, REASONS
from qalibrate.demo.sessions import _actions, _backdate
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    EventKind,
)
from qalibrate.history import services as history_services
from qalibrate.history.models import SessionRecord
from qalibrate.scorecards.models import Criterion, Scorecard, ScorecardVersion
from qalibrate.scorecards.scoring import score_evaluation

# Short names of the criteria, by how their text starts on each form.
CRITERIA = {
    "Inbound support call": {
        "greet": "Greets",
        "verify": "Verifies",
        "asks": "Asks questions",
        "info": "Information given",
        "resolves": "Resolves",
        "empathy": "Shows empathy",
        "recap": "Summarises",
        "more": "Offers further help",
    },
    "Chat and e-mail": {
        "greet": "Greets the customer",
        "spelling": "Spelling",
        "tone": "Tone fits",
        "answers": "Answers every",
        "info": "Information is correct",
        "links": "Adds links",
        "first_reply": "First reply",
        "back_forth": "No unnecessary",
    },
}

# How likely the agent did it right, by the quality of the scenario the transcript came from.
GOOD = {"good": 0.9, "mixed": 0.65, "poor": 0.35}
# The chance an evaluator hears one answer differently: yes/no, options, one step on a scale.
NOISE = {"yes_no": 0.025, "options": 0.04, "scale": 0.18}
# The automatic scorer: steadier than people on a scale, but it misreads a yes/no or an option
# (irony, a half answer) more often than they do, critical ones included.
MACHINE_NOISE = {"yes_no": 0.08, "options": 0.08, "scale": 0.03}
# Customer support, version 1: who read "identity is checked" their own way in which session,
# and how many calls it decided. 1 = Irina (strict: the name alone is no check), 2 = James and
# 3 = Karl (lenient: nothing sensitive was said, so nothing needed checking).
IDENTITY_SPLITS = {0: {1: 2, 3: 1}, 1: {2: 3}, 2: {1: 1, 3: 2}, 3: {2: 3}}


@dataclass(frozen=True)
class TeamPlan:
    team: str
    language: str
    facilitator: str
    evaluators: tuple[str, ...]
    scorecard: str
    channels: tuple[str, ...]
    days_ago: tuple[int, ...]  # the meetings, oldest first
    contacts: int
    time_zone: str
    hour: int
    title: str  # with {week}
    location: str
    # The session (index) from which the scorecard's version 2 is used; None: version 1 always.
    reworded_from: int | None = None
    # Per session index, how far the first evaluator leans towards the lenient answer (0-1).
    lenient: dict[int, float] = field(default_factory=dict)


PLANS = [
    TeamPlan(
        team="Customer support",
        language="en",
        facilitator="maria.lindqvist",
        # As in sessions.py: lenient, strict, steady, late.
        evaluators=("anna.bergstrom", "irina.volkova", "james.cole", "karl.nyberg"),
        scorecard="Inbound support call",
        channels=(Channel.CALL,),
        days_ago=(109, 95, 81, 67, 53, 39),
        contacts=6,
        time_zone="Europe/London",
        hour=10,
        title="Customer support: calls, week {week}",
        location="Room Nordkap / https://meet.example.com/qa-calibration",
        reworded_from=4,
        lenient={4: 0.15, 5: 0.25},
    ),
    TeamPlan(
        team="Служба поддержки",
        language="ru",
        facilitator="olga.smirnova",
        evaluators=("irina.volkova", "nikita.orlov"),
        scorecard="Chat and e-mail",
        channels=(Channel.CHAT, Channel.EMAIL),
        days_ago=(113, 99, 85, 71, 57, 43, 29, 15),
        contacts=5,
        time_zone="Europe/Moscow",
        hour=11,
        title="Служба поддержки: чаты и письма, неделя {week}",
        location="https://meet.example.com/okk-kalibrovka",
    ),
    TeamPlan(
        team="Kundtjänst Norden",
        language="sv",
        facilitator="maria.lindqvist",
        # qa.assistant is the automatic scorer the team tries beside its people.
        evaluators=("anna.bergstrom", "karl.nyberg", "qa.assistant"),
        scorecard="Chat and e-mail",
        channels=(Channel.CHAT, Channel.EMAIL),
        days_ago=(110, 96, 82, 68, 54, 40, 26, 12),
        contacts=5,
        time_zone="Europe/Stockholm",
        hour=14,
        title="Kundtjänst Norden: chatt och e-post, vecka {week}",
        location="Rum Öresund / https://meet.example.com/kalibrering",
    ),
]


def build_history(*, now: datetime, seed: int = 2026) -> int:
    """Returns the number of sessions made."""
    rng = random.Random(seed + 20)
    earlier = list(
        CalibrationSession.objects.filter(status=SessionStatus.COMPLETED).values_list(
            "pk", flat=True
        )
    )
    made = 0
    for plan in PLANS:
        made += len(_team_history(plan, now, rng))
    _versions_dated(now)
    # The records carry the completion time the sessions were moved back to.
    SessionRecord.objects.update(
        source_completed_at=Subquery(
            CalibrationSession.objects.filter(pk=OuterRef("session_id")).values("completed_at")
        )
    )
    _drift_judged_again(earlier)
    return made


def week_number(days_ago: int) -> int:
    """The week in the demo's titles: sessions.py calls the meeting 4 days ago week 47."""
    return 47 - round((days_ago - 4) / 7)


def _meeting(now: datetime, days_ago: int, plan: TeamPlan) -> datetime:
    """The meeting's time in the team's time zone, on a working day."""
    local = (now - timedelta(days=days_ago)).astimezone(ZoneInfo(plan.time_zone))
    if local.weekday() >= 5:  # Saturday → Friday, Sunday → Monday
        local += timedelta(days=-1 if local.weekday() == 5 else 1)
    return local.replace(hour=plan.hour, minute=0, second=0, microsecond=0)


@dataclass
class _Team:
    """What a team's sessions share."""

    plan: TeamPlan
    team: Team
    lead: User
    evaluators: list[User]
    versions: list[ScorecardVersion]
    criteria: dict[int, dict[str, Criterion]]  # version id → short name → criterion
    agents: list[Agent]
    scenarios: list[dict]
    # The automatic scorer's own draws, so that adding it changes none of the people's answers.
    machine: random.Random = field(default_factory=lambda: random.Random(2026))


def _team_history(plan: TeamPlan, now: datetime, rng: random.Random) -> list[CalibrationSession]:
    from qalibrate.demo.builder import load_transcripts

    scorecard = Scorecard.objects.get(name=plan.scorecard)
    versions = list(scorecard.versions.filter(status="published").order_by("number"))
    team = Team.objects.get(name=plan.team)
    users = {u.username: u for u in User.objects.filter(username__in=plan.evaluators)}
    context = _Team(
        plan=plan,
        team=team,
        lead=User.objects.get(username=plan.facilitator),
        evaluators=[users[name] for name in plan.evaluators],
        versions=versions,
        criteria={
            v.pk: {
                name: Criterion.objects.get(section__version=v, text__startswith=start)
                for name, start in CRITERIA[plan.scorecard].items()
            }
            for v in versions
        },
        agents=list(Agent.objects.filter(team=team).order_by("pk")),
        scenarios=[s for s in load_transcripts()[plan.language] if s["channel"] in plan.channels],
    )
    return [
        _session(context, index, _meeting(now, days, plan), week_number(days), rng)
        for index, days in enumerate(plan.days_ago)
    ]


def _version(context: _Team, index: int) -> ScorecardVersion:
    reworded = context.plan.reworded_from
    return context.versions[1 if reworded is not None and index >= reworded else 0]


def _session(context: _Team, index, meeting, week, rng) -> CalibrationSession:
    plan, lead = context.plan, context.lead
    version = _version(context, index)
    criteria = context.criteria[version.pk]
    contacts = _contacts(context, meeting, rng)
    # The agenda and ground rules are prefilled in the language of the one who plans.
    with translation.override(lead.language):
        session = services.session_plan(
            user=lead,
            contacts=contacts,
            evaluators=context.evaluators,
            title=plan.title.format(week=week),
            version=version,
            team=context.team,
            facilitator=lead,
            scoring_deadline=meeting - timedelta(days=1),
            meeting_at=meeting,
            location=plan.location,
        )
    services.session_move(session=session, user=lead, action="open")
    truths = {c.pk: _truth(criteria, c.metadata["quality"], rng) for c in contacts}
    splits = _identity_splits(context, index, contacts, truths, rng)
    sheets = []
    slips = {evaluator.pk: [1] for evaluator in context.evaluators}
    for contact in contacts:
        for role, evaluator in enumerate(context.evaluators):
            if evaluator.is_automatic:
                given = {
                    name: _machine_given(criterion, truths[contact.pk][name], context.machine)
                    for name, criterion in criteria.items()
                }
                sheets.append((contact, evaluator, given))
                continue
            lean = plan.lenient.get(index, 0.0) if role == 0 else 0.0
            given = {
                name: splits.get((contact.pk, role, name))
                or _given(criterion, truths[contact.pk][name], lean, rng, slips[evaluator.pk])
                for name, criterion in criteria.items()
            }
            sheets.append((contact, evaluator, given))
    _submitted(session, version, criteria, sheets, rng)
    session = services.session_move(session=session, user=lead, action="reveal")
    _agree(context, session, criteria, truths, splits, rng)
    _flags_and_actions(context, session, index, criteria, meeting)
    _complete(session, lead, plan.language, rng, meeting)
    return session


def _contacts(context: _Team, meeting: datetime, rng: random.Random) -> list[Contact]:
    """New contacts for the session, each from another agent, from the weeks before it was
    planned."""
    from qalibrate.demo.builder import CUSTOMER_NAMES, _fill_names

    plan = context.plan
    made = Contact.objects.filter(external_id__startswith=f"DEMO-{plan.language.upper()}-H")
    number = made.count()
    agents = rng.sample(context.agents, plan.contacts)
    contacts = []
    for agent in agents:
        scenario = rng.choice(context.scenarios)
        number += 1
        turns = _fill_names(
            scenario["turns"],
            agent.full_name.split(" ", 1)[0],
            rng.choice(CUSTOMER_NAMES[plan.language]),
        )
        occurred = meeting - timedelta(days=rng.randint(12, 30))
        duration = None
        if scenario["channel"] in (Channel.CALL, Channel.CHAT) and turns:
            duration = int(turns[-1]["t"]) + rng.randint(8, 40)
        contacts.append(
            Contact(
                channel=scenario["channel"],
                agent=agent,
                team_id=agent.team_id,
                occurred_at=occurred.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59)),
                external_id=f"DEMO-{plan.language.upper()}-H{number:04d}",
                duration_seconds=duration,
                language=plan.language,
                subject=scenario["topic"],
                transcript=turns,
                metadata={"scenario": scenario["key"], "quality": scenario.get("quality", "mixed")},
            )
        )
    return Contact.objects.bulk_create(contacts)


# --- answers ------------------------------------------------------------------------------------


def _truth(criteria: dict[str, Criterion], quality: str, rng: random.Random) -> dict[str, str]:
    """What the agent did, criterion by criterion ("na": not applicable): the answer the group
    will agree on."""
    chance = GOOD.get(quality, 0.65)
    truth = {}
    for name, criterion in criteria.items():
        if criterion.kind == "yes_no":
            if criterion.na_allowed and rng.random() < 0.08:
                truth[name] = "na"
            elif name == "verify":
                truth[name] = "yes" if rng.random() < 0.85 else "no"
            else:
                truth[name] = "yes" if rng.random() < chance else "no"
        elif criterion.kind == "scale":
            low, high = criterion.scale_min, criterion.scale_max
            value = low + (high - low) * (chance + rng.uniform(-0.2, 0.15))
            truth[name] = str(min(high, max(low, round(value))))
        else:
            ranked = _ranked(criterion)
            # Wrong information fails a whole chat: rare, and only in the poor ones.
            worst = 2 if quality == "poor" and rng.random() < 0.25 else 1
            truth[name] = ranked[0] if rng.random() < chance else ranked[worst]
    return truth


def _given(criterion: Criterion, truth: str, lean: float, rng, slips: list[int]) -> str:
    """An evaluator's answer: the agent's truth, now and then heard differently; ``lean`` pulls
    towards the lenient answer. A scale answer may be a step off anywhere; a yes/no or an
    option, which moves the total much more, at most ``slips[0]`` times in the session (one
    slip is calibration, several are drift), and a critical one never: everyone hears those."""
    leaning = _leaning(criterion, truth, lean, rng)
    if leaning is not None:
        return leaning
    if criterion.kind == "scale":
        value = int(truth)
        if rng.random() < NOISE["scale"]:
            value = min(criterion.scale_max, max(criterion.scale_min, value + rng.choice((-1, 1))))
        return str(value)
    if criterion.critical != "none" or slips[0] < 1 or rng.random() >= NOISE[criterion.kind]:
        return truth
    slips[0] -= 1
    if criterion.kind == "yes_no":
        return {"yes": "no", "no": "yes"}.get(truth, "yes")
    ranked = _ranked(criterion)
    return ranked[1] if ranked.index(truth) == 0 else ranked[0]


def _machine_given(criterion: Criterion, truth: str, rng: random.Random) -> str:
    """The automatic scorer's answer: the agent's truth, misread now and then (MACHINE_NOISE)."""
    if rng.random() >= MACHINE_NOISE[criterion.kind]:
        return truth
    if criterion.kind == "scale":
        step = rng.choice((-1, 1))
        return str(min(criterion.scale_max, max(criterion.scale_min, int(truth) + step)))
    if criterion.kind == "yes_no":
        return {"yes": "no", "no": "yes"}.get(truth, "yes")
    ranked = _ranked(criterion)
    return ranked[1] if ranked.index(truth) == 0 else ranked[0]


def _leaning(criterion: Criterion, truth: str, lean: float, rng) -> str | None:
    """The lenient answer, when the evaluator leans that way this time; never lifting a
    critical failure."""
    if not lean or rng.random() >= lean:
        return None
    if criterion.kind == "scale":
        return str(min(criterion.scale_max, int(truth) + 1))
    if criterion.critical != "none" or rng.random() >= 0.6:
        return None
    if criterion.kind == "yes_no":
        return "yes" if truth == "no" else None
    ranked = _ranked(criterion)
    return ranked[0] if truth == ranked[1] else None


def _ranked(criterion: Criterion) -> list[str]:
    """The options' labels, the best first."""
    return [o["label"] for o in sorted(criterion.options, key=lambda o: -o["points"])]


def _identity_splits(context, index, contacts, truths, rng) -> dict[tuple, str]:
    """Version 1's identity check read two ways (IDENTITY_SPLITS): on the calls it decided, the
    one who read it otherwise answers against the others. (contact, role, "verify") → answer."""
    if context.plan.reworded_from is None or index >= context.plan.reworded_from:
        return {}
    splits = {}
    free = list(contacts)
    rng.shuffle(free)
    for role, count in IDENTITY_SPLITS.get(index, {}).items():
        for contact in free[:count]:
            strict = role == 1
            # The group agreed with the majority's reading of this call.
            truths[contact.pk]["verify"] = "yes" if strict else "no"
            splits[(contact.pk, role, "verify")] = "no" if strict else "yes"
        free = free[count:]
    return splits


def _submitted(session, version, criteria, sheets, rng) -> None:
    """Each evaluator's answers, scored and submitted. Written in bulk, as the rows that
    evaluation_save and evaluation_submit leave (the answers, the score, one save, a submitted
    event): through those services, one at a time, they took most of the demo's build time."""
    sections = list(version.sections.prefetch_related("criteria"))
    spec = version.scoring_spec(sections)
    now = timezone.now()
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(
            contact=contact,
            evaluator=evaluator,
            version=version,
            session=session,
            status=EvaluationStatus.SUBMITTED,
            revision=1,
            time_spent_seconds=rng.randint(240, 900),
            submitted_at=now,
        )
        for contact, evaluator, _given in sheets
    )
    answers = []
    for evaluation, (_contact, _evaluator, given) in zip(evaluations, sheets, strict=True):
        mine = [
            Answer(
                evaluation=evaluation,
                criterion=criteria[name],
                value=evaluation_services.checked_value(criteria[name], _input(value)),
                is_na=value == "na",
            )
            for name, value in given.items()
        ]
        evaluation.score = score_evaluation(
            spec, {a.criterion_id: a.scoring_value() for a in mine}
        ).score
        answers += mine
    Answer.objects.bulk_create(answers)
    Evaluation.objects.bulk_update(evaluations, ["score"])
    EvaluationEvent.objects.bulk_create(
        EvaluationEvent(evaluation=e, kind=EventKind.SUBMITTED, actor=e.evaluator)
        for e in evaluations
    )


def _input(value: str) -> evaluation_services.AnswerInput:
    """The form's answer for a stored one ("na": not applicable)."""
    return evaluation_services.AnswerInput("" if value == "na" else value, na=value == "na")


# --- the meeting --------------------------------------------------------------------------------


def _agree(context, session, criteria, truths, splits, rng) -> None:
    """The facilitator's decisions: the agent's truth wherever the reveal's proposal differs, a
    reason on the identity splits and on a few other disputed answers, and feedback on a
    contact or two."""
    language = context.plan.language
    given = meeting_selectors.submitted_answers(session)
    disputed = []
    proposals = {
        key: agreed.form_value
        for key, agreed in meeting_selectors.agreed_answers(session, changes=False).items()
    }
    for session_contact in session.session_contacts.select_related("contact"):
        contact = session_contact.contact
        for name, criterion in criteria.items():
            answers = {a.form_value for a in given.get((contact.pk, criterion.pk), [])}
            # Heard the same way by everyone: that is the answer, whatever the agent did.
            agreed = answers.pop() if len(answers) == 1 else truths[contact.pk][name]
            split = (contact.pk, name) in {(key[0], key[2]) for key in splits}
            if split or len(answers) > 1:
                disputed.append((split, session_contact, name, criterion, agreed))
            elif proposals.get((session_contact.pk, criterion.pk)) != agreed:
                _agreed_set(session_contact, criterion, context.lead, agreed, "")
    reasoned = set(rng.sample(range(len(disputed)), min(len(disputed), 2)))
    for number, (split, session_contact, name, criterion, agreed) in enumerate(disputed):
        reason = ""
        if split or number in reasoned:
            options = REASONS[language][name]
            reason = rng.choice(options.get(agreed) or options.get("*") or [""])
        if reason or proposals.get((session_contact.pk, criterion.pk)) != agreed:
            _agreed_set(session_contact, criterion, context.lead, agreed, reason)
    for session_contact in rng.sample(list(session.session_contacts.all()), rng.randint(1, 2)):
        services.contact_notes_set(
            session_contact=session_contact,
            user=context.lead,
            notes=rng.choice(NOTES[language]),
        )


def _agreed_set(session_contact, criterion, lead, value: str, reason: str) -> None:
    services.agreed_answer_set(
        session_contact=session_contact,
        criterion=criterion,
        user=lead,
        answer=_input(value),
        reason=reason,
    )


def _flags_and_actions(context, session, index, criteria, meeting) -> None:
    language, lead = context.plan.language, context.lead
    for kind, name, note in FLAGS[language].get(index, []):
        services.criterion_flag_set(
            session=session, criterion=criteria[name], user=lead, kind=kind, note=note
        )
    actions = [
        (description, lead if owner == "lead" else context.evaluators[owner], due, status)
        for description, owner, due, status in ACTIONS[language].get(index, [])
    ]
    _actions(session, lead, meeting, actions)


def _complete(session, lead, language, rng, meeting) -> None:
    """Completed with a summary drafted in the team's language, in which the completion also
    records the session in the history (its rulings' answers). Then the session's history is
    moved to when it happened."""
    with translation.override(language):
        summary = meeting_selectors.summary_draft(
            meeting_selectors.discussion(session, versus_reference=False)
        )
        services.session_complete(
            session=session,
            user=lead,
            summary=summary,
            agreed_becomes_official=True,
            share_with_agents=True,
        )
    _backdate(session, rng, meeting)


# --- afterwards ---------------------------------------------------------------------------------


def _versions_dated(now: datetime) -> None:
    """The scorecards' versions dated as the story has them: version 1 in use before the first
    session, version 2 of the call form published between the sessions on either side of it,
    and its draft of version 3 started after the latest session but one."""
    first = now - timedelta(days=140)
    ScorecardVersion.objects.filter(number=1).update(created_at=first, published_at=first)
    Scorecard.objects.update(created_at=first - timedelta(days=2))
    support = next(plan for plan in PLANS if plan.reworded_from is not None)
    before, after = (support.days_ago[support.reworded_from + i] for i in (-1, 0))
    reworded = now - timedelta(days=(before + after) // 2)
    call = ScorecardVersion.objects.filter(scorecard__name=support.scorecard)
    call.filter(number=2).update(created_at=reworded - timedelta(days=5), published_at=reworded)
    call.filter(number=3).update(created_at=now - timedelta(days=18))


def _drift_judged_again(sessions: list[int]) -> None:
    """The sessions completed before this history was made (sessions.py) were judged for drift
    without it; judged again with it, without telling anyone twice."""
    for record in SessionRecord.objects.filter(session__in=sessions).order_by("held_on", "pk"):
        history_services.drift_check(record=record, alerts=False)
