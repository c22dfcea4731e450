from django.urls import path

from qalibrate.webhooks import views

urlpatterns = [
    path("", views.webhook_list, name="webhook_list"),
    path("new/", views.webhook_form, name="webhook_create"),
    path("<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("<int:pk>/edit/", views.webhook_form, name="webhook_edit"),
    path("<int:pk>/ping/", views.webhook_ping, name="webhook_ping"),
    path("<int:pk>/secret/", views.webhook_secret_renew, name="webhook_secret_renew"),
    path("<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="webhook_delivery_retry"),
]
