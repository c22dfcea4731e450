"""Gold-set certification: a new evaluator scores, blind, contacts whose answers a past session
agreed, until the stopping rule (rule.py) certifies them or not (docs/certification.md)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team, user_link
from qalibrate.accounts.permissions import in_my_teams, is_qa_staff
from qalibrate.calibration.models import SessionContact, tolerance_field
from qalibrate.certification.rule import MAX_CONTACTS, MIN_CONTACTS
from qalibrate.evaluations.models import Evaluation
from qalibrate.scorecards.models import Scorecard


class CertificationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    CERTIFIED = "certified", _("Certified")
    NOT_CERTIFIED = "not_certified", _("Not certified")


class CertificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """QA staff see their teams' certifications; an evaluator their own."""
        if not user.is_authenticated or user.is_agent:
            return self.none()
        if is_qa_staff(user):
            mine = in_my_teams(user)
            # An empty filter (every team) ORed with another would narrow to the other.
            return self.filter(mine | Q(evaluator=user)) if mine else self
        return self.filter(evaluator=user)


class Certification(models.Model):
    evaluator = user_link(_("evaluator"), related_name="certifications")
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="certifications"
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="+"
    )
    tolerance = tolerance_field(validators=[MinValueValidator(0)])
    max_contacts = models.PositiveSmallIntegerField(
        _("at most this many contacts"),
        default=MAX_CONTACTS,
        validators=[MinValueValidator(MIN_CONTACTS), MaxValueValidator(30)],
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=CertificationStatus.choices,
        default=CertificationStatus.IN_PROGRESS,
    )
    started_by = user_link(_("started by"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The gold contacts (SessionContact ids) in the order they are given, drawn at the start.
    plan = models.JSONField(default=list)
    # The stopping rule's figures at the last judgement: mean |deviation| and its bounds.
    mean_deviation = models.FloatField(_("mean deviation (points)"), null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "team", "scorecard"],
                condition=Q(status="in_progress"),
                name="one_certification_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} · {self.scorecard}"

    @property
    def in_progress(self) -> bool:
        return self.status == CertificationStatus.IN_PROGRESS


class GoldAttempt(models.Model):
    """One gold contact scored by the candidate: their evaluation, the agreed score it is
    measured against, and the deviation kept when it was submitted."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="attempts"
    )
    gold = models.ForeignKey(SessionContact, on_delete=models.PROTECT, related_name="+")
    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="gold_attempt"
    )
    position = models.PositiveSmallIntegerField()
    agreed_score = models.FloatField(_("agreed score"))
    score = models.FloatField(_("score"), null=True, blank=True)
    deviation = models.FloatField(_("deviation (points)"), null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "gold"], name="one_attempt_per_gold")
        ]

    def __str__(self) -> str:
        return f"{self.certification} · {self.position}"
