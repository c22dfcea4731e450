"""What the API sends about evaluations: the list and one evaluation with its answers. Agents
never learn who scored them or how long it took."""

from rest_framework import serializers

from qalibrate.accounts.serializers import UserRefSerializer
from qalibrate.contacts.serializers import ContactRefSerializer
from qalibrate.evaluations.models import Answer, Evaluation
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
