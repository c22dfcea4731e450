"""Idempotency-Key on API writes (README "REST API"): a client that lost the answer to a write
retries it with the same key and gets the first answer back, with nothing done twice.

The first request with a key claims it (a row) and stores its answer in the same transaction
as its write (api/base.py): a request that dies half-way leaves neither, and a second request
with the key waits for the first to commit (PostgreSQL's unique index, SQLite's write lock). A
retry with the same request gets the stored answer; with another request (method, address or
body), a 422; with a key whose first request has not answered, a 409 (a safeguard: the claim
and the answer commit together). Keys are per user and kept for 24 hours. A request that ends
in a server error leaves no key: nothing was answered, so a retry may run it again.
"""

import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from qalibrate.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as a header carries it


class KeyInvalid(exceptions.ValidationError):
    def __init__(self):
        super().__init__(
            {HEADER: [_("Give 1 to 255 visible ASCII characters (a UUID, for example).")]}
        )


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"
    default_detail = _(
        "A request with this Idempotency-Key has not finished. Wait for it, then retry; if it "
        "was interrupted, check whether its change was made before sending it with a new key."
    )


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was used in the last 24 hours for a different request (another "
        "address or body). Use a new key for a new request."
    )


class Replay(Exception):
    """The stored answer to send instead of running the request again."""

    def __init__(self, entry: IdempotentRequest):
        super().__init__(entry.key)
        self.response = Response(
            json.loads(entry.response) if entry.response else None,
            status=entry.status_code,
            headers={"Idempotent-Replayed": "true"},
        )


def fingerprint(*, method: str, path: str, data) -> str:
    """The same request however its JSON is spaced or its keys ordered."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=JSONEncoder)
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def key_claim(*, user, key: str, fingerprint: str) -> IdempotentRequest:
    """The new row for this key, or Replay, KeyReused or KeyInUse for one already used."""
    if not KEY_PATTERN.fullmatch(key):
        raise KeyInvalid
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    entry = IdempotentRequest.objects.filter(user=user, key=key).first()
    if entry is None:  # released (a server error) since: this request may run
        return key_claim(user=user, key=key, fingerprint=fingerprint)
    if entry.fingerprint != fingerprint:
        raise KeyReused
    if entry.status_code is None:
        raise KeyInUse
    raise Replay(entry)


def answer_store(*, entry: IdempotentRequest, response) -> None:
    """Keep the answer to the request that claimed the key; a server error releases it."""
    if response.status_code >= 500:
        key_release(entry=entry)
        return
    data = getattr(response, "data", None)
    entry.status_code = response.status_code
    entry.response = "" if data is None else json.dumps(data, cls=JSONEncoder)
    entry.save(update_fields=["status_code", "response"])


def key_release(*, entry: IdempotentRequest) -> None:
    IdempotentRequest.objects.filter(pk=entry.pk).delete()
