"""Who may do what with evaluations (docs/architecture.md). Which evaluations a user sees is
Evaluation.objects.visible_to(user)."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff, is_staff_member, sees_team
from qalibrate.evaluations.models import Evaluation


def can_evaluate(user: User) -> bool:
    """Everyone but agents starts evaluations of contacts: agents are the ones evaluated."""
    return is_staff_member(user)


def can_manage_evaluations(user: User) -> bool:
    """QA staff reopen a submitted evaluation with a reason and share one with the agent."""
    return is_qa_staff(user)


def can_manage_evaluation(user: User, evaluation: Evaluation) -> bool:
    """Reopen or share this one: QA staff of the contact's team."""
    return can_manage_evaluations(user) and sees_team(user, evaluation.contact.team_id)


def can_view(user: User, evaluation: Evaluation) -> bool:
    return Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists()
