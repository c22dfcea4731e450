"""What every API view shares: the checks of the request's body (size, JSON, none where an action
takes none), Idempotency-Key, and the user's own language and zone."""

import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions

from qalibrate.api import idempotency
from qalibrate.api.exceptions import ErrorSerializer, LengthRequired, RequestTooLarge
from qalibrate.api.helpers import MAX_ID
from qalibrate.api.schema import WRITE_METHODS, ApiAutoSchema

ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
    413: ErrorSerializer,
    422: ErrorSerializer,
    429: ErrorSerializer,
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


def takes_no_body(function):
    """Marks an action that reads no body (open, reveal...): anything but nothing or {} is
    refused rather than ignored, so a client never believes its broken body was understood."""
    function.takes_no_body = True
    return function


class ApiViewMixin:
    schema = ApiAutoSchema()
    lookup_value_converter = "int"  # /api/v1/contacts/<int:pk>/: other ids match no address

    @property
    def max_request_bytes(self) -> int:
        # DRF reads the body from the stream, past Django's own check of this setting.
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def dispatch(self, request, *args, **kwargs):
        # A write sent with an Idempotency-Key runs in one transaction with its key: a process
        # that dies half-way leaves neither the change nor the key, so the retry runs it anew;
        # one that finishes leaves both, so the retry gets its answer.
        if request.method in WRITE_METHODS and idempotency.HEADER in request.headers:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if "HTTP_TRANSFER_ENCODING" in request.META:
            # A body without Content-Length would be read as none: refused, not ignored.
            raise LengthRequired
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise drf_exceptions.ParseError() from None
        if length > self.max_request_bytes:
            raise RequestTooLarge(self.max_request_bytes)
        if kwargs.get("pk", 0) > MAX_ID:
            raise drf_exceptions.NotFound
        super().initial(request, *args, **kwargs)
        user = request.user
        if user.is_authenticated:
            # A script has no language cookie: messages come in the user's own language
            # unless the request asks for one.
            if "HTTP_ACCEPT_LANGUAGE" not in request.META:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        # The handler of this method (for a viewset, its action); none: DRF answers 405.
        handler = getattr(self, request.method.lower(), None)
        if request.method in WRITE_METHODS and handler is not None:
            self._body_check(request, length, handler)
            self._idempotency_claim(request)

    def _body_check(self, request, length: int, handler) -> None:
        """Parse the body before the action runs: broken JSON is a 400 whether or not the
        action reads it, and an action that takes no body gets none."""
        if length and not request.content_type:
            raise drf_exceptions.UnsupportedMediaType(
                "", detail=_("Send the body as JSON, with Content-Type: application/json.")
            )
        data = request.data
        if getattr(handler, "takes_no_body", False) and data not in ({}, None):
            raise drf_exceptions.ValidationError(
                [_("This action takes no request body; send none, or {}.")]
            )

    def _idempotency_claim(self, request) -> None:
        self.idempotent_request = None
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return
        self.idempotent_request = idempotency.key_claim(
            user=request.user,
            key=key,
            fingerprint=idempotency.fingerprint(
                method=request.method, path=request.get_full_path(), data=request.data
            ),
        )

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except BaseException:
            # A server error: the key is released, so that a retry runs the request again.
            entry = getattr(self, "idempotent_request", None)
            if entry is not None:
                idempotency.key_release(entry=entry)
                self.idempotent_request = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        entry = getattr(self, "idempotent_request", None)
        if entry is not None:
            idempotency.answer_store(entry=entry, response=response)
            self.idempotent_request = None
        return response
