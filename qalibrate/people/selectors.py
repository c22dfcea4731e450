"""Reads for the people pages: who a user sees (docs/people.md)."""

import hashlib

from django.db.models import Prefetch

from qalibrate.accounts.models import Agent, Team, User
from qalibrate.accounts.permissions import sees_every_team, visible_teams
from qalibrate.people.models import Invitation
from qalibrate.people.permissions import can_see_people


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def users_visible(*, user: User):
    """Administrators and those who see every team: every user; QA leads: the members of
    their teams. Teams prefetched, in name order."""
    if not can_see_people(user):
        return User.objects.none()
    people = User.objects.all()
    if not sees_every_team(user):
        people = people.filter(teams__in=visible_teams(user)).distinct()
    return people.select_related("agent_profile__team").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    )


def agents_visible(*, user: User):
    if not can_see_people(user):
        return Agent.objects.none()
    return Agent.objects.filter(team__in=visible_teams(user)).select_related("team", "user")


def invitations_pending(*, user: User):
    """Invitations not yet accepted nor expired, into teams the user sees (administrators: all)."""
    if not can_see_people(user):
        return Invitation.objects.none()
    pending = Invitation.objects.pending()
    if not sees_every_team(user):
        pending = pending.filter(teams__in=visible_teams(user)).distinct()
    return pending.select_related("invited_by").prefetch_related("teams")


def invitation_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.filter(token_hash=token_hash(token)).first()
