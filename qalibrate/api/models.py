from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """An API write sent with an Idempotency-Key: its outcome, kept 24 hours, so that a retry
    with the same key gets the same answer and does nothing again (qalibrate/api/idempotency.py).
    In the database, not a cache: every process and every machine sees it, and it survives a
    restart."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the address and the body: the same key with another request is
    # refused, not answered with this one's outcome.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # null while the first one runs
    response = models.TextField(blank=True)  # its JSON body
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'running'})"
