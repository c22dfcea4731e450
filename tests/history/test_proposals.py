"""The session planner's proposed contacts: each with its reasons, spread over the agents."""

import random

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration.services import session_contacts_add
from qalibrate.double_scoring import services as double_scoring
from qalibrate.double_scoring.models import Pair, Policy
from qalibrate.history.proposals import proposals
from qalibrate.scorecards import services as scorecards
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.helpers import score_as


def ordinary(user, contact, version, **chosen):
    return score_as(user, None, contact, version=version, **chosen)


@pytest.fixture
def agents(team):
    return [AgentFactory(team=team) for _ in range(3)]


def reasons(found) -> dict:
    return {p.contact.external_id: p.reasons for p in found}


def test_each_proposal_says_why(users, team, version, agents, session, monkeypatch):
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    monkeypatch.setattr(double_scoring, "draw_random", random.Random(5))
    partner = UserFactory(username="partner", role=Role.EVALUATOR)
    partner.teams.add(team)
    policy = Policy.objects.create(team=team, scorecard=version.scorecard, share_percent=100)
    disputed = ContactFactory(agent=agents[0], external_id="DISPUTED")
    ordinary(evaluator, disputed, version)
    ordinary(partner, disputed, version, greet="no")
    assert Pair.objects.get().within_tolerance is False
    policy.delete()
    critical = ContactFactory(agent=agents[1], external_id="CRITICAL")
    ordinary(evaluator, critical, version, verify="no")
    ordinary(evaluator, ContactFactory(agent=agents[2], external_id="PLAIN"), version)
    taken = ContactFactory(agent=agents[2], external_id="TAKEN")
    ordinary(evaluator, taken, version, verify="no")
    session_contacts_add(session=session, user=lead, contacts=[taken])

    found = reasons(proposals(user=lead, team=team, version=version, count=6))
    assert found == {
        "DISPUTED": ["Double scoring: the two scores are 11.1 points apart."],
        "CRITICAL": ["Failed the critical “Verifies identity”."],
    }


def test_a_reworded_criterion_answered_below_its_top(users, team, version, agents):
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    greet = draft.sections.first().criteria.get(text="Greets with own name")
    greet.guideline = "The agent's own name, not only the company's."
    greet.save()
    scorecards.version_publish(version=draft, user=lead, change_note="Say whose name")
    draft.refresh_from_db()
    ordinary(
        evaluator, ContactFactory(agent=agents[0], external_id="NO-GREETING"), draft, greet="no"
    )
    ordinary(evaluator, ContactFactory(agent=agents[1], external_id="GREETED"), draft)
    found = reasons(proposals(user=lead, team=team, version=draft, count=6))
    assert found == {"NO-GREETING": ["“Greets with own name” was reworded in this version."]}


def test_spread_over_the_agents(users, team, version, agents):
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    for number in range(4):
        contact = ContactFactory(agent=agents[0], external_id=f"A{number}")
        ordinary(evaluator, contact, version, verify="no")
    ordinary(evaluator, ContactFactory(agent=agents[1], external_id="B0"), version, verify="no")
    found = proposals(user=lead, team=team, version=version, count=2)
    assert sorted(p.contact.agent_id for p in found) == sorted([agents[0].pk, agents[1].pk])
    # With more places than the other agents can fill, the first agent fills the rest.
    assert len(proposals(user=lead, team=team, version=version, count=4)) == 4


def test_another_teams_evaluations_are_never_proposed(users, team, version, agents):
    from tests.factories import TeamFactory

    other = TeamFactory(name="Elsewhere")
    stranger = UserFactory(username="elsewhere", role=Role.QA_LEAD)
    stranger.teams.add(other)
    ordinary(users[Role.EVALUATOR], ContactFactory(agent=agents[0]), version, verify="no")
    assert proposals(user=stranger, team=team, version=version, count=6) == []


def test_the_plan_page_proposes_for_the_chosen_team(client, users, team, version, agents):
    lead = users[Role.QA_LEAD]
    contact = ContactFactory(agent=agents[0], external_id="CRITICAL")
    ordinary(users[Role.EVALUATOR], contact, version, verify="no")
    client.force_login(lead)
    chooser = client.get(reverse("session_plan")).content.decode()
    if f'href="?team={team.pk}"' in chooser:  # the lead's only team is chosen by itself
        page = client.get(reverse("session_plan"), {"team": team.pk}).content.decode()
    else:
        page = chooser
    assert "Failed the critical “Verifies identity”." in page
    assert f"?contacts={contact.pk}&amp;team={team.pk}" in page
    planned = client.get(reverse("session_plan"), {"contacts": contact.pk, "team": team.pk})
    assert [c.pk for c in planned.context["picked"]] == [contact.pk]


def test_proposals_read_in_a_fixed_number_of_queries(
    users, team, version, agents, django_assert_max_num_queries
):
    for number in range(12):
        contact = ContactFactory(agent=agents[number % 3])
        ordinary(users[Role.EVALUATOR], contact, version, verify="no" if number % 2 else "yes")
    with django_assert_max_num_queries(12):
        proposals(user=users[Role.QA_LEAD], team=team, version=version, count=6)


def test_a_low_agreement_criterion_answered_below_its_top(
    users, team, version, agents, monkeypatch
):
    """Double scoring shows the greeting answered alike in 0 of 5 pairs: a contact whose
    greeting was answered "no" is worth discussing."""
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    monkeypatch.setattr(double_scoring, "draw_random", random.Random(5))
    partner = UserFactory(username="partner", role=Role.EVALUATOR)
    partner.teams.add(team)
    policy = Policy.objects.create(team=team, scorecard=version.scorecard, share_percent=100)
    for number in range(5):
        contact = ContactFactory(agent=agents[number % 3])
        ordinary(evaluator, contact, version)
        ordinary(partner, contact, version, greet="no")
    policy.delete()
    ordinary(
        evaluator, ContactFactory(agent=agents[0], external_id="UNGREETED"), version, greet="no"
    )
    found = reasons(proposals(user=lead, team=team, version=version, count=10))
    assert found["UNGREETED"] == ["“Greets with own name” has low agreement between evaluators."]
