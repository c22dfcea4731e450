"""Every API error as JSON: {"detail": "...", "errors": [{"field", "message", "code"}]}.

The services raise Django's ValidationError and PermissionDenied: they become 400 and 403 like
DRF's own exceptions. `field` names the request field (dotted for nested data, e.g.
`evaluators.1`), or is null for an error about the request as a whole.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

GENERAL_KEYS = {NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY}


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The request field, dotted when nested; null: the request."
    )
    message = serializers.CharField()
    code = serializers.CharField()
    index = serializers.IntegerField(
        required=False, help_text="For a list body: the item, counted from 0."
    )


class ErrorSerializer(serializers.Serializer):
    # Every error's body, as the schema documents it (base.errors).
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(
            _("The request body is larger than the limit of %(limit)s.")
            % {"limit": filesizeformat(limit)}
        )


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_code = "length_required"
    default_detail = _("Send the request body with a Content-Length header, not in chunks.")


class RowErrors(exceptions.ValidationError):
    """Problems in the items of a list sent as the body: each with its item's index."""

    def __init__(self, errors: list[dict], detail: str):
        super().__init__(detail)
        self.rows = errors


def django_validation_detail(error: DjangoValidationError):
    """A Django ValidationError in DRF's shape: {field: [messages]} or [messages]."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
                message for item in items for message in item.messages
            ]
            for field, items in error.error_dict.items()
        }
    return list(error.messages)


def _flattened(detail, path=()):
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flattened(value, (*path, str(key)))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from _flattened(item, (*path, str(index)))
            else:
                yield path, item
    else:
        yield path, detail


def _field(path: tuple) -> str | None:
    if path and path[-1] in GENERAL_KEYS:
        path = path[:-1]
    return ".".join(path) or None


def validation_errors(detail) -> list[dict]:
    return [
        {
            "field": _field(path),
            "message": str(message),
            "code": getattr(message, "code", "invalid"),
        }
        for path, message in _flattened(detail)
    ]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, RequestDataTooBig):  # Django's own limit, should a body reach it
        exc = RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, RowErrors):
        errors = exc.rows
        detail = str(exc.detail[0]) if isinstance(exc.detail, list) else str(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        errors = validation_errors(exc.detail)
        first = errors[0] if errors else None
        if first is None:
            detail = str(exceptions.ValidationError.default_detail)
        elif first["field"]:
            detail = f"{first['field']}: {first['message']}"
        else:
            detail = first["message"]
    else:
        errors = []
        data = response.data
        detail = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
    response.data = {"detail": detail, "errors": errors}
    return response
