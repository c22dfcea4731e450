"""Reads for recurring calibration series: the series a user sees, what their job samples and
which meetings still lack a session, and the cadence each team keeps (sessions held per month
against its target)."""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from qalibrate.accounts.models import Team, User
from qalibrate.calibration.models import (
    ACTIVE_STATUSES,
    DEFAULT_SESSIONS_PER_MONTH,
    CadenceTarget,
    CalibrationSession,
    Series,
    SessionContact,
    SessionStatus,
)
from qalibrate.contacts.models import Contact


def series_for(*, user: User) -> QuerySet[Series]:
    """The series the user may see (Series.objects.visible_to), with what their pages show."""
    return Series.objects.visible_to(user).select_related("team", "scorecard", "facilitator")


def series_sample_pool(*, series: Series, now: datetime) -> QuerySet[Contact]:
    """The series' saved filter: the team's contacts of the last ``sample_days`` days (in the
    channel), not already held by another session that is not cancelled."""
    pool = Contact.objects.filter(
        team=series.team,
        occurred_at__gte=now - timedelta(days=series.sample_days),
        occurred_at__lte=now,
    ).exclude(
        pk__in=SessionContact.objects.exclude(session__status=SessionStatus.CANCELLED).values(
            "contact"
        )
    )
    if series.sample_channel:
        pool = pool.filter(channel=series.sample_channel)
    return pool


def series_meetings_without_session(*, series: Series, meetings: list[datetime]) -> list[datetime]:
    """Those of the series' meetings (in order, at least one) that have no session yet. After
    an edit of the meeting time, a session already on that local day counts."""
    zone = zoneinfo.ZoneInfo(series.time_zone)
    existing = list(
        series.sessions.filter(
            meeting_at__gte=meetings[0] - timedelta(days=1),
            meeting_at__lte=meetings[-1] + timedelta(days=1),
        ).values_list("meeting_at", flat=True)
    )
    taken = set(existing)
    taken_days = {m.astimezone(zone).date() for m in existing}
    return [m for m in meetings if m not in taken and m.astimezone(zone).date() not in taken_days]


# Cadence: sessions held per team and month against the target.


@dataclass(frozen=True)
class MonthCadence:
    month: date  # the first day of the month
    held: int  # completed sessions that met in the month
    planned: int  # current month only: planned, scoring or in discussion
    target: int
    is_current: bool

    @property
    def met(self) -> bool:
        return self.held >= self.target

    @property
    def state(self) -> str:
        """met; missed (a past month short of the target); on_track (the current month, with
        what is planned); behind (the current month, short even with what is planned)."""
        if self.met:
            return "met"
        if not self.is_current:
            return "missed"
        return "on_track" if self.held + self.planned >= self.target else "behind"


@dataclass(frozen=True)
class TeamCadence:
    team: Team
    target: int
    has_target: bool  # False: the default target applies
    months: list[MonthCadence] = field(default_factory=list)

    @property
    def months_met(self) -> int:
        return sum(m.met for m in self.months)


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def cadence_by_month(
    *, teams: Iterable[Team], months: int = 6, today: date, time_zone: str | None = None
) -> list[TeamCadence]:
    """For each team and each of the last ``months`` calendar months (the current one last):
    the sessions held (completed, by their meeting's month in ``time_zone``, default the current
    one) against the team's target. Two queries whatever the number of teams."""
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()
    teams = list(teams)
    starts = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    end = _month_start(today, -1)
    first = datetime.combine(starts[0], time.min, zone)
    last = datetime.combine(end, time.min, zone)
    targets = {
        t.team_id: t.sessions_per_month for t in CadenceTarget.objects.filter(team__in=teams)
    }
    held: dict[tuple[int, date], int] = {}
    planned: dict[int, int] = {}
    rows = CalibrationSession.objects.filter(
        team__in=teams,
        meeting_at__gte=first,
        meeting_at__lt=last,
        status__in=(SessionStatus.COMPLETED, *ACTIVE_STATUSES),
    ).values_list("team_id", "meeting_at", "status")
    current = starts[-1]
    for team_id, meeting_at, status in rows:
        month = meeting_at.astimezone(zone).date().replace(day=1)
        if status == SessionStatus.COMPLETED:
            held[team_id, month] = held.get((team_id, month), 0) + 1
        elif month == current:
            planned[team_id] = planned.get(team_id, 0) + 1
    result = []
    for team in teams:
        target = targets.get(team.pk, DEFAULT_SESSIONS_PER_MONTH)
        result.append(
            TeamCadence(
                team=team,
                target=target,
                has_target=team.pk in targets,
                months=[
                    MonthCadence(
                        month=start,
                        held=held.get((team.pk, start), 0),
                        planned=planned.get(team.pk, 0) if start == current else 0,
                        target=target,
                        is_current=start == current,
                    )
                    for start in starts
                ],
            )
        )
    return result
