"""Double scoring between sessions: a team's policy draws a share of ordinary evaluations for a
second, blind evaluation by another evaluator (or the team's expert); the pair's figures are kept
once both are submitted (docs/double-scoring.md)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team, user_link
from qalibrate.accounts.permissions import in_my_teams, is_qa_staff
from qalibrate.calibration.models import tolerance_field
from qalibrate.evaluations.models import Evaluation
from qalibrate.scorecards.models import Scorecard


class PolicyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """QA staff see their teams' policies; nobody else reads them."""
        if not is_qa_staff(user):
            return self.none()
        return self.filter(in_my_teams(user))


class Policy(models.Model):
    """How many of a team's ordinary evaluations on one scorecard are scored a second time."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="double_scoring"
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="+"
    )
    share_percent = models.PositiveSmallIntegerField(
        _("share scored twice (%)"),
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Of the submitted evaluations, drawn at random."),
    )
    new_evaluator_count = models.PositiveSmallIntegerField(
        _("every evaluation of a new evaluator, for their first"),
        default=0,
        validators=[MaxValueValidator(500)],
        help_text=_("Evaluations on this scorecard in this team; 0 turns this off."),
    )
    expert = user_link(_("second evaluator"), optional=True)
    tolerance = tolerance_field(
        validators=[MinValueValidator(0)],
        help_text=_("A pair whose scores differ by more than this is outside the tolerance."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "pk"]
        verbose_name = _("double scoring policy")
        verbose_name_plural = _("double scoring policies")
        constraints = [
            models.UniqueConstraint(fields=["team", "scorecard"], name="one_policy_per_scorecard")
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.scorecard}"


class PairReason(models.TextChoices):
    RANDOM = "random", _("Drawn at random")
    NEW_EVALUATOR = "new_evaluator", _("New evaluator")


class PairQuerySet(models.QuerySet):
    def visible_to(self, user):
        """QA staff see their teams' pairs; an evaluator the completed pairs they scored in.
        Agents none: a second evaluation checks the evaluator, not the agent."""
        if not user.is_authenticated or user.is_agent:
            return self.none()
        if is_qa_staff(user):
            return self.filter(in_my_teams(user))
        mine = Q(first__evaluator=user) | Q(second__evaluator=user)
        return self.filter(mine, completed_at__isnull=False)

    def completed(self):
        return self.filter(completed_at__isnull=False)


class Pair(models.Model):
    """An ordinary evaluation and its blind second evaluation, and what they agreed on. The
    figures are kept when the second of the two is submitted and stay as they were then."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="scoring_pairs"
    )
    first = models.OneToOneField(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        related_name="pair_as_first",
    )
    second = models.OneToOneField(
        Evaluation,
        verbose_name=_("second evaluation"),
        on_delete=models.CASCADE,
        related_name="pair_as_second",
    )
    reason = models.CharField(_("why"), max_length=15, choices=PairReason.choices)
    by_expert = models.BooleanField(_("second evaluation by the expert"), default=False)
    tolerance = tolerance_field()
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    completed_at = models.DateTimeField(_("both submitted"), null=True, blank=True)
    # The two scores as they were when both were in (a later reopening changes neither).
    first_score = models.FloatField(_("first score"), null=True, blank=True)
    second_score = models.FloatField(_("second score"), null=True, blank=True)
    # |first score − second score|, in points; None when either has no score.
    deviation = models.FloatField(_("difference (points)"), null=True, blank=True)
    within_tolerance = models.BooleanField(_("within tolerance"), null=True, blank=True)
    # Criterion id → did both give the same answer (criteria both answered, N/A left out).
    criteria = models.JSONField(default=dict, blank=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("double-scored pair")
        verbose_name_plural = _("double-scored pairs")
        indexes = [models.Index(fields=["team", "completed_at"], name="pair_by_team_completed")]

    def __str__(self) -> str:
        return f"{self.first} · {self.second}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
