from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qalibrate.accounts.serializers import TeamSerializer, UserRefSerializer
from qalibrate.double_scoring.models import Pair


class PairEvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The evaluation's id (/api/v1/evaluations/<id>/).")
    evaluator = UserRefSerializer()
    submitted = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField(help_text="Submitted (not a draft)."))
    def get_submitted(self, evaluation) -> bool:
        return not evaluation.is_draft


class CriterionSameSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The criterion's stable key across versions.")
    same = serializers.BooleanField(help_text="Both evaluations gave the same answer.")


class PairSerializer(serializers.ModelSerializer):
    team = TeamSerializer()
    contact = serializers.IntegerField(source="first.contact_id")
    first = PairEvaluationSerializer()
    second = PairEvaluationSerializer()
    tolerance = serializers.FloatField(help_text="In points.")
    deviation = serializers.FloatField(
        allow_null=True, help_text="|first score − second score| in points, once both are in."
    )
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Pair
        fields = [
            "id",
            "team",
            "contact",
            "first",
            "second",
            "reason",
            "by_expert",
            "tolerance",
            "drawn_at",
            "completed_at",
            "deviation",
            "within_tolerance",
            "criteria",
        ]

    @extend_schema_field(CriterionSameSerializer(many=True))
    def get_criteria(self, pair):
        return [{"key": key, "same": same} for key, same in sorted(pair.criteria.items())]
