"""A person's rights over their data (GDPR articles 15 and 17, 152-FZ article 14): erase or
anonymise a user or an agent while every figure they are part of stays, and export what
Qalibrate holds about them. Both are recorded in the audit trail (never the erased name)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Agent, ApiToken, User
from qalibrate.audit.models import AuditAction, AuditEvent
from qalibrate.audit.services import audit_record
from qalibrate.certification.models import Certification
from qalibrate.contacts.models import Contact
from qalibrate.core.once import forget_kept_work
from qalibrate.double_scoring.models import Pair
from qalibrate.evaluations.models import Evaluation
from qalibrate.notifications.models import Notification
from qalibrate.people.services import sessions_end
from qalibrate.privacy.permissions import can_handle_personal_data


@transaction.atomic
def user_erase(*, by: User, person: User) -> User:
    """The account keeps its id, so evaluations, answers and figures stay whole, but nothing
    in it names the person any more; it can never sign in again."""
    if not can_handle_personal_data(by, person):
        raise PermissionDenied
    person.username = f"erased-{person.pk}"
    person.first_name = person.last_name = person.email = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    person.teams.clear()
    ApiToken.objects.filter(user=person, revoked_at=None).update(revoked_at=timezone.now())
    sessions_end(person)
    Notification.objects.filter(user=person).delete()
    agent = Agent.objects.filter(user=person).first()
    if agent is not None:
        _agent_anonymise(agent)
    transaction.on_commit(forget_kept_work)  # reports kept with the name in them
    audit_record(
        action=AuditAction.PERSON_ERASED, actor=by, target=person, details={"kind": "user"}
    )
    return person


@transaction.atomic
def agent_erase(*, by: User, agent: Agent) -> Agent:
    if not can_handle_personal_data(by):
        raise PermissionDenied
    _agent_anonymise(agent)
    transaction.on_commit(forget_kept_work)
    audit_record(
        action=AuditAction.PERSON_ERASED, actor=by, target=agent, details={"kind": "agent"}
    )
    return agent


def _agent_anonymise(agent: Agent) -> None:
    agent.full_name = _("Erased agent %(number)d") % {"number": agent.pk}
    agent.employee_id = None
    agent.is_active = False
    agent.save(update_fields=["full_name", "employee_id", "is_active"])


# --- export ------------------------------------------------------------------------------------


def user_export(*, by: User, person: User) -> dict:
    if not can_handle_personal_data(by):
        raise PermissionDenied
    data = {
        "kind": "user",
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": person.pk,
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "role": person.role,
            "teams": sorted(team.name for team in person.teams.all()),
            "language": person.language,
            "time_zone": person.time_zone,
            "is_active": person.is_active,
            "date_joined": person.date_joined.isoformat(),
            "last_login": person.last_login.isoformat() if person.last_login else None,
        },
        "evaluations_made": _evaluations(Evaluation.objects.filter(evaluator=person)),
        "notifications": [
            {"created_at": n.created_at.isoformat(), "kind": n.kind, "subject": n.subject}
            for n in Notification.objects.filter(user=person).order_by("created_at")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in ApiToken.objects.filter(user=person).order_by("created_at")
        ],
        "double_scoring": _pairs(person),
        "certifications": _certifications(person),
        "audit_trail": _audit(AuditEvent.objects.filter(actor=person))
        + _audit(AuditEvent.objects.filter(target_type="accounts.user", target_id=str(person.pk))),
    }
    agent = Agent.objects.filter(user=person).first()
    if agent is not None:
        data["as_agent"] = _agent_data(agent)
    audit_record(
        action=AuditAction.PERSON_EXPORTED, actor=by, target=person, details={"kind": "user"}
    )
    return data


def agent_export(*, by: User, agent: Agent) -> dict:
    if not can_handle_personal_data(by):
        raise PermissionDenied
    data = {"kind": "agent", "exported_at": timezone.now().isoformat(), **_agent_data(agent)}
    audit_record(
        action=AuditAction.PERSON_EXPORTED, actor=by, target=agent, details={"kind": "agent"}
    )
    return data


def _agent_data(agent: Agent) -> dict:
    contacts = Contact.objects.filter(agent=agent).order_by("occurred_at")
    return {
        "agent": {
            "id": agent.pk,
            "full_name": agent.full_name,
            "employee_id": agent.employee_id,
            "team": agent.team.name,
            "is_active": agent.is_active,
        },
        "contacts": [
            {
                "external_id": c.external_id,
                "channel": c.channel,
                "occurred_at": c.occurred_at.isoformat(),
                "has_recording": bool(c.media),
                "transcript": c.transcript,
            }
            for c in contacts
        ],
        "evaluations_of_their_contacts": _evaluations(
            Evaluation.objects.filter(contact__agent=agent, session=None)
        ),
    }


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _pairs(person: User) -> list[dict]:
    """The double-scored pairs the person scored in, first or second, as kept."""
    pairs = (
        Pair.objects.filter(Q(first__evaluator=person) | Q(second__evaluator=person))
        .select_related("first__contact")
        .order_by("drawn_at", "pk")
    )
    return [
        {
            "contact": pair.first.contact.external_id,
            "scored": "first" if pair.first.evaluator_id == person.pk else "second",
            "second_by_expert": pair.by_expert,
            "drawn_at": _when(pair.drawn_at),
            "completed_at": _when(pair.completed_at),
            "difference": pair.deviation,
            "within_tolerance": pair.within_tolerance,
        }
        for pair in pairs
    ]


def _certifications(person: User) -> list[dict]:
    """The person's gold-set certifications with each gold contact's score and deviation."""
    found = Certification.objects.filter(evaluator=person).select_related("scorecard", "team")
    return [
        {
            "team": certification.team.name,
            "scorecard": certification.scorecard.name,
            "status": certification.status,
            "started_at": _when(certification.started_at),
            "finished_at": _when(certification.finished_at),
            "mean_deviation": certification.mean_deviation,
            "gold_contacts": [
                {
                    "contact": attempt.gold.contact.external_id,
                    "score": attempt.score,
                    "agreed_score": attempt.agreed_score,
                    "deviation": attempt.deviation,
                }
                for attempt in certification.attempts.select_related("gold__contact")
            ],
        }
        for certification in found.order_by("started_at", "pk")
    ]


def _evaluations(evaluations) -> list[dict]:
    rows = evaluations.select_related("contact", "version__scorecard").prefetch_related(
        "answers__criterion"
    )
    return [
        {
            "contact": e.contact.external_id,
            "scorecard": e.version.scorecard.name,
            "version": e.version.number,
            "status": e.status,
            "score": e.score,
            "summary": e.summary,
            "created_at": e.created_at.isoformat(),
            "submitted_at": e.submitted_at.isoformat() if e.submitted_at else None,
            "answers": [
                {
                    "criterion": a.criterion.text,
                    "value": a.value,
                    "comment": a.comment,
                }
                for a in e.answers.all()
            ],
        }
        for e in rows.order_by("created_at")
    ]


def _audit(events) -> list[dict]:
    return [
        {"at": e.at.isoformat(), "action": e.action, "object": e.target_label, "details": e.details}
        for e in events.order_by("at", "pk")
    ]
