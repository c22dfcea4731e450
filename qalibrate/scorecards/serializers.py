"""What the API sends about scorecards: lists, one version with its sections and criteria, and
the scorecard JSON document of Export JSON (qalibrate.scorecards.formats)."""

from rest_framework import serializers

from qalibrate.scorecards import models


class VersionRefSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="scorecard_id")
    scorecard_name = serializers.CharField(source="scorecard.name")

    class Meta:
        model = models.ScorecardVersion
        fields = ["id", "scorecard", "scorecard_name", "number"]


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = models.ScorecardVersion
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
        model = models.Scorecard
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
        model = models.Criterion
        fields = ["id", "key", "position", *models.CRITERION_CONTENT_FIELDS]


class SectionSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True)

    class Meta:
        model = models.Section
        fields = ["id", "key", "position", "title", "description", "weight", "criteria"]


class VersionSerializer(serializers.ModelSerializer):
    scorecard = serializers.IntegerField(source="scorecard_id")
    scorecard_name = serializers.CharField(source="scorecard.name")
    sections = SectionSerializer(many=True, source="content")

    class Meta:
        model = models.ScorecardVersion
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
    kind = serializers.ChoiceField(choices=models.CriterionKind.choices)
    points = serializers.IntegerField()
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    options = OptionSerializer(many=True)
    na_allowed = serializers.BooleanField()
    critical = serializers.ChoiceField(choices=models.CriticalScope.choices)
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
    purpose = serializers.ChoiceField(choices=models.Purpose.choices)
    language = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    sections = ExportSectionSerializer(many=True)
