"""Who may do what with calibration sessions, series and follow-up actions
(docs/architecture.md). Pages, the API and the exports call these; the services check them
again before they write. Which rows a user sees is ``visible_to(user)`` on CalibrationSession,
Series and FollowUpAction."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff, is_staff_member, sees_team
from qalibrate.calibration.models import (
    CalibrationSession,
    FollowUpAction,
    ParticipantRole,
    SessionStatus,
)


def can_plan(user: User) -> bool:
    """QA staff plan sessions, one by one or as a recurring series, and set the teams'
    cadence targets."""
    return is_qa_staff(user)


def can_run(user: User, session: CalibrationSession) -> bool:
    """Admins run every session; QA leads those they facilitate or planned."""
    if not can_plan(user):
        return False
    return user.is_admin or user.pk in (session.facilitator_id, session.created_by_id)


def can_score(user: User, session: CalibrationSession) -> bool:
    """Invited to score the session, while it takes scores."""
    return (
        session.status == SessionStatus.SCORING
        and session.participants.filter(user=user, role=ParticipantRole.EVALUATOR).exists()
    )


def can_see_answers(user: User, session: CalibrationSession) -> bool:
    """Everyone's answers (the discussion, the report and its exports), after the reveal only:
    QA staff of the session's team (and its facilitator), and the session's evaluators. Agents
    never see who scored what, observers included."""
    if not session.is_revealed or user.is_agent:
        return False
    if is_qa_staff(user) and (
        sees_team(user, session.team_id) or user.pk == session.facilitator_id
    ):
        return True
    return session.participants.filter(user=user, role=ParticipantRole.EVALUATOR).exists()


def can_see_agent_results(user: User, session: CalibrationSession) -> bool:
    """An agent, once a completed session's results were shared: the agreed answers and the
    feedback for their own contacts, instead of the session page."""
    return user.is_agent and session.status == SessionStatus.COMPLETED and session.share_with_agents


def can_update_action(user: User, action: FollowUpAction) -> bool:
    """Owners and the session's runners move an action along, also after the session ends."""
    return user.pk == action.owner_id or can_run(user, action.session)


def can_see_series_pages(user: User) -> bool:
    """The series and cadence pages: everyone but agents. Evaluators only read them, and see
    the series they are in (Series.objects.visible_to); changing one takes can_plan."""
    return is_staff_member(user)
