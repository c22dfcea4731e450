"""Recurring calibration series: creating each occurrence's session ahead of its meeting, and the
cadence each team keeps (sessions held per month against its target).

``series_create_due_sessions(now=...)`` is meant to run from a periodic job every few minutes:
it is idempotent (a session per occurrence, guarded by a row lock on the series and a unique
constraint on (series, meeting_at)) and creates nothing for meetings already past.
"""

import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Team, User
from qalibrate.calibration import recurrence, services
from qalibrate.calibration.models import (
    DEFAULT_AGENDA,
    DEFAULT_GROUND_RULES,
    DEFAULT_SESSIONS_PER_MONTH,
    MIN_CONTACTS,
    CadenceKind,
    CadenceTarget,
    CalibrationSession,
    ParticipantRole,
    Series,
    SessionContact,
    SessionStatus,
    Weekday,
    WeekOfMonth,
)
from qalibrate.contacts.models import Contact

logger = logging.getLogger(__name__)

# How far a series looks ahead in one run at most, whatever its lead days: a guard against a
# loop over an unbounded rule.
MAX_OCCURRENCES_PER_RUN = 60


def can_manage_series(user: User) -> bool:
    """Admins and QA leads create, edit and run every series."""
    return services.can_plan(user)


def can_view_series(user: User, series: Series) -> bool:
    if can_manage_series(user):
        return True
    if not user.is_authenticated or user.is_agent:
        return False
    return user.pk == series.facilitator_id or series.evaluators.filter(pk=user.pk).exists()


def series_for(*, user: User):
    """The series a user may see: all for admins and QA leads, their own for evaluators, none
    for agents."""
    found = Series.objects.select_related("team", "scorecard", "facilitator")
    if can_manage_series(user):
        return found
    if user.is_agent:
        return found.none()
    return found.filter(Q(evaluators=user) | Q(facilitator=user)).distinct()


@transaction.atomic
def series_create(*, user: User, evaluators: Iterable[User], **fields) -> Series:
    """A new series from the form's fields (see the Series model)."""
    if not can_manage_series(user):
        raise PermissionDenied
    series = Series(created_by=user, **fields)
    series.full_clean(exclude=["evaluators"])
    series.save()
    series.evaluators.set(evaluators)
    return series


@transaction.atomic
def series_update(*, series: Series, user: User, evaluators: Iterable[User], **fields) -> Series:
    """Change the template and the cadence; sessions already created keep what they have."""
    if not can_manage_series(user):
        raise PermissionDenied
    series = Series.objects.select_for_update().get(pk=series.pk)
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean(exclude=["evaluators"])
    series.save()
    series.evaluators.set(evaluators)
    return series


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


def _runner(series: Series) -> User | None:
    """Who the series' sessions are planned by: the facilitator, or else whoever created it."""
    for user in (series.facilitator, series.created_by):
        if user.is_active and services.can_plan(user):
            return user
    return None


def _due_meetings(series: Series, now: datetime) -> list[datetime]:
    """Meetings after ``now`` and at most ``lead_days`` ahead of it."""
    horizon = now + timedelta(days=series.lead_days)
    due = []
    for meeting in series_meetings(series=series, after=now, count=MAX_OCCURRENCES_PER_RUN):
        if meeting > horizon:
            break
        due.append(meeting)
    return due


def _sample(series: Series, now: datetime, meeting: datetime) -> list[Contact]:
    """The saved filter: the team's contacts of the last ``sample_days`` days (in the channel),
    not already held by another session that is not cancelled."""
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
    # The same occurrence samples the same way (reproducible), another occurrence differently.
    seed = series.pk * 1_000_003 + int(meeting.timestamp())
    return services.contacts_sample(contacts=pool, count=series.sample_size, seed=seed)


def _problem_set(series: Series, problem: str, now: datetime) -> None:
    if series.last_problem != problem:
        series.last_problem = problem
        series.last_problem_at = now if problem else None
        series.save(update_fields=["last_problem", "last_problem_at"])


def _session_create(series: Series, meeting: datetime, now: datetime, user: User):
    """One occurrence's session, planned and, when it can be, opened for blind scoring.
    Returns the session (or None when it already exists) and the problems found."""
    version = series.scorecard.current_version
    if version is None:
        return None, [
            _("%(scorecard)s has no published version, so no session was created.")
            % {"scorecard": series.scorecard}
        ]
    local = meeting.astimezone(zoneinfo.ZoneInfo(series.time_zone))
    deadline = recurrence.scoring_deadline(meeting, days_before=series.scoring_days)
    if deadline <= now:  # created late (a new series, or the job was down): score until the meeting
        deadline = meeting
    contacts = _sample(series, now, meeting)
    evaluators = list(series.evaluators.filter(is_active=True))
    problems = []
    try:
        with transaction.atomic():  # a savepoint: a duplicate occurrence leaves the rest intact
            session = services.session_plan(
                user=user,
                contacts=contacts,
                evaluators=evaluators,
                title=f"{series.title}, {formats.date_format(local.date(), 'DATE_FORMAT')}",
                series=series,
                version=version,
                team=series.team,
                facilitator=series.facilitator,
                expert=series.expert,
                reference_mode=series.reference_mode,
                tolerance=series.tolerance,
                scoring_deadline=deadline,
                meeting_at=meeting,
                duration_minutes=series.duration_minutes,
                location=series.location,
                agenda=str(DEFAULT_AGENDA),
                ground_rules=str(DEFAULT_GROUND_RULES),
            )
    except IntegrityError:
        return None, []
    when = formats.date_format(local, "DATETIME_FORMAT")
    if len(contacts) < MIN_CONTACTS:
        problems.append(
            _(
                "The session of %(when)s stays planned: only %(found)d contacts match the filter "
                "and it needs at least %(min)d. Add contacts to it, then open scoring."
            )
            % {"when": when, "found": len(contacts), "min": MIN_CONTACTS}
        )
    elif len(contacts) < series.sample_size:
        problems.append(
            _("The session of %(when)s has %(found)d contacts instead of %(size)d: no more match.")
            % {"when": when, "found": len(contacts), "size": series.sample_size}
        )
    enough_evaluators = session.participants.filter(role=ParticipantRole.EVALUATOR).count() >= 2
    if not enough_evaluators:
        problems.append(
            _("The session of %(when)s stays planned: the series needs at least two evaluators.")
            % {"when": when}
        )
    if len(contacts) >= MIN_CONTACTS and enough_evaluators:
        try:
            session = services.session_move(session=session, user=user, action="open")
        except ValidationError as error:
            problems.append(" ".join(error.messages))
    return session, problems


def _series_run(series_pk: int, now: datetime) -> list[CalibrationSession]:
    with transaction.atomic():
        # The row lock makes concurrent runs take turns; the second finds the sessions made.
        series = (
            # of=("self",): PostgreSQL cannot lock the nullable side of the join to the expert.
            Series.objects.select_for_update(of=("self",))
            .select_related("facilitator", "created_by", "scorecard", "team", "expert")
            .get(pk=series_pk)
        )
        if not series.is_active:
            return []
        due = _due_meetings(series, now)
        if not due:
            return []
        zone = zoneinfo.ZoneInfo(series.time_zone)
        existing = list(
            series.sessions.filter(
                meeting_at__gte=due[0] - timedelta(days=1),
                meeting_at__lte=due[-1] + timedelta(days=1),
            ).values_list("meeting_at", flat=True)
        )
        taken = set(existing)
        # After an edit of the meeting time, a session already on that local day counts.
        taken_days = {m.astimezone(zone).date() for m in existing}
        due = [m for m in due if m not in taken and m.astimezone(zone).date() not in taken_days]
        if not due:
            return []
        user = _runner(series)
        language = (user or series.facilitator).language
        with translation.override(language):
            if user is None:
                _problem_set(
                    series,
                    _("Neither the facilitator nor the creator may plan sessions any more."),
                    now,
                )
                return []
            created, problems = [], []
            for meeting in due:
                session, found = _session_create(series, meeting, now, user)
                problems += found
                if session is not None:
                    created.append(session)
                elif found:
                    break  # nothing can be created (no published version): say it once
            _problem_set(series, " ".join(problems), now)
        return created


def series_create_due_sessions(
    *, now: datetime, series: Iterable[Series] | None = None
) -> list[CalibrationSession]:
    """For every active series (or those given), create the session of every occurrence whose
    meeting is after ``now`` and within the series' lead days, and open it for blind scoring when
    it has 5-10 contacts and two evaluators; otherwise leave it planned and record the problem on
    the series (``last_problem``). Safe to call as often as you like: an occurrence gets one
    session, ever (a cancelled one is not made again)."""
    if series is None:
        pks = list(Series.objects.filter(is_active=True).values_list("pk", flat=True))
    else:
        pks = [s.pk for s in series]
    created: list[CalibrationSession] = []
    for pk in pks:
        try:
            created += _series_run(pk, now)
        except (ValidationError, PermissionDenied):
            logger.exception("calibration series %s: creating due sessions failed", pk)
    return created


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
    from django.utils import timezone

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
    open_statuses = (SessionStatus.DRAFT, SessionStatus.SCORING, SessionStatus.DISCUSSION)
    rows = CalibrationSession.objects.filter(
        team__in=teams,
        meeting_at__gte=first,
        meeting_at__lt=last,
        status__in=(SessionStatus.COMPLETED, *open_statuses),
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


@transaction.atomic
def cadence_target_set(*, team: Team, user: User, sessions_per_month: int) -> CadenceTarget:
    if not can_manage_series(user):
        raise PermissionDenied
    if not 1 <= sessions_per_month <= 31:
        raise ValidationError(_("A target is 1 to 31 sessions a month."))
    target, _created = CadenceTarget.objects.update_or_create(
        team=team, defaults={"sessions_per_month": sessions_per_month}
    )
    return target
