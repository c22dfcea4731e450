"""The webhook endpoints of the REST API, for administrators: /api/v1/webhooks/ (create, read,
change, delete, send a test event, renew the secret) and /api/v1/webhook-deliveries/ (the
delivery log, and sending a failed delivery again)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from qalibrate.api.base import ApiViewMixin, errors, takes_no_body
from qalibrate.api.filters import IdFilter, ListFilterBackend
from qalibrate.webhooks import services
from qalibrate.webhooks.models import Delivery, DeliveryStatus, Webhook
from qalibrate.webhooks.permissions import can_manage_webhooks
from qalibrate.webhooks.serializers import (
    DeliverySerializer,
    RetriedSerializer,
    WebhookSerializer,
)

WEBHOOK_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The webhook's id.")
DELIVERY_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The delivery's id.")


class CanManageWebhooks(BasePermission):
    def has_permission(self, request, view):
        return can_manage_webhooks(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Webhooks: where session and evaluation events are posted",
        responses={200: WebhookSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    create=extend_schema(
        summary="A new webhook (its secret is made for it)",
        responses={201: WebhookSerializer, **errors(400, 401, 403, 413, 429)},
    ),
    retrieve=extend_schema(
        summary="A webhook",
        parameters=[WEBHOOK_ID],
        responses={200: WebhookSerializer, **errors(401, 403, 404, 429)},
    ),
    partial_update=extend_schema(
        summary="Change a webhook's name, address, events, team or whether it is active",
        parameters=[WEBHOOK_ID],
        responses={200: WebhookSerializer, **errors(400, 401, 403, 404, 413, 429)},
    ),
    destroy=extend_schema(
        summary="Delete a webhook and its delivery log",
        parameters=[WEBHOOK_ID],
        responses={204: None, **errors(400, 401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["webhooks"])
class WebhookViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookSerializer
    permission_classes = [CanManageWebhooks]
    queryset = Webhook.objects.order_by("name", "pk")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.webhook_save(
            user=self.request.user, webhook=Webhook(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        webhook = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(webhook, name, value)
        serializer.instance = services.webhook_save(user=self.request.user, webhook=webhook)

    @takes_no_body
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.webhook_delete(user=self.request.user, webhook=instance)

    @extend_schema(
        summary="Send a test event (ping) to the webhook's address",
        parameters=[WEBHOOK_ID],
        request=None,
        responses={202: DeliverySerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    @takes_no_body
    def ping(self, request, pk=None):
        delivery = services.ping(user=request.user, webhook=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Give the webhook a new secret; the old one signs nothing more",
        parameters=[WEBHOOK_ID],
        request=None,
        responses={200: WebhookSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    @takes_no_body
    def secret(self, request, pk=None):
        webhook = services.secret_renew(user=request.user, webhook=self.get_object())
        return Response(WebhookSerializer(webhook).data)


class DeliveryFilter(django_filters.FilterSet):
    webhook = IdFilter(field_name="webhook_id", help_text="A webhook's id.")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = ["webhook", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="The delivery log, newest first",
        responses={200: DeliverySerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One delivery, with its payload",
        parameters=[DELIVERY_ID],
        responses={200: DeliverySerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["webhooks"])
class DeliveryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    permission_classes = [CanManageWebhooks]
    queryset = Delivery.objects.order_by("-created_at", "-pk")
    filter_backends = [ListFilterBackend]
    filterset_class = DeliveryFilter

    @extend_schema(
        summary="Send a failed or waiting delivery again, from its first attempt",
        parameters=[DELIVERY_ID],
        request=None,
        responses={202: RetriedSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    @takes_no_body
    def retry(self, request, pk=None):
        services.retry_now(user=request.user, delivery=self.get_object())
        return Response({"status": DeliveryStatus.PENDING}, status=status.HTTP_202_ACCEPTED)
