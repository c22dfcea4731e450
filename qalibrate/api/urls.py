"""/api/v1/ (the REST API), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI and Redoc,
served from drf-spectacular-sidecar's static files: no CDN)."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from qalibrate.api import views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("scorecards", views.ScorecardViewSet, basename="scorecard")
router.register("scorecard-versions", views.ScorecardVersionViewSet, basename="scorecard-version")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("actions", views.ActionViewSet, basename="action")
router.register("series", views.SeriesViewSet, basename="series")
router.register("notifications", views.NotificationViewSet, basename="notification")


@csrf_exempt  # nothing is done here, whatever the method
def not_found(request, *args, **kwargs):
    """Unknown addresses under /api/ answer in JSON too."""
    return JsonResponse({"detail": _("Not found."), "errors": []}, status=404)


urlpatterns = [
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path(
        "docs/redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    re_path(r"^[\s\S]*$", not_found),  # any character, a newline (%0A) in the path too
]
