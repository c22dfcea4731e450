"""OpenAPI descriptions that drf-spectacular cannot work out by itself."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "qalibrate.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 (a word, no secret)
        )
        definition["description"] = (
            "A personal API token: `Authorization: Token <key>`. Make one on the Preferences "
            "page or with `qalibrate token create USERNAME`."
        )
        return definition


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=r"^[\x21-\x7e]{1,255}$",
    description=(
        "Optional: any unique value of 1-255 visible ASCII characters (a UUID, for example). "
        "Retried with the same key and the same request within 24 hours, the first answer "
        "(status and body) comes back and nothing is done again; the header "
        "`Idempotent-Replayed: true` marks it. The same key with another request: 422; "
        "while the first is still running: 409."
    ),
)


class ApiAutoSchema(AutoSchema):
    """Every write operation takes Idempotency-Key (qalibrate/api/idempotency.py)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in WRITE_METHODS:
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def get_operation(self, *args, **kwargs):
        # extend_schema's responses replace the view's own, so the two answers every write
        # may give are added to the finished operation, as its 400's error body.
        operation = super().get_operation(*args, **kwargs)
        responses = (operation or {}).get("responses", {})
        if self.method in WRITE_METHODS and "400" in responses:
            responses.update({"409": responses["400"], "422": responses["400"]})
            operation["responses"] = dict(sorted(responses.items()))
        return operation
