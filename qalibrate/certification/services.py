"""Writes of gold-set certification: start one, hand the candidate the next gold contact, and
judge each submitted gold evaluation by the stopping rule (rule.py)."""

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Role, Team, User
from qalibrate.calibration.models import SessionContact
from qalibrate.certification import rule
from qalibrate.certification.models import Certification, CertificationStatus, GoldAttempt
from qalibrate.certification.permissions import can_certify_in, can_take
from qalibrate.certification.selectors import gold_set
from qalibrate.certification.signals import certification_started
from qalibrate.evaluations.models import Evaluation
from qalibrate.scorecards.models import Scorecard

# The order of the gold contacts must not be guessable; tests put a seeded generator here.
order_random = random.SystemRandom()


@transaction.atomic
def certification_start(
    *,
    user: User,
    evaluator: User,
    team: Team,
    scorecard: Scorecard,
    tolerance=None,
    max_contacts: int = rule.MAX_CONTACTS,
) -> Certification:
    if not can_certify_in(user, team.pk):
        raise PermissionDenied
    if evaluator.role not in (Role.EVALUATOR, Role.QA_LEAD) or evaluator.is_automatic:
        raise ValidationError({"evaluator": _("Only evaluators and QA leads are certified.")})
    if not (evaluator.all_teams or evaluator.teams.filter(pk=team.pk).exists()):
        raise ValidationError({"evaluator": _("The evaluator must work in the team.")})
    running = Certification.objects.filter(
        evaluator=evaluator, team=team, scorecard=scorecard, status=CertificationStatus.IN_PROGRESS
    )
    if running.exists():
        raise ValidationError(_("This evaluator's certification on this scorecard is running."))
    gold = gold_set(team=team, scorecard=scorecard, evaluator=evaluator)
    if len(gold) < rule.MIN_CONTACTS:
        raise ValidationError(
            _(
                "The gold set holds %(count)d contacts this evaluator has not seen; at least "
                "%(minimum)d are needed. Complete more sessions with agreed answers first."
            )
            % {"count": len(gold), "minimum": rule.MIN_CONTACTS}
        )
    order_random.shuffle(gold)
    certification = Certification(
        evaluator=evaluator,
        team=team,
        scorecard=scorecard,
        max_contacts=max_contacts,
        started_by=user,
        plan=gold[:max_contacts],
    )
    if tolerance is not None:
        certification.tolerance = tolerance
    certification.full_clean(exclude=["plan", "started_by"])
    certification.save()
    certification_started.send(sender=Certification, certification=certification)
    return certification


@transaction.atomic
def certification_next(*, user: User, certification: Certification) -> Evaluation:
    """The candidate's gold evaluation to score now: the one started, or the next contact."""
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    if not can_take(user, certification):
        raise PermissionDenied
    attempts = list(certification.attempts.select_related("evaluation"))
    started = next((a for a in attempts if a.evaluation.is_draft), None)
    if started is not None:
        return started.evaluation
    done = {attempt.gold_id for attempt in attempts}
    left = [pk for pk in certification.plan if pk not in done]
    if not left:
        raise ValidationError(_("Every gold contact has been scored."))
    gold = SessionContact.objects.select_related("session__version").get(pk=left[0])
    evaluation = Evaluation.objects.create(
        contact_id=gold.contact_id, evaluator=user, version=gold.session.version
    )
    GoldAttempt.objects.create(
        certification=certification,
        gold=gold,
        evaluation=evaluation,
        position=len(attempts) + 1,
        agreed_score=gold.agreed_score,
    )
    return evaluation


@transaction.atomic
def attempt_submitted(*, evaluation: Evaluation) -> Certification | None:
    """Keep the submitted gold evaluation's deviation and judge the certification again."""
    attempt = GoldAttempt.objects.filter(evaluation=evaluation).first()
    if attempt is None:
        return None
    certification = Certification.objects.select_for_update().get(pk=attempt.certification_id)
    if not certification.in_progress or attempt.deviation is not None:
        return certification
    attempt.score = evaluation.score
    if evaluation.score is not None:
        attempt.deviation = round(abs(evaluation.score - attempt.agreed_score), 6)
    attempt.save(update_fields=["score", "deviation"])
    deviations = list(
        certification.attempts.filter(deviation__isnull=False)
        .order_by("position")
        .values_list("deviation", flat=True)
    )
    tried = certification.attempts.count()
    judgement = rule.judge(
        deviations,
        float(certification.tolerance),
        available=len(deviations) + len(certification.plan) - tried,
        max_contacts=certification.max_contacts,
    )
    certification.mean_deviation = judgement.mean
    certification.low, certification.high = judgement.low, judgement.high
    if judgement.decision != "continue":
        certification.status = judgement.decision
        certification.finished_at = timezone.now()
    certification.save()
    return certification
