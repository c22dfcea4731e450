"""Who may do what, by role: the predicates every app's permissions.py builds on
(docs/architecture.md). Each app's own rules (may this user run that session?) live in its
permissions.py; which rows a user sees lives in the models' ``visible_to(user)`` querysets.
Tests prove them for every role (tests/api/test_permissions.py)."""

from django.db.models import Q

from qalibrate.accounts.models import ApiToken, Team, User


def is_qa_staff(user: User) -> bool:
    """Administrators and QA leads: they run quality assurance (scorecards, sessions, series,
    evaluations shared with agents) and see every row. Team scoping will narrow the rows they
    see in the ``visible_to`` querysets, not this role."""
    return user.is_authenticated and (user.is_admin or user.is_qa_lead)


# -- Teams: which teams' rows a person sees (docs/permissions.md, "Teams") ----------------------


def sees_every_team(user: User) -> bool:
    """Administrators, and QA leads or evaluators given every team."""
    return user.is_authenticated and (user.is_admin or user.all_teams)


def team_ids_of(user: User) -> frozenset[int]:
    """The ids of the teams the user belongs to, read once per request (kept on the user)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_qalibrate_team_ids", None)
    if cached is None:
        cached = frozenset(user.teams.values_list("pk", flat=True))
        user._qalibrate_team_ids = cached
    return cached


def sees_team(user: User, team_id: int | None) -> bool:
    """May the user see rows of this team? A row of no team is seen only by those who see every
    team (imported history without a team, for example)."""
    if sees_every_team(user):
        return True
    return team_id is not None and team_id in team_ids_of(user)


def in_my_teams(user: User, field: str = "team") -> Q:
    """A filter for rows whose ``field`` (a team foreign key, or a path to one) is one of the
    user's teams; matches every row for those who see every team. A subquery, so building it
    costs no query of its own."""
    if sees_every_team(user):
        return Q()
    return Q(**{f"{field}__in": Team.objects.filter(members=user).values("pk")})


def visible_teams(user: User):
    """The teams a user may pick in a form or filter."""
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(in_my_teams(user, "pk"))


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
