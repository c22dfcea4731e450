from django.urls import path

from qalibrate.people import views

urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("invite/", views.invite, name="people_invite"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("users/<int:pk>/", views.user_edit, name="people_user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="people_user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="people_user_reactivate"),
    path("agents/new/", views.agent_edit, name="people_agent_create"),
    path("agents/<int:pk>/", views.agent_edit, name="people_agent_edit"),
    path("import/", views.people_import, name="people_import"),
    path("import/template.csv", views.import_template, name="people_import_template"),
]
