from django.urls import path

from qalibrate.privacy import views

urlpatterns = [
    path("users/<int:pk>/erase/", views.user_erase, name="privacy_user_erase"),
    path("users/<int:pk>/export.json", views.user_export, name="privacy_user_export"),
    path("agents/<int:pk>/erase/", views.agent_erase, name="privacy_agent_erase"),
    path("agents/<int:pk>/export.json", views.agent_export, name="privacy_agent_export"),
]
