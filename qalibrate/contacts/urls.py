from django.urls import path

from qalibrate.contacts import import_views, views

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("selection/", views.contact_selection_update, name="contact_selection"),
    path("selection/clear/", views.contact_selection_clear, name="contact_selection_clear"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/recording/", views.contact_media, name="contact_media"),
    path("import/", import_views.import_start, name="contact_import"),
    path("import/template.csv", import_views.import_template, name="contact_import_template"),
    path("import/<int:pk>/", import_views.import_report, name="contact_import_report"),
    path("import/<int:pk>/apply/", import_views.import_apply, name="contact_import_apply"),
]
