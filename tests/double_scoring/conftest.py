import random

import pytest

from qalibrate.accounts.models import Role
from qalibrate.contacts.models import Contact
from qalibrate.double_scoring import services
from qalibrate.double_scoring.models import Policy
from tests.factories import AgentFactory, ContactFactory
from tests.helpers import score_as


@pytest.fixture
def seeded(monkeypatch):
    """The draw from a seeded generator, so a share can be checked exactly."""
    monkeypatch.setattr(services, "draw_random", random.Random(20261204))


@pytest.fixture
def policy(users, team, version, second_evaluator, seeded):
    second_evaluator.teams.add(team)
    return Policy.objects.create(team=team, scorecard=version.scorecard, share_percent=100)


@pytest.fixture
def contacts(team):
    agents = [AgentFactory(team=team) for _ in range(3)]
    return [ContactFactory(agent=agents[i % 3]) for i in range(6)]


def score_ordinary(user, contact: Contact, version, **chosen):
    """An evaluation outside any session, saved and submitted."""
    return score_as(user, None, contact, version=version, **chosen)


@pytest.fixture
def evaluator(users):
    return users[Role.EVALUATOR]
