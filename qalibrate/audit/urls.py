from django.urls import path

from qalibrate.audit import views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
]
