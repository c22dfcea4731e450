from django.urls import path

from qalibrate.certification import views

urlpatterns = [
    path("", views.certification_list, name="certification_list"),
    path("new/", views.certification_new, name="certification_new"),
    path("<int:pk>/", views.certification_detail, name="certification_detail"),
    path("<int:pk>/next/", views.certification_next, name="certification_next"),
]
