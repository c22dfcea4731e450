"""Personal API tokens: made with a random key that is shown once; only its SHA-256 is kept."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qalibrate.accounts.models import ApiToken, User
from qalibrate.accounts.permissions import can_revoke_token
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record

KEY_PREFIX = "qal_"
SHOWN_CHARS = len(KEY_PREFIX) + 8
# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user, and its key: the only time the key is known."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], key_hash=key_hash(key), prefix=key[:SHOWN_CHARS]
    )
    audit_record(
        action=AuditAction.TOKEN_CREATED,
        actor=user,
        target=token,
        details={"owner": user.username, "prefix": token.prefix},
    )
    return token, key


def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    """Revoke one's own token (administrators: anyone's). Revoking twice changes nothing."""
    if not can_revoke_token(user, token):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            actor=user,
            target=token,
            details={"owner": token.user.username, "prefix": token.prefix},
        )
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key, its user active too; None otherwise."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
