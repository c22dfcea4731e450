"""Reads of the process problems (docs/history.md): every criterion flagged "process problem"
in a completed session the user sees, with the session's follow-up actions, in one list."""

from django.db.models import Prefetch, QuerySet

from qalibrate.accounts.models import User
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
    SessionStatus,
)

PAGE_SIZE = 50


def process_problems(*, user: User, filters: dict) -> QuerySet[CriterionFlag]:
    """Newest first; filters (all optional): team (id), status (an action status: problems of
    sessions with an action in it; "none": without any action), date_from, date_to (the
    meeting's day). Three queries: the flags, then the sessions' actions."""
    sessions = CalibrationSession.objects.visible_to(user).filter(status=SessionStatus.COMPLETED)
    flags = CriterionFlag.objects.filter(
        kind=FlagKind.PROCESS, session__in=sessions.values("pk")
    ).select_related("session__team", "criterion")
    if filters.get("team"):
        flags = flags.filter(session__team=filters["team"])
    if filters.get("date_from"):
        flags = flags.filter(session__meeting_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        flags = flags.filter(session__meeting_at__date__lte=filters["date_to"])
    status = filters.get("status")
    if status == "none":
        flags = flags.exclude(session__actions__isnull=False)
    elif status in ActionStatus.values:
        flags = flags.filter(session__actions__status=status).distinct()
    actions = FollowUpAction.objects.select_related("owner").order_by("due_date", "pk")
    return flags.order_by("-session__meeting_at", "-pk").prefetch_related(
        Prefetch("session__actions", queryset=actions)
    )
