"""Where a page sends its user back to: a "next" address the request carries is followed only
when it stays on this site (issue 18: an open redirect would lend our name to a phishing link)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str, *, url: str | None = None) -> str:
    """``url``, or else the request's ``next`` (posted, then in the query string), when it is an
    address of this host (and https when the request is); otherwise ``default``, a URL name or
    path as ``redirect`` takes it."""
    if url is None:
        url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(default)
