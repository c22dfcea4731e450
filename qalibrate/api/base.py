"""What every API view shares: the request size check and the user's own language and zone."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from rest_framework import exceptions as drf_exceptions

from qalibrate.api.exceptions import RequestTooLarge
from qalibrate.api.serializers import MAX_ID, ErrorSerializer

ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    413: ErrorSerializer,
    429: ErrorSerializer,
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class ApiViewMixin:
    lookup_value_converter = "int"  # /api/v1/contacts/<int:pk>/: other ids match no address

    @property
    def max_request_bytes(self) -> int:
        # DRF reads the body from the stream, past Django's own check of this setting.
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def initial(self, request, *args, **kwargs):
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
