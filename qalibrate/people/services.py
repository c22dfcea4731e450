"""Writes for people: invitations, their acceptance, roles and teams, deactivation, agents.
Each checks its rule again (qalibrate.people.permissions) and runs in one transaction."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Agent, ApiToken, Role, User
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.people import permissions
from qalibrate.people.models import Invitation
from qalibrate.people.selectors import token_hash


class InvitationUnusable(Exception):
    """The link cannot be used: ``reason`` is "unknown", "used" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def email_problem(email: str) -> str:
    """Why no invitation may go to this address ("" if one may)."""
    existing = User.objects.filter(email__iexact=email.strip()).order_by("-is_active").first()
    if existing is None:
        return ""
    if existing.is_active:
        return _("%(email)s already has an account.") % {"email": email}
    return _("%(email)s has a deactivated account: reactivate it on the People page instead.") % {
        "email": email
    }


def invitation_valid_until():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


def invitation_create(
    *, by: User, email: str, role: str, teams, language: str, name: str = ""
) -> tuple[Invitation, str]:
    """The invitation and its one-time key, checked, not yet sent (the import sends later)."""
    teams = list(teams)
    if not permissions.can_invite(by, role=role, team_ids=[team.pk for team in teams]):
        raise PermissionDenied
    if problem := email_problem(email):
        raise ValidationError(problem, code="email_taken")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip(),
        name=name.strip()[:150],
        role=role,
        language=language,
        invited_by=by,
        expires_at=invitation_valid_until(),
        token_hash=token_hash(token),
    )
    invitation.teams.set(teams)
    return invitation, token


def invitation_send(invitation: Invitation, token: str) -> None:
    """The e-mail with the link, in the invitee's language."""
    link = settings.SITE_URL + reverse("invitation_accept", args=[token])
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "link": link,
            "inviter": str(invitation.invited_by),
            "role": invitation.get_role_display(),
            "teams": ", ".join(team.name for team in invitation.teams.all()),
        }
        subject = _("You are invited to Qalibrate")
        body = render_to_string("people/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invite(
    *, by: User, email: str, role: str, teams, language: str, name: str = "", request=None
) -> Invitation:
    """Invite a person by e-mail. Raises PermissionDenied, or ValidationError when the address
    already has an account. The e-mail goes out inside the transaction: if it cannot be sent,
    no invitation is left behind."""
    invitation, token = invitation_create(
        by=by, email=email, role=role, teams=teams, language=language, name=name
    )
    audit_record(
        action=AuditAction.USER_INVITED,
        actor=by,
        target=invitation,
        details={"email": invitation.email, "role": role, "teams": _team_names(invitation)},
        request=request,
    )
    invitation_send(invitation, token)
    return invitation


def invitation_usable(token: str) -> Invitation:
    """The invitation of this key if it can still be accepted; raises InvitationUnusable."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    _usable_check(invitation)
    return invitation


def _usable_check(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("expired")


@transaction.atomic
def invitation_accept(
    *, token: str, first_name: str, last_name: str, password: str, request=None
) -> User:
    """Make the account the invitation promised and mark it used. The password must have passed
    Django's validators already (the accept form). Raises InvitationUnusable, or
    ValidationError if the address got an account meanwhile."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    _usable_check(invitation)
    if problem := email_problem(invitation.email):
        raise ValidationError(problem, code="email_taken")
    user = User(
        username=_free_username(invitation.email),
        email=invitation.email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=invitation.role,
        language=invitation.language,
    )
    user.set_password(password)
    user.save()
    teams = list(invitation.teams.all())
    user.teams.set(teams)
    if user.role == Role.AGENT and teams:
        Agent.objects.create(full_name=str(user), team=teams[0], user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        action=AuditAction.INVITATION_ACCEPTED,
        actor=user,
        target=user,
        details={"email": user.email, "role": user.role, "invitation": invitation.pk},
        request=request,
    )
    return user


def _free_username(email: str) -> str:
    base = email.strip().lower()[:140]
    name, number = base, 1
    while User.objects.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def _team_names(invitation: Invitation) -> list[str]:
    return [team.name for team in invitation.teams.all()]


# --- roles, teams, deactivation -----------------------------------------------------------------


@transaction.atomic
def user_update(*, by: User, person: User, role: str, teams, all_teams: bool | None = None) -> User:
    """Change a person's role and teams. The audit trail records the change by itself (signal
    receivers), so nothing is recorded here."""
    teams = list(teams)
    old_team_ids = set(person.teams.values_list("pk", flat=True))
    new_team_ids = {team.pk for team in teams}
    if not permissions.can_manage_user(by, person, person_team_ids=old_team_ids):
        raise PermissionDenied
    if role not in permissions.roles_user_may_give(by):
        raise PermissionDenied
    if not permissions.can_give_teams(by, new_team_ids):
        raise PermissionDenied
    if not by.is_admin and not new_team_ids:
        raise PermissionDenied  # a QA lead would lose sight of the person
    if person.role != role or (all_teams is not None and by.is_admin):
        person.role = role
        if all_teams is not None and by.is_admin:
            person.all_teams = all_teams
        person.save()
    if old_team_ids != new_team_ids:
        person.teams.set(teams)
    person.__dict__.pop("_qalibrate_team_ids", None)
    return person


def sessions_end(person: User) -> int:
    """Delete the person's log-in sessions; returns how many."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, by: User, person: User, request=None) -> User:
    """The person can no longer sign in: their sessions end and their API tokens are revoked.
    Everything they did stays."""
    if not permissions.can_manage_user(by, person):
        raise PermissionDenied
    person.is_active = False
    person.save(update_fields=["is_active"])
    ended = sessions_end(person)
    revoked = ApiToken.objects.filter(user=person, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    audit_record(
        action=AuditAction.USER_DEACTIVATED,
        actor=by,
        target=person,
        details={"sessions_ended": ended, "tokens_revoked": revoked},
        request=request,
    )
    return person


@transaction.atomic
def user_reactivate(*, by: User, person: User, request=None) -> User:
    """The person may sign in again; revoked API tokens stay revoked."""
    if not permissions.can_manage_user(by, person):
        raise PermissionDenied
    person.is_active = True
    person.save(update_fields=["is_active"])
    audit_record(action=AuditAction.USER_REACTIVATED, actor=by, target=person, request=request)
    return person


# --- agents (accounts.Agent) --------------------------------------------------------------------


@transaction.atomic
def agent_save(*, by: User, agent: Agent, old_team_id: int | None = None) -> Agent:
    """Create or change an agent in a team the user runs (and, when moved, from one)."""
    if old_team_id is not None and not permissions.can_manage_agent(by, Agent(team_id=old_team_id)):
        raise PermissionDenied
    if not permissions.can_manage_agent(by, agent):
        raise PermissionDenied
    agent.employee_id = agent.employee_id or None
    agent.save()
    return agent
