"""The shared test data, found by every test module (the root conftest.py loads this plugin).

A fixture lives here when more than one test module uses it; a module's own fixtures stay in
that module, under a name no fixture here has."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.calibration.models import Participant
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory, build_scorecard
from tests.helpers import score_as


@pytest.fixture
def team(db):
    return TeamFactory(name="Customer support")


@pytest.fixture
def users(db, team):
    """One signed-up user of every role, the agent linked to an Agent record of the team."""
    people = {role: UserFactory(username=role.value, role=role) for role in Role}
    for user in people.values():
        user.teams.add(team)
    AgentFactory(full_name="Agent With Login", team=team, user=people[Role.AGENT])
    return people


@pytest.fixture
def smtp_inbox(settings):
    """Mail goes through Django's SMTP backend to a real local SMTP server."""
    from tests.smtp import start_smtp_server

    controller, inbox = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def version(users):
    """The published version of build_scorecard's form, by the QA lead."""
    return build_scorecard(users[Role.QA_LEAD], publish=True).current_version


@pytest.fixture
def second_evaluator(team):
    return UserFactory(username="second", role=Role.EVALUATOR)


@pytest.fixture
def third_evaluator():
    return UserFactory(username="third", role=Role.EVALUATOR)


@pytest.fixture
def session(users, version, team, second_evaluator):
    """A planned calibration session: six contacts of three agents, two evaluators, the agent
    observing."""
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


@pytest.fixture
def second_round(users, revealed, team, second_evaluator):
    """A later session of the same team and scorecard: the first one is its previous."""
    lead, first = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_complete(session=revealed, user=lead, summary="Round one")
    later = services.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=AgentFactory(team=team)) for _ in range(5)],
        evaluators=[first, second_evaluator],
        title="Round two",
        version=revealed.version,
        team=team,
        facilitator=lead,
        scoring_deadline=revealed.meeting_at + timedelta(days=13),
        meeting_at=revealed.meeting_at + timedelta(days=14),
    )
    services.session_move(session=later, user=lead, action="open")
    for sc in later.session_contacts.all():
        score_as(first, later, sc.contact)
        score_as(second_evaluator, later, sc.contact)
    services.session_move(session=later, user=lead, action="reveal")
    return later
