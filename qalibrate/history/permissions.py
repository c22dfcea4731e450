"""Who may read and write the history (docs/architecture.md, docs/history.md). Which records a
user sees is ``SessionRecord.objects.visible_to(user)``: the completed sessions they see.

Trends, criterion history and the book of rulings name nobody's answers, so every staff member
reads them (evaluators learn the team's case law from the rulings); agents do not, as they do
not see other agents' contacts. An evaluator's page names one person: QA staff see everyone's,
an evaluator their own."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import (
    is_qa_staff,
    is_staff_member,
    sees_every_team,
    team_ids_of,
)
from qalibrate.calibration.models import CalibrationSession


def can_see_history(user: User) -> bool:
    """Trends, criterion history, the book of rulings and the process problems."""
    return is_staff_member(user)


def can_see_evaluator(user: User, evaluator: User) -> bool:
    """An evaluator's history: their deviations, bias and drift. QA staff see the evaluators of
    their teams and of their teams' sessions (everyone, for those who see every team)."""
    if is_staff_member(user) and user.pk == evaluator.pk:
        return True
    if not is_qa_staff(user):
        return False
    if sees_every_team(user) or team_ids_of(user) & team_ids_of(evaluator):
        return True
    # An evaluator of another team who scored in one of the user's teams' sessions.
    sessions = CalibrationSession.objects.visible_to(user)
    return sessions.filter(participants__user=evaluator).exists()


def can_import_history(user: User) -> bool:
    """Bringing past sessions in from spreadsheets creates completed sessions: QA staff."""
    return is_qa_staff(user)


def can_set_drift_rule(user: User) -> bool:
    """The drift rule of a team (when an evaluator is said to drift)."""
    return is_qa_staff(user)
