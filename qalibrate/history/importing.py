"""Importing past calibration sessions from a spreadsheet, so a team's trends start with its
history (docs/history.md, "Importing past sessions"). A write module, like a services module.

As the contact import does (qalibrate.contacts.importing): ``history_check`` reports what
importing the records would do, writing nothing; ``history_apply`` checks them again and writes
every session in one transaction, or nothing at all if any row has a problem. The records come
from qalibrate.history.import_files (a CSV or XLSX file), the checks from import_checks.

Each session is written as a completed one: its contacts (those not known yet are created),
its evaluators as participants with their submitted evaluations, answers and scores, the agreed
answers with their reasons and the agreed scores; then it is recorded in the history as
imported (services.session_record_save), oldest first, without drift alerts.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.calibration.models import (
    AgreedAnswer,
    CalibrationSession,
    Participant,
    ParticipantRole,
    SessionContact,
    SessionEvent,
    SessionStatus,
)
from qalibrate.contacts.importing import ImportRejected, Records
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationStatus
from qalibrate.history.import_checks import (
    LOOKUP_CHUNK,
    HistoryReport,
    ImportCheck,
    SessionPlan,
    VersionCriteria,
    meeting_time,
)
from qalibrate.history.import_values import scoring_value
from qalibrate.history.permissions import can_import_history
from qalibrate.history.services import session_record_save
from qalibrate.scorecards import scoring

MEETING_MINUTES = 60
ANSWER_BATCH = 2000

__all__ = ["HistoryReport", "ImportRejected", "history_apply", "history_check"]


def history_check(*, records: Records, user: User) -> HistoryReport:
    """Report what importing the records would do, writing nothing. ``user`` is who imports:
    the sessions meet at noon of their day in their time zone."""
    return ImportCheck(user=user).run(records)


def history_apply(*, records: Records, user: User, source_name: str = "") -> HistoryReport:
    """Write every session of the records, and its history record, in one transaction. Raises
    ImportRejected, having written nothing, if the records or any row has a problem.
    ``source_name`` (the file's name) goes into each session's summary."""
    if not can_import_history(user):
        raise PermissionDenied
    check = ImportCheck(user=user)
    with transaction.atomic():
        report = check.run(records)
        if not report.ok:
            raise ImportRejected(report)
        contacts = _contacts_save(check)
        for plan in check.in_date_order():
            session = _session_save(check, plan, contacts, source_name)
            session_record_save(session=session, imported=True, alerts=False)
            report.created.append(session.pk)
        audit_record(
            action=AuditAction.IMPORTED,
            actor=user,
            details={
                "kind": "history",
                "file": source_name,
                "rows": report.total_rows,
                "sessions": len(report.created),
            },
        )
    return report


def _contacts_save(check: ImportCheck) -> dict[str, int]:
    """The contacts' ids by external id: the known ones, and the new ones created (with new
    agents where the file names them, else their team's placeholder agent)."""
    contacts = dict(check.known_contacts)
    new = []
    for external_id, facts in check.contacts.items():
        if external_id in contacts:
            continue
        if facts.agent.pk is None:
            facts.agent.save()
        new.append(
            Contact(
                external_id=external_id,
                channel=facts.channel,
                agent=facts.agent,
                team=facts.team,
                # The day of its first session: the file knows no more.
                occurred_at=datetime.combine(facts.held_on, time(), tzinfo=check.zone),
                language=facts.language,
            )
        )
    Contact.objects.bulk_create(new, batch_size=LOOKUP_CHUNK)
    contacts.update((contact.external_id, contact.pk) for contact in new)
    return contacts


def _session_save(
    check: ImportCheck, plan: SessionPlan, contacts: dict[str, int], source_name: str
) -> CalibrationSession:
    user = check.user
    meeting_at = meeting_time(plan.held_on, check.zone)
    tolerance = {"tolerance": plan.tolerance} if plan.tolerance is not None else {}
    session = CalibrationSession.objects.create(
        title=plan.title,
        version=plan.version,
        team=plan.team,
        facilitator=user,
        created_by=user,
        scoring_deadline=meeting_at,
        meeting_at=meeting_at,
        duration_minutes=MEETING_MINUTES,
        status=SessionStatus.COMPLETED,
        completed_at=meeting_at + timedelta(minutes=MEETING_MINUTES),
        summary=_("Imported from %(file)s.") % {"file": source_name or _("a spreadsheet")},
        **tolerance,
    )
    # Who brought it in, and when: the session's only move through the life cycle.
    SessionEvent.objects.create(
        session=session,
        actor=user,
        from_status=SessionStatus.DRAFT,
        to_status=SessionStatus.COMPLETED,
    )
    known = check.criteria_of(plan.version)
    spec = plan.version.scoring_spec(known.sections)
    session_contacts = _session_contacts_save(session, plan, contacts, known, spec)
    Participant.objects.bulk_create(
        Participant(session=session, user=evaluator, role=ParticipantRole.EVALUATOR)
        for evaluator in plan.evaluators.values()
    )
    _evaluations_save(session, plan, contacts, known, spec)
    AgreedAnswer.objects.bulk_create(
        (
            AgreedAnswer(
                session_contact=session_contacts[external_id],
                criterion_id=criterion_id,
                value=agreed.answer[0],
                is_na=agreed.answer[1],
                reason=agreed.reason,
                decided_at=meeting_at,
            )
            for (external_id, criterion_id), agreed in plan.agreed.items()
        ),
        batch_size=ANSWER_BATCH,
    )
    return session


def _session_contacts_save(
    session: CalibrationSession,
    plan: SessionPlan,
    contacts: dict[str, int],
    known: VersionCriteria,
    spec: scoring.FormSpec,
) -> dict[str, SessionContact]:
    """The session's contacts in the file's order, with their notes and agreed scores (scored
    as the session's services score the agreed answers)."""
    agreed_values: dict[str, dict] = {}
    for (external_id, criterion_id), agreed in plan.agreed.items():
        agreed_values.setdefault(external_id, {})[criterion_id] = scoring_value(
            known.by_pk[criterion_id], agreed.answer
        )
    rows = {
        external_id: SessionContact(
            session=session,
            contact_id=contacts[external_id],
            position=position,
            notes=notes,
            agreed_score=scoring.score_evaluation(spec, agreed_values[external_id]).score,
        )
        for position, (external_id, (notes, _row)) in enumerate(plan.notes.items(), start=1)
    }
    SessionContact.objects.bulk_create(rows.values())
    return rows


def _evaluations_save(
    session: CalibrationSession,
    plan: SessionPlan,
    contacts: dict[str, int],
    known: VersionCriteria,
    spec: scoring.FormSpec,
) -> None:
    """Each evaluator's submitted evaluation of each contact, scored as the evaluation
    services score it, with its answers."""
    given: dict[tuple[str, int], dict[int, tuple[str, bool]]] = {}
    for (external_id, criterion_id, evaluator_id), (value, na, _row) in plan.answers.items():
        given.setdefault((external_id, evaluator_id), {})[criterion_id] = (value, na)
    evaluations = []
    for (external_id, evaluator_id), answers in given.items():
        values = {pk: scoring_value(known.by_pk[pk], answer) for pk, answer in answers.items()}
        evaluations.append(
            Evaluation(
                contact_id=contacts[external_id],
                evaluator_id=evaluator_id,
                version=plan.version,
                session=session,
                status=EvaluationStatus.SUBMITTED,
                score=scoring.score_evaluation(spec, values).score,
                submitted_at=session.scoring_deadline,
            )
        )
    Evaluation.objects.bulk_create(evaluations, batch_size=ANSWER_BATCH)
    Answer.objects.bulk_create(
        (
            Answer(evaluation=evaluation, criterion_id=pk, value=value, is_na=na)
            for evaluation, answers in zip(evaluations, given.values(), strict=True)
            for pk, (value, na) in answers.items()
        ),
        batch_size=ANSWER_BATCH,
    )
