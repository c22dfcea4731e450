"""Teams do not see each other (issue 18): every page that shows one team's contacts,
evaluations, sessions, series, scorecards, reports and history, opened by each role of that team,
of a second team, and by a QA lead who runs every team. The API's side is
tests/api/test_permissions.py; blind rules are tests/calibration/test_blind_scoring.py."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Agent, Role
from qalibrate.calibration import services
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import EvaluationStatus
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory, build_scorecard
from tests.helpers import answers

ALLOWED, DENIED = "allowed", "denied"
# The first team's people, the second team's, and the lead who runs every team.
ROLES = ["admin", "qa_lead", "evaluator", "all_teams_lead", "other_lead", "outsider", "other_agent"]


@pytest.fixture
def people(users):
    sales = TeamFactory(name="Sales")
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
        "all_teams_lead": UserFactory(username="all_teams", role=Role.QA_LEAD, all_teams=True),
        **second,
    }


@pytest.fixture
def world(people, revealed, team):
    """The first team's: a completed session (so its history exists), a scorecard of its own,
    a series, and a submitted evaluation of an agent's contact outside any session."""
    lead, evaluator = people["qa_lead"], people["evaluator"]
    services.session_complete(session=revealed, user=lead, summary="Agreed on greetings")
    scorecard = build_scorecard(lead, name="Support-only form", team=team, publish=True)
    contact = ContactFactory(agent=Agent.objects.get(user__username="agent"), external_id="C-OWN")
    evaluation = evaluation_services.evaluation_start(
        contact=contact, evaluator=evaluator, version=scorecard.current_version
    )
    evaluation_services.evaluation_save(
        evaluation=evaluation, user=evaluator, answers=answers(scorecard.current_version)
    )
    evaluation_services.evaluation_submit(evaluation=evaluation, user=evaluator)
    series = services.series_create(
        user=lead,
        evaluators=[evaluator],
        team=team,
        scorecard=scorecard,
        facilitator=lead,
        first_day=timezone.localdate() + timedelta(days=1),
        duration_minutes=60,
        location="",
        reference_mode="consensus",
        tolerance=5,
        scoring_days=1,
        lead_days=7,
        sample_channel="",
        sample_days=30,
        sample_size=5,
        is_active=True,
        expert=None,
        title="Support fortnightly",
        cadence_kind="weekly",
        weekday=1,
        interval=2,
        nth=1,
        meeting_time=timezone.localtime().time().replace(microsecond=0, second=0),
        time_zone="UTC",
    )
    return {
        "session": revealed,
        "scorecard": scorecard,
        "evaluation": evaluation,
        "contact": contact,
        "series": series,
        "team": team,
    }


def _pages(world):
    session, scorecard = world["session"], world["scorecard"]
    return {
        "contact": reverse("contact_detail", args=[world["contact"].pk]),
        "evaluation": reverse("evaluation_detail", args=[world["evaluation"].pk]),
        "session": reverse("session_detail", args=[session.pk]),
        "report": reverse("session_report", args=[session.pk]),
        "report.csv": reverse("session_report_file", args=[session.pk, "csv"]),
        "series": reverse("series_detail", args=[world["series"].pk]),
        "scorecard": reverse("scorecard_detail", args=[scorecard.pk]),
        "drift rule": reverse("history_drift_rule", args=[world["team"].pk]),
    }


# Who of the first team may open what: the evaluator took part in the session and scored the
# evaluation and is invited by the series; the drift rule is for those who run the team.
FIRST_TEAM = {
    "admin": set(),
    "qa_lead": set(),
    "all_teams_lead": set(),
    "evaluator": {"drift rule"},  # the series invites them; the rule is for leads
}


@pytest.mark.parametrize("role", ROLES)
def test_one_teams_pages_are_closed_to_the_other_team(client, people, world, role):
    client.force_login(people[role])
    statuses = {name: client.get(url).status_code for name, url in _pages(world).items()}
    if role in FIRST_TEAM:
        closed = FIRST_TEAM[role]
        assert {name for name, status in statuses.items() if status != 200} == closed, statuses
    else:
        assert set(statuses.values()) <= {403, 404}, statuses


LISTS = {
    "contact_list": "C-OWN",
    "evaluation_list": "C-OWN",
    "session_list": "March calibration",
    "series_list": "Support fortnightly",
    "scorecard_list": "Support-only form",
    "history_trends": "March calibration",
    "history_rulings": "Customer support",
}


@pytest.mark.parametrize("role", ["admin", "qa_lead", "all_teams_lead", "other_lead", "outsider"])
def test_lists_show_only_ones_teams_rows(client, people, world, role):
    client.force_login(people[role])
    shown = {
        name: marker in client.get(reverse(name)).content.decode() for name, marker in LISTS.items()
    }
    sees_first_team = role in FIRST_TEAM
    assert shown == dict.fromkeys(LISTS, sees_first_team)


def test_the_evaluator_of_a_session_sees_it_whatever_their_team(client, people, world):
    """Taking part opens the session and its contacts to a person of another team."""
    outsider = people["outsider"]
    session = world["session"]
    session.participants.create(user=outsider)
    client.force_login(outsider)
    contact = session.session_contacts.first().contact
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200
    assert client.get(reverse("contact_detail", args=[contact.pk])).status_code == 200
    # ...but not the first team's other contacts, nor its evaluations outside the session.
    assert client.get(reverse("contact_detail", args=[world["contact"].pk])).status_code in {
        403,
        404,
    }


@pytest.mark.parametrize("move", ["evaluation_reopen", "evaluation_release"])
def test_another_teams_lead_cannot_reopen_or_share(client, people, world, move):
    evaluation = world["evaluation"]
    client.force_login(people["other_lead"])
    reason = {"reason": "Scored on the wrong recording"}
    assert client.post(reverse(move, args=[evaluation.pk]), reason).status_code in {403, 404}
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED and not evaluation.released_at

    client.force_login(people["qa_lead"])
    assert client.post(reverse(move, args=[evaluation.pk]), reason).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status != EvaluationStatus.SUBMITTED or evaluation.released_at


def test_another_teams_lead_cannot_edit_the_scorecard(client, people, world):
    scorecard = world["scorecard"]
    client.force_login(people["other_lead"])
    response = client.post(reverse("scorecard_draft_start", args=[scorecard.pk]))
    assert response.status_code == 404
    assert client.get(reverse("scorecard_edit", args=[scorecard.pk])).status_code == 404
    assert client.get(reverse("scorecard_diff", args=[scorecard.pk])).status_code == 403
    assert client.get(reverse("scorecard_edit", args=[scorecard.pk])).status_code == 404
    assert not scorecard.versions.filter(published_at__isnull=True).exists()


def test_a_shared_scorecard_is_open_to_the_team_it_is_shared_with(client, people, world):
    scorecard = world["scorecard"]
    scorecard.shared_with.add(people["other_lead"].teams.get())
    client.force_login(people["other_lead"])
    assert client.get(reverse("scorecard_detail", args=[scorecard.pk])).status_code == 200
    assert "Support-only form" in client.get(reverse("scorecard_list")).content.decode()
    # Shared to use, not to change: the owning team keeps the pen.
    response = client.post(reverse("scorecard_draft_start", args=[scorecard.pk]))
    assert response.status_code == 404
    assert client.get(reverse("scorecard_edit", args=[scorecard.pk])).status_code == 404
