"""Demo calibration sessions: one in blind scoring with some evaluators done, one planned."""

import random
from datetime import timedelta

from django.utils import translation

from qalibrate.accounts.models import Role, Team, User
from qalibrate.calibration import services
from qalibrate.contacts.models import Contact
from qalibrate.demo.evaluations import evaluate
from qalibrate.scorecards.models import Scorecard


def build_sessions(*, now, seed: int = 2026) -> int:
    lead = User.objects.get(username="maria.lindqvist")
    # The agenda and ground rules are prefilled in the language of the one who plans.
    with translation.override(lead.language):
        return _build(lead, now, random.Random(seed), seed)


def _build(lead, now, rng, seed) -> int:
    call_form = Scorecard.objects.get(name="Inbound support call").current_version
    evaluators = list(User.objects.filter(role=Role.EVALUATOR).order_by("username"))
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
                    rng, session_contact.contact, evaluator, call_form,
                    submit=number < 2, session=scoring,
                )  # fmt: skip

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
    return len([scoring, planned])
