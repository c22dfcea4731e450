from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Agent, Team, user_link
from qalibrate.accounts.permissions import in_my_teams


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("E-mail")
    TICKET = "ticket", _("Ticket")


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Agents see only their own contacts; everyone else (administrators, QA leads and
        evaluators) the contacts of their teams, those of any session they take part in and those
        they evaluated."""
        if not user.is_authenticated:
            return self.none()
        if user.is_agent:
            return self.filter(agent__user=user)
        mine = in_my_teams(user)
        if not mine:
            return self
        in_my_sessions = self.model.objects.filter(
            sessioncontact__session__participants__user=user
        ).values("pk")
        evaluated_by_me = self.model.objects.filter(evaluations__evaluator=user).values("pk")
        return self.filter(
            mine | models.Q(pk__in=in_my_sessions) | models.Q(pk__in=evaluated_by_me)
        )


class Contact(models.Model):
    """One customer interaction that can be evaluated: a call, chat, e-mail or ticket."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="contacts"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="contacts"
    )
    occurred_at = models.DateTimeField(_("date and time"))
    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # A list of turns: {"t": seconds from start, "speaker": "agent"|"customer", "text": "..."}.
    transcript = models.JSONField(_("transcript"), default=list, blank=True)
    media = models.FileField(_("recording"), upload_to="contacts/%Y/%m/", blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        # The list is read newest first, by date then id (core.keyset), whole or by one filter:
        # each index starts the read at the page's cursor, at any depth.
        indexes = [
            models.Index(fields=["occurred_at", "id"], name="contact_by_date"),
            models.Index(fields=["team", "occurred_at", "id"], name="contact_by_team_date"),
            models.Index(fields=["agent", "occurred_at", "id"], name="contact_by_agent_date"),
            models.Index(fields=["channel", "occurred_at", "id"], name="contact_by_channel_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.external_id}"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, not applied")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class ContactImport(models.Model):
    """An uploaded contact file kept between its preview and its application."""

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    media_archive = models.FileField(_("recordings (zip)"), upload_to="imports/%Y/%m/", blank=True)
    uploaded_by = user_link(_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    # What the check found: counts, the first errors (row, column, message), a sample of rows.
    report = models.JSONField(_("report"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")

    def __str__(self) -> str:
        return self.original_name
