"""/api/v1/certifications/: gold-set certifications, read only, as the pages show them: QA staff
their teams', an evaluator their own (without the agreed scores while it runs)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.filters import IdFilter, ListFilterBackend
from qalibrate.api.permissions import IsStaff
from qalibrate.certification.models import Certification, CertificationStatus
from qalibrate.certification.serializers import CertificationSerializer

CERTIFICATION_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The certification's id."
)


class CertificationFilter(django_filters.FilterSet):
    evaluator = IdFilter(field_name="evaluator_id", help_text="A user's id.")
    team = IdFilter(field_name="team_id", help_text="A team's id.")
    status = django_filters.ChoiceFilter(choices=CertificationStatus.choices)

    class Meta:
        model = Certification
        fields = ["evaluator", "team", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="Gold-set certifications, newest first",
        responses={200: CertificationSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="A certification with its gold contacts",
        parameters=[CERTIFICATION_ID],
        responses={200: CertificationSerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["certification"])
class CertificationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificationSerializer
    permission_classes = [IsStaff]
    filter_backends = [ListFilterBackend]
    filterset_class = CertificationFilter

    def get_queryset(self):
        return (
            Certification.objects.visible_to(self.request.user)
            .select_related("evaluator", "team")
            .order_by("-started_at", "-pk")
        )
