from datetime import timedelta

import pytest
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
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
        user=users[Role.QA_LEAD], contacts=contacts,
        evaluators=[users[Role.EVALUATOR], second_evaluator], observers=[users[Role.AGENT]],
        title="March calibration", version=version, team=team, facilitator=users[Role.QA_LEAD],
        scoring_deadline=now + timedelta(days=2), meeting_at=now + timedelta(days=3),
    )  # fmt: skip
