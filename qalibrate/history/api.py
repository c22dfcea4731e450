"""The history's read endpoints (/api/v1/history/…): the same selectors and permissions as the
pages. Each endpoint is in a block of its own."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from qalibrate.accounts.models import User
from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.helpers import MAX_ID, finite, form_errors
from qalibrate.history import (
    criterion_selectors,
    evaluator_selectors,
    problem_selectors,
    ruling_selectors,
    selectors,
)
from qalibrate.history.filters import TrendsFilter
from qalibrate.history.permissions import can_see_evaluator, can_see_history
from qalibrate.history.ruling_views import ProblemFilterForm, RulingSearchForm, ruling_filters
from qalibrate.history.serializers import (
    CriterionHistorySerializer,
    EvaluatorHistorySerializer,
    ProblemSerializer,
    RulingPageSerializer,
    TrendsSerializer,
)


class CanSeeHistory(BasePermission):
    """Staff members (history.permissions.can_see_history): those who see the history pages."""

    def has_permission(self, request, view):
        return can_see_history(request.user)


# --- GET /api/v1/history/criteria/<key>/ (criterion history) ----------------------------------


class CriterionHistoryView(ApiViewMixin, APIView):
    permission_classes = [CanSeeHistory]

    @extend_schema(
        summary="A criterion followed across versions by its key (everyone but agents)",
        parameters=[
            OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter(
                "scorecard",
                OpenApiTypes.INT,
                description="Where imported copies share the key: whose history.",
            ),
        ],
        responses={200: CriterionHistorySerializer, **errors(401, 403, 404, 429)},
        tags=["history"],
    )
    def get(self, request, key):
        """Per completed session its agreement, alpha and AC1 (AC2); per change of wording
        the sessions before and after pooled, with the difference and its interval."""
        try:
            scorecard = int(request.query_params.get("scorecard", ""))
        except ValueError:
            scorecard = None
        history = criterion_selectors.criterion_history(
            key=key, user=request.user, scorecard_id=scorecard
        )
        if history is None:
            raise NotFound
        return Response(finite(CriterionHistorySerializer(history).data))


# --- GET /api/v1/history/trends/ (trends) -----------------------------------------------------


def _query(name: str, kind, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **kwargs)


class TrendsView(ApiViewMixin, APIView):
    permission_classes = [CanSeeHistory]

    @extend_schema(
        summary="Completed sessions over time, from their stored figures (everyone but agents)",
        parameters=[
            _query("team", OpenApiTypes.INT, "Only this team's sessions."),
            _query("scorecard", OpenApiTypes.INT, "Only sessions with this scorecard."),
            _query(
                "period",
                OpenApiTypes.STR,
                "The last 3, 6 or 12 months up to today; blank: all time.",
                enum=["", "3m", "6m", "12m"],
            ),
            _query("date_from", OpenApiTypes.DATE, "Sessions held on this day and later."),
            _query("date_to", OpenApiTypes.DATE, "Sessions held on this day and earlier."),
        ],
        responses={200: TrendsSerializer, **errors(400, 401, 403, 429)},
        tags=["history"],
    )
    def get(self, request):
        """Every completed session the user sees in time order: calibrated or not, share of
        scores within tolerance, alpha of the totals with its interval, mean absolute
        deviation, n; with a summary computed from these rows. The filters all apply."""
        filterset = TrendsFilter(
            request.query_params,
            queryset=selectors.trend_records(user=request.user),
            request=request,
        )
        if not filterset.is_valid():
            raise form_errors(filterset.form)
        found = selectors.trends(filterset.qs)
        start, end = selectors.period_bounds(filterset.form.cleaned_data)
        data = {"start": start, "end": end, "summary": found.summary, "sessions": found.rows}
        return Response(finite(TrendsSerializer(data).data))


# --- GET /api/v1/history/evaluators/<id>/ (an evaluator's history and drift) ------------------


class EvaluatorHistoryView(ApiViewMixin, APIView):
    permission_classes = [CanSeeHistory]

    @extend_schema(
        summary="An evaluator's sessions, pooled bias and drift (QA staff; an evaluator their own)",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: EvaluatorHistorySerializer, **errors(401, 403, 404, 429)},
        tags=["history"],
    )
    def get(self, request, id):
        """Per team (each with its drift rule): every completed session the user sees with the
        evaluator's mean absolute deviation, bias, share matching the agreed answers, within
        tolerance or not, and n; the bias pooled over the recent sessions (random effects,
        DerSimonian-Laird with the modified Hartung-Knapp interval) with each session's
        shrunken bias; the criteria where they differ most; the drift verdict and why."""
        if id > MAX_ID:
            raise NotFound
        evaluator = get_object_or_404(User, pk=id)
        if not can_see_evaluator(request.user, evaluator):
            raise PermissionDenied
        history = evaluator_selectors.evaluator_history(user=request.user, evaluator=evaluator)
        return Response(finite(EvaluatorHistorySerializer(history).data))


# --- GET /api/v1/history/rulings/ and /problems/ (the book of rulings, process problems) ------


class RulingsView(ApiViewMixin, APIView):
    permission_classes = [CanSeeHistory]

    @extend_schema(
        summary="The book of rulings: agreed answers decided in completed sessions",
        parameters=[
            _query(
                "q",
                OpenApiTypes.STR,
                "Words that must all occur.",
            ),
            _query("scorecard", OpenApiTypes.INT, "Only this scorecard's rulings."),
            _query("criterion", OpenApiTypes.STR, "A criterion key, followed across versions."),
            _query("team", OpenApiTypes.INT, "Only this team's rulings."),
            _query(
                "answer",
                OpenApiTypes.STR,
                "The agreed answer (yes, no, na, a point).",
            ),
            _query("date_from", OpenApiTypes.DATE, "Sessions held on this day and later."),
            _query("date_to", OpenApiTypes.DATE, "Sessions held on this day and earlier."),
            _query("page", OpenApiTypes.INT, "Page number (25 per page), newest first."),
        ],
        responses={200: RulingPageSerializer, **errors(400, 401, 403, 429)},
        tags=["history"],
    )
    def get(self, request):
        form = RulingSearchForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        rulings = ruling_selectors.rulings_narrowed(
            ruling_selectors.rulings_for(user=request.user), ruling_filters(form)
        )
        number = ruling_selectors.page_number(request.query_params.get("page"))
        page = ruling_selectors.rulings_page(rulings, number=number)
        return Response(RulingPageSerializer(page).data)


class ProblemsView(ApiViewMixin, APIView):
    permission_classes = [CanSeeHistory]

    @extend_schema(
        summary="Process problems flagged in completed sessions, with their actions",
        parameters=[
            _query("team", OpenApiTypes.INT, "Only this team's sessions."),
            _query(
                "status",
                OpenApiTypes.STR,
                "Problems of sessions with an action in this status; none: without any action.",
                enum=["", "open", "in_progress", "done", "none"],
            ),
            _query("date_from", OpenApiTypes.DATE, "Sessions held on this day and later."),
            _query("date_to", OpenApiTypes.DATE, "Sessions held on this day and earlier."),
        ],
        responses={200: ProblemSerializer(many=True), **errors(400, 401, 403, 429)},
        tags=["history"],
    )
    def get(self, request):
        """The 50 newest."""
        form = ProblemFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        problems = problem_selectors.process_problems(
            user=request.user, filters=ruling_filters(form)
        )
        return Response(ProblemSerializer(problems[: problem_selectors.PAGE_SIZE], many=True).data)
