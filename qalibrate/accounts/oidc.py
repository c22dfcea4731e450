"""Single sign-on with OpenID Connect (mozilla-django-oidc): accounts made just in time, their
role and teams taken from a claim on every sign-in (README "Single sign-on")."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from qalibrate.accounts.models import Role, Team, User

# The highest mapped role wins when a person is in several groups.
ROLE_ORDER = [Role.AGENT, Role.EVALUATOR, Role.QA_LEAD, Role.ADMIN]


def groups_of(claims: dict) -> list[str]:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    return [groups] if isinstance(groups, str) else [str(group) for group in groups]


def role_from(claims: dict) -> str | None:
    mapped = {settings.OIDC_ROLE_MAP.get(group) for group in groups_of(claims)}
    for role in reversed(ROLE_ORDER):
        if role.value in mapped:
            return role.value
    return settings.OIDC_DEFAULT_ROLE or None


def teams_from(claims: dict) -> list[Team]:
    names = {settings.OIDC_TEAM_MAP[g] for g in groups_of(claims) if g in settings.OIDC_TEAM_MAP}
    return list(Team.objects.filter(name__in=names))


class QalibrateOIDCBackend(OIDCAuthenticationBackend):
    """Finds the person by e-mail (an invited account signs in by single sign-on too), refuses
    anyone whose groups map to no role, and keeps role, names and teams as the provider says."""

    def get_userinfo(self, access_token, id_token, payload):
        # Entra ID puts groups in the (verified) ID token only, not in its userinfo answer.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        return User.objects.filter(email__iexact=email) if email else User.objects.none()

    def verify_claims(self, claims):
        return super().verify_claims(claims) and role_from(claims) is not None

    def create_user(self, claims):
        email = claims["email"].strip()
        username = email.lower()
        if User.objects.filter(username=username).exists():
            username = f"{username}-{get_random_string(6).lower()}"
        user = User.objects.create_user(username=username, email=email)
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.role = role_from(claims)
        user.save()
        if settings.OIDC_TEAM_MAP:
            user.teams.set(teams_from(claims))
        return user


def _enabled(view):
    def run(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return run


authenticate = _enabled(oidc_views.OIDCAuthenticationRequestView.as_view())
callback = _enabled(oidc_views.OIDCAuthenticationCallbackView.as_view())


def provider_logout_url(request) -> str | None:
    """Where to send a person who signed in through the provider when they log out, so the
    provider's session ends too; None for a password log-in. Read before the log-out clears
    the session."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return None
    back = request.build_absolute_uri(reverse("login"))
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": back})
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"


def refuse_password_log_in() -> None:
    """Single-sign-on-only mode: the password form is gone and a password never signs in."""
    if settings.OIDC_ENABLED and settings.OIDC_ONLY:
        raise PermissionDenied
