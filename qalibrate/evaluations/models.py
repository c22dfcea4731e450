from django.db import models
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import user_link
from qalibrate.accounts.permissions import in_my_teams, is_qa_staff
from qalibrate.calibration.models import Participant
from qalibrate.contacts.models import Contact
from qalibrate.scorecards.models import AnswerValueMixin, Criterion, ScorecardVersion


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Own evaluations in any state. QA staff also see the submitted ones of their teams'
        contacts and of their sessions, and participants the submitted ones of their sessions,
        but a calibration session's only after its reveal (blind scoring). Agents see their own
        contacts' once released."""
        if not user.is_authenticated:
            return self.none()
        if user.is_agent:
            return self.filter(contact__agent__user=user, released_at__isnull=False)
        own = models.Q(evaluator=user)
        submitted = models.Q(status=EvaluationStatus.SUBMITTED)
        revealed = models.Q(session__status__in=("discussion", "completed"))
        in_my_session = models.Exists(
            Participant.objects.filter(session=models.OuterRef("session"), user=user)
        )
        if is_qa_staff(user):
            # Their teams' contacts, and the sessions they take part in whatever the team.
            in_view = models.Q(session__isnull=True) | revealed
            my_teams = in_my_teams(user, "contact__team")
            if not my_teams:
                return self.filter(own | (submitted & in_view)).exclude(_paired_with(user))
            seen = own | (submitted & in_view & (my_teams | in_my_session))
            return self.filter(seen).exclude(_paired_with(user))
        return self.filter(own | (submitted & revealed & in_my_session))


def _paired_with(user) -> models.Q:
    """Evaluations whose double-scoring partner is the user's and not yet both submitted: blind
    like a session before its reveal (only QA staff could otherwise see them)."""
    # Imported here: double scoring's models import this module (same layer).
    from qalibrate.double_scoring.models import Pair

    waiting = Pair.objects.filter(completed_at__isnull=True)
    as_first = waiting.filter(first=models.OuterRef("pk"), second__evaluator=user)
    as_second = waiting.filter(second=models.OuterRef("pk"), first__evaluator=user)
    return models.Q(models.Exists(as_first)) | models.Q(models.Exists(as_second))


class Evaluation(models.Model):
    """One evaluator's answers for one contact on one scorecard version."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluator = user_link(_("evaluator"), related_name="evaluations")
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    # Set when the evaluation is part of a calibration session: blind until the reveal.
    session = models.ForeignKey(
        "calibration.CalibrationSession",
        verbose_name=_("calibration session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
    )
    # Set on the official evaluation made from a calibration session's agreed answers.
    agreed_in = models.ForeignKey(
        "calibration.CalibrationSession",
        verbose_name=_("agreed in calibration session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreed_evaluations",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    summary = models.TextField(_("overall comment"), blank=True)
    # Bumped by every save, so a stale browser tab cannot overwrite newer answers.
    revision = models.PositiveIntegerField(default=0)
    time_spent_seconds = models.PositiveIntegerField(_("time spent (seconds)"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    saved_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    released_at = models.DateTimeField(_("shared with the agent"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged by the agent"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        indexes = [models.Index(fields=["saved_at", "id"], name="evaluation_by_saved")]

    def __str__(self) -> str:
        return f"{self.contact} · {self.evaluator}"

    @property
    def is_draft(self) -> bool:
        return self.status == EvaluationStatus.DRAFT

    def answers_for_scoring(self) -> dict:
        return {answer.criterion_id: answer.scoring_value() for answer in self.answers.all()}


class Answer(AnswerValueMixin, models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="answers"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="answers"
    )
    value = models.TextField(_("answer"), blank=True)
    is_na = models.BooleanField(_("N/A"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    media_timestamp = models.FloatField(_("moment in the recording (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="one_answer_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return "N/A" if self.is_na else self.value


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REOPENED = "reopened", _("Reopened")
    RELEASED = "released", _("Shared with the agent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the agent")


class EvaluationEvent(models.Model):
    """The history of an evaluation after its first submission: who did what, when and why."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=15, choices=EventKind.choices)
    actor = user_link(_("who"))
    reason = models.TextField(_("why"), blank=True)
    # For a reopening: the answers and score as they were, so nothing is lost from view.
    snapshot = models.JSONField(_("before"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
