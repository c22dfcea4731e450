from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import can_manage_users


def can_manage_webhooks(user: User) -> bool:
    """A webhook sends the organisation's events to another system under a secret: set by
    those who manage users and settings, administrators."""
    return can_manage_users(user)
