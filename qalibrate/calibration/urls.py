from django.urls import path

from qalibrate.calibration import views

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("plan/", views.session_plan, name="session_plan"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/<str:action>/", views.session_move, name="session_move"),
    path("<int:pk>/score/<int:contact_pk>/", views.session_score, name="session_score"),
]
