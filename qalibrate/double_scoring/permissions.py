"""Who may do what with double scoring (docs/double-scoring.md). Which pairs a user sees is
Pair.objects.visible_to(user)."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff, sees_team
from qalibrate.double_scoring.models import Pair


def can_set_policies(user: User) -> bool:
    """QA staff set how much of their teams' work is scored twice."""
    return is_qa_staff(user)


def can_set_policy(user: User, team_id: int | None) -> bool:
    return can_set_policies(user) and team_id is not None and sees_team(user, team_id)


def can_see_overview(user: User) -> bool:
    """The pooled figures of every evaluator of a team are for QA staff; an evaluator reads
    their own on their history page."""
    return is_qa_staff(user)


def can_view_pair(user: User, pair: Pair) -> bool:
    return Pair.objects.visible_to(user).filter(pk=pair.pk).exists()
