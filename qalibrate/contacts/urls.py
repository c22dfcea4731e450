from django.urls import path

from qalibrate.contacts import views

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/recording/", views.contact_media, name="contact_media"),
]
