"""Every endpoint for every role (docs/architecture.md, Roles), and the API agreeing with the
pages on who may open what. People: the session's planner and facilitator (qa_lead), the QA lead
of a second team (other_lead), an invited evaluator, an evaluator of the second team who was not
invited (outsider), the agent who observes, the second team's agent (other_agent), and nobody.
The session, its contacts and the drafts are the first team's."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Agent, Role
from qalibrate.calibration import services
from qalibrate.calibration.models import FollowUpAction
from qalibrate.evaluations import services as evaluation_services
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory, build_scorecard
from tests.helpers import answers

ROLES = [
    "admin",
    "qa_lead",
    "other_lead",
    "evaluator",
    "outsider",
    "agent",
    "other_agent",
    "anonymous",
]
SECOND_TEAM = ("other_lead", "outsider", "other_agent")


@pytest.fixture
def sales():
    return TeamFactory(name="Sales")


@pytest.fixture
def people(users, sales):
    second = {
        "other_lead": UserFactory(username="other_lead", role=Role.QA_LEAD),
        "outsider": UserFactory(username="outsider", role=Role.EVALUATOR),
        "other_agent": UserFactory(username="other_agent", role=Role.AGENT),
    }
    for user in second.values():
        user.teams.add(sales)
    AgentFactory(full_name="Sales Agent", team=sales, user=second["other_agent"])
    return {
        "admin": users[Role.ADMIN],
        "qa_lead": users[Role.QA_LEAD],
        "evaluator": users[Role.EVALUATOR],
        "agent": users[Role.AGENT],
        **second,
        "anonymous": None,
    }


def second_team(status, **exceptions):
    """The second team's people: they get ``status`` for the first team's rows."""
    return {role: status for role in SECOND_TEAM} | exceptions


@pytest.fixture
def world(people, session, version):
    """A planned session, a draft shared with the invited evaluator, contacts of the agent
    and of others (one with a recording), a submitted evaluation of the agent's contact."""
    team = session.team
    draft = build_scorecard(people["qa_lead"], name="Chat form", team=team).draft
    draft.reviewers.add(people["evaluator"])
    hidden_draft = build_scorecard(people["qa_lead"], name="Secret form", team=team).draft
    sales = people["other_lead"].teams.get()
    sales_form = build_scorecard(people["other_lead"], name="Sales form", team=sales)
    sales_contact = ContactFactory(agent=people["other_agent"].agent_profile)
    own_agent = Agent.objects.get(user=people["agent"])
    own = ContactFactory(agent=own_agent)
    other = session.session_contacts.first().contact
    other.media.save("call.ogg", ContentFile(b"OggS" + b"\0" * 100), save=True)
    evaluation = evaluation_services.evaluation_start(
        contact=own, evaluator=people["evaluator"], version=version
    )
    evaluation_services.evaluation_save(
        evaluation=evaluation, user=people["evaluator"], answers=answers(version)
    )
    evaluation_services.evaluation_submit(evaluation=evaluation, user=people["evaluator"])
    return {
        "session": session,
        "published": version,
        "draft": draft,
        "hidden_draft": hidden_draft,
        "own": own,
        "other": other,
        "evaluation": evaluation,
        "sales_form": sales_form,
        "sales_contact": sales_contact,
    }


def status_of(api, people, role, method, url, data=None):
    client = api(people[role])
    return getattr(client, method)(url, data, format="json").status_code


def expect(api, people, method, url, expected: dict, data=None):
    got = {role: status_of(api, people, role, method, url, data) for role in expected}
    assert got == expected


def everyone(status, **exceptions):
    return {role: exceptions.get(role, status) for role in ROLES[:-1]} | {"anonymous": 401}


# --- reads ----------------------------------------------------------------------------------


def test_me(api, people):
    expect(api, people, "get", "/api/v1/me/", everyone(200))


def test_users_for_planners_only(api, people):
    expected = everyone(200, evaluator=403, outsider=403, agent=403, other_agent=403)
    expect(api, people, "get", "/api/v1/users/", expected)


def test_teams_for_everyone_but_agents(api, people):
    expect(api, people, "get", "/api/v1/teams/", everyone(200, agent=403, other_agent=403))


def test_criterion_history_for_everyone_but_agents(api, people, world):
    key = world["published"].sections.first().criteria.first().key
    url = f"/api/v1/history/criteria/{key}/"
    expect(api, people, "get", url, everyone(200, agent=403, other_agent=403))


def test_history_trends_for_everyone_but_agents(api, people):
    expect(api, people, "get", "/api/v1/history/trends/", everyone(200, agent=403, other_agent=403))


def test_scorecard_list_shows_drafts_to_builders_and_reviewers_only(api, people, world):
    expect(api, people, "get", "/api/v1/scorecards/", everyone(200))
    for role, names in {
        "admin": {"Inbound support call", "Chat form", "Secret form", "Sales form"},
        "qa_lead": {"Inbound support call", "Chat form", "Secret form"},
        "evaluator": {"Inbound support call", "Chat form"},
        "outsider": {"Inbound support call"},  # the Sales form is a draft
        "agent": {"Inbound support call"},
        "other_lead": {"Inbound support call", "Sales form"},
        "other_agent": {"Inbound support call"},
    }.items():
        body = api(people[role]).get("/api/v1/scorecards/").json()
        assert {card["name"] for card in body["results"]} == names, role


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scorecards/{card}/",
        "/api/v1/scorecard-versions/{v}/",
        "/api/v1/scorecard-versions/{v}/export/",
    ],
)
def test_scorecard_and_version_reads(api, people, world, path):
    for version, expected in [
        (world["published"], everyone(200)),
        (world["draft"], everyone(200, agent=403, **second_team(403))),
        (world["hidden_draft"], everyone(200, evaluator=403, agent=403, **second_team(403))),
    ]:
        url = path.format(card=version.scorecard_id, v=version.pk)
        expect(api, people, "get", url, expected)
    expect(api, people, "get", path.format(card=999999, v=999999), everyone(404))


def test_contacts(api, people, world):
    expect(api, people, "get", "/api/v1/contacts/", everyone(200))
    own, other = world["own"], world["other"]
    mine = api(people["agent"]).get("/api/v1/contacts/").json()
    assert [c["id"] for c in mine["results"]] == [own.pk]
    assert api(people["qa_lead"]).get("/api/v1/contacts/").json()["count"] == 7
    sales = [world["sales_contact"].pk]
    for role in SECOND_TEAM:
        body = api(people[role]).get("/api/v1/contacts/").json()
        assert [c["id"] for c in body["results"]] == sales, role
    assert api(people["admin"]).get("/api/v1/contacts/").json()["count"] == 8
    url = f"/api/v1/contacts/{other.pk}/"
    expect(api, people, "get", url, everyone(200, agent=404, **second_team(404)))
    url = f"/api/v1/contacts/{own.pk}/"
    expect(api, people, "get", url, everyone(200, **second_team(404)))
    url = f"/api/v1/contacts/{world['sales_contact'].pk}/"
    expect(api, people, "get", url, everyone(404, admin=200, **second_team(200)))
    recording = f"/api/v1/contacts/{other.pk}/recording/"
    expect(api, people, "get", recording, everyone(200, agent=404, **second_team(404)))
    expect(api, people, "get", f"/api/v1/contacts/{own.pk}/recording/", everyone(404))


def test_evaluations(api, people, world):
    evaluation = world["evaluation"]
    url = f"/api/v1/evaluations/{evaluation.pk}/"
    expect(api, people, "get", url, everyone(200, agent=404, **second_team(404)))
    evaluation_services.evaluation_release(evaluation=evaluation, user=people["qa_lead"])
    expect(api, people, "get", url, everyone(200, **second_team(404)))
    expect(api, people, "get", "/api/v1/evaluations/", everyone(200))
    counts = {
        role: api(people[role]).get("/api/v1/evaluations/").json()["count"] for role in ROLES[:-1]
    }
    assert counts == {role: 1 for role in ROLES[:-1]} | second_team(0)


def test_sessions(api, people, world):
    session = world["session"]
    expect(api, people, "get", "/api/v1/sessions/", everyone(200))
    seen = {role: api(people[role]).get("/api/v1/sessions/").json()["count"] for role in ROLES[:-1]}
    assert seen == {role: 1 for role in ROLES[:-1]} | second_team(0)
    url = f"/api/v1/sessions/{session.pk}/"
    expect(api, people, "get", url, everyone(200, **second_team(404)))


def test_report_only_after_the_reveal_and_never_for_agents(api, people, world):
    session = world["session"]
    url = f"/api/v1/sessions/{session.pk}/report/"
    expect(api, people, "get", url, everyone(403, **second_team(404)))
    services.session_move(session=session, user=people["qa_lead"], action="open")
    expect(api, people, "get", url, everyone(403, **second_team(404)))
    services.session_move(session=session, user=people["qa_lead"], action="reveal")
    expect(api, people, "get", url, everyone(200, agent=403, **second_team(404)))


def test_actions_list(api, people, revealed):
    services.action_add(
        session=revealed,
        user=revealed.facilitator,
        description="Clarify the greeting",
        owner=people["evaluator"],
    )
    expect(api, people, "get", "/api/v1/actions/", everyone(200))
    counts = {
        role: api(people[role]).get("/api/v1/actions/").json()["count"] for role in ROLES[:-1]
    }
    assert counts == {role: 0 for role in ROLES[:-1]} | {
        "admin": 1,
        "qa_lead": 1,
        "evaluator": 1,
    }


# --- writes: each role on a fresh database ----------------------------------------------------


RUNNERS = {
    "admin": 200,
    "qa_lead": 200,
    "other_lead": 404,  # another team's session is not there for them
    "evaluator": 403,
    "outsider": 404,
    "agent": 403,
    "other_agent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_plan_a_session(api, people, world, role):
    contacts = [ContactFactory(agent=world["other"].agent) for _ in range(5)]
    body = {
        "title": "API planned",
        "version": world["published"].pk,
        "scoring_deadline": (timezone.now() + timedelta(days=1)).isoformat(),
        "meeting_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "evaluators": [people["evaluator"].pk, people["outsider"].pk],
        "contacts": [c.pk for c in contacts],
    }
    # The second team's lead may plan, but not with the first team's contacts.
    expected = {"admin": 201, "qa_lead": 201, "other_lead": 400}.get(
        role, 401 if role == "anonymous" else 403
    )
    assert status_of(api, people, role, "post", "/api/v1/sessions/", body) == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("move", ["open", "cancel"])
def test_open_and_cancel(api, people, world, role, move):
    url = f"/api/v1/sessions/{world['session'].pk}/{move}/"
    assert status_of(api, people, role, "post", url) == RUNNERS[role]


@pytest.mark.parametrize("role", ROLES)
def test_invite_participants(api, people, world, role):
    url = f"/api/v1/sessions/{world['session'].pk}/participants/"
    newcomer = UserFactory(role=Role.EVALUATOR)
    body = {"evaluators": [newcomer.pk]}
    assert status_of(api, people, role, "post", url, body) == RUNNERS[role]


@pytest.mark.parametrize("role", ROLES)
def test_add_contacts(api, people, world, role):
    session = world["session"]
    session.session_contacts.last().delete()
    url = f"/api/v1/sessions/{session.pk}/contacts/"
    body = {"contacts": [world["other"].pk, world["own"].pk]}
    assert status_of(api, people, role, "post", url, body) == RUNNERS[role]


@pytest.mark.parametrize("role", ROLES)
def test_reveal(api, people, world, role):
    session = world["session"]
    services.session_move(session=session, user=people["qa_lead"], action="open")
    url = f"/api/v1/sessions/{session.pk}/reveal/"
    assert status_of(api, people, role, "post", url) == RUNNERS[role]


@pytest.mark.parametrize("role", ROLES)
def test_complete(api, people, revealed, role):
    url = f"/api/v1/sessions/{revealed.pk}/complete/"
    assert status_of(api, people, role, "post", url, {"summary": "Done."}) == RUNNERS[role]


@pytest.mark.parametrize("role", ROLES)
def test_update_an_action(api, people, revealed, role):
    action = services.action_add(
        session=revealed,
        user=revealed.facilitator,
        description="Clarify the greeting",
        owner=people["evaluator"],
    )
    url = f"/api/v1/actions/{action.pk}/"
    expected = {"admin": 200, "qa_lead": 200, "evaluator": 200, "anonymous": 401}.get(role, 403)
    assert status_of(api, people, role, "patch", url, {"status": "done"}) == expected
    action.refresh_from_db()
    assert (action.status == "done") == (expected == 200)
    missing = status_of(
        api, people, "admin", "patch", "/api/v1/actions/999999/", {"status": "done"}
    )
    assert missing == 404 and FollowUpAction.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_bulk_contacts(api, people, world, role):
    employee = world["other"].agent
    employee.employee_id = "E-1"
    employee.save()
    row = {
        "external_id": "CRM-1",
        "channel": "chat",
        "agent_id": "E-1",
        "occurred_at": "2026-03-02",
    }
    # The second team's lead may import, but not for the first team's agent.
    expected = {"admin": 200, "qa_lead": 200, "other_lead": 400, "anonymous": 401}.get(role, 403)
    assert status_of(api, people, role, "post", "/api/v1/contacts/bulk/", [row]) == expected


# --- the API and the pages agree --------------------------------------------------------------


PAGES = [
    ("session_detail", "session", "/api/v1/sessions/{}/"),
    ("session_report", "session", "/api/v1/sessions/{}/report/"),
    ("contact_detail", "own", "/api/v1/contacts/{}/"),
    ("contact_detail", "other", "/api/v1/contacts/{}/"),
    ("contact_media", "other", "/api/v1/contacts/{}/recording/"),
    ("evaluation_detail", "evaluation", "/api/v1/evaluations/{}/"),
    ("scorecard_detail", "draft_card", "/api/v1/scorecards/{}/"),
    ("scorecard_detail", "hidden_card", "/api/v1/scorecards/{}/"),
    ("scorecard_export", "draft", "/api/v1/scorecard-versions/{}/export/"),
    ("scorecard_export", "hidden_draft", "/api/v1/scorecard-versions/{}/export/"),
    ("scorecard_export", "published", "/api/v1/scorecard-versions/{}/export/"),
]


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["planned", "scoring", "revealed"])
def test_api_and_pages_answer_alike(client, api, people, world, stage):
    objects = {
        **world,
        "draft_card": world["draft"].scorecard,
        "hidden_card": world["hidden_draft"].scorecard,
    }
    session = world["session"]
    if stage != "planned":
        services.session_move(session=session, user=people["qa_lead"], action="open")
    if stage == "revealed":
        services.session_move(session=session, user=people["qa_lead"], action="reveal")
    for role in ROLES[:-1]:
        client.force_login(people[role])
        for page, name, api_url in PAGES:
            pk = objects[name].pk
            page_status = client.get(reverse(page, args=[pk])).status_code
            api_status = status_of(api, people, role, "get", api_url.format(pk))
            assert page_status == api_status, (role, page, name)


@pytest.mark.parametrize("role", ROLES)
def test_reschedule(api, people, world, role):
    session = world["session"]
    later = session.meeting_at + timedelta(days=1)
    body = {
        "meeting_at": later.isoformat(),
        "scoring_deadline": session.scoring_deadline.isoformat(),
    }
    url = f"/api/v1/sessions/{session.pk}/reschedule/"
    assert status_of(api, people, role, "post", url, body) == RUNNERS[role]


def test_series(api, people, world):
    lead, evaluator = people["qa_lead"], people["evaluator"]
    common = {
        "user": lead,
        "team": lead.teams.first(),
        "scorecard": world["published"].scorecard,
        "facilitator": lead,
        "first_day": timezone.localdate(),
        "duration_minutes": 60,
        "location": "",
        "reference_mode": "consensus",
        "tolerance": 5,
        "scoring_days": 1,
        "lead_days": 7,
        "sample_channel": "",
        "sample_days": 30,
        "sample_size": 5,
        "is_active": True,
        "expert": None,
    }
    series = services.series_create(
        **common,
        evaluators=[evaluator, people["outsider"]],
        title="Calls",
        cadence_kind="weekly",
        weekday=1,
        interval=2,
        nth=1,
        meeting_time=timezone.localtime().time().replace(microsecond=0, second=0),
        time_zone="Europe/Stockholm",
    )
    other = services.series_create(
        **common,
        evaluators=[people["outsider"]],
        title="Chats",
        cadence_kind="monthly",
        weekday=4,
        interval=1,
        nth=-1,
        meeting_time=series.meeting_time,
        time_zone="UTC",
    )
    expect(api, people, "get", "/api/v1/series/", everyone(200, agent=403, other_agent=403))
    seen = {
        role: [r["title"] for r in api(people[role]).get("/api/v1/series/").json()["results"]]
        for role in ("admin", "qa_lead", "evaluator", "outsider", "other_lead")
    }
    assert seen == {
        "admin": ["Calls", "Chats"],
        "qa_lead": ["Calls", "Chats"],
        "evaluator": ["Calls"],
        "outsider": ["Calls", "Chats"],  # invited to both, whatever the team
        "other_lead": [],
    }
    expected = everyone(200, evaluator=404, agent=403, other_agent=403, other_lead=404)
    expect(api, people, "get", f"/api/v1/series/{other.pk}/", expected)
    body = api(lead).get(f"/api/v1/series/{series.pk}/").json()
    assert (
        body["cadence"].startswith("Every 2 weeks on Tuesday") and len(body["next_meetings"]) == 5
    )


def test_notifications_are_ones_own(api, people, world):
    expect(api, people, "get", "/api/v1/notifications/", everyone(200))
    mine = api(people["evaluator"]).get("/api/v1/notifications/?unread=true").json()
    assert [n["kind"] for n in mine["results"]] == ["invitation"]  # planning the session
    assert api(people["admin"]).get("/api/v1/notifications/").json()["count"] == 0
    client = api(people["evaluator"])
    assert client.post("/api/v1/notifications/read/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0
    assert api(None).post("/api/v1/notifications/read/").status_code == 401


def test_scoring_pairs(api, people, world, monkeypatch):
    import random

    from qalibrate.double_scoring import services as double_scoring
    from qalibrate.double_scoring.models import Pair, Policy
    from tests.helpers import score_as

    monkeypatch.setattr(double_scoring, "draw_random", random.Random(1))
    team, version = world["session"].team, world["published"]
    partner = UserFactory(username="partner", role=Role.EVALUATOR)
    partner.teams.add(team)
    Policy.objects.create(team=team, scorecard=version.scorecard, share_percent=100)
    first = score_as(people["evaluator"], None, world["other"], version=version)
    pair = Pair.objects.get(first=first)
    url = f"/api/v1/scoring-pairs/{pair.pk}/"
    not_agents = everyone(200, agent=403, other_agent=403)
    expect(api, people, "get", "/api/v1/scoring-pairs/", not_agents)
    # Waiting for its second: QA staff of the team only; nobody reads a score from it.
    expected = everyone(404, admin=200, qa_lead=200, agent=403, other_agent=403)
    expect(api, people, "get", url, expected)
    assert api(people["qa_lead"]).get(url).json()["deviation"] is None
    score_as(partner, None, world["other"], version=version, greet="no")
    expect(api, people, "get", url, expected | {"evaluator": 200})
    body = api(people["evaluator"]).get(url).json()
    assert body["deviation"] is not None and body["second"]["submitted"] is True
    listed = api(people["other_lead"]).get("/api/v1/scoring-pairs/").json()
    assert listed["count"] == 0


def test_certifications(api, people, world, monkeypatch):
    import random

    from qalibrate.calibration.services import session_complete
    from qalibrate.certification import services as certification

    monkeypatch.setattr(certification, "order_random", random.Random(1))
    session, lead = world["session"], people["qa_lead"]
    services.session_move(session=session, user=lead, action="open")
    for sc in session.session_contacts.all():
        evaluation_services.evaluation_submit(
            evaluation=_scored(people["admin"], session, sc.contact), user=people["admin"]
        )
    services.session_move(session=session, user=lead, action="reveal")
    session_complete(session=session, user=lead, summary="Done")
    candidate = UserFactory(username="candidate", role=Role.EVALUATOR)
    candidate.teams.add(session.team)
    made = certification.certification_start(
        user=lead, evaluator=candidate, team=session.team, scorecard=world["published"].scorecard
    )
    url = f"/api/v1/certifications/{made.pk}/"
    expect(api, people, "get", "/api/v1/certifications/", everyone(200, agent=403, other_agent=403))
    expected = everyone(404, admin=200, qa_lead=200, agent=403, other_agent=403)
    expect(api, people, "get", url, expected)
    attempt = certification.certification_next(user=candidate, certification=made)
    evaluation_services.evaluation_save(
        evaluation=attempt, user=candidate, answers=answers(world["published"])
    )
    evaluation_services.evaluation_submit(evaluation=attempt, user=candidate)
    mine = api(candidate).get(url).json()
    assert mine["attempts"][0]["score"] is not None
    assert mine["attempts"][0]["agreed_score"] is None  # blind while it runs
    assert api(lead).get(url).json()["attempts"][0]["agreed_score"] is not None


def _scored(user, session, contact):
    evaluation = evaluation_services.evaluation_start(
        contact=contact, evaluator=user, version=session.version, session=session
    )
    evaluation_services.evaluation_save(
        evaluation=evaluation, user=user, answers=answers(session.version)
    )
    return evaluation
