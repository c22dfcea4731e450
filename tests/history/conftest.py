"""History fixtures: completed sessions of one team and scorecard, one after another."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from tests.factories import AgentFactory, ContactFactory
from tests.helpers import score_as


def completed_session(lead, evaluators, version, team, *, days_ago: int, lenient=None, title=""):
    """A session of five contacts scored by ``evaluators`` and completed; ``lenient`` (one of
    them) answers "5" where the others answer "3" on the need question."""
    meeting = timezone.now() - timedelta(days=days_ago)
    session = services.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=AgentFactory(team=team)) for _ in range(5)],
        evaluators=evaluators,
        title=title or f"Session {days_ago} days ago",
        version=version,
        team=team,
        facilitator=lead,
        scoring_deadline=meeting - timedelta(days=1),
        meeting_at=meeting,
    )
    services.session_move(session=session, user=lead, action="open")
    for sc in session.session_contacts.all():
        for who in evaluators:
            score_as(who, session, sc.contact, need="5" if who == lenient else "3")
    services.session_move(session=session, user=lead, action="reveal")
    services.session_complete(session=session, user=lead, summary="Done")
    session.refresh_from_db()
    return session


@pytest.fixture
def history(users, version, team, second_evaluator, third_evaluator):
    """Four completed sessions a fortnight apart; the second evaluator is lenient in the last
    three."""
    lead = users[Role.QA_LEAD]
    evaluators = [users[Role.EVALUATOR], second_evaluator, third_evaluator]
    return [
        completed_session(
            lead,
            evaluators,
            version,
            team,
            days_ago=days,
            lenient=second_evaluator if days < 60 else None,
        )
        for days in (60, 45, 30, 15)
    ]
