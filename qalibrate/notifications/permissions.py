"""Who may do what with notifications (docs/architecture.md). Everyone reads and settles their
own notifications; which ones are a user's is Notification.objects.visible_to(user)."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import can_manage_users


def can_see_deliveries(user: User) -> bool:
    """The e-mail outbox (failed and waiting deliveries, sent again from there) names every
    user's mail, so it is for those who manage the users: administrators."""
    return can_manage_users(user)
