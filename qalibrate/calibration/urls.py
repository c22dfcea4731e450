from django.urls import path

from qalibrate.calibration import series_views, views

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("plan/", views.session_plan, name="session_plan"),
    path("plan/precision/", views.session_plan_precision, name="session_plan_precision"),
    path("series/", series_views.series_list, name="series_list"),
    path("series/new/", series_views.series_new, name="series_new"),
    path("series/<int:pk>/", series_views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", series_views.series_edit, name="series_edit"),
    path("series/<int:pk>/run/", series_views.series_run, name="series_run"),
    path("cadence/", series_views.cadence, name="cadence"),
    path("cadence/target/", series_views.cadence_target, name="cadence_target"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:action_pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/discussion/", views.session_discussion, name="session_discussion"),
    path("<int:pk>/complete/", views.session_complete, name="session_complete"),
    path(
        "<int:pk>/agree/<int:session_contact_pk>/<int:criterion_pk>/",
        views.session_agree,
        name="session_agree",
    ),
    path("<int:pk>/notes/<int:session_contact_pk>/", views.session_notes, name="session_notes"),
    path("<int:pk>/flag/<int:criterion_pk>/", views.session_flag, name="session_flag"),
    path("<int:pk>/actions/", views.session_action_add, name="session_action_add"),
    path("<int:pk>/score/<int:contact_pk>/", views.session_score, name="session_score"),
    path("<int:pk>/score/next/", views.session_score_next, name="session_score_next"),
    path("<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path("<int:pk>/invite/", views.session_participants_add, name="session_participants_add"),
    path("<int:pk>/contacts/", views.session_contacts_add, name="session_contacts_add"),
    path("<int:pk>/<str:action>/", views.session_move, name="session_move"),
]
