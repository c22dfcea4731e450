"""Invitations: how a person gets an account. Only a SHA-256 hash of the one-time key is kept;
the key itself travels in the e-mailed link (qalibrate.people.services.invite)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Role, Team, user_link


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    email = models.EmailField(_("e-mail"))
    # The name the inviter knows (an import's name column); the invitee may change it.
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True, related_name="+")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    invited_by = user_link(_("invited by"))
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = user_link(_("account"), optional=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and self.expires_at <= timezone.now()
