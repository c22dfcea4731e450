"""What Qalibrate tells people: one Notification per person and event, shown under the bell and,
unless the person turned that kind off, sent by e-mail from an outbox (the same row), so an
e-mail is written in the same transaction as the change it reports and is sent at least once.
A notification stores its kind and parameters; its words are written when it is read."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INVITATION = "invitation", _("Invitation to a calibration session")
    RESCHEDULED = "rescheduled", _("A session is moved")
    MATERIALS_READY = "materials_ready", _("The contacts are ready to score")
    SCORING_REMINDER = "scoring_reminder", _("Reminder before the scoring deadline")
    RESULTS_REVEALED = "results_revealed", _("The scores are revealed")
    SUMMARY = "summary", _("The summary of a completed session")
    ACTION_ASSIGNED = "action_assigned", _("A follow-up action is assigned to you")
    ACTION_DUE = "action_due", _("A follow-up action of yours is due")
    RESULTS_SHARED = "results_shared", _("Calibration results on your contacts")
    CANCELLED = "cancelled", _("A session is cancelled")
    DRIFT = "drift", _("An evaluator drifts")
    PAIR_DRIFT = "pair_drift", _("An evaluator is outside the tolerance in double scoring")
    SECOND_EVALUATION = "second_evaluation", _("A contact to score a second time (double scoring)")
    CERTIFICATION = "certification", _("A gold-set certification is started for you")


# Calendar invitations, their updates and cancellations always go: without them calendars go wrong.
ESSENTIAL = frozenset({Kind.INVITATION, Kind.RESCHEDULED, Kind.CANCELLED})


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("not sent: the session was cancelled")
    OFF = "off", _("not sent: turned off by the person")
    NO_ADDRESS = "no_address", _("not sent: no e-mail address")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone sees their own notifications, nobody else's (the outbox page, for
        administrators, is another matter: permissions.can_see_deliveries)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What makes it unique for this person, e.g. "session:12:reminder": a job that runs twice,
    # or two workers at once, cannot tell anyone the same thing twice.
    key = models.CharField(max_length=200)
    session = models.ForeignKey(
        "calibration.CalibrationSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # What to say is written from the kind and these when shown or mailed, in the reader's
    # language then (messages.py): ids, and the facts of the event as they were.
    params = models.JSONField(default=dict, blank=True)
    # The words as first written, in the recipient's language of that day: only shown when
    # the parameters cannot be read (rows older than them).
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    email_status = models.CharField(
        _("e-mail"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Who is sending it: "host:pid" (services.worker_name()), so a claim left by a process that
    # died on the same machine is taken over at once, one from another machine when it is stale.
    claimed_by = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")
        ]
        indexes = [models.Index(fields=["email_status", "next_attempt_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    """A person's choices: which optional e-mails they get, and their calendar feed's secret.
    The feed token is kept as it is (not hashed) so the page can show the address again; it
    only reads the person's own meeting times, and revoking it makes a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription"
    )
    emails_off = models.JSONField(default=list, blank=True)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        return kind in ESSENTIAL or kind not in self.emails_off


class JobLease(models.Model):
    """Who runs a periodic job now, and until when (tasks.py): a lock in the shared database, so
    it works with either queue. It expires, and a worker on the same machine takes it over at
    once when the holder's process is gone, so a killed worker never blocks the job for good."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=200)  # "host:pid", as services.worker_name()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.holder} until {self.expires_at:%Y-%m-%d %H:%M:%S})"
