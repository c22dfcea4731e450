from django.urls import path

from qalibrate.history import criterion_views, evaluator_views, import_views, ruling_views, views

urlpatterns = [
    path("", views.trends_page, name="history_trends"),
    path("trends.<str:file_format>", views.trends_file, name="history_trends_file"),
    path("criteria/", criterion_views.criteria_list, name="history_criteria"),
    path("criteria/<str:key>/", criterion_views.criterion_history, name="history_criterion"),
    path("evaluators/", evaluator_views.evaluators_list, name="history_evaluators"),
    path("evaluators/<int:pk>/", evaluator_views.evaluator_page, name="history_evaluator"),
    path("drift-rule/<int:team_id>/", evaluator_views.drift_rule_page, name="history_drift_rule"),
    path("rulings/", ruling_views.rulings_page, name="history_rulings"),
    path(
        "rulings/criterion/<str:key>/panel/",
        ruling_views.rulings_panel,
        name="history_rulings_panel",
    ),
    path("problems/", ruling_views.problems_page, name="history_problems"),
    path("import/", import_views.history_import, name="history_import"),
    path(
        "import/template.<str:file_format>",
        import_views.history_import_template,
        name="history_import_template",
    ),
    path("import/<str:token>/", import_views.history_import_report, name="history_import_report"),
    path(
        "import/<str:token>/apply/",
        import_views.history_import_apply,
        name="history_import_apply",
    ),
]
