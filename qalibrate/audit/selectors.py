"""Reading the audit trail."""

from qalibrate.audit.models import AuditEvent


def audit_events():
    """Every event, newest first, with the names the list shows."""
    return AuditEvent.objects.select_related("actor", "team").order_by("-at", "-pk")
