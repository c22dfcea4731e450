from django.urls import path

from qalibrate.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("health/ready/", views.ready, name="health_ready"),
    path("metrics", views.metrics_view, name="metrics"),
]
