"""What one calibration session shows one user: the same reads for its page and for the API's
session detail, so both show the same people, progress, history and follow-up actions."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from qalibrate.accounts.models import User
from qalibrate.calibration.models import (
    CalibrationSession,
    FollowUpAction,
    Participant,
    ParticipantRole,
    SessionEvent,
)
from qalibrate.calibration.permissions import (
    can_run,
    can_see_agent_results,
    can_see_answers,
    can_update_action,
)
from qalibrate.calibration.selectors import agent_results, progress_board


def actions_with_rights(actions, *, user: User) -> list[FollowUpAction]:
    """The follow-up actions, each marked with whether this user may change its status."""
    actions = list(actions)
    for action in actions:
        action.can_update = can_update_action(user, action)
    return actions


@dataclass
class SessionDetail:
    """A session as one user sees it. An agent whose results were shared gets only
    `agent_results` (the agreed evaluations of their own contacts, no progress, nobody's
    scores); everyone else gets the progress board and the rest, never an answer."""

    session: CalibrationSession
    can_run: bool
    can_see_answers: bool
    agent_results: dict | None = None  # selectors.agent_results
    board: dict = field(default_factory=lambda: {"contacts": [], "rows": []})
    observers: QuerySet[Participant] | list = field(default_factory=list)
    events: QuerySet[SessionEvent] | list = field(default_factory=list)
    actions: list[FollowUpAction] = field(default_factory=list)


def session_detail_for(session: CalibrationSession, *, user: User) -> SessionDetail:
    """What the session page shows this user. Observers and events stay lazy querysets: a
    page that does not show them does not read them."""
    detail = SessionDetail(
        session=session,
        can_run=can_run(user, session),
        can_see_answers=can_see_answers(user, session),
    )
    if can_see_agent_results(user, session):
        detail.agent_results = agent_results(session, user=user)
        return detail
    detail.board = progress_board(session)
    detail.observers = session.participants.filter(role=ParticipantRole.OBSERVER).select_related(
        "user"
    )
    detail.events = session.events.select_related("actor")
    detail.actions = actions_with_rights(
        session.actions.select_related("owner", "session"), user=user
    )
    return detail
