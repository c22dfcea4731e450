"""Calibration sessions and series: planning and the life cycle. Every transition is checked
and recorded."""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Team, User
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.calibration.answers import reference_proposal
from qalibrate.calibration.models import (
    ACTIVE_STATUSES,
    MAX_CONTACTS,
    MIN_CONTACTS,
    ActionStatus,
    AgreedAnswer,
    AgreedAnswerChange,
    AgreedSource,
    CadenceTarget,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
    Participant,
    ParticipantRole,
    Series,
    SessionContact,
    SessionEvent,
    SessionStatus,
)
from qalibrate.calibration.permissions import can_plan, can_run, can_score, can_update_action
from qalibrate.calibration.signals import session_changed, session_completed
from qalibrate.contacts.models import Contact
from qalibrate.contacts.selectors import contacts_filtered
from qalibrate.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    EventKind,
)
from qalibrate.evaluations.services import AnswerInput, checked_value, evaluation_start
from qalibrate.notifications import services as notifications
from qalibrate.notifications.models import Kind as NotificationKind
from qalibrate.scorecards.models import Criterion
from qalibrate.scorecards.scoring import score_evaluation

TRANSITIONS = {
    "open": (SessionStatus.DRAFT, SessionStatus.SCORING),
    "reveal": (SessionStatus.SCORING, SessionStatus.DISCUSSION),
    "complete": (SessionStatus.DISCUSSION, SessionStatus.COMPLETED),
}


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
    expert = fields.get("expert")
    if expert is not None and expert not in evaluators:
        evaluators = [*evaluators, expert]  # the expert's answers are the reference: they score
    Participant.objects.bulk_create(
        [Participant(session=session, user=u, role=ParticipantRole.EVALUATOR) for u in evaluators]
        + [Participant(session=session, user=u, role=ParticipantRole.OBSERVER) for u in observers]
    )
    notifications.session_event(session=session, kind=NotificationKind.INVITATION)
    session_changed.send(sender=CalibrationSession, session=session, event="planned")
    return session


@transaction.atomic
def participants_add(
    *, session: CalibrationSession, user: User, evaluators=(), observers=()
) -> CalibrationSession:
    """Invite more evaluators (until the reveal: they score what is left of the time) or
    observing agents (until completion). Someone already in the session keeps their role."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not can_run(user, session):
        raise PermissionDenied
    if evaluators and session.status not in (SessionStatus.DRAFT, SessionStatus.SCORING):
        raise ValidationError(_("Evaluators can be invited only until the scores are revealed."))
    if session.status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
        raise ValidationError(
            _("A session that is %(status)s cannot do that.")
            % {"status": session.get_status_display()}
        )
    present = set(session.participants.values_list("user_id", flat=True))
    roles = {u: ParticipantRole.OBSERVER for u in observers}
    roles.update({u: ParticipantRole.EVALUATOR for u in evaluators})
    Participant.objects.bulk_create(
        [
            Participant(session=session, user=u, role=r)
            for u, r in roles.items()
            if u.pk not in present
        ]
    )
    # Newcomers are invited (and told the contacts are ready); the others were told already.
    notifications.session_event(session=session, kind=NotificationKind.INVITATION)
    if session.status == SessionStatus.SCORING:
        notifications.session_event(session=session, kind=NotificationKind.MATERIALS_READY)
    return session


def session_contacts_add(
    *, session: CalibrationSession, user: User, contacts: list[Contact]
) -> None:
    """Add contacts to a planned session, after those it has; at most MAX_CONTACTS in all."""
    if not can_run(user, session):
        raise PermissionDenied
    current = [sc.contact for sc in session.session_contacts.select_related("contact")]
    combined = list(dict.fromkeys([*current, *contacts]))
    if len(combined) > MAX_CONTACTS:
        raise ValidationError(
            _("A session needs %(min)d to %(max)d contacts; it has %(count)d.")
            % {"min": MIN_CONTACTS, "max": MAX_CONTACTS, "count": len(combined)}
        )
    with transaction.atomic():
        session_contacts_set(session=session, contacts=combined)


def session_contacts_set(*, session: CalibrationSession, contacts: list[Contact]) -> None:
    if session.status != SessionStatus.DRAFT:
        raise ValidationError(_("Contacts can be changed only while the session is planned."))
    session.session_contacts.all().delete()
    SessionContact.objects.bulk_create(
        [SessionContact(session=session, contact=c, position=i) for i, c in enumerate(contacts, 1)]
    )


SESSION_AUDIT = {
    "reveal": AuditAction.SESSION_REVEALED,
    "complete": AuditAction.SESSION_COMPLETED,
    "cancel": AuditAction.SESSION_CANCELLED,
}
# What session_changed says of a move; "completed" is sent by session_complete, once the
# session's summary and completion time are saved.
CHANGE_EVENTS = {"open": "opened", "reveal": "revealed", "cancel": "cancelled"}


@transaction.atomic
def session_move(*, session: CalibrationSession, user: User, action: str) -> CalibrationSession:
    """open, reveal, complete or cancel; refused unless allowed from the current status."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not can_run(user, session):
        raise PermissionDenied
    if action == "cancel":
        allowed, target = session.status in ACTIVE_STATUSES, SessionStatus.CANCELLED
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
    if action == "reveal":
        _agreed_answers_prefill(session, user)
    if action in SESSION_AUDIT:
        audit_record(action=SESSION_AUDIT[action], actor=user, target=session, team=session.team)
    news = {
        "open": NotificationKind.MATERIALS_READY,
        "reveal": NotificationKind.RESULTS_REVEALED,
        "cancel": NotificationKind.CANCELLED,
    }
    if action in news:
        notifications.session_event(session=session, kind=news[action])
    if action in CHANGE_EVENTS:
        session_changed.send(
            sender=CalibrationSession, session=session, event=CHANGE_EVENTS[action]
        )
    return session


@transaction.atomic
def session_reschedule(
    *,
    session: CalibrationSession,
    user: User,
    meeting_at,
    scoring_deadline,
    duration_minutes: int,
    location: str,
) -> CalibrationSession:
    """Move the meeting. Invitations are updated (the same calendar UID, a higher SEQUENCE);
    nothing changes, and nobody is told, when nothing moved."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not can_run(user, session):
        raise PermissionDenied
    if session.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _("A session that is %(status)s cannot do that.")
            % {"status": session.get_status_display()}
        )
    if scoring_deadline > meeting_at:
        raise ValidationError(
            {"scoring_deadline": _("Scoring must end before the meeting starts.")}
        )
    new = {
        "meeting_at": meeting_at,
        "scoring_deadline": scoring_deadline,
        "duration_minutes": duration_minutes,
        "location": location.strip(),
    }
    if all(getattr(session, name) == value for name, value in new.items()):
        return session
    for name, value in new.items():
        setattr(session, name, value)
    session.calendar_sequence += 1
    session.save(update_fields=[*new, "calendar_sequence"])
    notifications.session_event(session=session, kind=NotificationKind.RESCHEDULED)
    session_changed.send(sender=CalibrationSession, session=session, event="rescheduled")
    return session


def _submitted_answers(session: CalibrationSession) -> dict[tuple[int, int], list[Answer]]:
    """(contact, criterion) → the submitted answers of the session, in evaluator order."""
    answers: dict[tuple[int, int], list[Answer]] = {}
    for answer in (
        Answer.objects.filter(
            evaluation__session=session, evaluation__status=EvaluationStatus.SUBMITTED
        )
        .select_related("evaluation")
        .order_by("evaluation__evaluator_id")
    ):
        answers.setdefault((answer.evaluation.contact_id, answer.criterion_id), []).append(answer)
    return answers


def _agreed_answers_prefill(session: CalibrationSession, user: User) -> None:
    """Agreed answers from the reference, each with the first entry of its history saying
    where it came from (the reveal's time and the user who revealed)."""
    answers = _submitted_answers(session)
    criteria = list(
        Criterion.objects.filter(section__version_id=session.version_id).exclude(kind="text")
    )
    agreed, sources = [], []
    for session_contact in session.session_contacts.all():
        for criterion in criteria:
            proposal = reference_proposal(
                session, criterion, answers.get((session_contact.contact_id, criterion.pk), [])
            )
            if proposal is not None:
                value, source = proposal
                agreed.append(
                    AgreedAnswer(
                        session_contact=session_contact,
                        criterion=criterion,
                        value="" if value == "na" else value,
                        is_na=value == "na",
                    )
                )
                sources.append(source)
    AgreedAnswer.objects.bulk_create(agreed)
    now = timezone.now()
    AgreedAnswerChange.objects.bulk_create(
        AgreedAnswerChange(
            agreed_answer=answer,
            source=source,
            new_value=answer.form_value,
            changed_by=user,
            at=now,
        )
        for answer, source in zip(agreed, sources, strict=True)
    )
    spec = session.version.scoring_spec()
    for session_contact in session.session_contacts.all():
        _agreed_score_update(session_contact, spec)


def _agreed_score_update(session_contact: SessionContact, spec) -> None:
    values = {
        a.criterion_id: a.scoring_value()
        for a in session_contact.agreed_answers.select_related("criterion")
    }
    session_contact.agreed_score = score_evaluation(spec, values).score if values else None
    session_contact.save(update_fields=["agreed_score"])


def _discussion_session(session: CalibrationSession, user: User) -> CalibrationSession:
    """The session, locked, when the user may record results in it now."""
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not can_run(user, session):
        raise PermissionDenied
    if session.status != SessionStatus.DISCUSSION:
        raise ValidationError(_("Results can be recorded only while the session is in discussion."))
    return session


@transaction.atomic
def agreed_answer_set(
    *,
    session_contact: SessionContact,
    criterion: Criterion,
    user: User,
    answer: AnswerInput,
    reason: str = "",
) -> AgreedAnswer:
    """Record the group's answer and why; every change (or first confirmation of the reveal's
    proposal) adds an entry to the answer's history in the same transaction."""
    session = _discussion_session(session_contact.session, user)
    if criterion.section.version_id != session.version_id or criterion.kind == "text":
        raise ValidationError(_("This criterion is not scored on the session's scorecard."))
    value = checked_value(criterion, answer)
    if value == "" and not answer.na:
        raise ValidationError(_("Choose the agreed answer."))
    reason = reason.strip()
    agreed = (
        AgreedAnswer.objects.select_for_update()
        .filter(session_contact=session_contact, criterion=criterion)
        .first()
    )
    if agreed is None:  # nobody answered the criterion, so the reveal proposed nothing
        agreed = AgreedAnswer(session_contact=session_contact, criterion=criterion)
    old_value, old_reason = agreed.form_value, agreed.reason
    agreed.value, agreed.is_na = value, answer.na
    if agreed.decided_at and (old_value, old_reason) == (agreed.form_value, reason):
        return agreed  # saved again unchanged: nothing to record
    agreed.reason, agreed.decided_by, agreed.decided_at = reason, user, timezone.now()
    agreed.save()
    AgreedAnswerChange.objects.create(
        agreed_answer=agreed,
        source=AgreedSource.MEETING,
        old_value=old_value,
        new_value=agreed.form_value,
        reason=reason,
        changed_by=user,
        at=agreed.decided_at,
    )
    audit_record(
        action=AuditAction.AGREED_ANSWER_CHANGED,
        actor=user,
        target=session_contact,
        team=session.team,
        details={
            "criterion": criterion.text[:200],
            "old": old_value,
            "new": agreed.form_value,
            "reason": reason,
        },
    )
    _agreed_score_update(session_contact, session.version.scoring_spec())
    return agreed


@transaction.atomic
def contact_notes_set(*, session_contact: SessionContact, user: User, notes: str) -> None:
    _discussion_session(session_contact.session, user)
    session_contact.notes = notes.strip()
    session_contact.save(update_fields=["notes"])


@transaction.atomic
def criterion_flag_set(
    *, session: CalibrationSession, criterion: Criterion, user: User, kind: str, note: str = ""
) -> CriterionFlag:
    session = _discussion_session(session, user)
    if criterion.section.version_id != session.version_id:
        raise ValidationError(_("This criterion is not on the session's scorecard."))
    if kind not in FlagKind.values:
        raise ValidationError(_("Unknown flag."))
    flag, _created = CriterionFlag.objects.update_or_create(
        session=session,
        criterion=criterion,
        kind=kind,
        defaults={"note": note.strip(), "created_by": user},
    )
    return flag


@transaction.atomic
def criterion_flag_remove(*, flag: CriterionFlag, user: User) -> None:
    _discussion_session(flag.session, user)
    flag.delete()


@transaction.atomic
def criterion_flag_unset(
    *, session: CalibrationSession, criterion: Criterion, user: User, kind: str
) -> None:
    """Take the flag of this kind off the criterion, if it has one (the API's remove)."""
    session = _discussion_session(session, user)
    CriterionFlag.objects.filter(session=session, criterion=criterion, kind=kind).delete()


@transaction.atomic
def action_add(
    *, session: CalibrationSession, user: User, description: str, owner: User, due_date=None
) -> FollowUpAction:
    session = _discussion_session(session, user)
    if not description.strip():
        raise ValidationError({"description": _("Say what is to be done.")})
    action = FollowUpAction.objects.create(
        session=session, description=description.strip(), owner=owner, due_date=due_date
    )
    notifications.action_assigned(action=action)
    return action


@transaction.atomic
def action_status_set(*, action: FollowUpAction, user: User, status: str) -> FollowUpAction:
    """Owners and the session's runners move an action along, also after the session ends."""
    action = FollowUpAction.objects.select_for_update().select_related("session").get(pk=action.pk)
    if not can_update_action(user, action):
        raise PermissionDenied
    if status not in ActionStatus.values:
        raise ValidationError(_("Unknown status."))
    action.status = status
    action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "done_at"])
    return action


@dataclass(frozen=True)
class Completion:
    session: CalibrationSession
    official: list[Evaluation]
    kept: list[Contact]  # contacts whose evaluation already shared with the agent was kept


@transaction.atomic
def session_complete(
    *,
    session: CalibrationSession,
    user: User,
    summary: str,
    agreed_becomes_official: bool = False,
    share_with_agents: bool = False,
) -> Completion:
    """Lock the session with its summary; optionally turn the agreed answers into the agents'
    official evaluations and share the results with them."""
    session = session_move(session=session, user=user, action="complete")
    session.summary = summary.strip()
    session.agreed_becomes_official = agreed_becomes_official
    session.share_with_agents = share_with_agents
    session.completed_at = timezone.now()
    session.save(
        update_fields=["summary", "agreed_becomes_official", "share_with_agents", "completed_at"]
    )
    official: list[Evaluation] = []
    kept: list[Contact] = []
    if agreed_becomes_official:
        for session_contact in session.session_contacts.select_related("contact__agent"):
            evaluation = _official_evaluation(session, session_contact, user, share_with_agents)
            if evaluation is None:
                kept.append(session_contact.contact)
            else:
                official.append(evaluation)
    notifications.session_event(session=session, kind=NotificationKind.SUMMARY)
    session_completed.send(sender=CalibrationSession, session=session)
    session_changed.send(sender=CalibrationSession, session=session, event="completed")
    if share_with_agents:
        notifications.session_event(session=session, kind=NotificationKind.RESULTS_SHARED)
    return Completion(session=session, official=official, kept=kept)


def _official_evaluation(session, session_contact, user, release: bool) -> Evaluation | None:
    """The agreed answers as the contact's official evaluation, unless the agent has already
    been given one for this contact (never replaced silently: the caller reports it)."""
    contact = session_contact.contact
    already_shared = Evaluation.objects.filter(
        contact=contact, session__isnull=True, released_at__isnull=False
    ).exists()
    if already_shared:
        return None
    now = timezone.now()
    evaluation = Evaluation.objects.create(
        contact=contact,
        evaluator=session.facilitator,
        version=session.version,
        agreed_in=session,
        status=EvaluationStatus.SUBMITTED,
        score=session_contact.agreed_score,
        summary=session_contact.notes,
        submitted_at=now,
        released_at=now if release and contact.agent.user_id else None,
    )
    Answer.objects.bulk_create(
        Answer(
            evaluation=evaluation,
            criterion_id=agreed.criterion_id,
            value=agreed.value,
            is_na=agreed.is_na,
            comment=agreed.reason,
        )
        for agreed in session_contact.agreed_answers.all()
    )
    EvaluationEvent.objects.create(evaluation=evaluation, kind=EventKind.SUBMITTED, actor=user)
    if evaluation.released_at:
        EvaluationEvent.objects.create(evaluation=evaluation, kind=EventKind.RELEASED, actor=user)
    return evaluation


def session_evaluation_open(
    *, session: CalibrationSession, user: User, contact: Contact
) -> Evaluation:
    """The participant's own evaluation of one of the session's contacts, made when new: the
    page's Score button and the API's POST /evaluations/ with a session."""
    if not can_score(user, session):
        raise PermissionDenied
    if not session.session_contacts.filter(contact=contact).exists():
        raise ValidationError({"contact": _("This contact is not one of the session's.")})
    return evaluation_start(
        contact=contact, evaluator=user, version=session.version, session=session
    )


def next_evaluation_open(
    *, session: CalibrationSession, user: User, after_contact_id: int | None = None
) -> Evaluation | None:
    """The user's evaluation of the next contact they still have to score in the session
    (made when new), or None once they have submitted every contact."""
    from qalibrate.calibration.selectors import my_contacts, next_to_score  # reads use services

    if not can_score(user, session):
        raise PermissionDenied
    upcoming = next_to_score(my_contacts(session, user=user), after=after_contact_id)
    if upcoming is None:
        return None
    return evaluation_start(
        contact=upcoming.contact, evaluator=user, version=session.version, session=session
    )


def plan_sample(*, user: User, plan: dict) -> list[Contact]:
    """The random sample a plan asks for (SessionPlanForm's cleaned data: its sample_* fields,
    the session's team unless another is given), spread over the agents; a ValidationError on
    sample_size when fewer contacts match."""
    pool = contacts_filtered(
        user=user,
        filters={
            "team": plan["sample_team"] or plan["team"],
            "channel": plan["sample_channel"],
            "date_from": plan["sample_from"],
            "date_to": plan["sample_to"],
        },
    )
    contacts = contacts_sample(contacts=pool, count=plan["sample_size"])
    if len(contacts) < plan["sample_size"]:
        raise ValidationError(
            {
                "sample_size": _("Only %(found)d contacts match; widen the filter or pick fewer.")
                % {"found": len(contacts)}
            }
        )
    return contacts


# Recurring series (their rules in calibration/series.py, their job in calibration/tasks.py).


@transaction.atomic
def series_create(*, user: User, evaluators: Iterable[User], **fields) -> Series:
    """A new series from the form's fields (see the Series model)."""
    if not can_plan(user):
        raise PermissionDenied
    series = Series(created_by=user, **fields)
    series.full_clean(exclude=["evaluators"])
    series.save()
    series.evaluators.set(evaluators)
    return series


@transaction.atomic
def series_update(*, series: Series, user: User, evaluators: Iterable[User], **fields) -> Series:
    """Change the template and the cadence; sessions already created keep what they have."""
    if not can_plan(user):
        raise PermissionDenied
    series = Series.objects.select_for_update().get(pk=series.pk)
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean(exclude=["evaluators"])
    series.save()
    series.evaluators.set(evaluators)
    return series


def series_problem_set(*, series: Series, problem: str, now: datetime) -> None:
    """Record what kept the series' job from creating or opening a session ("" once solved)."""
    if series.last_problem != problem:
        series.last_problem = problem
        series.last_problem_at = now if problem else None
        series.save(update_fields=["last_problem", "last_problem_at"])


@transaction.atomic
def cadence_target_set(*, team: Team, user: User, sessions_per_month: int) -> CadenceTarget:
    if not can_plan(user):
        raise PermissionDenied
    if not 1 <= sessions_per_month <= 31:
        raise ValidationError(_("A target is 1 to 31 sessions a month."))
    target, _created = CadenceTarget.objects.update_or_create(
        team=team, defaults={"sessions_per_month": sessions_per_month}
    )
    return target
