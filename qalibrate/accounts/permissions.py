"""Who may do what (DESIGN.md §5). Views call these; tests prove them for every role."""

from qalibrate.accounts.models import Role, User


def can_manage_users(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_build_scorecards(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.QA_LEAD)


def can_run_sessions(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.QA_LEAD)


def can_see_all_contacts(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.QA_LEAD)
