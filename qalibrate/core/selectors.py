"""What needs a QA lead's (or an admin's) attention, for the home page: composed from the
calibration, cadence and report reads of the other apps.

Everything here is progress and counts, never an answer or a score of a session still in blind
scoring. The number of queries is fixed whatever the number of sessions; the last results cost
one query per team, once each completed session's figures are computed (two discussions, as the
report computes them, then kept: a completed session is locked, core.once)."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from qalibrate.accounts.models import Agent, Team, User
from qalibrate.accounts.permissions import sees_every_team, visible_teams
from qalibrate.calibration import meeting_selectors
from qalibrate.calibration.models import (
    ACTIVE_STATUSES,
    ActionStatus,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
    Participant,
    ParticipantRole,
    SessionStatus,
)
from qalibrate.calibration.permissions import can_run, can_update_action
from qalibrate.calibration.series_selectors import TeamCadence, cadence_by_month
from qalibrate.contacts.models import Contact
from qalibrate.core.once import completed_once
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.scorecards.models import ScorecardVersion, VersionStatus

DEADLINE_SOON = timedelta(hours=24)
MEETINGS_AHEAD_DAYS = 7


@dataclass
class EvaluatorProgress:
    user: User
    submitted: int
    expected: int


@dataclass
class ScoringProgress:
    """A session in blind scoring: evaluations submitted of those expected (evaluators ×
    contacts) and the evaluators who have not submitted all their contacts."""

    session: CalibrationSession
    submitted: int
    expected: int
    waiting: list[EvaluatorProgress]
    now: datetime

    @property
    def all_scored(self) -> bool:
        return self.expected > 0 and self.submitted >= self.expected

    @property
    def deadline_passed(self) -> bool:
        return self.session.scoring_deadline <= self.now

    @property
    def deadline_soon(self) -> bool:
        return (
            not self.deadline_passed and self.session.scoring_deadline - self.now <= DEADLINE_SOON
        )

    @property
    def ready(self) -> bool:
        """Ready to reveal: everyone has scored everything, or the deadline has passed."""
        return self.all_scored or self.deadline_passed

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


@dataclass
class TeamResult:
    """A team's last completed session with its figures, beside the one before it."""

    team: Team
    session: CalibrationSession | None = None
    calibrated: bool | None = None
    share_within: float | None = None
    previous: CalibrationSession | None = None
    previous_share_within: float | None = None

    @property
    def change(self) -> float | None:
        """The change of the share within tolerance, in percentage points."""
        if self.share_within is None or self.previous_share_within is None:
            return None
        return round((self.share_within - self.previous_share_within) * 100, 1)


@dataclass
class Attention:
    teams: list[Team]
    all_teams: bool  # True: every team (an admin, or a QA lead given every team)
    scoring: list[ScoringProgress] = field(default_factory=list)
    ready: list[ScoringProgress] = field(default_factory=list)
    meetings_today: list[CalibrationSession] = field(default_factory=list)
    meetings_ahead: list[CalibrationSession] = field(default_factory=list)
    to_summarise: list[CalibrationSession] = field(default_factory=list)
    overdue: list[FollowUpAction] = field(default_factory=list)
    flags: list[CriterionFlag] = field(default_factory=list)
    cadence: list[TeamCadence] = field(default_factory=list)
    results: list[TeamResult] = field(default_factory=list)


def attention_teams(user: User) -> tuple[list[Team], bool]:
    """The teams a QA lead runs: the teams they belong to, or every team for admins and those
    given every team."""
    if sees_every_team(user):
        return list(Team.objects.all()), True
    return list(user.teams.all()), False


def _scope(user: User, teams: list[Team], all_teams: bool) -> Q:
    """Sessions of the teams, and those the user facilitates wherever they are."""
    if all_teams:
        return Q()
    return Q(team__in=teams) | Q(facilitator=user)


def attention_for(*, user: User, now: datetime | None = None) -> Attention:
    """Everything the QA lead's home lists, in the user's time zone (the active one)."""
    now = now or timezone.now()
    teams, all_teams = attention_teams(user)
    scope = _scope(user, teams, all_teams)
    in_scope = CalibrationSession.objects.visible_to(user).filter(scope)
    sessions = in_scope.select_related("version__scorecard", "team", "facilitator")
    result = Attention(teams=teams, all_teams=all_teams)

    for progress in scoring_progress(sessions.filter(status=SessionStatus.SCORING), now=now):
        (result.ready if progress.ready else result.scoring).append(progress)

    today = timezone.localtime(now).date()
    start = datetime.combine(today, time.min, timezone.get_current_timezone())
    tomorrow = start + timedelta(days=1)  # aware: the day boundary in the user's zone
    upcoming = sessions.filter(
        status__in=ACTIVE_STATUSES,
        meeting_at__gte=start,
        meeting_at__lt=start + timedelta(days=MEETINGS_AHEAD_DAYS + 1),
    ).order_by("meeting_at")
    for session in upcoming:
        (result.meetings_today if session.meeting_at < tomorrow else result.meetings_ahead).append(
            session
        )

    result.to_summarise = list(
        sessions.filter(
            Q(status=SessionStatus.COMPLETED, summary="")
            | Q(status=SessionStatus.DISCUSSION, meeting_at__lt=now)
        ).order_by("meeting_at")
    )
    result.overdue = list(
        FollowUpAction.objects.visible_to(user)
        .filter(session__in=in_scope, due_date__lt=today)
        .exclude(status=ActionStatus.DONE)
        .select_related("owner", "session")
        .order_by("due_date", "pk")
    )
    # What the user may do from the list: reveal, complete, mark an action done.
    for session in [p.session for p in result.ready] + result.to_summarise:
        session.user_can_run = can_run(user, session)
    for action in result.overdue:
        action.can_update = can_update_action(user, action)
    result.flags = clarification_flags(in_scope)
    result.cadence = cadence_by_month(
        teams=teams, months=1, today=today, time_zone=str(timezone.get_current_timezone())
    )
    result.results = team_results(teams)
    return result


def scoring_progress(sessions, *, now: datetime) -> list[ScoringProgress]:
    """Per session in blind scoring: submitted of expected, and who has not finished. Counts
    only: three queries whatever the number of sessions."""
    sessions = list(
        sessions.annotate(contact_count=Count("session_contacts", distinct=True)).order_by(
            "scoring_deadline", "pk"
        )
    )
    evaluators: dict[int, list[User]] = {}
    for participant in (
        Participant.objects.filter(session__in=sessions, role=ParticipantRole.EVALUATOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    ):
        evaluators.setdefault(participant.session_id, []).append(participant.user)
    submitted = {
        (row["session_id"], row["evaluator_id"]): row["n"]
        for row in Evaluation.objects.filter(
            session__in=sessions, status=EvaluationStatus.SUBMITTED
        )
        .values("session_id", "evaluator_id")
        .annotate(n=Count("contact_id", distinct=True))
    }
    result = []
    for session in sessions:
        people = evaluators.get(session.pk, [])
        done = {
            u.pk: min(submitted.get((session.pk, u.pk), 0), session.contact_count) for u in people
        }
        result.append(
            ScoringProgress(
                session=session,
                submitted=sum(done.values()),
                expected=len(people) * session.contact_count,
                waiting=[
                    EvaluatorProgress(u, done[u.pk], session.contact_count)
                    for u in people
                    if done[u.pk] < session.contact_count
                ],
                now=now,
            )
        )
    return result


def clarification_flags(sessions) -> list[CriterionFlag]:
    """Criteria flagged "needs clarification" whose scorecard has published no version since the
    flagged one, each with ``draft_pk``: the scorecard's draft, where the clarification goes."""
    version = "session__version"
    newer = ScorecardVersion.objects.filter(
        scorecard_id=OuterRef(f"{version}__scorecard_id"),
        status=VersionStatus.PUBLISHED,
        number__gt=OuterRef(f"{version}__number"),
    )
    draft = ScorecardVersion.objects.filter(
        scorecard_id=OuterRef(f"{version}__scorecard_id"), status=VersionStatus.DRAFT
    ).values("pk")[:1]
    return list(
        CriterionFlag.objects.filter(kind=FlagKind.CLARIFY, session__in=sessions)
        .exclude(session__status=SessionStatus.CANCELLED)
        .annotate(has_newer=Exists(newer), draft_pk=Subquery(draft))
        .filter(has_newer=False)
        .select_related("criterion", "session__version__scorecard")
        .order_by("-created_at", "-pk")
    )


def team_results(teams: list[Team]) -> list[TeamResult]:
    """Each team's last completed session: calibrated or not, the share of scores within
    tolerance and its change since the previous session (the report's figures: the calibration
    discussion of both sessions). A fixed number of queries per team with a result."""
    last = Subquery(
        CalibrationSession.objects.filter(team=OuterRef("pk"), status=SessionStatus.COMPLETED)
        .order_by("-meeting_at", "-pk")
        .values("pk")[:1]
    )
    last_pks = dict(
        Team.objects.filter(pk__in=[t.pk for t in teams])
        .annotate(last_pk=last)
        .values_list("pk", "last_pk")
    )
    found = CalibrationSession.objects.select_related("version__scorecard", "team").in_bulk(
        [pk for pk in last_pks.values() if pk]
    )
    results = []
    for team in teams:
        row = TeamResult(team=team)
        session = found.get(last_pks.get(team.pk))
        if session is not None:
            row.session = session
            row.calibrated, row.share_within = completed_figures(session)
            row.previous = meeting_selectors.previous_session(session)
            if row.previous is not None:
                row.previous_share_within = completed_figures(row.previous)[1]
        results.append(row)
    return results


def completed_figures(session: CalibrationSession) -> tuple[bool | None, float | None]:
    """Calibrated or not, and the share of scores within tolerance: the report's figures (the
    calibration discussion), computed once for a completed session (core.once)."""
    return completed_once(session, "calibrated-share", lambda: _figures(session))


def _figures(session: CalibrationSession) -> tuple[bool | None, float | None]:
    result = meeting_selectors.discussion(session)
    return result.calibrated, result.share_within


def team_overview(*, user: User, days: int = 30) -> QuerySet[Team]:
    """The user's teams with their agent count and recent contacts by channel, in one query.
    Each count is its own subquery over the contacts' (team, date) index: joining the agents
    and the contacts to the teams at once would count every agent × contact pair, which at a
    million contacts takes seconds."""
    since = timezone.now() - timedelta(days=days)
    recent = Contact.objects.filter(team=OuterRef("pk"), occurred_at__gte=since)

    def counted(contacts) -> Coalesce:
        number = contacts.order_by().values("team").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(number, output_field=IntegerField()), 0)

    active_agents = Agent.objects.filter(team=OuterRef("pk"), is_active=True)
    return (
        visible_teams(user)
        .annotate(
            agent_count=counted(active_agents),
            recent_contacts=counted(recent),
            recent_calls=counted(recent.filter(channel="call")),
            recent_chats=counted(recent.filter(channel="chat")),
            recent_emails=counted(recent.filter(channel="email")),
            recent_tickets=counted(recent.filter(channel="ticket")),
        )
        .order_by("name")
    )
