"""Failed log-ins are limited twice. django-axes records each failure in the database (its
AccessAttempt rows: one per user name, address and browser), so every process and every machine
counts together, and this handler (settings.AXES_HANDLER) reads the same rows for both limits:

- per user name and address (axes' own rule): AXES_FAILURE_LIMIT failures (5) lock that user
  name out from that address;
- per address, across user names: LOGIN_ADDRESS_FAILURE_LIMIT failures (30) from one address,
  whatever the user names, lock the whole address out. Without it, four wrong passwords for each
  of any number of user names were never refused.

Both count the failures of the last AXES_COOLOFF_TIME (15 minutes) and refuse for as long: an
address is refused until fewer than the limit of its failures are that recent. A refused attempt
counts as a failure, for the address as for the user name, so the wait runs from the last try.
The refusal is the per-user one's: accounts.views.lockout, the log-in form with the wait, 429.

A successful log-in is never counted. It takes off that user name's own failures from that
address (AXES_RESET_ON_SUCCESS), not the other user names': logging in to one's own account does
not reset what was tried against the others.

The address is the client's (``client_address``, settings.AXES_CLIENT_IP_CALLABLE): the
connection's, or, when that is a proxy listed in QALIBRATE_TRUSTED_PROXIES, the nearest address
in X-Forwarded-For that is not such a proxy. Behind a proxy that is not listed every visitor
has the proxy's address, and the per-address limit would lock everyone out at once.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed log-ins from the request's address in the window, for any user name."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=request.axes_attempt_time - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(request) -> bool:
    if not settings.AXES_LOCK_OUT_AT_FAILURE or not request.axes_ip_address:
        return False  # no address (a Unix socket): only the per-user limit applies
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginLimitHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Records the failure (unless the client is whitelisted) and applies the per-user limit.
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self.is_whitelisted(request, credentials) or not address_locked(request):
            return
        # AxesMiddleware turns the response into the lockout page.
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def client_address(request) -> str | None:
    """The client's address: the connection's, unless it is a trusted proxy; then the
    right-most address of X-Forwarded-For that is not one (the left part is the client's own
    word, and anyone can write it)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.TRUSTED_PROXIES or not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _trusted(hop):
            return hop if _address(hop) else remote
    return remote


def _address(text: str | None):
    try:
        return ipaddress.ip_address(text or "")
    except ValueError:
        return None


def _trusted(text: str | None) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in settings.TRUSTED_PROXIES)
