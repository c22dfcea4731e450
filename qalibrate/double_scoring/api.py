"""/api/v1/scoring-pairs/: double-scored pairs, read only, as the pages show them: QA staff their
teams' pairs, an evaluator the completed pairs they scored in. A pair names its evaluations by
id; their answers are read through /api/v1/evaluations/ under the blind rules."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.filters import IdFilter, ListFilterBackend
from qalibrate.api.permissions import IsStaff
from qalibrate.double_scoring.models import Pair, PairReason
from qalibrate.double_scoring.serializers import PairSerializer

PAIR_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The pair's id.")


class PairFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", help_text="A team's id.")
    evaluator = IdFilter(
        method="by_evaluator", help_text="A user's id: pairs they scored in, first or second."
    )
    completed = django_filters.BooleanFilter(
        field_name="completed_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: both evaluations submitted; false: waiting for one.",
    )
    reason = django_filters.ChoiceFilter(choices=PairReason.choices)

    class Meta:
        model = Pair
        fields = ["team", "evaluator", "completed", "reason"]

    def by_evaluator(self, queryset, name, value):
        return queryset.filter(Q(first__evaluator_id=value) | Q(second__evaluator_id=value))


@extend_schema_view(
    list=extend_schema(
        summary="Double-scored pairs, newest first",
        responses={200: PairSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="A double-scored pair and what its two evaluations agreed on",
        parameters=[PAIR_ID],
        responses={200: PairSerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["double scoring"])
class PairViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PairSerializer
    permission_classes = [IsStaff]
    filter_backends = [ListFilterBackend]
    filterset_class = PairFilter

    def get_queryset(self):
        return (
            Pair.objects.visible_to(self.request.user)
            .select_related("team", "first__evaluator", "second__evaluator")
            .order_by("-drawn_at", "-pk")
        )
