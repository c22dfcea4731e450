"""/api/v1/history/…: the history's read endpoints (qalibrate/history/api.py)."""

from django.urls import path

from qalibrate.history import api

urlpatterns = [
    path("trends/", api.TrendsView.as_view(), name="history_trends"),
    path("criteria/<str:key>/", api.CriterionHistoryView.as_view(), name="history_criterion"),
    path("rulings/", api.RulingsView.as_view(), name="history_rulings"),
    path("problems/", api.ProblemsView.as_view(), name="history_problems"),
    path("evaluators/<int:id>/", api.EvaluatorHistoryView.as_view(), name="history_evaluator"),
]
