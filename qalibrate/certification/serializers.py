from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qalibrate.accounts.serializers import TeamSerializer, UserRefSerializer
from qalibrate.certification.models import Certification, GoldAttempt


class GoldAttemptSerializer(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="gold.contact_id")
    evaluation = serializers.IntegerField(source="evaluation_id")
    agreed_score = serializers.SerializerMethodField()

    class Meta:
        model = GoldAttempt
        fields = ["position", "contact", "evaluation", "score", "agreed_score", "deviation"]

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True,
            help_text="Null for the candidate while the certification runs (blind).",
        )
    )
    def get_agreed_score(self, attempt) -> float | None:
        return attempt.agreed_score if self.context.get("show_agreed") else None


class CertificationSerializer(serializers.ModelSerializer):
    evaluator = UserRefSerializer()
    team = TeamSerializer()
    scorecard = serializers.IntegerField(source="scorecard_id")
    tolerance = serializers.FloatField(help_text="In points.")
    low = serializers.FloatField(allow_null=True, help_text="99% lower bound of the mean.")
    high = serializers.FloatField(allow_null=True, help_text="99% upper bound of the mean.")
    attempts = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = [
            "id",
            "evaluator",
            "team",
            "scorecard",
            "status",
            "tolerance",
            "max_contacts",
            "started_at",
            "finished_at",
            "mean_deviation",
            "low",
            "high",
            "attempts",
        ]

    @extend_schema_field(GoldAttemptSerializer(many=True))
    def get_attempts(self, certification):
        user = self.context["request"].user
        show = not (certification.evaluator_id == user.pk and certification.in_progress)
        attempts = certification.attempts.select_related("gold").order_by("position")
        return GoldAttemptSerializer(attempts, many=True, context={"show_agreed": show}).data
