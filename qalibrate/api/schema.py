"""OpenAPI descriptions that drf-spectacular cannot work out by itself."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


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
