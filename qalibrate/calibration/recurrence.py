"""When a recurring calibration series meets: pure date arithmetic, no database.

Rules are computed on the local wall clock of the series' time zone with dateutil's rrule and
only then given the zone, so a meeting at 10:00 stays at 10:00 across a daylight-saving change
(its UTC time moves instead). A wall time that does not exist on a spring-forward day is moved
forward by the gap (zoneinfo's fold rules), and an ambiguous one on a fall-back day takes the
first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

WEEKDAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]


@dataclass(frozen=True)
class Cadence:
    """``kind``: "weekly" (every ``interval`` weeks on ``weekday``), "monthly" or "quarterly"
    (on the ``nth`` ``weekday`` of the month, -1 = the last; quarterly = every third month)."""

    kind: str
    weekday: int  # 0 = Monday … 6 = Sunday
    interval: int = 1
    nth: int = 1

    def __post_init__(self):
        if self.kind not in ("weekly", "monthly", "quarterly"):
            raise ValueError(f"unknown cadence {self.kind!r}")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if self.nth not in (1, 2, 3, 4, -1):
            raise ValueError("nth must be 1 to 4, or -1 for the last")

    def rule(self, start: datetime) -> rrule.rrule:
        weekday = WEEKDAYS[self.weekday]
        if self.kind == "weekly":
            return rrule.rrule(
                rrule.WEEKLY, interval=self.interval, byweekday=weekday, dtstart=start
            )
        months = 3 if self.kind == "quarterly" else self.interval
        return rrule.rrule(
            rrule.MONTHLY, interval=months, byweekday=weekday(self.nth), dtstart=start
        )


def _aware(local: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock moment in the zone. Going through UTC normalises it: a time inside a
    spring-forward gap comes out moved forward by the gap (02:30 → 03:30), and an ambiguous
    fall-back time is the first of the two (fold 0)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def meetings(
    cadence: Cadence,
    *,
    first_day: date,
    at: time,
    time_zone: str,
    after: datetime,
    count: int = 1,
) -> list[datetime]:
    """The next ``count`` meetings strictly after ``after`` (aware), starting no earlier than
    ``first_day``, each at the local time ``at`` in ``time_zone``."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(first_day, at)
    found: list[datetime] = []
    for local in cadence.rule(start):
        moment = _aware(local, zone)
        if moment > after:
            found.append(moment)
            if len(found) == count:
                break
    return found


def scoring_deadline(meeting: datetime, *, days_before: int = 1) -> datetime:
    """The end of scoring: the same wall time ``days_before`` days before the meeting."""
    local = meeting.replace(tzinfo=None) - timedelta(days=days_before)
    return _aware(local, meeting.tzinfo)
