"""Recurring calibration series: sessions created from the cadence (across daylight-saving changes
and month ends), once per occurrence, opened for scoring when they can be; the pages and who may
use them; the cadence per team and month against the target."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration import series as series_services
from qalibrate.calibration import series_selectors, services, tasks
from qalibrate.calibration.models import (
    CadenceTarget,
    CalibrationSession,
    Series,
    SessionStatus,
)
from qalibrate.scorecards import services as scorecard_services
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory

STOCKHOLM = "Europe/Stockholm"


def contacts_for(team, count, *, at, channel="call"):
    agents = [AgentFactory(team=team) for _ in range(3)]
    return [
        ContactFactory(agent=agents[i % 3], occurred_at=at, channel=channel) for i in range(count)
    ]


@pytest.fixture
def make_series(users, version, team, second_evaluator):
    def make(**overrides):
        fields = dict(
            title="Calls calibration",
            team=team,
            scorecard=version.scorecard,
            facilitator=users[Role.QA_LEAD],
            cadence_kind="weekly",
            interval=1,
            weekday=3,
            first_day=date(2026, 3, 19),
            meeting_time=time(10),
            time_zone=STOCKHOLM,
            lead_days=7,
            scoring_days=1,
            sample_days=30,
            sample_size=5,
        )
        fields.update(overrides)
        evaluators = fields.pop("evaluators", [users[Role.EVALUATOR], second_evaluator])
        return services.series_create(user=users[Role.QA_LEAD], evaluators=evaluators, **fields)

    return make


def local(session, zone=STOCKHOLM):
    moment = session.meeting_at.astimezone(ZoneInfo(zone))
    return moment.date().isoformat(), moment.strftime("%H:%M")


def test_weekly_across_the_spring_change_keeps_ten_o_clock(make_series, team):
    # Sweden moves to summer time on Sunday 29 March 2026.
    contacts_for(team, 12, at=datetime(2026, 3, 15, 12, tzinfo=UTC))
    series = make_series(lead_days=14)
    created = tasks.series_create_due_sessions(now=datetime(2026, 3, 20, 12, tzinfo=UTC))
    assert [local(s) for s in created] == [("2026-03-26", "10:00"), ("2026-04-02", "10:00")]
    assert [s.meeting_at.astimezone(UTC).hour for s in created] == [9, 8]
    # The deadline is a day before, at the same wall time (25 March and 1 April, 10:00 local).
    assert [
        s.scoring_deadline.astimezone(ZoneInfo(STOCKHOLM)).strftime("%m-%d %H:%M") for s in created
    ] == ["03-25 10:00", "04-01 10:00"]
    assert [s.title for s in created] == [
        "Calls calibration, 26 Mar 2026",
        "Calls calibration, 2 Apr 2026",
    ]
    assert all(s.series == series and s.status == SessionStatus.SCORING for s in created)
    # No contact is held twice.
    held = [sc.contact_id for s in created for sc in s.session_contacts.all()]
    assert len(held) == len(set(held)) == 10


def test_monthly_on_the_last_friday_across_month_ends(make_series, team):
    contacts_for(team, 20, at=datetime(2026, 1, 10, tzinfo=UTC))
    make_series(
        cadence_kind="monthly",
        weekday=4,
        nth=-1,
        first_day=date(2026, 1, 1),
        lead_days=60,
        scoring_days=3,
        sample_days=90,
    )
    first = tasks.series_create_due_sessions(now=datetime(2026, 1, 20, tzinfo=UTC))
    later = tasks.series_create_due_sessions(now=datetime(2026, 3, 1, tzinfo=UTC))
    assert [local(s)[0] for s in first + later] == [
        "2026-01-30",
        "2026-02-27",
        "2026-03-27",
        "2026-04-24",
    ]
    assert all(local(s)[1] == "10:00" for s in first + later)
    # 27 March is before the change (10:00 CET = 09:00 UTC), 24 April after it (08:00 UTC).
    assert [s.meeting_at.astimezone(UTC).hour for s in later] == [9, 8]


def test_creating_twice_makes_one_session_per_occurrence(make_series, team):
    contacts_for(team, 20, at=datetime(2026, 3, 10, tzinfo=UTC))
    series = make_series()
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    assert len(tasks.series_create_due_sessions(now=now)) == 1
    assert tasks.series_create_due_sessions(now=now) == []
    assert tasks.series_create_due_sessions(now=now + timedelta(hours=6)) == []
    assert series.sessions.count() == 1
    # A cancelled occurrence is not made again either.
    series.sessions.update(status=SessionStatus.CANCELLED)
    assert tasks.series_create_due_sessions(now=now + timedelta(hours=7)) == []
    # The database refuses a second session for the same meeting, whatever the caller.
    session = series.sessions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CalibrationSession.objects.create(
            series=series,
            meeting_at=session.meeting_at,
            title="Again",
            version=session.version,
            facilitator=session.facilitator,
            created_by=session.created_by,
            scoring_deadline=session.scoring_deadline,
        )


def test_too_few_contacts_leave_it_planned_with_the_problem_recorded(make_series, team):
    contacts_for(team, 3, at=datetime(2026, 3, 10, tzinfo=UTC))
    contacts_for(team, 4, at=datetime(2026, 1, 10, tzinfo=UTC))  # older than the 30 days
    contacts_for(team, 4, at=datetime(2026, 3, 10, tzinfo=UTC), channel="chat")
    series = make_series(sample_channel="call")
    (session,) = tasks.series_create_due_sessions(now=datetime(2026, 3, 20, 12, tzinfo=UTC))
    assert session.status == SessionStatus.DRAFT
    assert session.session_contacts.count() == 3
    series.refresh_from_db()
    assert "only 3 contacts match" in series.last_problem and series.last_problem_at


def test_enough_contacts_open_it_for_blind_scoring(users, make_series, team, second_evaluator):
    contacts_for(team, 9, at=datetime(2026, 3, 10, tzinfo=UTC))
    contacts_for(TeamFactory(), 5, at=datetime(2026, 3, 10, tzinfo=UTC))  # another team's
    series = make_series(sample_size=6, location="Room 4", duration_minutes=45, tolerance=3)
    (session,) = tasks.series_create_due_sessions(now=datetime(2026, 3, 20, 12, tzinfo=UTC))
    assert session.status == SessionStatus.SCORING
    lead = users[Role.QA_LEAD]
    assert session.created_by == lead and session.facilitator == lead
    assert [(e.actor, e.to_status) for e in session.events.all()] == [(lead, "scoring")]
    contacts = [sc.contact for sc in session.session_contacts.select_related("contact")]
    assert len(contacts) == 6 and {c.team_id for c in contacts} == {team.pk}
    assert len({c.agent_id for c in contacts}) == 3  # spread over the agents
    assert set(session.participants.values_list("user", flat=True)) == {
        users[Role.EVALUATOR].pk,
        second_evaluator.pk,
    }
    assert (session.location, session.duration_minutes, session.tolerance) == ("Room 4", 45, 3)
    assert "lowest and the highest scores" in session.agenda
    series.refresh_from_db()
    assert series.last_problem == ""


def test_one_evaluator_is_not_enough_to_open(users, make_series, team):
    contacts_for(team, 6, at=datetime(2026, 3, 10, tzinfo=UTC))
    series = make_series(evaluators=[users[Role.EVALUATOR]])
    (session,) = tasks.series_create_due_sessions(now=datetime(2026, 3, 20, 12, tzinfo=UTC))
    assert session.status == SessionStatus.DRAFT
    series.refresh_from_db()
    assert "at least two evaluators" in series.last_problem


def test_each_session_takes_the_latest_published_version(users, make_series, team, version):
    contacts_for(team, 12, at=datetime(2026, 3, 10, tzinfo=UTC))
    lead = users[Role.QA_LEAD]
    series = make_series()
    first = tasks.series_create_due_sessions(now=datetime(2026, 3, 18, tzinfo=UTC))
    second_version = scorecard_services.draft_start(scorecard=version.scorecard, user=lead)
    scorecard_services.version_publish(version=second_version, user=lead, change_note="Clearer.")
    scorecard_services.draft_start(scorecard=version.scorecard, user=lead)  # a draft: not used
    later = tasks.series_create_due_sessions(now=datetime(2026, 3, 25, tzinfo=UTC))
    assert [s.version for s in first + later] == [version, second_version]
    assert series.sessions.count() == 2


def test_inactive_series_and_meetings_already_past_create_nothing(make_series, team):
    contacts_for(team, 6, at=datetime(2026, 3, 10, tzinfo=UTC))
    series = make_series(is_active=False)
    assert tasks.series_create_due_sessions(now=datetime(2026, 3, 20, tzinfo=UTC)) == []
    Series.objects.filter(pk=series.pk).update(is_active=True, lead_days=6)
    # 19 March's meeting (09:00 UTC) has passed, and 26 March's is more than 6 days ahead.
    assert tasks.series_create_due_sessions(now=datetime(2026, 3, 19, 9, 1, tzinfo=UTC)) == []


def test_next_meeting_and_cadence_in_words(make_series):
    series = make_series(interval=2, weekday=1, first_day=date(2026, 1, 6))
    after = datetime(2026, 1, 7, tzinfo=UTC)
    assert series_services.series_next_meeting(series=series, after=after) == datetime(
        2026, 1, 20, 10, tzinfo=ZoneInfo(STOCKHOLM)
    )
    assert series_services.cadence_text(series) == (
        "Every 2 weeks on Tuesday at 10:00 (Europe/Stockholm)"
    )
    series.cadence_kind, series.nth, series.weekday, series.interval = "monthly", -1, 4, 1
    assert series_services.cadence_text(series) == (
        "Every month on the last Friday at 10:00 (Europe/Stockholm)"
    )


# Pages and permissions.

ANONYMOUS = None
ROLES = [Role.ADMIN, Role.QA_LEAD, Role.EVALUATOR, Role.AGENT, ANONYMOUS]


def client_as(client, users, role):
    if role is not ANONYMOUS:
        client.force_login(users[role])
    return client


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, 200),
        (Role.QA_LEAD, 200),
        (Role.EVALUATOR, 200),
        (Role.AGENT, 403),
        (ANONYMOUS, 302),
    ],
)
def test_who_sees_the_series_list_and_the_cadence(client, users, make_series, role, expected):
    make_series()
    client_as(client, users, role)
    for url in (reverse("series_list"), reverse("cadence")):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, 200),
        (Role.QA_LEAD, 200),
        (Role.EVALUATOR, 403),
        (Role.AGENT, 403),
        (ANONYMOUS, 302),
    ],
)
def test_who_creates_and_edits_series(client, users, make_series, role, expected):
    series = make_series()
    client_as(client, users, role)
    for url in (reverse("series_new"), reverse("series_edit", args=[series.pk])):
        assert client.get(url).status_code == expected, url
    response = client.post(reverse("series_run", args=[series.pk]))
    assert response.status_code == (302 if expected == 200 else expected)
    response = client.post(
        reverse("cadence_target"), {"team": series.team_id, "sessions_per_month": 4}
    )
    assert response.status_code == (302 if expected == 200 else expected)
    assert CadenceTarget.objects.filter(sessions_per_month=4).exists() == (expected == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, 200),
        (Role.QA_LEAD, 200),
        (Role.EVALUATOR, 200),
        (Role.AGENT, 403),
        (ANONYMOUS, 302),
    ],
)
def test_who_sees_a_series(client, users, make_series, role, expected):
    series = make_series()
    client_as(client, users, role)
    response = client.get(reverse("series_detail", args=[series.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "Every week on Thursday at 10:00 (Europe/Stockholm)" in response.text
        assert ("Create due sessions now" in response.text) == (role != Role.EVALUATOR)


def test_evaluators_see_only_the_series_they_are_in(client, users, make_series):
    mine = make_series(title="Mine")
    other = make_series(title="Not mine", evaluators=[UserFactory(), UserFactory()])
    client.force_login(users[Role.EVALUATOR])
    listed = client.get(reverse("series_list")).text
    assert "Mine" in listed and "Not mine" not in listed
    assert client.get(reverse("series_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("series_detail", args=[other.pk])).status_code == 404


def test_planning_a_series_through_the_form(client, users, version, team, second_evaluator):
    client.force_login(users[Role.QA_LEAD])
    form = {
        "title": "Chats",
        "team": team.pk,
        "scorecard": version.scorecard_id,
        "facilitator": users[Role.QA_LEAD].pk,
        "cadence_kind": "monthly",
        "interval": 1,
        "weekday": 4,
        "nth": -1,
        "first_day": "2026-01-01",
        "meeting_time": "09:30",
        "time_zone": STOCKHOLM,
        "duration_minutes": 60,
        "reference_mode": "consensus",
        "tolerance": 5,
        "lead_days": 7,
        "scoring_days": 2,
        "sample_channel": "chat",
        "sample_days": 30,
        "sample_size": 6,
        "is_active": "on",
        "evaluators": [users[Role.EVALUATOR].pk, second_evaluator.pk],
    }
    assert client.post(reverse("series_new"), {**form, "scoring_days": 7}).status_code == 200
    response = client.post(reverse("series_new"), form)
    series = Series.objects.get(title="Chats")
    assert response.url == reverse("series_detail", args=[series.pk])
    assert series.created_by == users[Role.QA_LEAD] and series.evaluators.count() == 2
    assert series_services.cadence_text(series) == (
        "Every month on the last Friday at 09:30 (Europe/Stockholm)"
    )
    response = client.post(reverse("series_edit", args=[series.pk]), {**form, "title": "Chats 2"})
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.title == "Chats 2"


def test_the_series_page_lists_past_and_upcoming_sessions(client, users, make_series, team):
    contacts_for(team, 6, at=datetime.now(UTC) - timedelta(days=2))
    series = make_series(
        first_day=date.today(), weekday=(date.today() + timedelta(days=3)).weekday()
    )
    client.force_login(users[Role.QA_LEAD])
    response = client.post(reverse("series_run", args=[series.pk]), follow=True)
    assert "1 session created." in response.text
    (session,) = series.sessions.all()
    page = client.get(reverse("series_detail", args=[series.pk])).text
    assert reverse("session_detail", args=[session.pk]) in page
    response = client.post(reverse("series_run", args=[series.pk]), follow=True)
    assert "No session is due" in response.text


# Cadence: held per month against the target, computed by hand.


def held(team, version, user, when, status=SessionStatus.COMPLETED):
    return CalibrationSession.objects.create(
        title="S",
        version=version,
        team=team,
        facilitator=user,
        created_by=user,
        scoring_deadline=when - timedelta(days=1),
        meeting_at=when,
        status=status,
    )


def test_cadence_by_month_against_the_targets(users, version):
    lead = users[Role.QA_LEAD]
    first, second = TeamFactory(name="A team"), TeamFactory(name="B team")
    CadenceTarget.objects.create(team=first, sessions_per_month=3)  # the second: default 2

    def at(*args):
        return datetime(*args, tzinfo=UTC)

    for day in (5, 12, 19):
        held(first, version, lead, at(2026, 1, day, 10))
    held(first, version, lead, at(2026, 2, 10, 10))
    held(first, version, lead, at(2026, 2, 11, 10), status=SessionStatus.CANCELLED)
    held(first, version, lead, at(2026, 1, 31, 23, 30))  # 1 February, 00:30 in Stockholm
    held(first, version, lead, at(2025, 11, 20, 10))  # before the six months
    held(first, version, lead, at(2026, 5, 4, 10))
    held(first, version, lead, at(2026, 5, 20, 10), status=SessionStatus.DRAFT)
    held(first, version, lead, at(2026, 5, 27, 10), status=SessionStatus.SCORING)
    held(second, version, lead, at(2026, 4, 1, 10))
    held(second, version, lead, at(2026, 4, 30, 10))
    held(second, version, lead, at(2026, 5, 28, 10), status=SessionStatus.SCORING)

    rows = series_selectors.cadence_by_month(
        teams=[first, second], months=6, today=date(2026, 5, 15), time_zone=STOCKHOLM
    )
    months = [m.month for m in rows[0].months]
    assert months == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 5, 1),
    ]
    a, b = rows
    assert (a.target, a.has_target, b.target, b.has_target) == (3, True, 2, False)
    assert [(m.held, m.planned, m.state) for m in a.months] == [
        (0, 0, "missed"),
        (3, 0, "met"),
        (2, 0, "missed"),
        (0, 0, "missed"),
        (0, 0, "missed"),
        (1, 2, "on_track"),
    ]
    assert [(m.held, m.planned, m.state) for m in b.months] == [
        (0, 0, "missed"),
        (0, 0, "missed"),
        (0, 0, "missed"),
        (0, 0, "missed"),
        (2, 0, "met"),
        (0, 1, "behind"),
    ]
    assert (a.months_met, b.months_met) == (1, 1)


def test_the_cadence_page_shows_held_against_target(client, users, version, team):
    held(team, version, users[Role.QA_LEAD], datetime.now(UTC) - timedelta(minutes=5))
    client.force_login(users[Role.EVALUATOR])
    page = client.get(reverse("cadence")).text
    assert "1/2" in page and "default" in page
    assert 'name="sessions_per_month"' not in page  # evaluators read only


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_create_one_session(make_series, team):
    """Two periodic runs racing (own threads and connections): the row lock on the series makes
    them take turns, and the second finds the occurrence already made."""
    import threading

    from django.db import connection

    contacts_for(team, 12, at=datetime(2026, 3, 10, tzinfo=UTC))
    series = make_series()
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(tasks.series_create_due_sessions(now=now))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert series.sessions.count() == 1


def test_a_session_left_without_contacts_does_not_block_the_next_sample(make_series, team):
    series = make_series()
    (empty,) = tasks.series_create_due_sessions(now=datetime(2026, 3, 18, tzinfo=UTC))
    assert empty.status == SessionStatus.DRAFT and not empty.session_contacts.exists()
    contacts_for(team, 6, at=datetime(2026, 3, 20, tzinfo=UTC))
    (session,) = tasks.series_create_due_sessions(now=datetime(2026, 3, 25, tzinfo=UTC))
    assert session.status == SessionStatus.SCORING and session.session_contacts.count() == 5
    series.refresh_from_db()
    assert series.last_problem == ""
