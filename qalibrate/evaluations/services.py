"""Writes to evaluations. Every save is one transaction on a locked row: all answers or none."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    EventKind,
)
from qalibrate.evaluations.permissions import can_manage_evaluation
from qalibrate.evaluations.signals import evaluation_changed
from qalibrate.scorecards.models import Criterion, ScorecardVersion, Section
from qalibrate.scorecards.scoring import InvalidAnswer, criterion_points, score_evaluation

# Time on the screen is counted by the browser; one save adds at most this much, so a tab left
# open overnight does not count as a night of work.
MAX_SECONDS_PER_SAVE = 15 * 60


class StaleRevision(Exception):
    """The evaluation was saved from elsewhere since this copy was loaded."""


@dataclass(frozen=True)
class AnswerInput:
    value: str = ""
    na: bool = False
    comment: str = ""
    media_timestamp: float | None = None


def evaluation_start(
    *, contact: Contact, evaluator: User, version: ScorecardVersion, session=None
) -> Evaluation:
    """The evaluator's evaluation of this contact in this session (or open draft outside any
    session), or a new one."""
    if version.is_draft:
        raise ValidationError(_("Only a published scorecard version can be used to evaluate."))
    mine = Evaluation.objects.filter(
        contact=contact, evaluator=evaluator, version=version, session=session
    )
    if session is None:
        mine = mine.filter(status=EvaluationStatus.DRAFT)
    found = mine.first()
    if found is not None:
        return found
    made = Evaluation.objects.create(
        contact=contact, evaluator=evaluator, version=version, session=session
    )
    made.is_new = True  # the API answers 201 for it, 200 for one the evaluator had
    return made


def _ensure_session_open(evaluation: Evaluation) -> None:
    """A calibration session takes answers only while it is in blind scoring. Saves share a
    lock on the session row that the reveal takes alone (FOR UPDATE): a reveal waits for the
    saves in progress, a save after it finds it revealed, and saves do not wait for each other.
    SQLite has no row locks: its IMMEDIATE transactions already take turns."""
    if not evaluation.session_id:
        return
    from qalibrate.calibration.models import CalibrationSession, SessionStatus

    table = connection.ops.quote_name(CalibrationSession._meta.db_table)
    share = " FOR SHARE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        # The table name comes from the model, the id is a parameter.
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{share}", [evaluation.session_id])  # noqa: S608
        (status,) = cursor.fetchone()
    if status != SessionStatus.SCORING:
        raise ValidationError(
            _(
                "The calibration session is no longer taking scores, so this evaluation cannot "
                "be changed. Your answers in this window are kept in the browser."
            )
        )


def checked_value(criterion: Criterion, answer: AnswerInput) -> str:
    """The stored form of an answer; ValidationError naming the criterion when impossible."""
    if answer.na:
        if not criterion.na_allowed:
            raise ValidationError(
                _("%(criterion)s: N/A is not allowed.") % {"criterion": criterion.text}
            )
        return ""
    value = answer.value.strip()
    if value == "" or criterion.kind == "text":
        return value
    spec = criterion.scoring_spec()
    try:
        criterion_points(spec, int(value) if criterion.kind == "scale" else value)
    except (InvalidAnswer, ValueError):
        raise ValidationError(
            _("%(criterion)s: %(value)s is not a possible answer.")
            % {"criterion": criterion.text, "value": value}
        ) from None
    return value


@transaction.atomic
def evaluation_save(
    *,
    evaluation: Evaluation,
    user: User,
    answers: dict[int, AnswerInput],
    summary: str | None = None,
    seconds_spent: int = 0,
    revision: int | None = None,
    sections: list[Section] | None = None,
) -> Evaluation:
    """Save a draft's answers (autosave and submit both come here). ``sections`` are the
    version's sections with their criteria prefetched, when the caller has them already (a
    published version does not change). Only answers that changed are written: on SQLite every
    save holds the one write lock, so the transaction is kept short."""
    # of=("self",): lock the evaluation only, not the version every evaluator shares.
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=evaluation.pk)
    )
    if evaluation.evaluator_id != user.pk:
        raise PermissionDenied
    if not evaluation.is_draft:
        raise ValidationError(_("This evaluation has been submitted and can no longer be changed."))
    _ensure_session_open(evaluation)
    if revision is not None and revision != evaluation.revision:
        raise StaleRevision
    if sections is None:
        sections = list(
            Section.objects.filter(version_id=evaluation.version_id).prefetch_related("criteria")
        )
    criteria = {c.pk: c for section in sections for c in section.criteria.all()}
    existing = {a.criterion_id: a for a in evaluation.answers.all()}
    to_create, to_update = [], []
    for criterion_id, given in answers.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            continue  # a field that is not part of this form: ignore it, as forms do
        stored = (
            checked_value(criterion, given),
            given.na,
            given.comment.strip(),
            given.media_timestamp,
        )
        answer = existing.get(criterion_id)
        if answer is None:
            answer = existing[criterion_id] = Answer(evaluation=evaluation, criterion=criterion)
            to_create.append(answer)
        elif (answer.value, answer.is_na, answer.comment, answer.media_timestamp) != stored:
            to_update.append(answer)
        answer.value, answer.is_na, answer.comment, answer.media_timestamp = stored
    Answer.objects.bulk_create(to_create)
    if to_update:
        Answer.objects.bulk_update(to_update, ["value", "is_na", "comment", "media_timestamp"])
    if summary is not None:
        evaluation.summary = summary.strip()
    evaluation.time_spent_seconds += max(0, min(seconds_spent, MAX_SECONDS_PER_SAVE))
    scored = [a for a in existing.values() if a.criterion_id in criteria]
    for answer in scored:
        answer.criterion = criteria[answer.criterion_id]
    evaluation.score = _score(evaluation, scored, sections)
    evaluation.revision += 1
    evaluation.save(
        update_fields=["summary", "time_spent_seconds", "score", "revision", "saved_at"]
    )
    return evaluation


def _score(evaluation: Evaluation, answers=None, sections=None) -> float | None:
    """The evaluation's score from its answers (read again unless given)."""
    if answers is None:
        answers = evaluation.answers.select_related("criterion")
    values = {a.criterion_id: a.scoring_value() for a in answers}
    result = score_evaluation(evaluation.version.scoring_spec(sections), values)
    return result.score


def unanswered_criteria(evaluation: Evaluation) -> list[Criterion]:
    """Scored criteria that still need an answer (a value, or N/A where allowed)."""
    answered = {
        a.criterion_id for a in evaluation.answers.all() if a.is_na or a.value.strip() != ""
    }
    scored = Criterion.objects.filter(section__version_id=evaluation.version_id).exclude(
        kind="text"
    )
    return [c for c in scored.order_by("section__position", "position") if c.pk not in answered]


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, user: User) -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.evaluator_id != user.pk:
        raise PermissionDenied
    if not evaluation.is_draft:
        return evaluation
    _ensure_session_open(evaluation)
    missing = unanswered_criteria(evaluation)
    if missing:
        raise ValidationError(
            [_("Answer “%(criterion)s”.") % {"criterion": c.text} for c in missing],
            code="unanswered",
        )
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = timezone.now()
    evaluation.score = _score(evaluation)
    evaluation.save()
    EvaluationEvent.objects.create(evaluation=evaluation, kind=EventKind.SUBMITTED, actor=user)
    evaluation_changed.send(sender=Evaluation, evaluation=evaluation, event="submitted")
    return evaluation


def _snapshot(evaluation: Evaluation) -> dict:
    return {
        "score": evaluation.score,
        "submitted_at": evaluation.submitted_at.isoformat() if evaluation.submitted_at else None,
        "answers": {
            str(a.criterion_id): {"value": a.value, "na": a.is_na, "comment": a.comment}
            for a in evaluation.answers.all()
        },
    }


@transaction.atomic
def evaluation_reopen(*, evaluation: Evaluation, user: User, reason: str) -> Evaluation:
    if not can_manage_evaluation(user, evaluation):
        raise PermissionDenied
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_draft:
        raise ValidationError(_("Only a submitted evaluation can be reopened."))
    if evaluation.session_id and evaluation.session.is_revealed:
        raise ValidationError(
            _("The calibration session has revealed the scores, so its evaluations are locked.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the evaluation is reopened.")})
    EvaluationEvent.objects.create(
        evaluation=evaluation,
        kind=EventKind.REOPENED,
        actor=user,
        reason=reason.strip(),
        snapshot=_snapshot(evaluation),
    )
    evaluation.status = EvaluationStatus.DRAFT
    evaluation.submitted_at = None
    evaluation.released_at = None
    evaluation.acknowledged_at = None
    evaluation.revision += 1
    evaluation.save()
    audit_record(
        action=AuditAction.EVALUATION_REOPENED,
        actor=user,
        target=evaluation,
        team=evaluation.contact.team,
        details={"reason": reason.strip()},
    )
    evaluation_changed.send(sender=Evaluation, evaluation=evaluation, event="reopened")
    return evaluation


@transaction.atomic
def evaluation_release(*, evaluation: Evaluation, user: User) -> Evaluation:
    """Share a submitted evaluation with the agent whose contact it is."""
    if not can_manage_evaluation(user, evaluation):
        raise PermissionDenied
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_draft:
        raise ValidationError(_("Submit the evaluation before sharing it with the agent."))
    if Evaluation.objects.filter(pk=evaluation.pk, pair_as_second__isnull=False).exists():
        raise ValidationError(
            _("A second evaluation checks the evaluators; the agent is shown the first one.")
        )
    if Evaluation.objects.filter(pk=evaluation.pk, gold_attempt__isnull=False).exists():
        raise ValidationError(
            _("A certification's evaluation tests the evaluator; it is not shared with agents.")
        )
    if evaluation.released_at is None:
        evaluation.released_at = timezone.now()
        evaluation.save(update_fields=["released_at"])
        EvaluationEvent.objects.create(evaluation=evaluation, kind=EventKind.RELEASED, actor=user)
        audit_record(
            action=AuditAction.EVALUATION_SHARED,
            actor=user,
            target=evaluation,
            team=evaluation.contact.team,
        )
    return evaluation


@transaction.atomic
def evaluation_acknowledge(*, evaluation: Evaluation, user: User) -> Evaluation:
    evaluation = (
        Evaluation.objects.select_for_update()
        .select_related("contact__agent")
        .get(pk=evaluation.pk)
    )
    if evaluation.contact.agent.user_id != user.pk or evaluation.released_at is None:
        raise PermissionDenied
    if evaluation.acknowledged_at is None:
        evaluation.acknowledged_at = timezone.now()
        evaluation.save(update_fields=["acknowledged_at"])
        EvaluationEvent.objects.create(
            evaluation=evaluation, kind=EventKind.ACKNOWLEDGED, actor=user
        )
    return evaluation
