"""What the API sends about notifications."""

from rest_framework import serializers

from qalibrate.notifications.models import Notification


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
