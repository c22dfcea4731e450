"""Blind scoring through the API: before the reveal nobody but its evaluator sees a session
evaluation, its answers, comments or score (QA leads and admins included), in any endpoint;
after it, agents still never see who scored what."""

import json

import pytest

from qalibrate.accounts.models import Agent, Role
from qalibrate.calibration import services
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.models import Evaluation
from tests.factories import TeamFactory, UserFactory
from tests.helpers import score_as

READS = [
    "/api/v1/evaluations/",
    "/api/v1/evaluations/?session={session}",
    "/api/v1/sessions/",
    "/api/v1/sessions/{session}/",
    "/api/v1/sessions/{session}/report/",
    "/api/v1/sessions/{session}/report/?anonymous=true",
    "/api/v1/contacts/",
    "/api/v1/actions/?include_done=true",
]
SECRET = "SECRET-COMMENT"


def keys(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys(value)}
    if isinstance(data, list):
        return {k for value in data for k in keys(value)}
    return set()


@pytest.fixture
def scoring(users, session, second_evaluator):
    """Blind scoring under way: both evaluators submitted the first contact (the first with a
    secret comment), the second left a draft on the second contact."""
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    contacts = [sc.contact for sc in session.session_contacts.all()]
    own_agent = Agent.objects.get(user=users[Role.AGENT])
    Contact.objects.filter(pk=contacts[0].pk).update(agent=own_agent, team=own_agent.team)
    first = score_as(users[Role.EVALUATOR], session, contacts[0], comment=SECRET, need="1")
    second = score_as(second_evaluator, session, contacts[0], need="5")
    draft = score_as(second_evaluator, session, contacts[1], submit=False)
    return {"session": session, "first": first, "second": second, "draft": draft}


@pytest.fixture
def people(users, second_evaluator, team):
    other_lead = UserFactory(username="other_lead", role=Role.QA_LEAD)  # the team's, not running it
    other_lead.teams.add(team)
    second_team_lead = UserFactory(username="second_team_lead", role=Role.QA_LEAD)
    second_team_lead.teams.add(TeamFactory(name="Sales"))
    return {
        "admin": users[Role.ADMIN],
        "qa_lead": users[Role.QA_LEAD],
        "other_lead": other_lead,
        "second_team_lead": second_team_lead,
        "first": users[Role.EVALUATOR],
        "second": second_evaluator,
        "outsider": UserFactory(username="outsider", role=Role.EVALUATOR),
        "agent": users[Role.AGENT],
    }


def crawl(client, session, evaluations) -> tuple[str, dict]:
    """Every read endpoint's body (those that answer 200), and the status of each evaluation."""
    bodies = []
    for url in READS:
        response = client.get(url.format(session=session.pk))
        if response.status_code == 200:
            bodies.append(response.content.decode())
    for sc in session.session_contacts.all():
        response = client.get(f"/api/v1/contacts/{sc.contact_id}/")
        if response.status_code == 200:
            bodies.append(response.content.decode())
    status = {}
    for name, evaluation in evaluations.items():
        response = client.get(f"/api/v1/evaluations/{evaluation.pk}/")
        status[name] = response.status_code
        if response.status_code == 200:
            bodies.append(response.content.decode())
    return "\n".join(bodies), status


@pytest.mark.slow
def test_before_the_reveal_only_the_evaluator_sees_their_evaluation(api, people, scoring):
    session = scoring["session"]
    evaluations = {name: scoring[name] for name in ("first", "second", "draft")}
    own = {"first": {"first"}, "second": {"second", "draft"}}
    for role, user in people.items():
        text, status = crawl(api(user), session, evaluations)
        visible = {name for name, code in status.items() if code == 200}
        assert visible == own.get(role, set()), role
        assert all(code in (200, 404) for code in status.values()), (role, status)
        assert (SECRET in text) == (role == "first"), role
        # The other evaluator's score is nowhere: 50.47… (need=1) vs 76.19… (need=5).
        for name in {"first", "second"} - own.get(role, set()):
            score = Evaluation.objects.get(pk=evaluations[name].pk).score
            assert score is not None and repr(score)[:8] not in text, (role, name)


def test_the_report_is_refused_to_everyone_before_the_reveal(api, people, scoring):
    session = scoring["session"]
    for role, user in people.items():
        response = api(user).get(f"/api/v1/sessions/{session.pk}/report/")
        hidden = role in ("outsider", "second_team_lead")
        assert response.status_code == (404 if hidden else 403), role


def test_the_progress_board_says_who_finished_without_any_answer(api, people, scoring):
    session = scoring["session"]
    body = api(people["qa_lead"]).get(f"/api/v1/sessions/{session.pk}/").json()
    assert not keys(body) & {"score", "answers", "value", "comment", "agreed_score", "totals"}
    assert SECRET not in json.dumps(body)
    cells = {
        (row["evaluator"]["id"], cell["contact"]): cell["status"]
        for row in body["progress"]
        for cell in row["cells"]
    }
    contacts = [sc.contact_id for sc in session.session_contacts.all()]
    assert cells[(people["first"].pk, contacts[0])] == "submitted"
    assert cells[(people["second"].pk, contacts[1])] == "draft"
    assert cells[(people["first"].pk, contacts[1])] == ""
    assert {row["done"] for row in body["progress"]} == {1}


@pytest.mark.slow
def test_after_the_reveal_participants_see_all_and_agents_nobody(api, people, scoring):
    session = scoring["session"]
    services.session_move(session=session, user=people["qa_lead"], action="reveal")
    evaluations = {name: scoring[name] for name in ("first", "second", "draft")}
    expected = {
        "admin": {"first", "second"},
        "qa_lead": {"first", "second"},
        "other_lead": {"first", "second"},
        "first": {"first", "second"},
        "second": {"first", "second", "draft"},  # own draft: always; others' drafts: never
        "outsider": set(),
        "second_team_lead": set(),
        "agent": set(),
    }
    for role, user in people.items():
        text, status = crawl(api(user), session, evaluations)
        assert {name for name, code in status.items() if code == 200} == expected[role], role
        assert (SECRET in text) == bool(expected[role]), role
        if role in ("outsider", "second_team_lead"):  # not theirs: not even who takes part
            assert str(people["first"]) not in text and str(people["second"]) not in text
        if role == "agent":  # an observer sees who takes part (the board), never an answer
            scores = Evaluation.objects.filter(pk__in=[scoring["first"].pk, scoring["second"].pk])
            assert not any(repr(e.score)[:8] in text for e in scores)


def test_agents_see_only_their_agreed_results_never_who_scored(api, people, scoring, users):
    session = scoring["session"]
    lead = people["qa_lead"]
    services.session_move(session=session, user=lead, action="reveal")
    services.session_complete(
        session=session,
        user=lead,
        summary="SUMMARY-TEXT",
        agreed_becomes_official=True,
        share_with_agents=True,
    )
    client = api(people["agent"])
    body = client.get(f"/api/v1/sessions/{session.pk}/").json()
    text = json.dumps(body)
    own_contact = scoring["first"].contact_id
    assert [r["contact"]["id"] for r in body["results"]] == [own_contact]
    assert [c["contact"]["id"] for c in body["contacts"]] == [own_contact]
    assert body["results"][0]["agreed_score"] is not None
    assert body["progress"] == body["evaluators"] == body["events"] == []
    assert body["summary"] is None and "SUMMARY-TEXT" not in text
    for name in ("first", "second"):
        assert str(people[name]) not in text
    assert SECRET not in text
    # The official evaluation is shared with the agent, without the evaluator.
    listed = client.get("/api/v1/evaluations/").json()["results"]
    assert [e["contact"]["id"] for e in listed] == [own_contact]
    assert listed[0]["evaluator"] is None and listed[0]["session"] is None
    detail = client.get(f"/api/v1/evaluations/{listed[0]['id']}/").json()
    assert detail["evaluator"] is None and detail["time_spent_seconds"] is None
    assert client.get(f"/api/v1/sessions/{session.pk}/report/").status_code == 403
    # QA staff read the summary.
    staff = api(lead).get(f"/api/v1/sessions/{session.pk}/").json()
    assert staff["summary"] == "SUMMARY-TEXT" and staff["share_with_agents"] is True
