"""Webhooks: an outside system (a dialler, a BI tool, an automatic scorer) is told of session and
evaluation events by an HTTP POST, signed with its own secret (Standard Webhooks: the headers
webhook-id, webhook-timestamp and webhook-signature). Each event makes one delivery per webhook
that asked for it, written in the transaction of the change (an outbox, as the e-mails), sent
afterwards, retried with back-off, and kept as the delivery log."""

import base64
import json
import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team


class Event(models.TextChoices):
    SESSION_PLANNED = "session.planned", _("A session is planned")
    SESSION_RESCHEDULED = "session.rescheduled", _("A session is moved")
    SESSION_OPENED = "session.opened", _("A session opens for scoring")
    SESSION_REVEALED = "session.revealed", _("A session's scores are revealed")
    SESSION_COMPLETED = "session.completed", _("A session is completed")
    SESSION_CANCELLED = "session.cancelled", _("A session is cancelled")
    ACTION_DUE = "action.due", _("A follow-up action is due")
    EVALUATION_SUBMITTED = "evaluation.submitted", _("An evaluation is submitted")
    EVALUATION_REOPENED = "evaluation.reopened", _("An evaluation is reopened")
    PING = "ping", _("A test event sent from this page")


SUBSCRIBABLE = [choice for choice in Event if choice != Event.PING]


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Webhook(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("address"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    events = models.JSONField(_("events"), default=list)
    # None: events of every team; else only those of this team's sessions and contacts.
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
    )
    secret = models.CharField(_("secret"), max_length=100, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def event_labels(self) -> list[str]:
        return [Event(e).label for e in self.events if e in Event.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The webhook-id header: the same on every attempt, so the receiver can drop a repeat.
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # What makes the event unique for this webhook ("session:12:revealed"): a job that runs
    # twice, or two workers at once, cannot queue the same event twice.
    key = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)  # "host:pid"
    response_status = models.PositiveIntegerField(_("answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "key"], name="webhook_event_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"

    def payload_text(self) -> str:
        """The payload as JSON, indented for reading in the delivery log."""
        return json.dumps(self.payload, indent=2, ensure_ascii=False)
