"""The people pages' fixtures: the six roles of a permission test, and people to act on."""

import re

import pytest
from django.test import Client

from qalibrate.accounts.models import Role
from tests.factories import AgentFactory, TeamFactory, UserFactory

ROLES = ["admin", "qa_lead", "other_lead", "evaluator", "agent", "anonymous"]
LINK = re.compile(r"https?://\S+/people/invitations/[^/\s]+/")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Sales")


@pytest.fixture
def other_lead(other_team):
    lead = UserFactory(username="other_lead", role=Role.QA_LEAD)
    lead.teams.add(other_team)
    return lead


@pytest.fixture
def member(team):
    """An evaluator of the team: the QA lead of the team manages them."""
    person = UserFactory(username="member", role=Role.EVALUATOR, email="member@example.com")
    person.teams.add(team)
    return person


@pytest.fixture
def team_agent(team):
    return AgentFactory(full_name="Olga Agent", employee_id="EMP-1", team=team)


@pytest.fixture
def actor(users, other_lead):
    """actor(role): a signed-in client of that role ("anonymous": nobody signed in)."""

    def client_for(role: str) -> Client:
        client = Client()
        if role == "other_lead":
            client.force_login(other_lead)
        elif role != "anonymous":
            client.force_login(users[Role(role)])
        return client

    return client_for


def link_in(message) -> str:
    """The invitation link of an e-mail received by the smtp_inbox fixture."""
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return LINK.search(body).group(0)


def body_of(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def subject_of(message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))
