"""The plan form starts from the team's habits: its team, scorecard, rhythm and evaluators."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import planning, services, tasks
from qalibrate.calibration.models import CadenceTarget, CalibrationSession, SessionStatus
from qalibrate.contacts import selection
from qalibrate.scorecards import services as scorecard_services
from tests.factories import AgentFactory, ContactFactory, TeamFactory

# A Wednesday at 15:00 in the current time zone (UTC in the tests).
NOW = datetime(2026, 4, 8, 15, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def contacts(team):
    agents = [AgentFactory(team=team) for _ in range(3)]
    return [ContactFactory(agent=agents[i % 3]) for i in range(6)]


def _plan(lead, version, team, contacts, evaluators, meeting, **fields):
    return services.session_plan(
        user=lead,
        contacts=contacts,
        evaluators=evaluators,
        title=fields.pop("title", "Earlier"),
        version=version,
        team=team,
        facilitator=lead,
        meeting_at=meeting,
        scoring_deadline=meeting - timedelta(days=1),
        **fields,
    )


def _thursday_series(lead, version, team, evaluators, first_day, **fields):
    """The team's series: every Thursday at 09:00 London time, with evaluators 1 and 2."""
    return services.series_create(
        user=lead,
        evaluators=evaluators[1:3],
        title="Support calls",
        team=team,
        scorecard=version.scorecard,
        facilitator=lead,
        cadence_kind="weekly",
        interval=1,
        weekday=3,
        first_day=first_day,
        meeting_time=time(9),
        time_zone="Europe/London",
        **fields,
    )


def test_a_team_without_history(users, version, team, contacts):
    initial = planning.plan_initial(user=users[Role.QA_LEAD], contacts=contacts, now=NOW)
    assert initial["team"] == team
    assert initial["version"] == version  # the only published scorecard
    assert initial["facilitator"] == users[Role.QA_LEAD]
    # Two days ahead is a Friday: at 10:00, scoring until Thursday 10:00.
    assert initial["meeting_at"] == datetime(2026, 4, 10, 10, tzinfo=NOW.tzinfo)
    assert initial["scoring_deadline"] == datetime(2026, 4, 9, 10, tzinfo=NOW.tzinfo)
    assert initial["title"] == "Customer support: calls, week 15"
    assert "evaluators" in initial and initial["evaluators"] == []


def test_the_team_of_mixed_contacts_is_left_to_choose(users, version, team, contacts):
    other = ContactFactory(agent=AgentFactory(team=TeamFactory(name="Sales")), channel="chat")
    initial = planning.plan_initial(user=users[Role.QA_LEAD], contacts=[*contacts, other], now=NOW)
    assert "team" not in initial
    assert initial["title"] == "Calibration, week 15"
    # Without ticks, the contact list's team filter says the team.
    sales = other.team
    initial = planning.plan_initial(
        user=users[Role.QA_LEAD], contacts=[], team_filter=sales, now=NOW
    )
    assert initial["team"] == sales and initial["sample_team"] == sales
    assert initial["title"] == "Sales, week 15"


def test_channels_in_the_title(users, version, team):
    agent = AgentFactory(team=team)
    picked = [ContactFactory(agent=agent, channel=c) for c in ("chat", "call", "email", "chat")]
    initial = planning.plan_initial(user=users[Role.QA_LEAD], contacts=picked, now=NOW)
    assert initial["title"] == "Customer support: calls, chats and e-mails, week 15"


def test_following_the_team_last_session(users, version, team, contacts, evaluators):
    lead = users[Role.QA_LEAD]
    last_meeting = datetime(2026, 4, 1, 13, 30, tzinfo=NOW.tzinfo)  # a Wednesday
    _plan(
        lead,
        version,
        team,
        contacts[:5],
        evaluators[:3],
        last_meeting,
        tolerance=3,
        location="Room 4",
        duration_minutes=45,
    )
    # An older, larger session and a cancelled later one do not count.
    _plan(lead, version, team, contacts[:5], evaluators, last_meeting - timedelta(days=14))
    cancelled = _plan(lead, version, team, contacts[:5], evaluators[:2], NOW + timedelta(days=1))
    services.session_move(session=cancelled, user=lead, action="cancel")
    # The scorecard has a newer version since: the latest published one is prefilled.
    draft = scorecard_services.draft_start(scorecard=version.scorecard, user=lead)
    newer = scorecard_services.version_publish(version=draft, user=lead, change_note="Clearer")

    initial = planning.plan_initial(user=lead, contacts=contacts, now=NOW)
    assert initial["version"] == newer
    assert initial["evaluators"] == evaluators[:3]
    assert initial["tolerance"] == 3 and initial["location"] == "Room 4"
    assert initial["duration_minutes"] == 45
    # Two sessions a month (the default target): two weeks after the last, at its time.
    assert initial["meeting_at"] == datetime(2026, 4, 15, 13, 30, tzinfo=NOW.tzinfo)
    assert initial["scoring_deadline"] == datetime(2026, 4, 14, 13, 30, tzinfo=NOW.tzinfo)

    CadenceTarget.objects.create(team=team, sessions_per_month=4)  # weekly: but 2 days ahead
    initial = planning.plan_initial(user=lead, contacts=contacts, now=NOW)
    assert initial["meeting_at"] == datetime(2026, 4, 10, 13, 30, tzinfo=NOW.tzinfo)


def test_a_monday_meeting_scores_until_friday():
    monday = datetime(2026, 4, 13, 10, tzinfo=NOW.tzinfo)
    assert planning.plan_deadline(monday) == datetime(2026, 4, 10, 10, tzinfo=NOW.tzinfo)


def test_the_next_free_meeting_of_the_team_series(users, version, team, contacts, evaluators):
    lead = users[Role.QA_LEAD]
    a_week_ago = NOW.date() - timedelta(days=7)
    series = _thursday_series(
        lead, version, team, evaluators, a_week_ago, location="Room 7", scoring_days=2
    )
    # Thursday 9 April is within the lead days: the series made its session, so it is taken.
    monday = NOW - timedelta(days=2)
    made = tasks.series_create_due_sessions(now=monday, series=[series])
    assert [s.meeting_at for s in made] == [datetime(2026, 4, 9, 8, tzinfo=NOW.tzinfo)]

    initial = planning.plan_initial(user=lead, contacts=contacts, now=monday)
    assert initial["meeting_at"] == datetime(2026, 4, 16, 8, tzinfo=NOW.tzinfo)  # 09:00 London
    assert initial["scoring_deadline"] == datetime(2026, 4, 14, 8, tzinfo=NOW.tzinfo)  # series
    assert set(initial["evaluators"]) == set(evaluators[1:3])
    assert initial["location"] == "Room 7"


def test_a_day_held_by_another_session_is_skipped(users, version, team, contacts, evaluators):
    lead = users[Role.QA_LEAD]
    series = _thursday_series(lead, version, team, evaluators, NOW.date())
    thursday = datetime(2026, 4, 16, 8, tzinfo=NOW.tzinfo)  # the first at least 2 days ahead
    _plan(lead, version, team, contacts[:5], evaluators[:3], thursday + timedelta(hours=5))
    initial = planning.plan_initial(user=lead, contacts=contacts, now=NOW)
    assert initial["meeting_at"] == thursday + timedelta(weeks=1)
    assert initial["evaluators"] == evaluators[:3]  # the last session's, before the series'
    # Planned at that meeting, the session is the series' occurrence: no second one is made.
    assert planning.series_of_meeting(team=team, meeting_at=initial["meeting_at"]) == series
    assert planning.series_of_meeting(team=team, meeting_at=thursday + timedelta(hours=1)) is None


def _form_data(initial: dict, **extra) -> dict:
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in initial.items()
        if name != "evaluators"
    }
    data["evaluators"] = [user.pk for user in initial["evaluators"]]
    data.setdefault("reference_mode", "consensus")
    data.setdefault("tolerance", "5")
    data.setdefault("duration_minutes", 60)
    data.update(agenda="Lowest first", ground_rules="Be honest", **extra)
    for name in ("meeting_at", "scoring_deadline"):
        data[name] = timezone.localtime(data[name]).strftime("%Y-%m-%dT%H:%M")
    return data


def test_the_page_is_prefilled_and_plans_as_it_stands(
    client, users, version, team, contacts, evaluators
):
    lead = users[Role.QA_LEAD]
    now = timezone.now()
    _plan(lead, version, team, contacts[:5], evaluators[:3], now - timedelta(days=3))
    draft = scorecard_services.draft_start(scorecard=version.scorecard, user=lead)
    scorecard_services.version_publish(version=draft, user=lead, change_note="Clearer")
    client.force_login(lead)
    session = client.session
    session[selection.SESSION_KEY] = [c.pk for c in contacts]
    session.save()
    ids = [c.pk for c in contacts]
    page = client.get(reverse("session_plan"), {"contacts": ids}).content.decode()

    assert 'for=""' not in page  # every label points at a control: groups are fieldsets
    for evaluator in evaluators[:3]:
        assert re.search(rf'<input[^>]*value="{evaluator.pk}"[^>]*checked', page)
    assert not re.search(rf'<input[^>]*value="{evaluators[3].pk}"[^>]*checked', page)
    assert '<legend>Evaluators <span class="required"' in page
    assert "<legend>Agents who observe</legend>" in page
    for match in re.finditer(r'<label for="([^"]*)"', page):
        assert f'id="{match.group(1)}"' in page
    assert "Show 1 older version" in page
    assert re.search(r'name="version" value="\d+"[^>]*checked', page)
    assert 'value="Customer support: calls, week' in page

    initial = planning.plan_initial(user=lead, contacts=contacts, now=now)
    response = client.post(reverse("session_plan"), _form_data(initial, contacts=ids))
    planned = CalibrationSession.objects.get(title=initial["title"])
    assert response.url == reverse("session_detail", args=[planned.pk])
    assert planned.version == initial["version"] and planned.version.number == 2
    assert planned.team == team and planned.status == SessionStatus.DRAFT
    assert {p.user for p in planned.participants.all()} == set(evaluators[:3])
    assert [sc.contact for sc in planned.session_contacts.all()] == contacts
    assert selection.SESSION_KEY not in client.session  # the ticks are used up


def test_only_planners_see_the_plan_page(client, users):
    for role in (Role.EVALUATOR, Role.AGENT):
        client.force_login(users[role])
        assert client.get(reverse("session_plan")).status_code == 403
    client.logout()
    assert client.get(reverse("session_plan")).status_code == 302


def test_the_api_plans_as_before(users, version, team, contacts, evaluators):
    """The API shares the form: its version field still takes an older published version."""
    from qalibrate.calibration.forms import SessionPlanForm

    lead = users[Role.QA_LEAD]
    draft = scorecard_services.draft_start(scorecard=version.scorecard, user=lead)
    scorecard_services.version_publish(version=draft, user=lead, change_note="Clearer")
    data = _form_data(
        {
            "title": "Old version",
            "version": version,
            "team": team,
            "facilitator": lead,
            "meeting_at": NOW + timedelta(days=3),
            "scoring_deadline": NOW + timedelta(days=2),
            "evaluators": evaluators[:2],
        },
    )
    form = SessionPlanForm(data, picked=contacts, user=lead)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["version"] == version
