"""Calibration sessions: planning and the life cycle. Every transition is checked and recorded."""

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Role, User
from qalibrate.calibration.models import (
    MAX_CONTACTS,
    MIN_CONTACTS,
    CalibrationSession,
    Participant,
    ParticipantRole,
    SessionContact,
    SessionEvent,
    SessionStatus,
)
from qalibrate.contacts.models import Contact

TRANSITIONS = {
    "open": (SessionStatus.DRAFT, SessionStatus.SCORING),
    "reveal": (SessionStatus.SCORING, SessionStatus.DISCUSSION),
    "complete": (SessionStatus.DISCUSSION, SessionStatus.COMPLETED),
}
CANCELLABLE = (SessionStatus.DRAFT, SessionStatus.SCORING, SessionStatus.DISCUSSION)


def can_plan(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.QA_LEAD)


def can_run(user: User, session: CalibrationSession) -> bool:
    """Admins run every session; QA leads those they facilitate or planned."""
    if not can_plan(user):
        return False
    return user.is_admin or user.pk in (session.facilitator_id, session.created_by_id)


def contacts_sample(*, contacts, count: int, seed: int | None = None) -> list[Contact]:
    """A random sample spread over agents: one contact per agent in turn, agents shuffled."""
    rng = random.Random(seed)
    by_agent: dict[int, list[Contact]] = {}
    for contact in contacts.order_by("pk"):
        by_agent.setdefault(contact.agent_id, []).append(contact)
    for pool in by_agent.values():
        rng.shuffle(pool)
    agents = list(by_agent)
    rng.shuffle(agents)
    picked: list[Contact] = []
    while len(picked) < count and any(by_agent.values()):
        for agent in agents:
            if by_agent[agent] and len(picked) < count:
                picked.append(by_agent[agent].pop())
    return picked


@transaction.atomic
def session_plan(
    *, user: User, contacts: list[Contact], evaluators: list[User], observers=(), **fields
) -> CalibrationSession:
    if not can_plan(user):
        raise PermissionDenied
    session = CalibrationSession.objects.create(created_by=user, **fields)
    session_contacts_set(session=session, contacts=contacts)
    Participant.objects.bulk_create(
        [Participant(session=session, user=u, role=ParticipantRole.EVALUATOR) for u in evaluators]
        + [Participant(session=session, user=u, role=ParticipantRole.OBSERVER) for u in observers]
    )
    return session


def session_contacts_set(*, session: CalibrationSession, contacts: list[Contact]) -> None:
    if session.status != SessionStatus.DRAFT:
        raise ValidationError(_("Contacts can be changed only while the session is planned."))
    session.session_contacts.all().delete()
    SessionContact.objects.bulk_create(
        [SessionContact(session=session, contact=c, position=i) for i, c in enumerate(contacts, 1)]
    )


@transaction.atomic
def session_move(*, session: CalibrationSession, user: User, action: str) -> CalibrationSession:
    """open, reveal, complete or cancel; refused unless allowed from the current status."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not can_run(user, session):
        raise PermissionDenied
    if action == "cancel":
        allowed, target = session.status in CANCELLABLE, SessionStatus.CANCELLED
    else:
        source, target = TRANSITIONS[action]
        allowed = session.status == source
    if not allowed:
        raise ValidationError(
            _("A session that is %(status)s cannot do that.")
            % {"status": session.get_status_display()}
        )
    if action == "open":
        count = session.session_contacts.count()
        if not MIN_CONTACTS <= count <= MAX_CONTACTS:
            raise ValidationError(
                _("A session needs %(min)d to %(max)d contacts; it has %(count)d.")
                % {"min": MIN_CONTACTS, "max": MAX_CONTACTS, "count": count}
            )
        if session.participants.filter(role=ParticipantRole.EVALUATOR).count() < 2:
            raise ValidationError(_("Invite at least two evaluators."))
    SessionEvent.objects.create(
        session=session, actor=user, from_status=session.status, to_status=target
    )
    session.status = target
    session.save(update_fields=["status"])
    return session
