"""What the API sends and takes. Reads are shaped by the views from the existing selectors;
writes go through the existing forms and services, which keep the rules."""

from rest_framework import serializers

from qalibrate.accounts.models import Team, User
from qalibrate.agreement.interpretation import SCALES
from qalibrate.agreement.weights import WEIGHTS
from qalibrate.calibration.models import (
    MAX_CONTACTS,
    MIN_CONTACTS,
    ActionStatus,
    CalibrationSession,
    FollowUpAction,
    ReferenceMode,
    Series,
    SessionStatus,
)
from qalibrate.contacts.models import Channel, Contact
from qalibrate.evaluations.models import Answer, Evaluation
from qalibrate.notifications.models import Notification
from qalibrate.scorecards.models import (
    Criterion,
    CriterionKind,
    CriticalScope,
    Purpose,
    Scorecard,
    ScorecardVersion,
    Section,
)

# The largest id a database holds (a signed 64-bit integer): a bigger one matches nothing, and
# SQLite cannot even compare with it.
MAX_ID = 2**63 - 1


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 (used like a field class)
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- references to other objects -------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class VersionRefSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="scorecard_id")
    scorecard_name = serializers.CharField(source="scorecard.name")

    class Meta:
        model = ScorecardVersion
        fields = ["id", "scorecard", "scorecard_name", "number"]


class AgentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    employee_id = serializers.CharField(allow_null=True)


class SessionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalibrationSession
        fields = ["id", "title"]


# --- people ----------------------------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "language", "time_zone"]


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "teams"]


# --- scorecards ------------------------------------------------------------------------------


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScorecardVersion
        fields = ["id", "number", "status", "change_note", "created_at", "published_at"]


class ScorecardSerializer(serializers.ModelSerializer):
    latest_published = serializers.IntegerField(
        allow_null=True, help_text="The number of the latest published version."
    )
    has_draft = serializers.BooleanField()
    versions = VersionSummarySerializer(
        many=True, source="visible_versions", help_text="The versions you may open."
    )

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "name",
            "purpose",
            "language",
            "description",
            "created_at",
            "latest_published",
            "has_draft",
            "versions",
        ]


class OptionSerializer(serializers.Serializer):
    label = serializers.CharField()
    points = serializers.IntegerField()


class CriterionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True)

    class Meta:
        model = Criterion
        fields = [
            "id",
            "key",
            "position",
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


class SectionSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True)

    class Meta:
        model = Section
        fields = ["id", "key", "position", "title", "description", "weight", "criteria"]


class VersionSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="scorecard_id")
    scorecard_name = serializers.CharField(source="scorecard.name")
    sections = SectionSerializer(many=True, source="content")

    class Meta:
        model = ScorecardVersion
        fields = [
            "id",
            "scorecard",
            "scorecard_name",
            "number",
            "status",
            "change_note",
            "created_at",
            "published_at",
            "sections",
        ]


class ExportCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    points = serializers.IntegerField()
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    options = OptionSerializer(many=True)
    na_allowed = serializers.BooleanField()
    critical = serializers.ChoiceField(choices=CriticalScope.choices)
    guideline = serializers.CharField(allow_blank=True)
    purpose = serializers.CharField(allow_blank=True)


class ExportSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    weight = serializers.IntegerField()
    criteria = ExportCriterionSerializer(many=True)


class ScorecardDocumentSerializer(serializers.Serializer):
    """The scorecard JSON format of Export JSON and Import (format_version 1, see README)."""

    format = serializers.CharField()
    format_version = serializers.IntegerField()
    name = serializers.CharField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    language = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    sections = ExportSectionSerializer(many=True)


# --- contacts --------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    agent = AgentRefSerializer()
    team = TeamSerializer()
    has_recording = serializers.SerializerMethodField()
    is_evaluated = serializers.BooleanField(
        help_text="Has at least one submitted evaluation.", required=False
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "external_id",
            "channel",
            "agent",
            "team",
            "occurred_at",
            "duration_seconds",
            "language",
            "subject",
            "has_recording",
            "is_evaluated",
            "created_at",
        ]

    def get_has_recording(self, contact) -> bool:
        return bool(contact.media)


class TurnSerializer(serializers.Serializer):
    t = serializers.FloatField(allow_null=True, help_text="Seconds from the start.")
    speaker = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)


class ContactDetailSerializer(ContactSerializer):
    transcript = TurnSerializer(many=True)
    metadata = serializers.DictField(child=serializers.CharField(allow_blank=True))
    recording_url = serializers.SerializerMethodField()

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "transcript", "metadata", "recording_url"]

    def get_recording_url(self, contact) -> str | None:
        if not contact.media:
            return None
        from django.urls import reverse

        url = reverse("api:contact-recording", args=[contact.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


CONTACT_ROW_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "description": (
        "Contacts to create or update, matched by external_id, with the columns of the contact "
        "import (README). Other keys are kept as the contact's metadata. Every item is checked "
        "first; nothing is written unless every item is valid."
    ),
    "items": {
        "type": "object",
        "required": ["external_id", "channel", "agent_id", "occurred_at"],
        "properties": {
            "external_id": {"type": "string", "minLength": 1, "maxLength": 100},
            "channel": {"type": "string", "minLength": 1, "example": "call"},
            "agent_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 50,
                "description": "The agent's employee id.",
            },
            "occurred_at": {
                "type": "string",
                "minLength": 1,
                "example": "2026-03-02T10:30:00+01:00",
            },
            "duration": {
                "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}],
                "description": "Seconds, m:ss or h:mm:ss.",
            },
            "language": {"type": "string", "example": "en"},
            "subject": {"type": "string", "maxLength": 200},
            "transcript": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["text"],
                            "properties": {
                                "t": {"type": "number", "minimum": 0, "nullable": True},
                                "speaker": {"type": "string"},
                                "text": {"type": "string"},
                            },
                        },
                    },
                ]
            },
            "agent_name": {"type": "string", "description": "For a new agent_id only."},
            "team": {"type": "string", "description": "For a new agent_id only."},
        },
        "additionalProperties": {"type": "string"},
    },
}


class ContactUpsertResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField(help_text="False for a dry run: nothing was written.")
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    new_agents = serializers.ListField(child=serializers.CharField())


# --- evaluations -----------------------------------------------------------------------------


class ContactRefSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.full_name")

    class Meta:
        model = Contact
        fields = ["id", "external_id", "channel", "agent"]


class EvaluationSerializer(serializers.ModelSerializer):
    contact = ContactRefSerializer()
    version = VersionRefSerializer()
    evaluator = serializers.SerializerMethodField(help_text="null for agents: never who scored.")
    session = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "contact",
            "version",
            "evaluator",
            "session",
            "agreed_in",
            "status",
            "score",
            "created_at",
            "saved_at",
            "submitted_at",
            "released_at",
            "acknowledged_at",
        ]

    def _for_agent(self) -> bool:
        request = self.context.get("request")
        return request is not None and request.user.is_agent

    def get_evaluator(self, evaluation) -> UserRefSerializer(allow_null=True):
        if self._for_agent():
            return None
        return UserRefSerializer(evaluation.evaluator).data

    def get_session(self, evaluation) -> int | None:
        return None if self._for_agent() else evaluation.session_id


class AnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Answer
        fields = ["criterion", "value", "is_na", "comment", "media_timestamp"]


class EvaluationDetailSerializer(EvaluationSerializer):
    answers = AnswerSerializer(many=True)
    summary = serializers.CharField()
    time_spent_seconds = serializers.SerializerMethodField()
    failed_critical = serializers.ListField(
        child=serializers.IntegerField(), help_text="Critical criteria failed by the answers."
    )

    class Meta(EvaluationSerializer.Meta):
        fields = [
            *EvaluationSerializer.Meta.fields,
            "summary",
            "time_spent_seconds",
            "answers",
            "failed_critical",
        ]

    def get_time_spent_seconds(self, evaluation) -> int | None:
        return None if self._for_agent() else evaluation.time_spent_seconds


# --- calibration sessions --------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    version = VersionRefSerializer()
    team = TeamSerializer(allow_null=True)
    facilitator = UserRefSerializer()

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "title",
            "status",
            "version",
            "team",
            "facilitator",
            "scoring_deadline",
            "meeting_at",
            "created_at",
            "completed_at",
        ]


class SessionContactSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    contact = ContactRefSerializer()
    occurred_at = serializers.DateTimeField(source="contact.occurred_at")
    subject = serializers.CharField(source="contact.subject")


PROGRESS_STATUSES = [("", "not started"), ("draft", "started"), ("submitted", "submitted")]


class ProgressCellSerializer(serializers.Serializer):
    contact = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PROGRESS_STATUSES)


class ProgressRowSerializer(serializers.Serializer):
    evaluator = UserRefSerializer()
    cells = ProgressCellSerializer(many=True)
    done = serializers.IntegerField()


class SessionEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(choices=SessionStatus.choices)
    to_status = serializers.ChoiceField(choices=SessionStatus.choices)
    actor = UserRefSerializer()


class ActionSerializer(serializers.ModelSerializer):
    session = SessionRefSerializer(read_only=True)
    owner = UserRefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    can_update = serializers.BooleanField(
        read_only=True, help_text="Whether you may change its status."
    )

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "session",
            "description",
            "owner",
            "due_date",
            "status",
            "created_at",
            "done_at",
            "is_overdue",
            "can_update",
        ]
        read_only_fields = [
            "id",
            "session",
            "description",
            "owner",
            "due_date",
            "created_at",
            "done_at",
        ]


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class AgentResultItemSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    text = serializers.CharField()
    section = serializers.CharField()
    answer = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    process_problem = serializers.BooleanField(
        help_text="Flagged as a process problem, not the agent's fault."
    )


class AgentResultSerializer(serializers.Serializer):
    contact = ContactRefSerializer()
    agreed_score = serializers.FloatField(allow_null=True)
    feedback = serializers.CharField(allow_blank=True)
    answers = AgentResultItemSerializer(many=True)


class SessionDetailSerializer(SessionSerializer):
    expert = UserRefSerializer(allow_null=True)
    tolerance = serializers.FloatField()
    contacts = SessionContactSerializer(many=True)
    evaluators = UserRefSerializer(many=True)
    observers = UserRefSerializer(many=True)
    progress = ProgressRowSerializer(
        many=True, help_text="Who has finished what; never an answer or a score."
    )
    events = SessionEventSerializer(many=True)
    actions = ActionSerializer(many=True)
    summary = serializers.CharField(
        allow_null=True, help_text="Once completed; never shown to agents."
    )
    agreed_becomes_official = serializers.BooleanField(allow_null=True)
    share_with_agents = serializers.BooleanField(allow_null=True)
    can_run = serializers.BooleanField()
    can_see_answers = serializers.BooleanField()
    results = AgentResultSerializer(
        many=True,
        help_text="For an agent, once the results are shared: the agreed evaluation of each of "
        "their own contacts.",
    )

    class Meta(SessionSerializer.Meta):
        fields = [
            *SessionSerializer.Meta.fields,
            "expert",
            "reference_mode",
            "tolerance",
            "duration_minutes",
            "location",
            "agenda",
            "ground_rules",
            "contacts",
            "evaluators",
            "observers",
            "progress",
            "events",
            "actions",
            "summary",
            "agreed_becomes_official",
            "share_with_agents",
            "can_run",
            "can_see_answers",
            "results",
        ]


class SessionPlanSerializer(serializers.Serializer):
    """The fields of the Plan a session page. Contacts are either listed or sampled."""

    title = serializers.CharField(max_length=200)
    version = IdField(help_text="A published scorecard version.")
    team = IdField(required=False, allow_null=True)
    facilitator = IdField(required=False, help_text="An administrator or QA lead; you by default.")
    expert = IdField(required=False, allow_null=True)
    reference_mode = serializers.ChoiceField(
        choices=ReferenceMode.choices, default=ReferenceMode.CONSENSUS
    )
    tolerance = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, default=5, coerce_to_string=False
    )
    scoring_deadline = serializers.DateTimeField()
    meeting_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=0, max_value=100000, default=60)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    agenda = serializers.CharField(required=False, help_text="The seeds' advice by default.")
    ground_rules = serializers.CharField(required=False, help_text="The seeds' advice by default.")
    evaluators = serializers.ListField(
        child=IdField(), min_length=2, help_text="At least two users who score."
    )
    observers = serializers.ListField(
        child=IdField(), required=False, help_text="Agents who observe."
    )
    contacts = serializers.ListField(
        child=IdField(),
        required=False,
        min_length=MIN_CONTACTS,
        max_length=MAX_CONTACTS,
        help_text=f"{MIN_CONTACTS} to {MAX_CONTACTS} contact ids; or leave out and sample.",
    )
    sample_team = IdField(required=False, allow_null=True)
    sample_channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    sample_from = serializers.DateField(required=False, allow_null=True)
    sample_to = serializers.DateField(required=False, allow_null=True)
    sample_size = serializers.IntegerField(
        required=False,
        min_value=MIN_CONTACTS,
        max_value=MAX_CONTACTS,
        help_text=f"Without contacts: sample {MIN_CONTACTS} to {MAX_CONTACTS} at random, spread "
        "over the agents.",
    )


class SessionParticipantsSerializer(serializers.Serializer):
    evaluators = serializers.ListField(
        child=IdField(), required=False, max_length=200, help_text="Users who score."
    )
    observers = serializers.ListField(
        child=IdField(), required=False, max_length=200, help_text="Agents who observe."
    )


class SessionRescheduleSerializer(serializers.Serializer):
    meeting_at = serializers.DateTimeField()
    scoring_deadline = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, help_text="As it was by default."
    )
    location = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="As it was by default."
    )


class SessionContactsSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=MAX_CONTACTS,
        help_text=f"Contact ids to add; the session holds at most {MAX_CONTACTS}.",
    )


class SessionCompleteSerializer(serializers.Serializer):
    summary = serializers.CharField()
    agreed_becomes_official = serializers.BooleanField(default=False)
    share_with_agents = serializers.BooleanField(default=False)


class SessionCompletedSerializer(serializers.Serializer):
    session = SessionDetailSerializer()
    official_evaluations = serializers.ListField(child=serializers.IntegerField())
    kept_contacts = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Contacts whose evaluation already shared with the agent was kept.",
    )


# --- the calibration report ------------------------------------------------------------------


class AlphaSerializer(serializers.Serializer):
    estimate = serializers.FloatField()
    se = serializers.FloatField(
        allow_null=True, help_text="Jackknife standard error; null with under 3 contacts."
    )
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField()
    n = serializers.IntegerField(help_text="Contacts scored by two or more evaluators.")
    approximate = serializers.BooleanField(
        help_text="Too few contacts for the interval to be more than a rough range."
    )


class IccSerializer(serializers.Serializer):
    value = serializers.FloatField()
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    f_value = serializers.FloatField(allow_null=True, help_text="F test of ICC = 0.")
    df1 = serializers.FloatField(allow_null=True)
    df2 = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)


class HeadlineSerializer(serializers.Serializer):
    calibrated = serializers.BooleanField(allow_null=True)
    share_within = serializers.FloatField(allow_null=True)
    alpha = AlphaSerializer(
        allow_null=True, help_text="Krippendorff's interval alpha of the totals (jackknife t)."
    )
    icc = serializers.DictField(
        child=IccSerializer(),
        allow_null=True,
        help_text="ICC1 … ICC3k of the totals when every evaluator scored every contact, with "
        "F intervals (null bounds when undefined).",
    )
    contacts = serializers.IntegerField()
    evaluators = serializers.IntegerField()
    answers = serializers.IntegerField()
    mean_spread = serializers.FloatField(allow_null=True)


class BlandAltmanSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Contacts with both a total and a reference total.")
    bias = serializers.FloatField(help_text="Mean of evaluator minus reference, in points.")
    sd = serializers.FloatField()
    lower_limit = serializers.FloatField()
    upper_limit = serializers.FloatField()
    bias_low = serializers.FloatField(allow_null=True)
    bias_high = serializers.FloatField(allow_null=True)
    lower_limit_low = serializers.FloatField(allow_null=True)
    lower_limit_high = serializers.FloatField(allow_null=True)
    upper_limit_low = serializers.FloatField(allow_null=True)
    upper_limit_high = serializers.FloatField(allow_null=True)


class PairEstimateSerializer(serializers.Serializer):
    value = serializers.FloatField()
    se = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    confidence = serializers.FloatField()


class CriterionVersusReferenceSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    key = serializers.CharField()
    weights = serializers.ChoiceField(choices=WEIGHTS)
    n = serializers.IntegerField(
        help_text="Contacts both the evaluator and the reference answered."
    )
    same = serializers.IntegerField(help_text="Of them, contacts with the reference's answer.")
    kappa = PairEstimateSerializer(allow_null=True, help_text="Cohen's kappa (weighted).")
    ac1 = PairEstimateSerializer(allow_null=True, help_text="Gwet's AC1 (AC2 when weighted).")


class ReportEvaluatorSerializer(serializers.Serializer):
    user = serializers.IntegerField(allow_null=True, help_text="null in the anonymous display.")
    label = serializers.CharField()
    scored = serializers.IntegerField()
    mean_abs = serializers.FloatField(allow_null=True)
    bias = serializers.FloatField(allow_null=True)
    max_abs = serializers.FloatField(allow_null=True)
    within_tolerance = serializers.BooleanField(allow_null=True)
    matches_agreed = serializers.FloatField(allow_null=True)
    previous_mean_abs = serializers.FloatField(allow_null=True)
    is_reference = serializers.BooleanField(
        help_text="The expert whose scores are the reference (expert mode)."
    )
    versus_reference = BlandAltmanSerializer(
        allow_null=True, help_text="Bland-Altman limits of agreement with the reference totals."
    )
    criteria_versus_reference = CriterionVersusReferenceSerializer(many=True)


class SpreadSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()
    spread = serializers.FloatField()
    sd = serializers.FloatField(allow_null=True)


class CellSerializer(serializers.Serializer):
    total = serializers.FloatField(allow_null=True)
    deviation = serializers.FloatField(allow_null=True)


class ReportContactSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    contact = ContactRefSerializer()
    reference_total = serializers.FloatField(allow_null=True)
    agreed_score = serializers.FloatField(allow_null=True)
    spread = SpreadSerializer(allow_null=True)
    cells = CellSerializer(many=True, help_text="One per evaluator, in the evaluators' order.")


class BenchmarkSerializer(serializers.Serializer):
    scale = serializers.ChoiceField(choices=list(SCALES))
    level = serializers.ChoiceField(
        choices=list(dict.fromkeys(lv.key for scale in SCALES.values() for lv in scale.levels)),
        help_text="The highest level the coefficient reaches with 95% probability.",
    )
    probability = serializers.FloatField(
        allow_null=True, help_text="That the coefficient lies in this level."
    )
    cumulative = serializers.FloatField(
        allow_null=True, help_text="That it lies in this level or a higher one."
    )


class CoefficientSerializer(serializers.Serializer):
    value = serializers.FloatField()
    se = serializers.FloatField(allow_null=True, help_text="Gwet's standard error.")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField()
    n = serializers.IntegerField(help_text="Contacts with an answer.")
    weights = serializers.ChoiceField(choices=WEIGHTS)
    benchmark = BenchmarkSerializer(
        allow_null=True, help_text="Gwet's probabilistic benchmark; null for percent agreement."
    )


class CoefficientsSerializer(serializers.Serializer):
    """The family of chance-corrected coefficients; null where one is undefined."""

    percent_agreement = CoefficientSerializer(allow_null=True)
    ac1 = CoefficientSerializer(allow_null=True, help_text="Gwet's AC1 (AC2 when weighted).")
    fleiss_kappa = CoefficientSerializer(allow_null=True)
    brennan_prediger = CoefficientSerializer(allow_null=True)
    conger_kappa = CoefficientSerializer(allow_null=True)
    krippendorff_alpha = CoefficientSerializer(allow_null=True)


class ReportCriterionSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    key = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    n = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    alpha = serializers.FloatField(allow_null=True)
    ac1 = serializers.FloatField(allow_null=True)
    na_consistency = serializers.FloatField(allow_null=True)
    low_agreement = serializers.BooleanField()
    flagged = serializers.BooleanField()
    matches_agreed = serializers.FloatField(allow_null=True)
    previous_agreement = serializers.FloatField(allow_null=True)
    weights = serializers.ChoiceField(
        choices=WEIGHTS,
        help_text="identity (yes/no, unordered), ordinal (options), quadratic (scale).",
    )
    coefficients = CoefficientsSerializer()


class RawAnswerSerializer(serializers.Serializer):
    contact = serializers.CharField()
    agent = serializers.CharField()
    criterion = serializers.CharField()
    evaluator = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    points = serializers.FloatField(allow_null=True)


class PreviousSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    meeting_at = serializers.DateTimeField()


class ReportSerializer(serializers.Serializer):
    session = SessionSerializer()
    reference_mode = serializers.ChoiceField(choices=ReferenceMode.choices)
    tolerance = serializers.FloatField()
    anonymous = serializers.BooleanField()
    headline = HeadlineSerializer()
    previous_session = PreviousSessionSerializer(allow_null=True)
    evaluators = ReportEvaluatorSerializer(many=True)
    contacts = ReportContactSerializer(many=True)
    criteria = ReportCriterionSerializer(many=True)
    raw_answers = RawAnswerSerializer(many=True)


# --- errors ----------------------------------------------------------------------------------


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The request field, dotted when nested; null: the request."
    )
    message = serializers.CharField()
    code = serializers.CharField()
    index = serializers.IntegerField(
        required=False, help_text="For a list body: the item, counted from 0."
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


# --- series and notifications --------------------------------------------------------------


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SeriesSerializer(serializers.ModelSerializer):
    team = NamedRefSerializer(read_only=True)
    scorecard = NamedRefSerializer(read_only=True)
    facilitator = UserRefSerializer(read_only=True)
    cadence = serializers.CharField(
        source="rule_in_words", read_only=True, help_text="The rule in words."
    )
    next_meetings = serializers.ListField(
        child=serializers.DateTimeField(), read_only=True, help_text="The next five meetings."
    )

    class Meta:
        model = Series
        fields = [
            "id",
            "title",
            "team",
            "scorecard",
            "facilitator",
            "cadence",
            "cadence_kind",
            "weekday",
            "interval",
            "nth",
            "first_day",
            "meeting_time",
            "time_zone",
            "duration_minutes",
            "location",
            "reference_mode",
            "tolerance",
            "scoring_days",
            "lead_days",
            "sample_channel",
            "sample_days",
            "sample_size",
            "is_active",
            "last_problem",
            "next_meetings",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    # Written when read, in the request's language and the user's time zone (the view sets
    # ``words`` on each notification).
    subject = serializers.CharField(source="words.subject", read_only=True)
    body = serializers.CharField(
        source="words.body", read_only=True, help_text="What it says, as plain text."
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "session", "created_at", "read_at"]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")
