"""The QA lead's and the admin's "what needs attention" list (qalibrate/core/selectors.py): each
section's rule, who sees it, that it never shows a blind score, and a bounded number of queries."""

import functools
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
    SessionStatus,
)
from qalibrate.core.selectors import attention_for
from qalibrate.evaluations.models import Evaluation
from qalibrate.scorecards import services as scorecard_services
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory
from tests.helpers import score_as

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


def plan(lead, version, team, evaluators, *, status=SessionStatus.DRAFT, **fields):
    """A session of five fresh contacts of the team, moved to ``status`` directly."""
    agent = AgentFactory(team=team)
    fields = {
        "title": f"{team} session",
        "scoring_deadline": NOW + timedelta(days=2),
        "meeting_at": NOW + timedelta(days=3),
        **fields,
    }
    session = services.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=agent) for _ in range(5)],
        evaluators=evaluators,
        version=version,
        team=team,
        facilitator=lead,
        **fields,
    )
    CalibrationSession.objects.filter(pk=session.pk).update(
        status=status,
        completed_at=fields["meeting_at"] + timedelta(hours=1)
        if status == SessionStatus.COMPLETED
        else None,
    )
    session.refresh_from_db()
    return session


@pytest.fixture
def lead(users):
    return users[Role.QA_LEAD]


@pytest.fixture
def evaluators(users, second_evaluator):
    return [users[Role.EVALUATOR], second_evaluator]


@pytest.fixture
def planned(lead, version, team, evaluators):
    """planned(status=..., **fields): a session of the team, as plan() makes it."""
    return functools.partial(plan, lead, version, team, evaluators)


def attention(user, now=NOW, zone="UTC"):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return attention_for(user=user, now=now)


# Blind scoring and ready to reveal


def test_scoring_progress_counts_and_names_who_has_not_finished(lead, session, evaluators):
    services.session_move(session=session, user=lead, action="open")
    first, second = evaluators
    contacts = [sc.contact for sc in session.session_contacts.all()]
    for contact in contacts:
        score_as(first, session, contact)
    score_as(second, session, contacts[0])
    score_as(second, session, contacts[1])
    score_as(second, session, contacts[2], submit=False)  # a draft does not count

    found = attention(lead, now=timezone.now())
    assert found.ready == []
    [progress] = found.scoring
    assert (progress.submitted, progress.expected) == (8, 12)
    assert [(w.user, w.submitted, w.expected) for w in progress.waiting] == [(second, 2, 6)]
    assert not progress.deadline_soon and not progress.deadline_passed


def test_deadline_within_a_day_is_near_and_a_passed_one_is_ready(lead, planned):
    near = planned(
        status=SessionStatus.SCORING,
        scoring_deadline=NOW + timedelta(hours=20),
    )
    passed = planned(
        status=SessionStatus.SCORING,
        scoring_deadline=NOW - timedelta(minutes=1),
    )
    found = attention(lead)
    assert [p.session for p in found.scoring] == [near]
    assert found.scoring[0].deadline_soon
    assert [p.session for p in found.ready] == [passed]
    assert found.ready[0].deadline_passed and not found.ready[0].all_scored
    assert len(found.ready[0].waiting) == 2  # nobody scored: both are late


def test_all_scored_before_the_deadline_is_ready(lead, session, evaluators):
    services.session_move(session=session, user=lead, action="open")
    for evaluator in evaluators:
        for session_contact in session.session_contacts.all():
            score_as(evaluator, session, session_contact.contact)
    found = attention(lead, now=timezone.now())
    assert found.scoring == []
    [ready] = found.ready
    assert ready.all_scored and not ready.deadline_passed and ready.waiting == []
    assert (ready.submitted, ready.expected) == (12, 12)


# Meetings


def test_meetings_today_and_in_the_next_seven_days_in_the_users_time_zone(lead, planned):
    late_today_utc = planned(meeting_at=NOW + timedelta(hours=4))
    soon = planned(
        status=SessionStatus.SCORING,
        meeting_at=NOW + timedelta(days=6),
    )
    planned(meeting_at=NOW + timedelta(days=9))  # too far
    planned(
        status=SessionStatus.CANCELLED,
        meeting_at=NOW + timedelta(hours=1),
    )
    planned(
        status=SessionStatus.COMPLETED,
        summary="Done.",
        meeting_at=NOW - timedelta(hours=1),
    )

    in_london = attention(lead, zone="Europe/London")
    assert in_london.meetings_today == [late_today_utc]
    assert in_london.meetings_ahead == [soon]
    # 16:00 UTC is 01:00 the next day in Tokyo: not today there.
    in_tokyo = attention(lead, zone="Asia/Tokyo")
    assert in_tokyo.meetings_today == []
    assert in_tokyo.meetings_ahead == [late_today_utc, soon]


# Summaries


def test_sessions_held_without_a_summary(lead, planned):
    discussed = planned(
        status=SessionStatus.DISCUSSION,
        meeting_at=NOW - timedelta(days=1),
    )
    planned(
        status=SessionStatus.DISCUSSION,
        meeting_at=NOW + timedelta(hours=2),
    )  # revealed ahead of its meeting: not held yet
    no_summary = planned(
        status=SessionStatus.COMPLETED,
        meeting_at=NOW - timedelta(days=9),
    )
    planned(
        status=SessionStatus.COMPLETED,
        summary="All agreed.",
        meeting_at=NOW - timedelta(days=8),
    )
    assert attention(lead).to_summarise == [no_summary, discussed]


# Follow-up actions


def test_overdue_actions_are_open_ones_due_before_today(lead, planned):
    session = planned(status=SessionStatus.COMPLETED, summary="x")
    today = NOW.date()

    def action(due, status=ActionStatus.OPEN):
        return FollowUpAction.objects.create(
            session=session, description=f"due {due}", owner=lead, due_date=due, status=status
        )

    late = action(today - timedelta(days=3))
    in_progress = action(today - timedelta(days=1), ActionStatus.IN_PROGRESS)
    action(today - timedelta(days=5), ActionStatus.DONE)
    action(today)
    action(None)
    found = attention(lead)
    assert found.overdue == [late, in_progress]
    assert all(a.can_update for a in found.overdue)


# Criteria to clarify


def test_clarification_flags_until_a_newer_version_is_published(users, lead, version, planned):
    session = planned(status=SessionStatus.COMPLETED, summary="x")
    criteria = list(version.sections.first().criteria.all())
    clarify = CriterionFlag.objects.create(
        session=session, criterion=criteria[0], kind=FlagKind.CLARIFY, created_by=lead
    )
    CriterionFlag.objects.create(
        session=session, criterion=criteria[1], kind=FlagKind.PROCESS, created_by=lead
    )
    [flag] = attention(lead).flags
    assert flag == clarify and flag.draft_pk is None

    draft = scorecard_services.draft_start(scorecard=version.scorecard, user=lead)
    [flag] = attention(lead).flags
    assert flag.draft_pk == draft.pk  # the clarification goes into the draft
    scorecard_services.version_publish(version=draft, user=lead, change_note="Clarified.")
    assert attention(lead).flags == []


# Cadence and last results


def test_cadence_this_month_comes_from_the_cadence_code(lead, team, planned):
    planned(
        status=SessionStatus.COMPLETED,
        summary="x",
        meeting_at=NOW - timedelta(days=2),
    )
    planned(meeting_at=NOW + timedelta(days=5))
    [row] = attention(lead).cadence
    [month] = row.months
    assert row.team == team
    assert (month.held, month.planned, month.target, month.state) == (1, 1, 2, "on_track")


def test_last_result_is_the_reports_figures_with_the_change(lead, revealed, version, team):
    services.session_complete(session=revealed, user=lead, summary="Done.")
    [row] = attention(lead, now=timezone.now()).results
    figures = meeting_selectors.discussion(revealed)
    assert row.session == revealed and row.previous is None and row.change is None
    assert (row.calibrated, row.share_within) == (figures.calibrated, figures.share_within)

    # A later session of the same team and scorecard: the change is against this one.
    later = plan(
        lead,
        version,
        team,
        [],
        status=SessionStatus.COMPLETED,
        summary="x",
        meeting_at=revealed.meeting_at + timedelta(days=14),
    )
    [row] = attention(lead, now=timezone.now()).results
    assert row.session == later and row.previous == revealed
    assert row.previous_share_within == figures.share_within
    assert row.share_within is None and row.change is None  # nobody scored the later one


def test_change_in_percentage_points():
    from qalibrate.core.selectors import TeamResult

    row = TeamResult(team=None, share_within=0.5, previous_share_within=0.625)
    assert row.change == -12.5


# Whose teams


def test_a_lead_sees_the_teams_they_belong_to_and_sessions_they_facilitate(
    lead, version, team, evaluators, planned
):
    other = TeamFactory(name="Other team")
    mine = planned(status=SessionStatus.SCORING)
    theirs_led_by_me = plan(lead, version, other, evaluators, status=SessionStatus.SCORING)
    someone = UserFactory(role=Role.QA_LEAD)
    plan(someone, version, other, evaluators, status=SessionStatus.SCORING)

    found = attention(lead)
    assert not found.all_teams and found.teams == [team]
    assert [p.session for p in found.scoring] == [mine, theirs_led_by_me]
    assert [r.team for r in found.results] == [team]

    # Without a team, a QA lead sees only the sessions they facilitate; given every team, all.
    assert not attention(someone).all_teams and attention(someone).teams == []
    assert len(attention(someone).scoring) == 1
    someone.all_teams = True
    someone.save()
    assert attention(someone).all_teams
    assert len(attention(someone).scoring) == 3


def test_admins_see_every_team(users, lead, version, team, evaluators, planned):
    other = TeamFactory(name="Other team")
    plan(lead, version, other, evaluators, status=SessionStatus.SCORING)
    planned(status=SessionStatus.SCORING)
    found = attention(users[Role.ADMIN])
    assert found.all_teams and set(found.teams) == {team, other}
    assert len(found.scoring) == 2


# Permissions


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.AGENT])
def test_evaluators_and_agents_get_no_attention_list(client, users, session, role):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert "attention" not in response.context
    assert "What needs attention" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.QA_LEAD, Role.ADMIN])
def test_the_list_shows_progress_never_a_blind_score(client, users, session, evaluators, role):
    lead = users[Role.QA_LEAD]
    services.session_move(session=session, user=lead, action="open")
    contacts = [sc.contact for sc in session.session_contacts.all()]
    score_as(evaluators[0], session, contacts[0])
    score_as(evaluators[1], session, contacts[1])
    client.force_login(users[role])
    page = client.get(reverse("home")).content.decode()
    assert "2 of 12 evaluations submitted" in page
    [value] = set(Evaluation.objects.filter(session=session).values_list("score", flat=True))
    assert 0 < value < 100 and value != round(value)  # a score that would be recognisable
    for shown in (f"{value:.1f}", f"{value:.1f}".replace(".", ","), f"{value:.0f}%"):
        assert shown not in page
    assert str(evaluators[1]) in page  # who is late: names, with counts only


# Queries


def _home_queries(client) -> int:
    """Queries of the home page once the completed sessions' figures are cached."""
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def _one_of_each(lead, version, team, evaluators, days: int):
    """A session in every state the list looks at, with a flag and an overdue action."""
    at = timezone.now() - timedelta(days=days)
    planned = functools.partial(plan, lead, version, team, evaluators)
    planned(status=SessionStatus.SCORING)
    planned(status=SessionStatus.SCORING, scoring_deadline=at)
    planned(status=SessionStatus.DISCUSSION, meeting_at=at)
    done = planned(status=SessionStatus.COMPLETED, meeting_at=at)
    CriterionFlag.objects.create(
        session=done,
        criterion=version.sections.first().criteria.first(),
        kind=FlagKind.CLARIFY,
        created_by=lead,
    )
    FollowUpAction.objects.create(
        session=done, description="late", owner=lead, due_date=at.date() - timedelta(days=1)
    )


@pytest.mark.slow
def test_queries_do_not_grow_with_the_number_of_sessions(
    client, django_assert_max_num_queries, users, version, team, evaluators
):
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    # Two of each first: the last result then has a previous session to compare with.
    _one_of_each(lead, version, team, evaluators, days=20)
    _one_of_each(lead, version, team, evaluators, days=18)
    few = _home_queries(client)
    for days in (10, 12, 14, 16):
        _one_of_each(lead, version, team, evaluators, days=days)
    assert _home_queries(client) == few
    with django_assert_max_num_queries(25):
        client.get(reverse("home"))
    client.force_login(users[Role.ADMIN])
    assert _home_queries(client) <= 25


def test_completed_figures_are_computed_once(lead, revealed, django_assert_num_queries):
    from qalibrate.core.selectors import completed_figures

    services.session_complete(session=revealed, user=lead, summary="Done.")
    revealed.refresh_from_db()
    first = completed_figures(revealed)
    with django_assert_num_queries(0):
        assert completed_figures(revealed) == first
    figures = meeting_selectors.discussion(revealed)
    assert first == (figures.calibrated, figures.share_within)
