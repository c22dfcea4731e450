"""Writing to the audit trail: one function, called where the thing happens (a service, a view
for reads such as report views, a signal receiver for sign-ins)."""

from django.db import models

from qalibrate.audit.middleware import request_current
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
    """Append one event. ``request`` defaults to the one being answered (none in jobs) and
    ``actor`` to its user; ``target`` is any model instance (kept by type, id and its text as
    it reads now)."""
    from qalibrate.accounts.login_limits import client_address

    if request is None:
        request = request_current()
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
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
