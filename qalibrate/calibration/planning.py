"""What the plan form starts from: the team's own habits (its last session, its recurring series,
its cadence target), so that planning is mostly checking and one click; and how precisely the
planned panel will measure agreement. Reads only."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qalibrate.accounts.models import Role, Team, User
from qalibrate.agreement.precision import FEWEST_CONTACTS, contacts_for_margin, expected_alpha_width
from qalibrate.calibration import meeting_selectors, recurrence
from qalibrate.calibration.models import (
    DEFAULT_SESSIONS_PER_MONTH,
    CadenceTarget,
    CalibrationSession,
    ParticipantRole,
    Series,
    SessionStatus,
)
from qalibrate.calibration.series import series_meetings
from qalibrate.contacts.models import Channel, Contact
from qalibrate.core.once import completed_once
from qalibrate.scorecards.models import Scorecard, ScorecardVersion, VersionStatus

CHANNEL_PLURALS = {
    Channel.CALL: gettext_lazy("calls"),
    Channel.CHAT: gettext_lazy("chats"),
    Channel.EMAIL: gettext_lazy("e-mails"),
    Channel.TICKET: gettext_lazy("tickets"),
}
# Without a habit to follow, a team meets at 10:00, and no sooner than two days ahead, so that
# evaluators have at least a day to score before the deadline (a day before the meeting).
DEFAULT_MEETING_TIME = time(10)
MIN_DAYS_AHEAD = 2
# How many of a series' meetings to look through for one that has no session yet.
SERIES_LOOKAHEAD = 12
STAFF = (Role.ADMIN, Role.QA_LEAD, Role.EVALUATOR)


def plan_team(*, contacts: list[Contact], team_filter: Team | None = None) -> Team | None:
    """The team of the ticked contacts when they share one; without ticks, the list's filter."""
    if contacts:
        teams = {contact.team_id for contact in contacts}
        return contacts[0].team if len(teams) == 1 else None
    return team_filter


def last_session(team: Team) -> CalibrationSession | None:
    """The team's latest session (by meeting) that was not cancelled: the one to follow."""
    return (
        CalibrationSession.objects.filter(team=team)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("version__scorecard")
        .order_by("-meeting_at", "-pk")
        .first()
    )


def _active_series(team: Team) -> list[Series]:
    return list(Series.objects.filter(team=team, is_active=True).select_related("scorecard"))


def plan_version(
    *, team: Team | None, last: CalibrationSession | None, series: list[Series]
) -> ScorecardVersion | None:
    """The latest published version of the scorecard the team used last (or its series uses);
    with a single scorecard in use, that one's."""
    scorecards: list[Scorecard] = []
    if last is not None:
        scorecards.append(last.version.scorecard)
    scorecards += [s.scorecard for s in series]
    if not scorecards:
        published = Scorecard.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct()
        scorecards = list(published[:2])
        if len(scorecards) > 1:  # a choice the planner makes
            return None
    for scorecard in scorecards:
        version = scorecard.current_version
        if version is not None:
            return version
    return None


def series_free_meeting(series: Series, *, after: datetime) -> datetime | None:
    """The series' next meeting whose day has no session of the team yet (the series' own
    sessions are created a few days ahead, so the next one or two are often taken)."""
    meetings = series_meetings(series=series, after=after, count=SERIES_LOOKAHEAD)
    if not meetings:
        return None
    zone = meetings[0].tzinfo
    taken = {
        moment.astimezone(zone).date()
        for moment in CalibrationSession.objects.filter(
            team=series.team_id,
            meeting_at__gte=meetings[0] - timedelta(days=1),
            meeting_at__lte=meetings[-1] + timedelta(days=1),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("meeting_at", flat=True)
    }
    return next((m for m in meetings if m.astimezone(zone).date() not in taken), None)


def series_of_meeting(*, team: Team | None, meeting_at: datetime | None) -> Series | None:
    """The team's active series when ``meeting_at`` is one of its meetings and no session holds
    it yet: the new session then is that occurrence, and the series does not make another."""
    if team is None or meeting_at is None:
        return None
    for series in _active_series(team):
        found = series_meetings(series=series, after=meeting_at - timedelta(seconds=1), count=1)
        if found == [meeting_at] and not series.sessions.filter(meeting_at=meeting_at).exists():
            return series
    return None


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _weeks_between_sessions(team: Team) -> int:
    """The cadence target as a rhythm: 2 a month → every 2 weeks, 1 → every 4, 4+ → weekly."""
    target = CadenceTarget.objects.filter(team=team).values_list("sessions_per_month", flat=True)
    per_month = target.first() or DEFAULT_SESSIONS_PER_MONTH
    return max(1, round(4 / per_month))


def plan_schedule(
    *, team: Team | None, last: CalibrationSession | None, series: list[Series], now: datetime
) -> tuple[datetime, datetime]:
    """The meeting and the scoring deadline: the next free meeting of the team's active series
    (scoring ends as the series says); otherwise the team's rhythm from its last meeting (same
    weekday and time) on a working day at least MIN_DAYS_AHEAD away, scoring until a day before.
    """
    earliest = now + timedelta(days=MIN_DAYS_AHEAD)
    found = [(m, s) for s in series if (m := series_free_meeting(s, after=earliest))]
    if found:
        meeting, one = min(found, key=lambda pair: pair[0])
        return meeting, recurrence.scoring_deadline(meeting, days_before=one.scoring_days)
    meeting = _rhythm_meeting(team=team, last=last, now=now)
    return meeting, plan_deadline(meeting)


def _rhythm_meeting(*, team: Team | None, last: CalibrationSession | None, now: datetime):
    zone = timezone.get_current_timezone()
    first_day = (now + timedelta(days=MIN_DAYS_AHEAD)).astimezone(zone).date()
    at, day = DEFAULT_MEETING_TIME, first_day
    if last is not None:
        previous = last.meeting_at.astimezone(zone)
        at = previous.time().replace(second=0, microsecond=0)
        day = max(previous.date() + timedelta(weeks=_weeks_between_sessions(team)), first_day)
    return datetime.combine(_working_day(day), at, zone)


def plan_deadline(meeting: datetime) -> datetime:
    """A day before the meeting at its time; a Saturday or Sunday moves back to the Friday."""
    deadline = recurrence.scoring_deadline(meeting, days_before=1)
    while deadline.weekday() >= 5:
        deadline = recurrence.scoring_deadline(deadline, days_before=1)
    return deadline


def plan_evaluators(*, last: CalibrationSession | None, series: list[Series]) -> list[User]:
    """Who scored the team's last session (still active staff), or else its series' evaluators."""
    if last is not None:
        found = list(
            User.objects.filter(
                calibration_participations__session=last,
                calibration_participations__role=ParticipantRole.EVALUATOR,
                is_active=True,
                role__in=STAFF,
            ).order_by("calibration_participations__pk")
        )
        if found:
            return found
    for one in series:
        found = list(one.evaluators.filter(is_active=True, role__in=STAFF))
        if found:
            return found
    return []


def plan_title(*, team: Team | None, contacts: list[Contact], meeting: datetime) -> str:
    """ "Customer support: calls, week 14", as the demo's sessions are called."""
    week = meeting.astimezone(timezone.get_current_timezone()).isocalendar().week
    channels = [CHANNEL_PLURALS[c] for c in Channel if c in {x.channel for x in contacts}]
    values = {"team": team, "channels": get_text_list(channels, _("and")), "week": week}
    if team is not None and channels:
        return _("%(team)s: %(channels)s, week %(week)d") % values
    if team is not None:
        return _("%(team)s, week %(week)d") % values
    return _("Calibration, week %(week)d") % values


def plan_initial(
    *, user: User, contacts: list[Contact], team_filter: Team | None = None, now: datetime
) -> dict:
    """The plan form's initial values for ``user`` planning a session of ``contacts``."""
    team = plan_team(contacts=contacts, team_filter=team_filter)
    last = last_session(team) if team is not None else None
    series = _active_series(team) if team is not None else []
    meeting, deadline = plan_schedule(team=team, last=last, series=series, now=now)
    initial = {
        "facilitator": user,
        "team": team,
        "sample_team": team,
        "version": plan_version(team=team, last=last, series=series),
        "title": plan_title(team=team, contacts=contacts, meeting=meeting),
        "meeting_at": meeting,
        "scoring_deadline": deadline,
        "evaluators": plan_evaluators(last=last, series=series),
    }
    if last is not None:
        initial.update(
            duration_minutes=last.duration_minutes,
            location=last.location,
            reference_mode=last.reference_mode,
            tolerance=last.tolerance,
            expert=last.expert,
        )
    elif series:
        initial.update(duration_minutes=series[0].duration_minutes, location=series[0].location)
    return {name: value for name, value in initial.items() if value is not None}


# Precision of alpha of the totals. Without a completed session of the team to go by, the plan
# assumes alpha 0.8, the level Krippendorff (2004, "Content Analysis", 2nd ed., §11.4, p. 241)
# asks of data that are relied on. A team's last alpha is a small sample's estimate: it is kept
# within 0-0.95, so that one lucky session does not promise a near-zero margin.
DEFAULT_ALPHA = 0.8
ALPHA_RANGE = (0.0, 0.95)
PRECISION_CONFIDENCE = 0.95
PRECISION_TARGETS = (0.1, 0.2)  # the ± the note says how many contacts need
MOST_CONTACTS = 200  # beyond it the note says "more than"


@dataclass(frozen=True)
class Target:
    margin: float  # ± of the 95% interval
    contacts: int | None  # about this many contacts give it; None: more than MOST_CONTACTS


@dataclass(frozen=True)
class PlanPrecision:
    """How precisely the planned session will measure alpha of the totals: the expected ± of
    its 95% interval (qalibrate.agreement.precision), and the contacts each target needs."""

    contacts: int
    evaluators: int
    alpha: float  # the alpha assumed, rounded to 2 decimals
    measured: float | None  # the last completed session's alpha, when the plan follows it
    session: CalibrationSession | None  # that session
    margin: float
    targets: list[Target]
    most: int = MOST_CONTACTS

    @property
    def capped(self) -> bool:
        return self.measured is not None and round(self.measured, 2) != self.alpha


def plan_precision(*, team: Team | None, contacts: int, evaluators: int) -> PlanPrecision | None:
    """The precision note for ``contacts`` × ``evaluators``; None when the panel is too small to
    have an interval (fewer than three contacts or two evaluators)."""
    if contacts < FEWEST_CONTACTS or evaluators < 2:
        return None
    session = last_completed_session(team) if team is not None else None
    measured = totals_alpha(session) if session is not None else None
    if measured is None:
        session = None
        alpha = DEFAULT_ALPHA
    else:
        alpha = round(min(max(measured, ALPHA_RANGE[0]), ALPHA_RANGE[1]), 2)
    width = expected_alpha_width(contacts, evaluators, alpha, PRECISION_CONFIDENCE)
    targets = [
        Target(margin, contacts_for_margin(margin, evaluators, alpha, most=MOST_CONTACTS))
        for margin in PRECISION_TARGETS
    ]
    return PlanPrecision(contacts, evaluators, alpha, measured, session, width / 2, targets)


def form_precision(form, picked: list[Contact]) -> PlanPrecision | None:
    """The precision note for the plan form as it stands: its initial values, or what was posted
    when the form comes back with errors. The contacts are the ticked ones, else the sample size.
    """
    contacts = len(picked) if picked else _whole_number(form["sample_size"].value())
    evaluators = len({str(pk) for pk in form["evaluators"].value() or [] if str(pk).isdigit()})
    team_id = _whole_number(form["team"].value())
    # Only a team the form offers: the note must not read another team's sessions.
    teams = form.fields["team"].queryset
    team = teams.filter(pk=team_id).first() if team_id is not None else None
    if contacts is None:
        return None
    return plan_precision(team=team, contacts=contacts, evaluators=evaluators)


def _whole_number(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def last_completed_session(team: Team) -> CalibrationSession | None:
    return (
        CalibrationSession.objects.filter(team=team, status=SessionStatus.COMPLETED)
        .order_by("-meeting_at", "-pk")
        .first()
    )


def totals_alpha(session: CalibrationSession) -> float | None:
    """Alpha of the totals as the session's report shows it (the calibration discussion),
    computed once for a completed session (core.once)."""
    return completed_once(session, "totals-alpha", lambda: _discussion_alpha(session))


def _discussion_alpha(session: CalibrationSession) -> float | None:
    figures = meeting_selectors.discussion(session).totals
    return figures.alpha.estimate if figures is not None and figures.alpha is not None else None
