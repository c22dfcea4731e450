from django.db.models import QuerySet

from qalibrate.accounts.models import User
from qalibrate.contacts.models import Contact


def recent_contacts_for(*, user: User, limit: int = 10) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user).select_related("agent", "team")[:limit]
