"""`Authorization: Token <key>` with a personal API token (see qalibrate.api.tokens)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from qalibrate.api import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as: Authorization: Token followed by one space and the key.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = tokens.token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: unknown, revoked, or its user is deactivated.")
            )
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
