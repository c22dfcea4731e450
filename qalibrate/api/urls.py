"""/api/v1/ (the REST API), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI and Redoc,
served from drf-spectacular-sidecar's static files: no CDN)."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from qalibrate.accounts import api as accounts_api
from qalibrate.audit import api as audit_api
from qalibrate.calibration import api as calibration_api
from qalibrate.certification import api as certification_api
from qalibrate.contacts import api as contacts_api
from qalibrate.double_scoring import api as double_scoring_api
from qalibrate.evaluations import api as evaluations_api
from qalibrate.notifications import api as notifications_api
from qalibrate.scorecards import api as scorecards_api
from qalibrate.webhooks import api as webhooks_api

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("teams", accounts_api.TeamViewSet, basename="team")
router.register("scorecards", scorecards_api.ScorecardViewSet, basename="scorecard")
router.register(
    "scorecard-versions", scorecards_api.ScorecardVersionViewSet, basename="scorecard-version"
)
router.register("contacts", contacts_api.ContactViewSet, basename="contact")
router.register("evaluations", evaluations_api.EvaluationViewSet, basename="evaluation")
router.register("sessions", calibration_api.SessionViewSet, basename="session")
router.register("actions", calibration_api.ActionViewSet, basename="action")
router.register("series", calibration_api.SeriesViewSet, basename="series")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("audit-events", audit_api.AuditEventViewSet, basename="audit-event")
router.register("scoring-pairs", double_scoring_api.PairViewSet, basename="scoring-pair")
router.register("certifications", certification_api.CertificationViewSet, basename="certification")
router.register("webhooks", webhooks_api.WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", webhooks_api.DeliveryViewSet, basename="webhook-delivery")


@csrf_exempt  # nothing is done here, whatever the method
def not_found(request, *args, **kwargs):
    """Unknown addresses under /api/ answer in JSON too."""
    return JsonResponse({"detail": _("Not found."), "errors": []}, status=404)


def _under_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    """handler400 (qalibrate/urls.py): what Django refuses before any view, such as a body
    over its size limit, answers in JSON under /api/, as the API's own errors do."""
    if _under_api(request):
        return JsonResponse({"detail": _("Bad request."), "errors": []}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500 (qalibrate/urls.py): a failure under /api/ answers in JSON too."""
    if _under_api(request):
        return JsonResponse(
            {
                "detail": _("Server error: nothing more is known; the log has the details."),
                "errors": [],
            },
            status=500,
        )
    return defaults.server_error(request)


def errors_in_json(view):
    """The schema and the documentation pages answer YAML or HTML; their errors (a wrong
    method, too many requests) come in JSON, as everywhere under /api/."""

    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code < 400:
            return response
        data = getattr(response, "data", None)
        detail = data.get("detail", "") if isinstance(data, dict) else ""
        answer = JsonResponse({"detail": str(detail), "errors": []}, status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer

    return wrapped


urlpatterns = [
    path("v1/me/", accounts_api.MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
    path("v1/history/", include("qalibrate.history.api_urls")),
    path("schema/", errors_in_json(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        errors_in_json(
            # Its start-up script is a second request (?script), not inline: the CSP forbids that.
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path(
        "docs/redoc/",
        errors_in_json(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    re_path(r"^[\s\S]*$", not_found),  # any character, a newline (%0A) in the path too
]
