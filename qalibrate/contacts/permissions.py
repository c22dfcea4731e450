"""Who may do what with contacts (docs/architecture.md). Which contacts a user sees is
Contact.objects.visible_to(user)."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff, is_staff_member


def can_import_contacts(user: User) -> bool:
    """QA staff import contacts (files, the API's bulk upload) and their recordings."""
    return is_qa_staff(user)


def can_filter_contacts(user: User) -> bool:
    """Everyone but agents filters the contact list by team, agent and channel: an agent's list
    holds only their own contacts."""
    return is_staff_member(user)
