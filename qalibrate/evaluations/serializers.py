"""What the API sends about evaluations: the list and one evaluation with its answers. Agents
never learn who scored them or how long it took."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from qalibrate.accounts.serializers import UserRefSerializer
from qalibrate.api.helpers import IdField
from qalibrate.calibration.models import CalibrationSession
from qalibrate.contacts.models import Contact
from qalibrate.contacts.serializers import ContactRefSerializer
from qalibrate.evaluations.models import Answer, Evaluation
from qalibrate.scorecards.models import ScorecardVersion, VersionStatus
from qalibrate.scorecards.serializers import VersionRefSerializer


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
    revision = serializers.IntegerField(
        help_text="Send it back with your next save: a newer one here means a 409, nothing saved."
    )
    time_spent_seconds = serializers.SerializerMethodField()
    failed_critical = serializers.ListField(
        child=serializers.IntegerField(), help_text="Critical criteria failed by the answers."
    )

    class Meta(EvaluationSerializer.Meta):
        fields = [
            *EvaluationSerializer.Meta.fields,
            "summary",
            "revision",
            "time_spent_seconds",
            "answers",
            "failed_critical",
        ]

    def get_time_spent_seconds(self, evaluation) -> int | None:
        return None if self._for_agent() else evaluation.time_spent_seconds


# --- writes: what an evaluator, a person or an automatic scorer, sends -----------------------


class EvaluationStartSerializer(serializers.Serializer):
    """POST /evaluations/: the contact, and the session it is scored in or the published
    version to score it on outside any session."""

    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none())
    session = serializers.PrimaryKeyRelatedField(
        queryset=CalibrationSession.objects.none(),
        required=False,
        allow_null=True,
        help_text="A calibration session you were invited to score, open for scoring.",
    )
    version = serializers.PrimaryKeyRelatedField(
        queryset=ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED),
        required=False,
        allow_null=True,
        help_text="Outside a session: the published scorecard version. In one: its version.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none while the schema is drawn
        if request is not None:
            user = request.user
            self.fields["contact"].queryset = Contact.objects.visible_to(user)
            self.fields["session"].queryset = CalibrationSession.objects.visible_to(user)

    def validate(self, data):
        session, version = data.get("session"), data.get("version")
        if session is None and version is None:
            raise serializers.ValidationError(
                {"version": _("Give the session, or the published version to score on.")}
            )
        if session is not None and version is not None and version != session.version:
            raise serializers.ValidationError(
                {"version": _("A session's contacts are scored on the session's version.")}
            )
        return data


class AnswerInputSerializer(serializers.Serializer):
    criterion = IdField(help_text="The criterion's id (the version's sections list them).")
    value = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=10_000,
        help_text="The answer as the form stores it: an option, a scale point, yes/no, text.",
    )
    is_na = serializers.BooleanField(required=False, default=False)
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)
    media_timestamp = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0, max_value=10**7
    )


class EvaluationSaveSerializer(serializers.Serializer):
    """PATCH /evaluations/<id>/ and POST …/submit/: answers to save (only those given change)."""

    answers = AnswerInputSerializer(many=True, required=False, default=list)
    summary = serializers.CharField(allow_blank=True, required=False, max_length=20_000)
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The revision you last read; if the evaluation was saved since, 409.",
    )
    seconds_spent = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=10**6
    )

    def validate_answers(self, answers):
        criteria = [a["criterion"] for a in answers]
        if len(criteria) != len(set(criteria)):
            raise serializers.ValidationError(_("Each criterion may be answered once."))
        return answers
