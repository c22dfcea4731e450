"""Demo calibration series: every two weeks for Customer support's calls, holding the demo's
sessions of that team (two completed, one in scoring, one planned), and a monthly one for the
Russian team's chats; plus the teams' cadence targets."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qalibrate.accounts.models import Role, Team, User
from qalibrate.calibration import recurrence, services
from qalibrate.calibration.models import (
    CadenceKind,
    CadenceTarget,
    CalibrationSession,
    Series,
    SessionStatus,
    Weekday,
    WeekOfMonth,
)
from qalibrate.calibration.series import series_meetings
from qalibrate.scorecards.models import Scorecard

LONDON = "Europe/London"


def _meeting_day(now: datetime) -> date:
    """The working day about three days ahead: when the session in scoring meets."""
    day = (now + timedelta(days=3)).astimezone(ZoneInfo(LONDON)).date()
    if day.weekday() == 5:  # Saturday → Friday
        day -= timedelta(days=1)
    elif day.weekday() == 6:  # Sunday → Monday
        day += timedelta(days=1)
    return day


def build_series(*, now: datetime) -> list[Series]:
    lead = User.objects.get(username="maria.lindqvist")
    support = Team.objects.get(name="Customer support")
    day = _meeting_day(now)
    calls = services.series_create(
        user=lead,
        evaluators=User.objects.filter(role=Role.EVALUATOR, is_automatic=False).order_by(
            "username"
        )[:4],
        title="Customer support: calls",
        team=support,
        scorecard=Scorecard.objects.get(name="Inbound support call"),
        facilitator=lead,
        cadence_kind=CadenceKind.WEEKLY,
        interval=2,
        weekday=day.weekday(),
        first_day=day - timedelta(days=28),
        meeting_time=time(10),
        time_zone=LONDON,
        location="Room Nordkap / https://meet.example.com/qa-calibration",
        lead_days=7,
        scoring_days=1,
        sample_channel="call",
        sample_days=30,
        sample_size=6,
    )
    _hold_the_team_sessions(calls, support, now)

    olga = User.objects.get(username="olga.smirnova")
    russian = Team.objects.get(name="Служба поддержки")
    chats = services.series_create(
        user=olga,
        evaluators=User.objects.filter(username__in=["irina.volkova", "nikita.orlov"]),
        title="Служба поддержки: чаты и письма",
        team=russian,
        scorecard=Scorecard.objects.get(name="Chat and e-mail"),
        facilitator=olga,
        cadence_kind=CadenceKind.MONTHLY,
        interval=1,
        weekday=Weekday.THURSDAY,
        nth=WeekOfMonth.LAST,
        first_day=(now - timedelta(days=60)).date(),
        meeting_time=time(11),
        time_zone="Europe/Moscow",
        location="https://meet.example.com/okk-kalibrovka",
        lead_days=10,
        scoring_days=2,
        sample_channel="chat",
        sample_days=45,
        sample_size=6,
    )
    CadenceTarget.objects.create(team=support, sessions_per_month=2)
    CadenceTarget.objects.create(team=russian, sessions_per_month=1)
    return [calls, chats]


def _hold_the_team_sessions(series: Series, team: Team, now: datetime) -> None:
    """The team's sessions belong to the series; the open ones move onto its next two meetings
    (10:00 in London), so the series page and its "next meetings" agree."""
    sessions = CalibrationSession.objects.filter(team=team)
    sessions.update(series=series)
    upcoming = sessions.filter(
        status__in=(SessionStatus.SCORING, SessionStatus.DRAFT), meeting_at__gt=now
    ).order_by("meeting_at")
    meetings = series_meetings(series=series, after=now, count=len(upcoming))
    for session, meeting in zip(upcoming, meetings, strict=True):
        session.meeting_at = meeting
        session.scoring_deadline = recurrence.scoring_deadline(
            meeting, days_before=series.scoring_days
        )
        session.save(update_fields=["meeting_at", "scoring_deadline"])
