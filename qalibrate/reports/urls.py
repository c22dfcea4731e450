from django.urls import path

from qalibrate.reports import views

urlpatterns = [
    path("sessions/<int:pk>/", views.session_report_page, name="session_report"),
    path(
        "sessions/<int:pk>/report.<str:file_format>",
        views.session_report_file,
        name="session_report_file",
    ),
]
