from django.urls import path

from qalibrate.scorecards import views

urlpatterns = [
    path("", views.scorecard_list, name="scorecard_list"),
    path("new/", views.scorecard_create, name="scorecard_create"),
    path("import/", views.scorecard_import, name="scorecard_import"),
    path("import/template.xlsx", views.xlsx_template, name="scorecard_xlsx_template"),
    path("<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("<int:pk>/edit/", views.scorecard_edit, name="scorecard_edit"),
    path("<int:pk>/draft/", views.draft_start, name="scorecard_draft_start"),
    path("<int:pk>/changes/", views.version_diff, name="scorecard_diff"),
    path("versions/<int:pk>/", views.version_builder, name="scorecard_builder"),
    path("versions/<int:pk>/preview/", views.version_preview, name="scorecard_preview"),
    path("versions/<int:pk>/preview/score/", views.preview_score, name="scorecard_preview_score"),
    path("versions/<int:pk>/review/", views.version_review, name="scorecard_review"),
    path("versions/<int:pk>/reviewers/", views.reviewers_edit, name="scorecard_reviewers"),
    path("versions/<int:pk>/publish/", views.version_publish, name="scorecard_publish"),
    path("versions/<int:pk>/export.json", views.version_export, name="scorecard_export"),
    path("versions/<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("sections/<int:pk>/move/<str:direction>/", views.section_move, name="section_move"),
    path("sections/<int:pk>/criteria/add/", views.criterion_add, name="criterion_add"),
    path("criteria/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("criteria/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("criteria/<int:pk>/move/<str:direction>/", views.criterion_move, name="criterion_move"),
    path("criteria/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
]
