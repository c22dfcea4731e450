"""Writing to the audit trail: one function, called where the thing happens (a service, a view
for reads such as report views, a signal receiver for sign-ins)."""

from django.db import models

from qalibrate.audit.models import AuditEvent


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    team=None,
    details: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one event. ``actor`` defaults to the request's user; ``target`` is any model
    instance (kept by type, id and its text as it reads now)."""
    from qalibrate.accounts.login_limits import client_address

    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        team=team,
        details=details or {},
        address=client_address(request) if request is not None else None,
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_label = str(target)[:300]
    event.save()
    return event
