"""The API tests' fixtures: clients that send a personal token, and a session plan to post."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from qalibrate.accounts.models import Role
from qalibrate.api import tokens
from tests.factories import AgentFactory, ContactFactory


@pytest.fixture
def api(db):
    """api(user): a client that sends a new personal token of that user; api(None): no token."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = tokens.token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return client_for


@pytest.fixture
def lead(api, users):
    """The QA lead's API client."""
    return api(users[Role.QA_LEAD])


@pytest.fixture
def plan(users, version, second_evaluator, team):
    """The body of POST /api/v1/sessions/: six new contacts, two evaluators, the agent observing."""
    contacts = [ContactFactory(agent=AgentFactory(team=team)) for _ in range(6)]
    now = timezone.now()
    return {
        "title": "April calibration",
        "version": version.pk,
        "team": team.pk,
        "scoring_deadline": (now + timedelta(days=2)).isoformat(),
        "meeting_at": (now + timedelta(days=3)).isoformat(),
        "evaluators": [users[Role.EVALUATOR].pk, second_evaluator.pk],
        "observers": [users[Role.AGENT].pk],
        "contacts": [c.pk for c in contacts],
    }
