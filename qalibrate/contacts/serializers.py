"""What the API sends and takes about contacts: the list, one contact, the bulk upload's rows
(checked by qalibrate.contacts.importing as the contact import's) and its result."""

from django.urls import reverse
from rest_framework import serializers

from qalibrate.accounts.serializers import TeamSerializer
from qalibrate.contacts.models import Contact


class AgentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    employee_id = serializers.CharField(allow_null=True)


class ContactRefSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.full_name")

    class Meta:
        model = Contact
        fields = ["id", "external_id", "channel", "agent"]


class ContactSerializer(serializers.ModelSerializer):
    agent = AgentRefSerializer()
    team = TeamSerializer()
    has_recording = serializers.SerializerMethodField()
    is_evaluated = serializers.BooleanField(
        help_text="Has at least one submitted evaluation that you may see.", required=False
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
