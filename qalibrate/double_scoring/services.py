"""Writes of double scoring: the team's policy, the draw of a second evaluation when an
ordinary one is submitted, and the pair's figures kept when both are submitted."""

import logging
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Role, Team, User
from qalibrate.double_scoring.models import Pair, PairReason, Policy
from qalibrate.double_scoring.permissions import can_set_policy
from qalibrate.double_scoring.signals import pair_completed, pair_drawn
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.scorecards.models import Scorecard

logger = logging.getLogger(__name__)

# The draw must not be predictable from outside; tests put a seeded generator here.
draw_random = random.SystemRandom()


@transaction.atomic
def policy_save(
    *, user: User, team: Team, scorecard: Scorecard, policy: Policy | None = None, **fields
) -> Policy:
    if not can_set_policy(user, team.pk) or (policy and not can_set_policy(user, policy.team_id)):
        raise PermissionDenied
    expert = fields.get("expert")
    if expert is not None and not _may_score_for(expert, team):
        raise ValidationError({"expert": _("The second evaluator must work in the team.")})
    policy = policy or Policy()
    policy.team, policy.scorecard = team, scorecard
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def policy_delete(*, user: User, policy: Policy) -> None:
    """The pairs already drawn stay, with their figures: they are history."""
    if not can_set_policy(user, policy.team_id):
        raise PermissionDenied
    policy.delete()


def _may_score_for(user: User, team: Team) -> bool:
    if not user.is_active or user.is_agent or user.is_automatic:
        return False
    return user.all_teams or user.is_admin or user.teams.filter(pk=team.pk).exists()


def evaluation_submitted(*, evaluation: Evaluation) -> Pair | None:
    """A submitted evaluation completes its pair, or may be drawn for a second evaluation."""
    pair = Pair.objects.filter(Q(first=evaluation) | Q(second=evaluation)).first()
    if pair is not None:
        return pair_complete(pair=pair)
    return pair_draw(evaluation=evaluation)


def _policy_for(evaluation: Evaluation) -> Policy | None:
    if evaluation.session_id or evaluation.agreed_in_id or evaluation.evaluator.is_automatic:
        return None
    if Evaluation.objects.filter(pk=evaluation.pk, gold_attempt__isnull=False).exists():
        return None  # a certification's gold evaluation tests the evaluator, not the agent
    return Policy.objects.filter(
        team_id=evaluation.contact.team_id,
        scorecard_id=evaluation.version.scorecard_id,
        active=True,
    ).first()


def _reason(policy: Policy, evaluation: Evaluation) -> str | None:
    if policy.new_evaluator_count:
        earlier = Evaluation.objects.filter(
            evaluator_id=evaluation.evaluator_id,
            contact__team_id=policy.team_id,
            version__scorecard_id=policy.scorecard_id,
            session__isnull=True,
            agreed_in__isnull=True,
            pair_as_second__isnull=True,
            gold_attempt__isnull=True,
            status=EvaluationStatus.SUBMITTED,
        ).count()
        if earlier <= policy.new_evaluator_count:
            return PairReason.NEW_EVALUATOR
    if draw_random.random() * 100 < policy.share_percent:
        return PairReason.RANDOM
    return None


def second_evaluator(*, policy: Policy, evaluation: Evaluation) -> User | None:
    """The policy's expert; else the team's evaluator with the fewest second evaluations still
    to do (ties drawn at random). Never the first evaluator, nor anyone who evaluated the
    contact."""
    already = Evaluation.objects.filter(contact_id=evaluation.contact_id).values("evaluator_id")
    if policy.expert_id and policy.expert_id != evaluation.evaluator_id:
        if not Evaluation.objects.filter(
            contact_id=evaluation.contact_id, evaluator_id=policy.expert_id
        ).exists() and _may_score_for(policy.expert, policy.team):
            return policy.expert
    open_seconds = Count(
        "evaluations",
        filter=Q(evaluations__pair_as_second__completed_at__isnull=True)
        & Q(evaluations__pair_as_second__isnull=False),
    )
    people = list(
        User.objects.filter(
            teams=policy.team,
            role=Role.EVALUATOR,
            is_active=True,
            is_automatic=False,
        )
        .exclude(pk__in=already)
        .annotate(waiting=open_seconds)
    )
    if not people:
        return None
    fewest = min(person.waiting for person in people)
    return draw_random.choice([person for person in people if person.waiting == fewest])


def pair_draw(*, evaluation: Evaluation) -> Pair | None:
    policy = _policy_for(evaluation)
    if policy is None:
        return None
    reason = _reason(policy, evaluation)
    if reason is None:
        return None
    scorer = second_evaluator(policy=policy, evaluation=evaluation)
    if scorer is None:
        logger.warning("double scoring: nobody to score evaluation %s again", evaluation.pk)
        return None
    second = Evaluation.objects.create(
        contact_id=evaluation.contact_id, evaluator=scorer, version_id=evaluation.version_id
    )
    pair = Pair.objects.create(
        team_id=policy.team_id,
        first=evaluation,
        second=second,
        reason=reason,
        by_expert=scorer.pk == policy.expert_id,
        tolerance=policy.tolerance,
    )
    pair_drawn.send(sender=Pair, pair=pair)
    return pair


def _criteria_agreement(first: Evaluation, second: Evaluation) -> dict[str, bool]:
    """Criterion key → the same answer, over the scored criteria both answered (N/A left out,
    as in a session's own figures)."""
    answers = {}
    for evaluation in (first, second):
        answers[evaluation.pk] = {
            answer.criterion.key: answer.value.strip()
            for answer in evaluation.answers.select_related("criterion")
            if not answer.is_na and answer.criterion.kind != "text" and answer.value.strip()
        }
    one, other = answers[first.pk], answers[second.pk]
    return {key: one[key] == other[key] for key in one if key in other}


@transaction.atomic
def pair_complete(*, pair: Pair) -> Pair:
    """Keep the pair's figures once both evaluations are submitted; later changes to either
    (a reopening) leave them as they were, as a completed session's records stay."""
    pair = Pair.objects.select_for_update().select_related("first", "second").get(pk=pair.pk)
    first, second = pair.first, pair.second
    if pair.completed_at or first.is_draft or second.is_draft:
        return pair
    pair.first_score, pair.second_score = first.score, second.score
    if first.score is not None and second.score is not None:
        pair.deviation = round(abs(first.score - second.score), 6)
        pair.within_tolerance = Decimal(str(pair.deviation)) <= pair.tolerance
    pair.criteria = _criteria_agreement(first, second)
    pair.completed_at = timezone.now()
    pair.save()
    pair_completed.send(sender=Pair, pair=pair)
    return pair
