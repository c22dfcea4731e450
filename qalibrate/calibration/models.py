from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team
from qalibrate.contacts.models import Contact
from qalibrate.scorecards.models import ScorecardVersion

# The seeds' advice for the meeting, prefilled so every session starts from good practice.
DEFAULT_AGENDA = _(
    "1. Start with the contacts with the lowest and the highest scores.\n"
    "2. For each contact, go through the criteria with the most disagreement.\n"
    "3. Agree on the reference answer and note why.\n"
    "4. Note criteria that need clarifying in the scorecard, and process problems.\n"
    "5. Agree on follow-up actions, owners and dates."
)
DEFAULT_GROUND_RULES = _(
    "Start and end on time.\n"
    "Be honest and open; judge the contact, not the colleague.\n"
    "Consistency matters more than being right.\n"
    "What is said in the session stays confidential."
)
MIN_CONTACTS, MAX_CONTACTS = 5, 10


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Planned")
    SCORING = "scoring", _("Scoring (blind)")
    DISCUSSION = "discussion", _("Discussion (revealed)")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ReferenceMode(models.TextChoices):
    CONSENSUS = "consensus", _("Agreed at the meeting")
    EXPERT = "expert", _("The expert evaluator's answers")
    MEDIAN = "median", _("The group median")


class CalibrationSession(models.Model):
    title = models.CharField(_("title"), max_length=200)
    version = models.ForeignKey(
        ScorecardVersion, verbose_name=_("scorecard version"), on_delete=models.PROTECT,
        related_name="sessions",
    )  # fmt: skip
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="sessions",
    )  # fmt: skip
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), on_delete=models.PROTECT,
        related_name="facilitated_sessions",
    )  # fmt: skip
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert evaluator"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    reference_mode = models.CharField(
        _("reference"), max_length=10, choices=ReferenceMode.choices,
        default=ReferenceMode.CONSENSUS,
    )  # fmt: skip
    tolerance = models.DecimalField(
        _("tolerance (points)"), max_digits=5, decimal_places=1, default=5,
        help_text=_("Evaluators are calibrated when they differ by no more than this."),
    )  # fmt: skip
    scoring_deadline = models.DateTimeField(_("scoring deadline"))
    meeting_at = models.DateTimeField(_("meeting"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), default=DEFAULT_AGENDA)
    ground_rules = models.TextField(_("ground rules"), default=DEFAULT_GROUND_RULES)
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-meeting_at"]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_revealed(self) -> bool:
        return self.status in (SessionStatus.DISCUSSION, SessionStatus.COMPLETED)


class SessionContact(models.Model):
    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="session_contacts"
    )
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "contact"], name="contact_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.contact}"


class ParticipantRole(models.TextChoices):
    EVALUATOR = "evaluator", _("Scores the contacts")
    OBSERVER = "observer", _("Observes")


class Participant(models.Model):
    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.PROTECT,
        related_name="calibration_participations",
    )  # fmt: skip
    role = models.CharField(
        _("role"), max_length=10, choices=ParticipantRole.choices, default=ParticipantRole.EVALUATOR
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="participant_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.user}"


class SessionEvent(models.Model):
    """Every move through the life cycle: who, when, from where to where."""

    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=SessionStatus.choices)
    to_status = models.CharField(max_length=12, choices=SessionStatus.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.session}: {self.from_status} → {self.to_status}"
