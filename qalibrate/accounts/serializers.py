"""What the API sends about people and teams; the other domains' serializers refer to people
with UserRefSerializer and to teams with TeamSerializer."""

from rest_framework import serializers

from qalibrate.accounts.models import Team, User


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    is_automatic = serializers.BooleanField(
        help_text="An automatic scorer (a program scoring through the API), not a person."
    )


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


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
