"""The notification endpoints of the REST API: /api/v1/notifications/, what the bell shows,
and marking them all read."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qalibrate.api.base import ApiViewMixin, errors, takes_no_body
from qalibrate.api.filters import FlagFilter, ListFilterBackend
from qalibrate.notifications import selectors, services
from qalibrate.notifications.models import Notification
from qalibrate.notifications.serializers import MarkedReadSerializer, NotificationSerializer


class NotificationFilter(django_filters.FilterSet):
    unread = FlagFilter(method="unread_only")

    class Meta:
        model = Notification
        fields = ["unread"]

    def unread_only(self, queryset, name, value):
        return queryset.filter(read_at__isnull=True) if value else queryset


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first (what the bell shows)",
        responses={200: NotificationSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the model, for the schema: get_queryset has the rows
    filter_backends = [ListFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        return selectors.with_words(page, reader=self.request.user)

    @extend_schema(
        summary="Mark all your notifications as read",
        request=None,
        responses={200: MarkedReadSerializer, **errors(400, 401, 429)},
    )
    @action(detail=False, methods=["post"])
    @takes_no_body
    def read(self, request):
        return Response({"marked": services.mark_read(user=request.user)})
