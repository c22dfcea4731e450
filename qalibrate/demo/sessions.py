"""Demo calibration sessions: one in blind scoring with some evaluators done, one planned, and
two completed ones (the later compared with the earlier) with real disagreements to discuss."""

import random
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import translation

from qalibrate.accounts.models import Role, Team, User
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import (
    ActionStatus,
    AgreedAnswer,
    AgreedAnswerChange,
    AgreedSource,
    CalibrationSession,
    FlagKind,
    FollowUpAction,
    SessionEvent,
)
from qalibrate.contacts.models import Contact
from qalibrate.demo.evaluations import evaluate
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import Evaluation, EvaluationEvent
from qalibrate.notifications.models import Kind, Notification
from qalibrate.scorecards.models import Criterion, Scorecard


def build_sessions(*, now, seed: int = 2026) -> int:
    lead = User.objects.get(username="maria.lindqvist")
    # The agenda and ground rules are prefilled in the language of the one who plans.
    with translation.override(lead.language):
        return _build(lead, now, random.Random(seed), seed)


def _build(lead, now, rng, seed) -> int:
    call_form = Scorecard.objects.get(name="Inbound support call").current_version
    evaluators = list(
        User.objects.filter(role=Role.EVALUATOR, is_automatic=False).order_by("username")
    )
    support = Team.objects.get(name="Customer support")
    calls = Contact.objects.filter(team=support, channel="call", evaluations__isnull=True)

    scoring = services.session_plan(
        user=lead,
        contacts=services.contacts_sample(contacts=calls, count=6, seed=seed),
        evaluators=evaluators[:4],
        observers=[User.objects.get(username="emma.clarke")],
        title="Customer support: calls, week 48",
        version=call_form,
        team=support,
        facilitator=lead,
        scoring_deadline=now + timedelta(days=2),
        meeting_at=now + timedelta(days=3, hours=2),
        location="Room Nordkap / https://meet.example.com/qa-calibration",
    )
    services.session_move(session=scoring, user=lead, action="open")
    for number, evaluator in enumerate(evaluators[:4]):
        # Some have finished, some are halfway, one has not started: as it goes in real life.
        for position, session_contact in enumerate(scoring.session_contacts.all()):
            if position < 6 - 2 * number:
                evaluate(
                    rng,
                    session_contact.contact,
                    evaluator,
                    call_form,
                    submit=number < 2,
                    session=scoring,
                )

    planned = services.session_plan(
        user=lead,
        contacts=services.contacts_sample(contacts=calls, count=5, seed=seed + 1),
        evaluators=evaluators[:3],
        title="Customer support: calls, week 50",
        version=call_form,
        team=support,
        facilitator=lead,
        scoring_deadline=now + timedelta(days=16),
        meeting_at=now + timedelta(days=17, hours=2),
        location="https://meet.example.com/qa-calibration",
    )
    completed = _build_completed(
        lead, now, random.Random(seed + 2), call_form, support, evaluators[:4]
    )
    return len([scoring, planned, *completed])


# The two completed sessions. The four demo evaluators each play a part: one lenient, one strict,
# one steady who writes a comment on most answers, and one steady who left a contact unscored.
LENIENT, STRICT, STEADY, LATE = range(4)
DONE = ActionStatus.DONE

CRITERIA = {  # short name → how the criterion's text starts on the call form
    "greet": "Greets",
    "verify": "Verifies",
    "asks": "Asks questions",
    "info": "Information given",
    "resolves": "Resolves",
    "empathy": "Shows empathy",
    "recap": "Summarises",
    "more": "Offers further help",
    "notes": "Notes for coaching",
}

# Per scenario of the English calls (qalibrate/demo/data/transcripts.json), per criterion: the
# answer the group settles on, the answers of the evaluators who heard it differently (with their
# comment), and the steady evaluator's comment. "na" is N/A; evaluators not named answer as agreed.
CALLS = {
    "billing_double_charge": {
        "greet": ("yes", {}, ""),
        "verify": ("yes", {}, "Customer number and date of birth before the payments."),
        "asks": (
            "3",
            {
                LENIENT: (
                    "5",
                    "Nothing left to ask: went straight to the fix and read the amount "
                    "back to the customer.",
                ),
                STRICT: ("2", "Only the identity check. Were earlier bills charged twice too?"),
            },
            "The customer explained it all in the first sentence; the agent asked what was needed "
            "and no more.",
        ),
        "info": ("Correct", {}, "Refund time matches the knowledge base: 3 to 5 working days."),
        "resolves": ("yes", {}, "Refund started during the call."),
        "empathy": (
            "4",
            {
                LENIENT: ("5", "Warm and reassuring from start to end."),
                STRICT: (
                    "3",
                    "'I completely understand' is a stock phrase; nothing reflected back.",
                ),
                STEADY: ("5", "Picked up 'I'm short this month' and acted on it straight away."),
            },
            "",
        ),
        "recap": ("yes", {}, "Clear recap at the end: amount, refund, five working days."),
        "more": ("yes", {}, ""),
    },
    "delivery_delay": {
        "greet": (
            "no",
            {
                LENIENT: ("yes", "Friendly start; no name, but the customer did not seem to mind."),
            },
            "'Northwind, hello.': no own name.",
        ),
        "verify": (
            "yes",
            {
                STRICT: (
                    "yes",
                    "Order number only. Fine for a delivery status, I think, but the "
                    "guideline does not say so.",
                ),
            },
            "Order number only, and nothing from the account beyond the delivery status.",
        ),
        "asks": (
            "1",
            {
                LENIENT: ("2", "Got the order number, and the work-from-home need came up."),
                STRICT: (
                    "0",
                    "No question about the need: the customer had to volunteer working from home.",
                ),
            },
            "Asked for the order number and nothing else.",
        ),
        "info": (
            "Correct",
            {
                STRICT: (
                    "Partly correct",
                    "The courier does not guarantee 'before noon'; see the delivery article.",
                ),
            },
            "",
        ),
        "resolves": (
            "no",
            {
                LENIENT: ("yes", "Priority delivery booked: that is all the agent can do today."),
                LATE: ("yes", "Escalated to the courier with a priority slot."),
            },
            "The router is still not there, and the customer may have to call again.",
        ),
        "empathy": (
            "2",
            {
                LENIENT: ("3", "Acknowledged the frustration once."),
            },
            "'These things happen' sounds dismissive; one 'I understand' later on.",
        ),
        "recap": (
            "yes",
            {
                STRICT: ("no", "Gave the next step but no recap of what was done."),
            },
            "Priority delivery tomorrow before noon, and what to do if it does not come.",
        ),
        "more": ("no", {}, "Never asked whether there was anything else."),
    },
    "internet_outage": {
        "greet": ("no", {}, "'Yeah, Northwind.'"),
        "verify": (
            "no",
            {
                LENIENT: (
                    "yes",
                    "No account details were discussed, so there was nothing to verify.",
                ),
            },
            "No identification at all, yet the agent looked up the line.",
        ),
        "asks": ("1", {LENIENT: ("2", ""), STRICT: ("0", "")}, "Asked about the restart only."),
        "info": (
            "Wrong",
            {
                LENIENT: (
                    "Partly correct",
                    "The restart advice was right; the router was a guess.",
                ),
                LATE: ("Partly correct", ""),
            },
            "Blamed the router without checking the outage map: there was a local fault that "
            "morning.",
        ),
        "resolves": ("no", {}, ""),
        "empathy": ("1", {LENIENT: ("2", "")}, "Dismissive throughout, and ended with 'Bye.'"),
        "recap": ("no", {}, "'Someone will call you' is not a next step: no time, no reference."),
        "more": ("no", {}, ""),
    },
    "complaint_supervisor": {
        "greet": ("yes", {}, ""),
        "verify": (
            "no",
            {},
            "Customer number only before the payment date; the guideline asks for two identifiers.",
        ),
        "asks": (
            "3",
            {
                LENIENT: ("4", "Checked the account before transferring: the right instinct."),
                STEADY: (
                    "2",
                    "Went to the account at once; never asked what outcome the customer wanted.",
                ),
            },
            "",
        ),
        "info": ("Correct", {}, "The bank holiday and the 30-pound limit are both right."),
        "resolves": (
            "na",
            {
                LENIENT: (
                    "yes",
                    "Transferred with the details written down: nothing more the agent could do.",
                ),
                STRICT: ("no", "The fee is still there."),
                LATE: ("no", "Transferred, so not resolved."),
            },
            "N/A: above the agent's limit, and escalated correctly with a handover note.",
        ),
        "empathy": (
            "4",
            {STRICT: ("3", "")},
            "'You're right', and a handover note so the customer need not repeat it all.",
        ),
        "recap": ("yes", {}, ""),
        "more": ("na", {STRICT: ("no", "Could have asked before transferring.")}, "Transferred."),
    },
    "cancel_subscription": {
        "greet": ("yes", {}, ""),
        "verify": ("yes", {}, "Customer number and postcode: two identifiers."),
        "asks": (
            "5",
            {
                STRICT: ("4", "Asked for the reason; not about the other services on the account."),
            },
            "Asked why before cancelling and found what the customer actually watches.",
        ),
        "info": ("Correct", {}, ""),
        "resolves": (
            "yes",
            {
                STRICT: (
                    "no",
                    "The customer called to cancel and did not: a retention offer does not "
                    "resolve the request.",
                ),
            },
            "The customer chose the basic package freely.",
        ),
        "empathy": (
            "4",
            {
                LENIENT: ("5", ""),
                STRICT: ("3", ""),
                STEADY: ("5", "Friendly and patient, no pressure in the offer."),
            },
            "",
        ),
        "recap": ("yes", {}, "Start date and the confirmation e-mail."),
        "more": ("yes", {}, ""),
    },
}

# What evaluators wrote under "Notes for coaching".
COACHING = {
    "billing_double_charge": {
        STEADY: "Model call. Use the recap in onboarding.",
        STRICT: "Ask whether earlier bills are affected before closing.",
    },
    "delivery_delay": {
        STEADY: "Greet with your name, and offer the mobile hotspot when the customer works from "
        "home.",
        STRICT: "Avoid 'these things happen'.",
    },
    "internet_outage": {
        STEADY: "Identify the caller, check the outage map before blaming the equipment, and give "
        "a time for the technician's call.",
        LATE: "Listen to this one together with the agent.",
    },
    "complaint_supervisor": {STEADY: "Second identifier first; otherwise a good handover."},
    "cancel_subscription": {STEADY: "Textbook retention: the reason first, then a fitting offer."},
}

# The facilitator's decisions at the meeting, changing or confirming the prefilled answer.
REASONS = {
    ("delivery_delay", "resolves"): "Not resolved: the router has not arrived and the customer may "
    "have to call again. Yes only when the customer needs nothing more from us.",
    ("delivery_delay", "verify"): "Yes: only the delivery status was shared, and the order number "
    "is enough for that. To be written into the guideline.",
    ("internet_outage", "info"): "Wrong: the outage map showed a local fault since 6:40; the "
    "router was fine.",
    ("complaint_supervisor", "resolves"): "N/A, as the guideline says: the fee is above the "
    "agent's 30-pound limit and the transfer came with a handover note.",
    ("cancel_subscription", "resolves"): "Yes: the customer's problem was the price, and the "
    "package they chose solves it.",
    ("cancel_subscription", "empathy"): "4: warm and patient, but the reason the customer gave was "
    "not reflected back before the offer.",
}

# Feedback for the agent, noted per contact at the meeting.
FEEDBACK = {
    "cancel_subscription": "Great call: you asked why before cancelling and offered a package "
    "that fits. Keep doing this.",
    "delivery_delay": "Say your name in the greeting. When a customer depends on the connection, "
    "acknowledge it and offer the mobile hotspot while they wait.",
    "internet_outage": "Always identify the caller before looking at the line. Check the outage "
    "map before suggesting the router is broken, and tell the customer when the technician will "
    "call.",
    "complaint_supervisor": "Ask for a second identifier before talking about payments. The "
    "handover note was exactly right.",
}

CURRENT_CALLS = [
    "cancel_subscription",
    "delivery_delay",
    "internet_outage",
    "complaint_supervisor",
    "billing_double_charge",
    "billing_double_charge",
]
EARLIER_CALLS = [
    "billing_double_charge",
    "internet_outage",
    "cancel_subscription",
    "complaint_supervisor",
    "delivery_delay",
    "cancel_subscription",
]


def _build_completed(lead, now, rng, version, support, evaluators) -> list[CalibrationSession]:
    """Two completed sessions three weeks apart, on calls no other session holds."""
    criteria = {
        name: Criterion.objects.get(section__version=version, text__startswith=start)
        for name, start in CRITERIA.items()
    }
    current_meeting = now - timedelta(days=4) + timedelta(hours=2)
    earlier_meeting = current_meeting - timedelta(days=21)
    # Calls nobody has scored and no other session holds, from before each session was planned.
    pool = list(
        Contact.objects.filter(
            team=support, channel="call", evaluations__isnull=True, sessioncontact__isnull=True
        )
        .select_related("agent")
        .order_by("pk")
    )
    current_contacts = _pick(pool, CURRENT_CALLS, rng, current_meeting)
    pool = [c for c in pool if c not in current_contacts]
    earlier_contacts = _pick(pool, EARLIER_CALLS, rng, earlier_meeting)

    plan = dict(lead=lead, version=version, team=support, evaluators=evaluators, criteria=criteria)
    earlier = _scored_and_revealed(
        title="Customer support: calls, week 44",
        contacts=earlier_contacts,
        meeting=earlier_meeting,
        rng=rng,
        drift=0.35,
        **plan,
    )
    _agree(earlier, lead, criteria, feedback=1)
    services.criterion_flag_set(
        session=earlier,
        criterion=criteria["empathy"],
        user=lead,
        kind=FlagKind.CLARIFY,
        note="Scores 2 to 4 mean different things to different evaluators: give an example for "
        "each score.",
    )
    _actions(
        earlier,
        lead,
        earlier_meeting,
        [
            (
                "Write an example for each empathy score into the next scorecard draft.",
                lead,
                7,
                DONE,
            ),
            ("Send the refund-times article to all evaluators.", evaluators[STEADY], 3, DONE),
        ],
    )
    _complete(earlier, lead, rng, earlier_meeting)

    current = _scored_and_revealed(
        title="Customer support: calls, week 47",
        contacts=current_contacts,
        meeting=current_meeting,
        rng=rng,
        drift=0.1,
        unscored="cancel_subscription",
        **plan,
    )
    _agree(current, lead, criteria, feedback=3)
    outage = next(
        (c for c in current_contacts if _scenario(c) == "internet_outage"), current_contacts[0]
    )
    services.criterion_flag_set(
        session=current,
        criterion=criteria["verify"],
        user=lead,
        kind=FlagKind.CLARIFY,
        note="Say what to answer when no account detail is discussed at all (answered both ways "
        f"on {outage.external_id}), and whether an order number is enough for a delivery status.",
    )
    services.criterion_flag_set(
        session=current,
        criterion=criteria["resolves"],
        user=lead,
        kind=FlagKind.PROCESS,
        note="Agents may waive late fees only up to 30 pounds, so every bank-holiday fee ends in a "
        "transfer. Raised with Billing.",
    )
    _actions(
        current,
        lead,
        now,
        [
            ("Ask Billing to let agents waive late fees caused by bank holidays.", lead, -1, DONE),
            (
                f"Pair-score three recent calls on the identity check ({evaluators[LENIENT]} with "
                f"{evaluators[STEADY]}).",
                evaluators[LENIENT],
                3,
                ActionStatus.OPEN,
            ),
            (
                "Add identity-check examples to the next scorecard draft: what counts as an "
                "identifier, and the answer when no account detail is discussed.",
                lead,
                10,
                ActionStatus.IN_PROGRESS,
            ),
        ],
    )
    _complete(current, lead, rng, current_meeting)
    return [earlier, current]


def _scenario(contact: Contact) -> str:
    key = contact.metadata.get("scenario", "")
    return key if key in CALLS else "delivery_delay"


def _pick(pool, scenarios, rng, meeting) -> list[Contact]:
    """A contact per scenario, each from another agent where possible, that happened before the
    session was planned."""
    pool = [c for c in pool if c.occurred_at < meeting - timedelta(days=12)]
    picked: list[Contact] = []
    for scenario in scenarios:
        agents = {c.agent_id for c in picked}
        others = [c for c in pool if c not in picked and c.agent_id not in agents]
        fitting = [c for c in others if _scenario(c) == scenario]
        picked.append(rng.choice(fitting or others or [c for c in pool if c not in picked]))
    rng.shuffle(picked)
    return picked


def _scored_and_revealed(
    *,
    lead,
    version,
    team,
    evaluators,
    criteria,
    title,
    contacts,
    meeting,
    rng,
    drift,
    unscored=None,
) -> CalibrationSession:
    """Planned, scored blind by the evaluators (one contact left as a draft when `unscored` names
    its scenario) and revealed at the meeting."""
    session = services.session_plan(
        user=lead,
        contacts=contacts,
        evaluators=evaluators,
        title=title,
        version=version,
        team=team,
        facilitator=lead,
        scoring_deadline=meeting - timedelta(days=1),
        meeting_at=meeting,
        location="Room Nordkap / https://meet.example.com/qa-calibration",
    )
    services.session_move(session=session, user=lead, action="open")
    left_unscored = False
    for contact in contacts:
        scenario = _scenario(contact)
        for role, evaluator in enumerate(evaluators):
            draft = role == LATE and scenario == unscored and not left_unscored
            left_unscored = left_unscored or draft
            evaluation = evaluation_services.evaluation_start(
                contact=contact, evaluator=evaluator, version=version, session=session
            )
            answers = _answers(scenario, role, criteria, rng, drift)
            if draft:  # stopped halfway through the form
                answers = dict(list(answers.items())[:3])
            evaluation_services.evaluation_save(
                evaluation=evaluation,
                user=evaluator,
                answers=answers,
                seconds_spent=rng.randint(300, 900),
            )
            if not draft:
                evaluation_services.evaluation_submit(evaluation=evaluation, user=evaluator)
    return services.session_move(session=session, user=lead, action="reveal")


def _answers(scenario, role, criteria, rng, drift) -> dict:
    """One evaluator's answers to one call, from the table; scale answers drift by a point now and
    then (upwards for the lenient evaluator, downwards for the strict one)."""
    answers = {}
    for name, (agreed, others, steady_comment) in CALLS[scenario].items():
        criterion = criteria[name]
        value, comment = others.get(role, (agreed, ""))
        if role == STEADY and value == agreed and not comment:
            comment = steady_comment
        if criterion.kind == "scale" and rng.random() < drift:
            step = {LENIENT: 1, STRICT: -1}.get(role) or rng.choice((-1, 1))
            value = str(min(criterion.scale_max, max(criterion.scale_min, int(value) + step)))
            comment = ""
        answers[criterion.pk] = evaluation_services.AnswerInput(
            "" if value == "na" else value, na=value == "na", comment=comment
        )
    coaching = COACHING.get(scenario, {}).get(role)
    if coaching:
        answers[criteria["notes"].pk] = evaluation_services.AnswerInput(coaching)
    return answers


def _agree(session, lead, criteria, *, feedback: int) -> None:
    """The facilitator's decisions: the table's answer wherever the prefilled majority differs, a
    reason where the group argued it out (overruling or confirming the majority), and feedback
    for the agent on a few contacts."""
    noted = set()
    for session_contact in session.session_contacts.select_related("contact"):
        scenario = _scenario(session_contact.contact)
        prefilled = {a.criterion_id: a.form_value for a in session_contact.agreed_answers.all()}
        for name, (agreed, _others, _comment) in CALLS[scenario].items():
            criterion, reason = criteria[name], REASONS.get((scenario, name), "")
            if reason or prefilled.get(criterion.pk) != agreed:
                services.agreed_answer_set(
                    session_contact=session_contact,
                    criterion=criterion,
                    user=lead,
                    answer=evaluation_services.AnswerInput(
                        "" if agreed == "na" else agreed, na=agreed == "na"
                    ),
                    reason=reason,
                )
        if scenario in FEEDBACK and scenario not in noted and len(noted) < feedback:
            noted.add(scenario)
            services.contact_notes_set(
                session_contact=session_contact, user=lead, notes=FEEDBACK[scenario]
            )


def _actions(session, lead, start: datetime, actions) -> None:
    """Follow-up actions: (description, owner, due in days from `start`, status); a done one was
    done the day before it was due."""
    for description, owner, due_in, status in actions:
        action = services.action_add(
            session=session,
            user=lead,
            description=description,
            owner=owner,
            due_date=(start + timedelta(days=due_in)).date(),
        )
        if status != ActionStatus.OPEN:
            services.action_status_set(action=action, user=lead, status=status)
        if status == DONE:
            FollowUpAction.objects.filter(pk=action.pk).update(
                done_at=start + timedelta(days=due_in - 1)
            )


def _complete(session, lead, rng, meeting) -> None:
    # The summary is drafted in the language the team works in, as the notes and flags it quotes;
    # so is the history's record of the session (its rulings' answers).
    with translation.override("en"):
        result = meeting_selectors.discussion_with_history(session)
        summary = meeting_selectors.summary_draft(result)
        services.session_complete(
            session=session,
            user=lead,
            summary=summary,
            agreed_becomes_official=True,
            share_with_agents=True,
        )
    _backdate(session, rng, meeting)


def _backdate(session, rng, meeting) -> None:
    """Move the session's history to when it happened: planned 11 days before the meeting,
    opened 8 days before, scored until the deadline, discussed and completed at the meeting."""
    opened = meeting - timedelta(days=8)
    completed = meeting + timedelta(minutes=session.duration_minutes)
    CalibrationSession.objects.filter(pk=session.pk).update(
        created_at=meeting - timedelta(days=11), completed_at=completed
    )
    for event, at in zip(session.events.order_by("pk"), (opened, meeting, completed), strict=True):
        SessionEvent.objects.filter(pk=event.pk).update(at=at)
    evaluations = list(session.evaluations.order_by("pk"))
    for evaluation in evaluations:
        evaluation.created_at = opened + timedelta(minutes=rng.randint(60, 6 * 24 * 60))
        evaluation.saved_at = evaluation.created_at + timedelta(
            seconds=evaluation.time_spent_seconds + rng.randint(30, 600)
        )
        if evaluation.submitted_at:
            evaluation.submitted_at = evaluation.saved_at
    Evaluation.objects.bulk_update(evaluations, ["created_at", "saved_at", "submitted_at"])
    EvaluationEvent.objects.filter(evaluation__session=session).update(
        at=Subquery(Evaluation.objects.filter(pk=OuterRef("evaluation_id")).values("submitted_at"))
    )
    AgreedAnswer.objects.filter(session_contact__session=session, decided_at__isnull=False).update(
        decided_at=meeting + timedelta(minutes=30)
    )
    # The reveal's proposals at the reveal, the meeting's decisions at the meeting.
    changes = AgreedAnswerChange.objects.filter(agreed_answer__session_contact__session=session)
    changes.filter(source=AgreedSource.MEETING).update(at=meeting + timedelta(minutes=30))
    changes.exclude(source=AgreedSource.MEETING).update(at=meeting)
    FollowUpAction.objects.filter(session=session).update(
        created_at=meeting + timedelta(minutes=50)
    )
    # Its news, told when each thing happened.
    told = Notification.objects.filter(session=session)
    for kinds, at in (
        ([Kind.INVITATION], meeting - timedelta(days=11)),
        ([Kind.MATERIALS_READY], opened),
        ([Kind.RESULTS_REVEALED], meeting),
        ([Kind.ACTION_ASSIGNED], meeting + timedelta(minutes=50)),
        ([Kind.SUMMARY, Kind.RESULTS_SHARED, Kind.DRIFT], completed),
    ):
        told.filter(kind__in=kinds).update(created_at=at)
    official = Evaluation.objects.filter(agreed_in=session)
    EvaluationEvent.objects.filter(evaluation__agreed_in=session).update(at=completed)
    official.filter(released_at__isnull=False).update(released_at=completed)
    official.update(created_at=completed, saved_at=completed, submitted_at=completed)
