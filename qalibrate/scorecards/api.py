"""The scorecard endpoints of the REST API: /api/v1/scorecards/ and /scorecard-versions/, read
through the scorecard selectors with the scorecard pages' permission checks."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.scorecards import formats, selectors
from qalibrate.scorecards.models import Scorecard, ScorecardVersion, VersionStatus
from qalibrate.scorecards.permissions import can_build_scorecards, can_view_version
from qalibrate.scorecards.serializers import (
    ScorecardDocumentSerializer,
    ScorecardSerializer,
    VersionSerializer,
)


def _with_visible_versions(user, scorecards) -> list[Scorecard]:
    """Each scorecard with the versions the user may open (scorecards.permissions), in one
    query for all of them rather than one per draft."""
    scorecards = list(scorecards)
    builder = can_build_scorecards(user)
    reviewing = set()
    if not builder:
        reviewing = set(
            ScorecardVersion.objects.filter(
                scorecard__in=scorecards, status=VersionStatus.DRAFT, reviewers=user
            ).values_list("pk", flat=True)
        )
    for scorecard in scorecards:
        scorecard.visible_versions = [
            version
            for version in scorecard.versions.all()
            if builder or not version.is_draft or version.pk in reviewing
        ]
    return scorecards


@extend_schema_view(
    list=extend_schema(
        summary="Scorecards you may open, with their versions",
        responses={200: ScorecardSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One scorecard with its versions",
        responses={200: ScorecardSerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["scorecards"])
class ScorecardViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ScorecardSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        versions = ScorecardVersion.objects.order_by("-number")
        return selectors.scorecards_for(user=self.request.user).prefetch_related(
            Prefetch("versions", queryset=versions)
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else _with_visible_versions(self.request.user, page)

    def retrieve(self, request, pk=None):
        # As the scorecard page: 404 when there is no such scorecard, 403 when it has no
        # version you may open.
        get_object_or_404(Scorecard.objects.all(), pk=pk)
        scorecard = self.get_queryset().filter(pk=pk).first()
        if scorecard is None:
            raise exceptions.PermissionDenied
        (scorecard,) = _with_visible_versions(request.user, [scorecard])
        if not scorecard.visible_versions:
            raise exceptions.PermissionDenied
        return Response(self.get_serializer(scorecard).data)

    @extend_schema(
        summary="Import a scorecard from its JSON document, as Export JSON gives it",
        description=(
            "A new scorecard whose draft version 1 holds the document (the page's Import, "
            "JSON): for those who build scorecards. Every problem is named, and nothing is "
            "imported while there is one."
        ),
        request=OpenApiTypes.OBJECT,
        responses={201: ScorecardSerializer, **errors(400, 401, 403, 413, 429)},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_document(self, request):
        if not can_build_scorecards(request.user):
            raise exceptions.PermissionDenied
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                [_("Send the scorecard as one JSON object, as Export JSON gives it.")]
            )
        try:
            made = formats.scorecard_import(data=request.data, author=request.user)
        except formats.ImportErrors as problems:
            raise exceptions.ValidationError(problems.errors) from None
        (scorecard,) = _with_visible_versions(request.user, self.get_queryset().filter(pk=made.pk))
        return Response(self.get_serializer(scorecard).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["scorecards"])
class ScorecardVersionViewSet(ApiViewMixin, viewsets.GenericViewSet):
    queryset = ScorecardVersion.objects.select_related("scorecard")
    serializer_class = VersionSerializer

    def get_object(self):
        version = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not can_view_version(self.request.user, version):
            raise exceptions.PermissionDenied
        return version

    @extend_schema(
        summary="A version with its sections and criteria",
        responses={200: VersionSerializer, **errors(401, 403, 404, 429)},
    )
    def retrieve(self, request, pk=None):
        version = self.get_object()
        version.content = selectors.version_content(version)
        return Response(VersionSerializer(version).data)

    @extend_schema(
        summary="A version in the scorecard JSON format (Export JSON)",
        responses={200: ScorecardDocumentSerializer, **errors(401, 403, 404, 429)},
    )
    @action(detail=True)
    def export(self, request, pk=None):
        return Response(formats.version_to_dict(self.get_object()))
