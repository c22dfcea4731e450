from django.urls import path

from qalibrate.evaluations import views

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("start/<int:pk>/", views.evaluation_start, name="evaluation_start"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/save/", views.evaluation_save, name="evaluation_save"),
    path("<int:pk>/answers/", views.evaluation_answers, name="evaluation_answers"),
    path("<int:pk>/submit/", views.evaluation_submit, name="evaluation_submit"),
    path("<int:pk>/reopen/", views.evaluation_reopen, name="evaluation_reopen"),
    path("<int:pk>/share/", views.evaluation_release, name="evaluation_release"),
    path("<int:pk>/acknowledge/", views.evaluation_acknowledge, name="evaluation_acknowledge"),
]
