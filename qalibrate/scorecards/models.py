import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team, user_link
from qalibrate.accounts.permissions import in_my_teams, is_qa_staff
from qalibrate.scorecards import scoring


def new_key() -> str:
    return uuid.uuid4().hex


class Purpose(models.TextChoices):
    CUSTOMER_EXPERIENCE = "customer_experience", _("Customer experience")
    STRATEGY = "strategy", _("Strategy and vision")
    EFFICIENCY = "efficiency", _("Efficiency")
    COMPLIANCE = "compliance", _("Compliance")
    SALES = "sales", _("Sales and retention")
    OTHER = "other", _("Other")


class ScorecardQuerySet(models.QuerySet):
    def of_my_teams(self, user):
        """The organisation's scorecards (no team), the user's teams' and those shared with
        one of the user's teams."""
        mine = in_my_teams(user)
        if not mine:
            return self
        shared = Scorecard.shared_with.through.objects.filter(
            scorecard=models.OuterRef("pk"), team__in=Team.objects.filter(members=user)
        )
        return self.filter(models.Q(team__isnull=True) | mine | models.Exists(shared))

    def editable_by(self, user):
        """Those a builder may change: the organisation's and their own teams'. A scorecard
        shared with a team is theirs to use, not to change: the owning team keeps the pen."""
        mine = in_my_teams(user)
        return self.filter(models.Q(team__isnull=True) | mine) if mine else self

    def visible_to(self, user):
        """QA staff (they build scorecards) see every scorecard of their teams; everyone else
        those of their teams with a published version, and any draft shared with them for
        review."""
        if not user.is_authenticated:
            return self.none()
        if is_qa_staff(user):
            return self.of_my_teams(user)
        versions = ScorecardVersion.objects.filter(scorecard=models.OuterRef("pk"))
        published = versions.filter(status=VersionStatus.PUBLISHED)
        shared_draft = versions.filter(status=VersionStatus.DRAFT, reviewers=user)
        mine = self.of_my_teams(user).values("pk")
        return self.filter(
            (models.Exists(published) & models.Q(pk__in=mine)) | models.Exists(shared_draft)
        )


class Scorecard(models.Model):
    """A monitoring form. Its content lives in versions; published ones never change."""

    name = models.CharField(_("name"), max_length=150)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    description = models.TextField(
        _("what it serves"),
        blank=True,
        help_text=_(
            "The goal of the form in a sentence or two, so everyone reads it the same way."
        ),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scorecards",
        help_text=_("The team that owns it. Empty: the whole organisation's scorecard."),
    )
    shared_with = models.ManyToManyField(
        Team,
        verbose_name=_("shared with"),
        blank=True,
        related_name="shared_scorecards",
        help_text=_("Other teams that use it too."),
    )
    created_by = user_link(_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return self.name

    @property
    def draft(self) -> "ScorecardVersion | None":
        return self.versions.filter(status=VersionStatus.DRAFT).first()

    @property
    def current_version(self) -> "ScorecardVersion | None":
        return self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ScorecardVersion(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    change_note = models.TextField(_("what changed and why"), blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), blank=True, related_name="+"
    )
    created_by = user_link(_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_by = user_link(_("published by"), optional=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["scorecard", "-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="one_number_per_version"),
            models.UniqueConstraint(
                fields=["scorecard"],
                condition=models.Q(status="draft"),
                name="one_draft_per_scorecard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def scoring_spec(self, sections=None) -> scoring.FormSpec:
        """The version as the scoring function sees it: two queries, none when given its
        sections with their criteria prefetched."""
        if sections is None:
            sections = list(self.sections.prefetch_related("criteria"))
        return scoring.FormSpec(
            sections=[
                scoring.SectionSpec(
                    id=section.pk,
                    weight=section.weight,
                    criteria=[c.scoring_spec() for c in section.criteria.all()],
                )
                for section in sections
            ]
        )


class Section(models.Model):
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    key = models.CharField(max_length=32, default=new_key, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveIntegerField(
        _("weight"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How much the section counts towards the total, relative to the others."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class CriterionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    SCALE = "scale", _("Scale")
    OPTIONS = "options", _("Options with points")
    TEXT = "text", _("Free text (not scored)")


class CriticalScope(models.TextChoices):
    NONE = "none", _("Not critical")
    SECTION = "section", _("Failing it zeroes the section")
    FORM = "form", _("Failing it zeroes the whole evaluation")


# What a criterion says, apart from which one it is (key) and where it stands (position): what
# the JSON format carries, the version comparison compares and the API shows.
CRITERION_CONTENT_FIELDS = [
    "text",
    "kind",
    "points",
    "scale_min",
    "scale_max",
    "options",
    "na_allowed",
    "critical",
    "guideline",
    "purpose",
]


class Criterion(models.Model):
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="criteria"
    )
    key = models.CharField(max_length=32, default=new_key, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("criterion"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CriterionKind.choices, default=CriterionKind.YES_NO
    )
    points = models.PositiveIntegerField(
        _("points"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Points for a yes, or for the top of the scale."),
    )
    scale_min = models.IntegerField(_("scale from"), default=0)
    scale_max = models.IntegerField(_("scale to"), default=5)
    # [{"label": "Partly", "points": 1}, ...] for the options kind.
    options = models.JSONField(_("options"), default=list, blank=True)
    na_allowed = models.BooleanField(_("N/A allowed"), default=False)
    critical = models.CharField(
        _("critical"), max_length=10, choices=CriticalScope.choices, default=CriticalScope.NONE
    )
    guideline = models.TextField(
        _("guideline"), blank=True, help_text=_("What earns the points: what counts as a yes.")
    )
    purpose = models.CharField(_("why it matters"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.text

    @property
    def scale_values(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def scoring_spec(self) -> scoring.CriterionSpec:
        return scoring.CriterionSpec(
            id=self.pk,
            kind=self.kind,
            points=self.points,
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            options={option["label"]: option["points"] for option in self.options},
            critical=self.critical,
            na_allowed=self.na_allowed,
        )


class AnswerValueMixin:
    """An answer to a criterion, stored as text (``value``, ``is_na``, ``criterion``) and read
    back the way the screen and the scoring function take it: for evaluations.Answer and
    calibration.AgreedAnswer alike."""

    @property
    def form_value(self) -> str:
        """What the answer's radio button or text field holds on the screen."""
        return "na" if self.is_na else self.value

    def scoring_value(self):
        """The answer as the scoring function takes it; None when unanswered."""
        if self.is_na:
            return scoring.NA
        if self.value == "" or self.criterion.kind == "text":
            return None
        if self.criterion.kind == "scale":
            return int(self.value)
        return self.value


class ReviewComment(models.Model):
    """A reviewer's remark on one criterion of a draft, resolved by the author."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="comments"
    )
    author = user_link(_("author"))
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_by = user_link(_("resolved by"), optional=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
