"""The rules of a recurring calibration series, with no query and no write: when it meets, which
meetings are due, and its cadence in words. Its reads (the series a user sees, the cadence per
team and month) are in selectors, its writes in services, and the job that creates each
occurrence's session ahead of its meeting in tasks."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from qalibrate.calibration import recurrence
from qalibrate.calibration.models import CadenceKind, Series, Weekday, WeekOfMonth

# How far a series looks ahead in one run at most, whatever its lead days: a guard against a
# loop over an unbounded rule.
MAX_OCCURRENCES_PER_RUN = 60


def series_meetings(*, series: Series, after: datetime, count: int = 1) -> list[datetime]:
    """The series' next ``count`` meetings strictly after ``after``, in its time zone."""
    return recurrence.meetings(
        series.cadence,
        first_day=series.first_day,
        at=series.meeting_time,
        time_zone=series.time_zone,
        after=after,
        count=count,
    )


def series_next_meeting(*, series: Series, after: datetime) -> datetime | None:
    found = series_meetings(series=series, after=after, count=1)
    return found[0] if found else None


def due_meetings(series: Series, now: datetime) -> list[datetime]:
    """Meetings after ``now`` and at most ``lead_days`` ahead of it."""
    horizon = now + timedelta(days=series.lead_days)
    due = []
    for meeting in series_meetings(series=series, after=now, count=MAX_OCCURRENCES_PER_RUN):
        if meeting > horizon:
            break
        due.append(meeting)
    return due


def cadence_text(series: Series) -> str:
    """The cadence in words: "Every 2 weeks on Tuesday at 10:00 (Europe/Stockholm)"."""
    values = {
        "weekday": Weekday(series.weekday).label,
        "nth": WeekOfMonth(series.nth).label,
        "time": series.meeting_time.strftime("%H:%M"),
        "zone": series.time_zone,
        "interval": series.interval,
    }
    if series.cadence_kind == CadenceKind.WEEKLY:
        if series.interval == 1:
            return _("Every week on %(weekday)s at %(time)s (%(zone)s)") % values
        return _("Every %(interval)d weeks on %(weekday)s at %(time)s (%(zone)s)") % values
    if series.cadence_kind == CadenceKind.QUARTERLY:
        return _("Every quarter on the %(nth)s %(weekday)s at %(time)s (%(zone)s)") % values
    if series.interval == 1:
        return _("Every month on the %(nth)s %(weekday)s at %(time)s (%(zone)s)") % values
    return _("Every %(interval)d months on the %(nth)s %(weekday)s at %(time)s (%(zone)s)") % values
