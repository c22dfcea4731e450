"""What the webhook endpoints send and take. A webhook's secret is shown to those who manage
webhooks (administrators), as its page shows it."""

from rest_framework import serializers

from qalibrate.accounts.models import Team
from qalibrate.webhooks.models import SUBSCRIBABLE, Delivery, Webhook


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[(e.value, e.label) for e in SUBSCRIBABLE]),
        allow_empty=False,
        help_text="The events posted to the address.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="Only this team's events; null: every team's.",
    )

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "events", "team", "active", "secret", "created_at"]
        read_only_fields = ["id", "secret", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook",
            "message_id",
            "event",
            "payload",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class RetriedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="pending: it goes again in a moment.")
