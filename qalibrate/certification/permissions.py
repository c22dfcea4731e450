"""Who may do what with certifications (docs/certification.md). Which ones a user sees is
Certification.objects.visible_to(user)."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff, sees_team
from qalibrate.certification.models import Certification


def can_certify(user: User) -> bool:
    """QA staff start certifications for their teams' evaluators and read the results."""
    return is_qa_staff(user)


def can_certify_in(user: User, team_id: int | None) -> bool:
    return can_certify(user) and team_id is not None and sees_team(user, team_id)


def can_take(user: User, certification: Certification) -> bool:
    """Only the candidate scores the gold contacts, while the certification runs."""
    return certification.evaluator_id == user.pk and certification.in_progress
