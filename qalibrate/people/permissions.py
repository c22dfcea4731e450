"""Who may manage people (docs/people.md).

- Administrators: everyone and everything.
- QA leads: see the users and agents of their teams (all teams if given every team); invite
  evaluators and agents into their own teams; manage (role, teams, deactivate, reactivate)
  evaluators and agents whose teams are all teams the lead runs, and agents (accounts.Agent) of
  their teams. They never give anyone the administrator or QA lead role.
- Evaluators and agents: nothing here.
Nobody changes their own role or deactivates themselves (a lock-out waiting to happen).
"""

from qalibrate.accounts.models import Agent, Role, User
from qalibrate.accounts.permissions import sees_team, team_ids_of

# The roles a QA lead may give and manage.
LEAD_ROLES = (Role.EVALUATOR, Role.AGENT)


def can_see_people(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.is_admin or user.is_qa_lead)


def roles_user_may_give(user: User) -> list[str]:
    if not can_see_people(user):
        return []
    if user.is_admin:
        return list(Role.values)
    return [role.value for role in LEAD_ROLES]


def can_invite(user: User, *, role: str, team_ids) -> bool:
    """Administrators anyone anywhere; QA leads evaluators and agents into at least one team,
    each of them one they see."""
    if not can_see_people(user):
        return False
    if user.is_admin:
        return True
    team_ids = set(team_ids)
    return (
        role in roles_user_may_give(user)
        and bool(team_ids)
        and all(sees_team(user, pk) for pk in team_ids)
    )


def can_manage_user(user: User, person: User, *, person_team_ids=None) -> bool:
    """May ``user`` change ``person``'s role and teams, or deactivate and reactivate them?"""
    if not can_see_people(user) or person.pk == user.pk:
        return False
    if user.is_admin:
        return True
    if person.role not in roles_user_may_give(user) or person.all_teams:
        return False
    if person_team_ids is None:
        person_team_ids = team_ids_of(person)
    return bool(person_team_ids) and all(sees_team(user, pk) for pk in person_team_ids)


def can_manage_agent(user: User, agent: Agent) -> bool:
    return can_see_people(user) and sees_team(user, agent.team_id)


def can_give_teams(user: User, team_ids) -> bool:
    """May ``user`` put someone into these teams? QA leads: their own only."""
    if not can_see_people(user):
        return False
    return user.is_admin or all(sees_team(user, pk) for pk in team_ids)


def can_import_people(user: User) -> bool:
    return can_see_people(user)
