"""Trends: the completed sessions of a team and scorecard (or of all those a user sees) in time
order, read from the stored SessionRecord rows only, never recomputed from a session's answers
(docs/architecture.md, "History"): one query whatever the number of sessions, the records with
their team, scorecard and version and the session's title."""

import calendar
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from django.db.models import F, QuerySet
from django.utils import timezone

from qalibrate.accounts.models import Team, User
from qalibrate.history.models import SessionRecord
from qalibrate.scorecards.models import Scorecard

# The period presets of the filter: the last N months up to today.
PERIOD_MONTHS = {"3m": 3, "6m": 6, "12m": 12}


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha of the totals with its interval (the report's template filters
    read ``value``, ``low`` and ``high``)."""

    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class TrendRow:
    session_id: int
    title: str
    held_on: date
    team: Team | None
    scorecard: Scorecard
    version: int  # the scorecard version's number
    tolerance: float
    calibrated: bool | None
    share_within: float | None
    alpha: Alpha | None
    mean_abs_deviation: float | None
    evaluators: int
    contacts: int
    imported: bool


@dataclass(frozen=True)
class Direction:
    """The mean share of scores within tolerance of the first ``sessions`` sessions shown
    against that of the last ``sessions`` (half of those with the figure; the middle one left
    out when their number is odd). A description of the rows, not a test of a trend."""

    sessions: int
    first: float
    last: float

    @property
    def change(self) -> float:
        """In percentage points."""
        return round((self.last - self.first) * 100, 1)


@dataclass(frozen=True)
class TrendSummary:
    sessions: int
    judged: int  # sessions with a verdict (calibrated or not)
    calibrated: int
    direction: Direction | None

    @property
    def share_calibrated(self) -> float | None:
        return self.calibrated / self.judged if self.judged else None


@dataclass(frozen=True)
class Trends:
    rows: list[TrendRow]
    summary: TrendSummary | None  # None when there is no session


def trend_records(*, user: User) -> QuerySet:
    """The records of the completed sessions the user sees, oldest first."""
    return (
        SessionRecord.objects.visible_to(user)
        .select_related("team", "scorecard", "version")
        .annotate(title=F("session__title"))
        .order_by("held_on", "pk")
    )


def trend_scorecards(*, user: User) -> QuerySet:
    """The scorecards of the records the user sees: what the scorecard filter offers."""
    recorded = SessionRecord.objects.visible_to(user).values("scorecard_id")
    return Scorecard.objects.filter(pk__in=recorded).order_by("name")


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(filters: dict, *, today: date | None = None) -> tuple[date | None, date | None]:
    """The first and last day of the period the filters ask for: a preset (the last 3, 6 or
    12 months up to today) and the from and to dates, all of them applying."""
    start, end = filters.get("date_from"), filters.get("date_to")
    months = PERIOD_MONTHS.get(filters.get("period") or "")
    if months:
        today = today or timezone.localdate()
        preset = months_before(today, months)
        start = max(start, preset) if start else preset
        end = min(end, today) if end else today
    return start, end


def records_narrowed(records: QuerySet, filters: dict) -> QuerySet:
    """The trends' filter rules (history.filters.TrendsFilter names them): team, scorecard
    and period."""
    if filters.get("team"):
        records = records.filter(team=filters["team"])
    if filters.get("scorecard"):
        records = records.filter(scorecard=filters["scorecard"])
    start, end = period_bounds(filters)
    if start:
        records = records.filter(held_on__gte=start)
    if end:
        records = records.filter(held_on__lte=end)
    return records


def trends(records: QuerySet) -> Trends:
    """The rows of the trends table and their summary, from the records (one query)."""
    rows = [_row(record) for record in records]
    return Trends(rows=rows, summary=trend_summary(rows))


def _row(record: SessionRecord) -> TrendRow:
    alpha = None
    if record.alpha is not None:
        alpha = Alpha(value=record.alpha, low=record.alpha_low, high=record.alpha_high)
    return TrendRow(
        session_id=record.session_id,
        title=record.title,
        held_on=record.held_on,
        team=record.team,
        scorecard=record.scorecard,
        version=record.version.number,
        tolerance=record.tolerance,
        calibrated=record.calibrated,
        share_within=record.share_within,
        alpha=alpha,
        mean_abs_deviation=record.mean_abs_deviation,
        evaluators=record.evaluator_count,
        contacts=record.contact_count,
        imported=record.imported,
    )


def trend_summary(rows: list[TrendRow]) -> TrendSummary | None:
    """How many sessions, how many of those with a verdict were calibrated, and the first
    against the last half of the sessions' shares within tolerance (two or more needed)."""
    if not rows:
        return None
    judged = [row.calibrated for row in rows if row.calibrated is not None]
    shares = [row.share_within for row in rows if row.share_within is not None]
    half = len(shares) // 2
    direction = None
    if half:
        direction = Direction(sessions=half, first=fmean(shares[:half]), last=fmean(shares[-half:]))
    return TrendSummary(
        sessions=len(rows), judged=len(judged), calibrated=sum(judged), direction=direction
    )
