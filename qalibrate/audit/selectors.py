"""Reading the audit trail."""

from qalibrate.audit.models import AuditEvent


def audit_events():
    """Every event, newest first, with the names the list shows."""
    return AuditEvent.objects.select_related("actor", "team").order_by("-at", "-pk")


def audit_target_types() -> list[str]:
    """The kinds of object the trail names, for its filter."""
    return sorted(
        AuditEvent.objects.exclude(target_type="")
        .order_by()
        .values_list("target_type", flat=True)
        .distinct()
    )
