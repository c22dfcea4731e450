"""What each completed session measured, kept when it completes, so the history pages read a
few stored rows instead of recomputing every session (docs/architecture.md, "History").

Only completed sessions are recorded: nothing from a session before its reveal, or from one still
under discussion, ever enters the history. A record is keyed by the session's completion time
(``source_completed_at``); recording again replaces it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team, User
from qalibrate.accounts.permissions import is_qa_staff, sees_every_team
from qalibrate.calibration.models import AgreedAnswer, CalibrationSession
from qalibrate.contacts.models import Contact
from qalibrate.scorecards.models import Criterion, Scorecard, ScorecardVersion


class DriftKind(models.TextChoices):
    CONSECUTIVE = "consecutive", _("Outside the tolerance in consecutive sessions")
    POOLED = "pooled", _("Pooled bias beyond the tolerance")


class SessionRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The records of the sessions the user sees (CalibrationSession.objects.visible_to)."""
        if not user.is_authenticated:
            return self.none()
        if is_qa_staff(user) and sees_every_team(user):
            return self
        return self.filter(session__in=CalibrationSession.objects.visible_to(user).values("pk"))


class SessionRecord(models.Model):
    session = models.OneToOneField(
        CalibrationSession, on_delete=models.CASCADE, related_name="history_record"
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("date"), db_index=True)  # the meeting's day
    source_completed_at = models.DateTimeField()
    tolerance = models.FloatField(_("tolerance (points)"))
    evaluator_count = models.PositiveSmallIntegerField(_("evaluators"))
    contact_count = models.PositiveSmallIntegerField(_("contacts"))
    calibrated = models.BooleanField(_("calibrated"), null=True)
    share_within = models.FloatField(_("within tolerance"), null=True)
    alpha = models.FloatField(_("alpha of the totals"), null=True)
    alpha_low = models.FloatField(null=True)
    alpha_high = models.FloatField(null=True)
    mean_abs_deviation = models.FloatField(_("mean absolute deviation"), null=True)
    imported = models.BooleanField(_("imported"), default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = SessionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["team", "scorecard", "held_on"])]

    def __str__(self) -> str:
        return f"{self.session} ({self.held_on})"


class EvaluatorRecord(models.Model):
    """One evaluator in one recorded session: their totals against the reference totals."""

    record = models.ForeignKey(
        SessionRecord, on_delete=models.CASCADE, related_name="evaluator_records"
    )
    evaluator = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField()  # the record's, for ordering without a join
    contacts = models.PositiveSmallIntegerField()  # contacts with both a total and a reference
    mean_abs = models.FloatField(null=True)
    bias = models.FloatField(null=True)  # mean signed deviation: + lenient, - strict
    deviation_sd = models.FloatField(null=True)  # sample SD of the signed deviations (n - 1)
    within_tolerance = models.BooleanField(null=True)
    answers_compared = models.PositiveIntegerField(default=0)
    answers_matching = models.PositiveIntegerField(default=0)
    drift = models.CharField(max_length=12, choices=DriftKind.choices, blank=True)
    # criterion key → [answers differing from the agreed answer, answers compared]
    criteria = models.JSONField(default=dict)

    class Meta:
        ordering = ["held_on", "record_id"]
        indexes = [models.Index(fields=["evaluator", "held_on"])]
        constraints = [
            models.UniqueConstraint(fields=["record", "evaluator"], name="one_row_per_evaluator")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator_id} on {self.held_on}"

    @property
    def matches_agreed(self) -> float | None:
        if not self.answers_compared:
            return None
        return self.answers_matching / self.answers_compared


class CriterionRecord(models.Model):
    """One scored criterion in one recorded session, followed across versions by its key."""

    record = models.ForeignKey(
        SessionRecord, on_delete=models.CASCADE, related_name="criterion_records"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    held_on = models.DateField()
    answers = models.PositiveIntegerField()  # answers given, N/A included
    agreement = models.FloatField(null=True)  # share of agreeing pairs
    alpha = models.FloatField(null=True)
    ac1 = models.FloatField(null=True)
    matches_agreed = models.FloatField(null=True)
    low_agreement = models.BooleanField(default=False)
    needs_clarification = models.BooleanField(default=False)  # flagged by the facilitator
    # The contacts × evaluators answer table as the statistics take it, evaluators by user id,
    # so sessions can be pooled into one panel without reading their answers again.
    table = models.JSONField(default=dict)

    class Meta:
        ordering = ["held_on", "record_id"]
        indexes = [models.Index(fields=["key", "held_on"])]

    def __str__(self) -> str:
        return f"{self.key} on {self.held_on}"


class Ruling(models.Model):
    """An agreed answer from a completed session that the team had to decide: the evaluators did
    not all give it, or it carries a reason. The book of rulings searches these."""

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="rulings")
    agreed_answer = models.OneToOneField(AgreedAnswer, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    criterion_key = models.CharField(max_length=32)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField()
    answer = models.CharField(max_length=100)  # the agreed answer's form value ("na": N/A)
    answer_label = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)  # the contact's notes from the meeting
    unanimous = models.BooleanField(default=False)
    # Lower-cased criterion text, answer, reason and notes: what the full-text search reads.
    search_text = models.TextField()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["criterion_key", "held_on"]),
            models.Index(fields=["team", "held_on"]),
            models.Index(fields=["scorecard", "held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_key}: {self.answer}"


class DriftRule(models.Model):
    """When a team's evaluator is said to drift (docs/history.md): outside the tolerance in
    ``consecutive`` sessions in a row, or a pooled bias over the last ``recent`` sessions beyond
    the tolerance with an interval that excludes zero."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="drift_rule")
    enabled = models.BooleanField(_("alerts on"), default=True)
    consecutive = models.PositiveSmallIntegerField(
        _("sessions in a row outside the tolerance"), default=2
    )
    recent = models.PositiveSmallIntegerField(_("sessions pooled for the bias"), default=6)

    def __str__(self) -> str:
        return str(self.team)
