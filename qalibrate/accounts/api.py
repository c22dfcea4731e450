"""The people endpoints of the REST API: /api/v1/me/, /users/ and /teams/."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from qalibrate.accounts.models import Role, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.accounts.serializers import MeSerializer, TeamSerializer, UserSerializer
from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.filters import BlankChoiceFilter, ListFilterBackend
from qalibrate.api.permissions import CanPlanSessions, IsStaff


class MeView(ApiViewMixin, APIView):
    @extend_schema(responses={200: MeSerializer, **errors(401, 429)}, tags=["people"])
    def get(self, request):
        """The signed-in user: who the token or session belongs to."""
        return Response(MeSerializer(request.user).data)


class UserFilter(django_filters.FilterSet):
    role = BlankChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role"]


@extend_schema_view(
    list=extend_schema(
        summary="Active users, for planning sessions (administrators and QA leads)",
        responses={200: UserSerializer(many=True), **errors(400, 401, 403, 404, 429)},
        tags=["people"],
    )
)
class UserViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = UserSerializer
    permission_classes = [CanPlanSessions]
    queryset = User.objects.filter(is_active=True).prefetch_related("teams")
    filter_backends = [ListFilterBackend, OrderingFilter]
    filterset_class = UserFilter
    ordering_fields = ["username", "last_name"]
    ordering = ["last_name", "first_name", "username"]


@extend_schema_view(
    list=extend_schema(
        summary="Your teams (everyone but agents; all of them for those who see every team)",
        responses={200: TeamSerializer(many=True), **errors(400, 401, 403, 404, 429)},
        tags=["people"],
    )
)
class TeamViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TeamSerializer
    permission_classes = [IsStaff]

    def get_queryset(self):
        return visible_teams(self.request.user).order_by("name")
