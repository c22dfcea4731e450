from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from qalibrate.accounts import oidc
from qalibrate.accounts.forms import PreferencesForm
from qalibrate.accounts.models import ApiToken
from qalibrate.api import tokens
from qalibrate.api.forms import ApiTokenForm
from qalibrate.notifications import selectors as notification_selectors
from qalibrate.notifications import services as notification_services
from qalibrate.notifications.models import Kind


def _remember_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso"] = settings.OIDC_ENABLED
        context["sso_only"] = settings.OIDC_ENABLED and settings.OIDC_ONLY
        context["sso_label"] = settings.OIDC_BUTTON_LABEL
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context

    def post(self, request, *args, **kwargs):
        oidc.refuse_password_log_in()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # Each person's own language follows them from device to device.
        _remember_language(response, form.get_user().language)
        return response


class LogoutView(auth_views.LogoutView):
    """Django's log-out; after a single sign-on, the provider's session is ended too."""

    def post(self, request, *args, **kwargs):
        provider = oidc.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return redirect(provider) if provider else response


def lockout(request, original_response=None, credentials=None):
    """What django-axes shows after too many failed log-ins: the form and the wait."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    username = (credentials or {}).get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    message = ngettext(
        "Too many failed log-in attempts. Try again in %(minutes)d minute.",
        "Too many failed log-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    context = {"form": form, "lockout_message": message}
    return render(request, "registration/login.html", context, status=429)


@require_POST
def set_language(request):
    """Django's language switch, also kept on the profile of a signed-in user."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def _preferences_page(request, form, *, token_form=None, new_key="", status=200):
    subscription = notification_services.subscription_for(request.user)
    context = {
        "form": form,
        "token_form": token_form or ApiTokenForm(),
        "api_tokens": request.user.api_tokens.all(),
        "new_key": new_key,
        "email_kinds": [
            (kind, Kind(kind).label, subscription.wants_email(kind))
            for kind in notification_selectors.optional_kinds()
        ],
        "feed_url": request.build_absolute_uri(
            reverse("calendar_feed", args=[subscription.feed_token])
        ),
    }
    return render(request, "accounts/preferences.html", context, status=status)


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your preferences have been saved."))
        response = redirect("preferences")
        _remember_language(response, user.language)
        return response
    return _preferences_page(request, form)


@login_required
@require_POST
def api_token_create(request):
    """Make a personal API token and show its key on this one page, never again: the page is
    rendered, not redirected to, so the key is kept nowhere on the server."""
    token_form = ApiTokenForm(request.POST)
    form = PreferencesForm(instance=request.user)
    if not token_form.is_valid():
        return _preferences_page(request, form, token_form=token_form, status=400)
    _token, key = tokens.token_create(user=request.user, name=token_form.cleaned_data["name"])
    response = _preferences_page(request, form, new_key=key)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(token=token, user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("preferences")
