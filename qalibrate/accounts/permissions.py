"""Who may do what, by role: the predicates every app's permissions.py builds on
(docs/architecture.md). Each app's own rules (may this user run that session?) live in its
permissions.py; which rows a user sees lives in the models' ``visible_to(user)`` querysets.
Tests prove them for every role (tests/api/test_permissions.py)."""

from qalibrate.accounts.models import ApiToken, User


def is_qa_staff(user: User) -> bool:
    """Administrators and QA leads: they run quality assurance (scorecards, sessions, series,
    evaluations shared with agents) and see every row. Team scoping will narrow the rows they
    see in the ``visible_to`` querysets, not this role."""
    return user.is_authenticated and (user.is_admin or user.is_qa_lead)


def is_staff_member(user: User) -> bool:
    """Everyone signed in but agents: administrators, QA leads and evaluators, the people who
    score (agents are the ones scored). Not Django's ``is_staff``, which marks administrators."""
    return user.is_authenticated and not user.is_agent


def can_manage_users(user: User) -> bool:
    """Administrators only: users, teams and settings (Django's admin)."""
    return user.is_authenticated and user.is_admin


def can_revoke_token(user: User, token: ApiToken) -> bool:
    """One's own API tokens; administrators anyone's, as they manage the users."""
    return token.user_id == user.pk or can_manage_users(user)
