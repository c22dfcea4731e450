from django.urls import path

from qalibrate.double_scoring import views

urlpatterns = [
    path("", views.overview, name="double_scoring"),
    path("policies/new/", views.policy_form, name="double_scoring_policy_new"),
    path("policies/<int:pk>/", views.policy_form, name="double_scoring_policy"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="double_scoring_policy_delete"),
    path("pairs/<int:pk>/", views.pair_detail, name="double_scoring_pair"),
]
