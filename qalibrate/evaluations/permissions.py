from qalibrate.accounts.models import Role, User
from qalibrate.evaluations.models import Evaluation


def can_evaluate(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.QA_LEAD, Role.EVALUATOR)


def can_manage_evaluations(user: User) -> bool:
    """Reopen with a reason, share with the agent."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.QA_LEAD)


def can_view(user: User, evaluation: Evaluation) -> bool:
    return Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists()
