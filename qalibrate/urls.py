from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("qalibrate.core.urls")),
    path("accounts/", include("qalibrate.accounts.urls")),
    path("people/", include("qalibrate.people.urls")),
    path("audit/", include("qalibrate.audit.urls")),
    path("privacy/", include("qalibrate.privacy.urls")),
    path("scorecards/", include("qalibrate.scorecards.urls")),
    path("contacts/", include("qalibrate.contacts.urls")),
    path("evaluations/", include("qalibrate.evaluations.urls")),
    path("sessions/", include("qalibrate.calibration.urls")),
    path("reports/", include("qalibrate.reports.urls")),
    path("history/", include("qalibrate.history.urls")),
    path("double-scoring/", include("qalibrate.double_scoring.urls")),
    path("certification/", include("qalibrate.certification.urls")),
    path("api/", include("qalibrate.api.urls")),
    path("notifications/", include("qalibrate.notifications.urls")),
    path("webhooks/", include("qalibrate.webhooks.urls")),
    path("admin/", admin.site.urls),
]

# What Django answers itself (a bad Host header, a body over its limit, a crash): JSON under /api/.
handler400 = "qalibrate.api.urls.bad_request"
handler500 = "qalibrate.api.urls.server_error"
