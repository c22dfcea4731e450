"""The audit trail: who did what, when, from where. Append-only: a row is written once and never
changed or deleted, by the ORM (below) or, on PostgreSQL, by the database itself (a trigger)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    ROLE_CHANGED = "role_changed", _("Role changed")
    TEAMS_CHANGED = "teams_changed", _("Teams changed")
    USER_INVITED = "user_invited", _("Person invited")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    USER_DEACTIVATED = "user_deactivated", _("Person deactivated")
    USER_REACTIVATED = "user_reactivated", _("Person reactivated")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    SESSION_REVEALED = "session_revealed", _("Session revealed")
    SESSION_COMPLETED = "session_completed", _("Session completed")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    AGREED_ANSWER_CHANGED = "agreed_answer_changed", _("Agreed answer changed")
    REPORT_VIEWED = "report_viewed", _("Report viewed")
    REPORT_DOWNLOADED = "report_downloaded", _("Report downloaded")
    EVALUATION_REOPENED = "evaluation_reopened", _("Evaluation reopened")
    EVALUATION_SHARED = "evaluation_shared", _("Evaluation shared with the agent")
    IMPORTED = "imported", _("Imported")
    RETENTION_APPLIED = "retention_applied", _("Recordings and transcripts deleted (retention)")
    PERSON_ERASED = "person_erased", _("Person erased")
    PERSON_EXPORTED = "person_exported", _("Personal data exported")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # PROTECT: a person or team named in the trail cannot be deleted (deactivate or anonymise
    # them instead), and no deletion can rewrite an event.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=40, choices=AuditAction.choices, db_index=True)
    # What it was done to, by name ("calibration.session") and primary key, and as it read then.
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=60, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Facts of the event: old and new values, a file's name, the user name tried at a failed
    # sign-in. JSON, shown as it is.
    details = models.JSONField(_("details"), default=dict, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")
