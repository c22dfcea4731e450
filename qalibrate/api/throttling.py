"""Request limits: per API token (per user for browser sessions), per address when anonymous.

The rates are read on every request from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], so they
follow the settings (and tests can change them). Counts live in Django's cache: with several
worker processes and the default local-memory cache, each process counts on its own.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from qalibrate.accounts.models import ApiToken


class _SettingsRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenRateThrottle(_SettingsRate, SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"
