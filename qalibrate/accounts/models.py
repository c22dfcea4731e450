import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


def user_link(verbose_name=None, *, related_name: str = "+", optional: bool = False):
    """A foreign key to the user who wrote, planned, owns or decided something. PROTECT, so
    deleting a user cannot erase what they did: deactivate the account instead."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name=related_name,
    )


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    recording_retention_days = models.PositiveIntegerField(
        _("keep recordings and transcripts (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Recordings and transcripts of this team's contacts are deleted this many days after "
            "the contact; scores, answers and statistics stay. Empty: kept."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    QA_LEAD = "qa_lead", _("QA lead")
    EVALUATOR = "evaluator", _("Evaluator")
    AGENT = "agent", _("Agent")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class QalibrateUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields["role"] = Role.ADMIN
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. The role decides what they may do (docs/architecture.md, Roles)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EVALUATOR)
    teams = models.ManyToManyField(
        Team, verbose_name=_("teams"), blank=True, related_name="members"
    )
    # A QA lead over several sites may be given every team instead of a list that must follow
    # each new team. Administrators always see every team.
    all_teams = models.BooleanField(
        _("sees every team"),
        default=False,
        help_text=_("QA leads and evaluators otherwise see only the teams they belong to."),
    )
    # A program that scores through the API with a token (a language model, rules, another
    # system): it takes part as an evaluator, and its evaluations are marked as automatic.
    is_automatic = models.BooleanField(
        _("automatic scorer"),
        default=False,
        help_text=_(
            "A program, not a person: it scores through the API with a token, and its "
            "evaluations are marked as automatic."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=time_zone_choices, default=settings.TIME_ZONE
    )

    objects = QalibrateUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        # The role is the one source of truth; Django's admin flags follow it.
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_qa_lead(self) -> bool:
        return self.role == Role.QA_LEAD

    @property
    def is_evaluator(self) -> bool:
        return self.role == Role.EVALUATOR

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT


class Agent(models.Model):
    """A front-line employee whose contacts are evaluated; may or may not have a login."""

    full_name = models.CharField(_("full name"), max_length=150)
    employee_id = models.CharField(
        _("employee id"), max_length=50, unique=True, null=True, blank=True
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="agents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_profile",
        limit_choices_to={"role": Role.AGENT},
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.full_name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the key is stored: the key itself is shown
    once, when the token is made (qalibrate.api.tokens)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so people can tell their tokens apart.
    prefix = models.CharField(_("begins with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
