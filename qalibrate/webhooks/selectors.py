from django.db.models import Count, Max, Q, QuerySet

from qalibrate.webhooks.models import Delivery, DeliveryStatus, Webhook


def webhooks_listed() -> QuerySet[Webhook]:
    """Every webhook with the counts its list shows: failed and waiting deliveries, the last."""
    return Webhook.objects.select_related("team").annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        waiting=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        ),
        last_delivery_at=Max("deliveries__created_at"),
    )


def deliveries_of(webhook: Webhook) -> QuerySet[Delivery]:
    """The delivery log, newest first."""
    return Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")
