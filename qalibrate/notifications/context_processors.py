from qalibrate.notifications.models import Notification


def bell(request):
    """The unread count beside the bell: one COUNT query, only for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
    }
