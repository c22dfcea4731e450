"""Small pieces the endpoints of every domain share: ids, query flags, form errors, figures."""

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

# The largest id a database holds (a signed 64-bit integer): a bigger one matches nothing, and
# SQLite cannot even compare with it.
MAX_ID = 2**63 - 1

TRUE = ("1", "true", "yes", "on")

FLAG_PARAMETER = {"type": OpenApiTypes.BOOL, "location": OpenApiParameter.QUERY, "required": False}


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 (used like a field class)
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in TRUE


def form_errors(form) -> exceptions.ValidationError:
    """A Django form's errors as DRF's, field by field, with their codes."""
    detail = {}
    for field, items in form.errors.as_data().items():
        key = "non_field_errors" if field == "__all__" else field
        detail[key] = [
            serializers.ErrorDetail(message, code=item.code or "invalid")
            for item in items
            for message in item.messages
        ]
    return exceptions.ValidationError(detail)


def finite(data):
    """NaN and infinity are not JSON: a figure that cannot be computed is null."""
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [finite(value) for value in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data
