"""Fixtures for calibration sessions, shared by the calibration and report tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.calibration.models import Participant
from tests.calibration.helpers import score_as
from tests.factories import AgentFactory, ContactFactory, UserFactory, build_scorecard


@pytest.fixture
def version(users):
    return build_scorecard(users[Role.QA_LEAD], publish=True).current_version


@pytest.fixture
def second_evaluator(team):
    return UserFactory(username="second", role=Role.EVALUATOR)


@pytest.fixture
def session(users, version, team, second_evaluator):
    agents = [AgentFactory(team=team) for _ in range(3)]
    contacts = [ContactFactory(agent=agents[i % 3]) for i in range(6)]
    now = timezone.now()
    return services.session_plan(
        user=users[Role.QA_LEAD],
        contacts=contacts,
        evaluators=[users[Role.EVALUATOR], second_evaluator],
        observers=[users[Role.AGENT]],
        title="March calibration",
        version=version,
        team=team,
        facilitator=users[Role.QA_LEAD],
        scoring_deadline=now + timedelta(days=2),
        meeting_at=now + timedelta(days=3),
    )


@pytest.fixture
def third_evaluator():
    return UserFactory(username="third", role=Role.EVALUATOR)


@pytest.fixture
def revealed(users, session, second_evaluator, third_evaluator):
    """Three evaluators on six contacts, with the disagreements described per contact."""
    Participant.objects.create(session=session, user=third_evaluator)
    lead = users[Role.QA_LEAD]
    services.session_move(session=session, user=lead, action="open")
    first, second, third = users[Role.EVALUATOR], second_evaluator, third_evaluator
    c = [sc.contact for sc in session.session_contacts.all()]
    # c0: second is lenient on the need. c1: two say no greeting. c2: first fails the critical.
    score_as(first, session, c[0], comment="SECRET-COMMENT heard the name")
    score_as(second, session, c[0], need="5")
    score_as(third, session, c[0])
    score_as(first, session, c[1], greet="no")
    score_as(second, session, c[1], greet="no")
    score_as(third, session, c[1])
    score_as(first, session, c[2], verify="no")
    score_as(second, session, c[2])
    score_as(third, session, c[2])
    # c3: all agree on the top. c4: the third leaves a draft. c5: the third is strict.
    for who in (first, second, third):
        score_as(who, session, c[3], need="5")
    score_as(first, session, c[4])
    score_as(second, session, c[4])
    score_as(third, session, c[4], submit=False)
    score_as(first, session, c[5], info="na")
    score_as(second, session, c[5], info="na")
    score_as(third, session, c[5], need="1", info="Partly")
    services.session_move(session=session, user=lead, action="reveal")
    session.refresh_from_db()
    return session
