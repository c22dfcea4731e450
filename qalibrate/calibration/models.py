from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team, time_zone_choices, user_link
from qalibrate.accounts.permissions import in_my_teams, is_qa_staff
from qalibrate.calibration.recurrence import Cadence
from qalibrate.contacts.models import Channel, Contact
from qalibrate.scorecards.models import (
    AnswerValueMixin,
    Criterion,
    Scorecard,
    ScorecardVersion,
)

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


# Planned, in blind scoring or in discussion: neither completed nor cancelled, so a session in
# one of them can still be rescheduled or cancelled, and counts as upcoming.
ACTIVE_STATUSES = (SessionStatus.DRAFT, SessionStatus.SCORING, SessionStatus.DISCUSSION)


class ReferenceMode(models.TextChoices):
    CONSENSUS = "consensus", _("Agreed at the meeting")
    EXPERT = "expert", _("The expert evaluator's answers")
    MEDIAN = "median", _("The group median")


class CadenceKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, _("first")
    SECOND = 2, _("second")
    THIRD = 3, _("third")
    FOURTH = 4, _("fourth")
    LAST = -1, _("last")


DEFAULT_SESSIONS_PER_MONTH = 2


# A series hands these on to each session it creates, so both declare them alike.
def reference_mode_field() -> models.CharField:
    return models.CharField(
        _("reference"),
        max_length=10,
        choices=ReferenceMode.choices,
        default=ReferenceMode.CONSENSUS,
    )


def tolerance_field(**options) -> models.DecimalField:
    return models.DecimalField(
        _("tolerance (points)"), max_digits=5, decimal_places=1, default=5, **options
    )


# Which rows a user sees, in one place: pages, API, exports and feeds all start from
# ``visible_to(user)``. Team scoping goes into the QA staff branch of each.


class SeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        """QA staff see their teams' series; evaluators the series they score in or
        facilitate; agents none."""
        if not user.is_authenticated or user.is_agent:
            return self.none()
        taking_part = models.Q(
            pk__in=Series.objects.filter(evaluators=user).values("pk")
        ) | models.Q(facilitator=user)
        if is_qa_staff(user):
            mine = in_my_teams(user)
            return self.filter(mine | taking_part) if mine else self
        return self.filter(taking_part)


class Series(models.Model):
    """A recurring calibration session: the template each new session is made from, and when
    they meet (qalibrate.calibration.recurrence). Sessions are created ``lead_days`` ahead of
    their meeting by qalibrate.calibration.tasks.series_create_due_sessions."""

    title = models.CharField(
        _("title"),
        max_length=150,
        help_text=_("Each session is called this, followed by the date of its meeting."),
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="calibration_series"
    )
    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=_("scorecard"),
        on_delete=models.PROTECT,
        related_name="series",
        help_text=_("Each new session takes the scorecard's latest published version."),
    )
    facilitator = user_link(_("facilitator"), related_name="facilitated_series")
    expert = user_link(_("expert evaluator"), optional=True)
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluators"), related_name="calibration_series"
    )
    cadence_kind = models.CharField(
        _("repeats"), max_length=10, choices=CadenceKind.choices, default=CadenceKind.WEEKLY
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    interval = models.PositiveSmallIntegerField(
        _("every"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Weeks between meetings (weekly) or months (monthly)."),
    )
    nth = models.SmallIntegerField(
        _("week of the month"),
        choices=WeekOfMonth.choices,
        default=WeekOfMonth.FIRST,
        help_text=_("For monthly and quarterly series: which of the month's weekdays."),
    )
    first_day = models.DateField(_("first day"), help_text=_("No meeting before this day."))
    meeting_time = models.TimeField(_("meeting time"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=time_zone_choices,
        default=settings.TIME_ZONE,
        help_text=_("The meeting keeps its local time across daylight-saving changes."),
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    reference_mode = reference_mode_field()
    tolerance = tolerance_field(validators=[MinValueValidator(0)])
    scoring_days = models.PositiveSmallIntegerField(
        _("scoring ends (days before the meeting)"),
        default=1,
        validators=[MaxValueValidator(60)],
        help_text=_("The scoring deadline is this many days before the meeting, at its time."),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("created (days before the meeting)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Each session is created and opened for scoring this many days ahead."),
    )
    sample_channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: contacts of every channel."),
    )
    sample_days = models.PositiveSmallIntegerField(
        _("sample from the last (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    sample_size = models.PositiveSmallIntegerField(
        _("number of contacts"),
        default=6,
        validators=[MinValueValidator(MIN_CONTACTS), MaxValueValidator(MAX_CONTACTS)],
        help_text=_("Picked at random from the team's contacts, spread over the agents."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active series create sessions.")
    )
    last_problem = models.TextField(_("last problem"), blank=True)
    last_problem_at = models.DateTimeField(null=True, blank=True)
    created_by = user_link(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("calibration series")
        verbose_name_plural = _("calibration series")

    def __str__(self) -> str:
        return self.title

    @property
    def cadence(self) -> Cadence:
        return Cadence(
            kind=self.cadence_kind,
            weekday=self.weekday,
            interval=1 if self.cadence_kind == CadenceKind.QUARTERLY else self.interval,
            nth=self.nth,
        )


class CadenceTarget(models.Model):
    """How many calibration sessions a team should hold each month (DEFAULT_SESSIONS_PER_MONTH
    for a team without one)."""

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="cadence_target"
    )
    sessions_per_month = models.PositiveSmallIntegerField(
        _("sessions per month"),
        default=DEFAULT_SESSIONS_PER_MONTH,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )

    class Meta:
        verbose_name = _("cadence target")
        verbose_name_plural = _("cadence targets")

    def __str__(self) -> str:
        return f"{self.team}: {self.sessions_per_month}"


class CalibrationSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """QA staff see their teams' sessions; everyone the sessions they take part in or
        facilitate, and agents also the completed sessions whose results were shared with them
        (their own contacts only)."""
        if not user.is_authenticated:
            return self.none()
        taking_part = models.Q(
            pk__in=Participant.objects.filter(user=user).values("session")
        ) | models.Q(facilitator=user)
        if is_qa_staff(user):
            mine = in_my_teams(user)
            return self.filter(mine | taking_part) if mine else self
        mine = models.Q(participants__user=user)
        if user.is_agent:
            mine |= models.Q(
                status=SessionStatus.COMPLETED,
                share_with_agents=True,
                session_contacts__contact__agent__user=user,
            )
        return self.filter(mine).distinct()


class CalibrationSession(models.Model):
    title = models.CharField(_("title"), max_length=200)
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    facilitator = user_link(_("facilitator"), related_name="facilitated_sessions")
    expert = user_link(_("expert evaluator"), optional=True)
    reference_mode = reference_mode_field()
    tolerance = tolerance_field(
        help_text=_("Evaluators are calibrated when they differ by no more than this.")
    )
    scoring_deadline = models.DateTimeField(_("scoring deadline"))
    meeting_at = models.DateTimeField(_("meeting"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), default=DEFAULT_AGENDA)
    ground_rules = models.TextField(_("ground rules"), default=DEFAULT_GROUND_RULES)
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    agreed_becomes_official = models.BooleanField(
        _("The agreed evaluation becomes the agent's official evaluation"),
        default=False,
        help_text=_("An evaluation already shared with the agent is never replaced."),
    )
    share_with_agents = models.BooleanField(
        _("Share the results with the agents whose contacts were discussed"),
        default=False,
        help_text=_("Agents see the agreed evaluation and the feedback, not who scored what."),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # The SEQUENCE of the calendar event: bumped on every reschedule, so calendars update it.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = user_link(_("planned by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CalibrationSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_at"]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")
        constraints = [
            # A series never creates the same occurrence twice (series_create_due_sessions).
            models.UniqueConstraint(
                fields=["series", "meeting_at"], name="one_session_per_series_meeting"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revealed(self) -> bool:
        return self.status in (SessionStatus.DISCUSSION, SessionStatus.COMPLETED)

    @property
    def is_under_way(self) -> bool:
        """Neither completed nor cancelled: it can still be rescheduled, and people invited."""
        return self.status in ACTIVE_STATUSES


class SessionContact(models.Model):
    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="session_contacts"
    )
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField(
        _("notes and feedback"),
        blank=True,
        help_text=_("What the group concluded; agents see this when the results are shared."),
    )
    # The score of the agreed answers, kept in step with them by the services.
    agreed_score = models.FloatField(_("agreed score"), null=True, blank=True)

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
    user = user_link(_("participant"), related_name="calibration_participations")
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
    actor = user_link(_("who"))
    from_status = models.CharField(max_length=12, choices=SessionStatus.choices)
    to_status = models.CharField(max_length=12, choices=SessionStatus.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.session}: {self.from_status} → {self.to_status}"


class AgreedAnswer(AnswerValueMixin, models.Model):
    """The group's answer to one criterion for one contact: prefilled at the reveal from the
    reference (or the majority), then confirmed or changed by the facilitator."""

    session_contact = models.ForeignKey(
        SessionContact, on_delete=models.CASCADE, related_name="agreed_answers"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.TextField(_("agreed answer"), blank=True)
    is_na = models.BooleanField(_("N/A"), default=False)
    reason = models.TextField(_("why"), blank=True)
    decided_by = user_link(optional=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_contact", "criterion"], name="one_agreed_answer_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return "N/A" if self.is_na else self.value


class AgreedSource(models.TextChoices):
    """Where an agreed answer came from: the reveal's proposal (qalibrate.calibration.services.
    reference_proposal), or a decision at the meeting."""

    EXPERT = "expert", _("prefilled from the expert's answer")
    MEDIAN = "median", _("prefilled from the group median")
    UNANIMOUS = "unanimous", _("prefilled: all evaluators agreed")
    MAJORITY = "majority", _("prefilled from the majority")
    TIE = "tie", _("prefilled from a tie: the answer first in the form's order")
    MEETING = "meeting", _("decided at the meeting")


class AgreedAnswerChange(models.Model):
    """One entry in an agreed answer's history: the reveal's prefill (old_value empty), then
    every decision at the meeting, with who, when, the answer before and after, and why.
    Values are form values ("na" for N/A, "" for none)."""

    agreed_answer = models.ForeignKey(
        AgreedAnswer, on_delete=models.CASCADE, related_name="changes"
    )
    source = models.CharField(_("source"), max_length=10, choices=AgreedSource.choices)
    old_value = models.TextField(_("before"), blank=True)
    new_value = models.TextField(_("after"), blank=True)
    reason = models.TextField(_("why"), blank=True)
    changed_by = user_link(_("who"), optional=True)
    # A default rather than auto_now_add: the demo moves its history to when it happened.
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("change of an agreed answer")
        verbose_name_plural = _("changes of agreed answers")

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"

    @property
    def is_prefill(self) -> bool:
        return self.source != AgreedSource.MEETING


class FlagKind(models.TextChoices):
    CLARIFY = "clarify", _("Needs clarification")
    PROCESS = "process", _("Process problem, not the agent's fault")


class CriterionFlag(models.Model):
    """A criterion the session found unclear (goes back to the scorecard's next draft) or whose
    failures come from a process rather than from the agent."""

    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="flags")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="flags"
    )
    kind = models.CharField(_("flag"), max_length=10, choices=FlagKind.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "criterion", "kind"], name="one_flag_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_kind_display()}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class FollowUpActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """QA staff see the follow-up actions of the sessions they see; everyone else the
        actions they own."""
        if not user.is_authenticated:
            return self.none()
        if is_qa_staff(user):
            if not in_my_teams(user):
                return self
            sessions = CalibrationSession.objects.visible_to(user).values("pk")
            return self.filter(models.Q(session__in=sessions) | models.Q(owner=user))
        return self.filter(owner=user)


class FollowUpAction(models.Model):
    session = models.ForeignKey(
        CalibrationSession,
        verbose_name=_("calibration session"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    description = models.CharField(_("action"), max_length=300)
    owner = user_link(_("owner"), related_name="follow_up_actions")
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = FollowUpActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return (
            self.status != ActionStatus.DONE
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )
