"""The evaluation endpoints of the REST API: /api/v1/evaluations/, what the user may see
(Evaluation.objects.visible_to), with the answers' score as the evaluation page computes it."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.filters import BlankChoiceFilter, IdFilter, ListFilterBackend
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.evaluations.serializers import EvaluationDetailSerializer, EvaluationSerializer
from qalibrate.scorecards.scoring import score_evaluation


class EvaluationFilter(django_filters.FilterSet):
    status = BlankChoiceFilter(choices=EvaluationStatus.choices)
    contact = IdFilter()
    session = IdFilter()
    version = IdFilter()

    class Meta:
        model = Evaluation
        fields = ["status", "contact", "session", "version"]


@extend_schema_view(
    list=extend_schema(
        summary="Evaluations you may see",
        description=(
            "Your own in any state; QA staff also everyone's submitted ones and session "
            "participants those of their sessions, but a calibration session's only after its "
            "reveal (blind scoring); agents their own contacts' once shared with them."
        ),
        responses={200: EvaluationSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One evaluation with its answers",
        responses={200: EvaluationDetailSerializer, **errors(401, 404, 429)},
    ),
)
@extend_schema(tags=["evaluations"])
class EvaluationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [ListFilterBackend, OrderingFilter]
    filterset_class = EvaluationFilter
    ordering_fields = ["created_at", "saved_at", "submitted_at", "score"]
    ordering = ["-saved_at", "-pk"]

    def get_serializer_class(self):
        return EvaluationDetailSerializer if self.action == "retrieve" else EvaluationSerializer

    def get_queryset(self):
        evaluations = Evaluation.objects.visible_to(self.request.user).select_related(
            "contact__agent", "evaluator", "version__scorecard"
        )
        if self.action == "retrieve":
            return evaluations.prefetch_related("answers__criterion")
        return evaluations

    def retrieve(self, request, pk=None):
        evaluation = self.get_object()
        answers = list(evaluation.answers.all())
        result = score_evaluation(
            evaluation.version.scoring_spec(), {a.criterion_id: a.scoring_value() for a in answers}
        )
        evaluation.failed_critical = list(result.failed_critical)
        return Response(self.get_serializer(evaluation).data)
