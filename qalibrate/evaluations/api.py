"""The evaluation endpoints of the REST API: /api/v1/evaluations/, what the user may see
(Evaluation.objects.visible_to), with the answers' score as the evaluation page computes it; and
scoring through the API, a person's script or an automatic scorer alike, under the page's rules:
start (POST), save answers (PATCH, with the revision last read), submit (POST …/submit/)."""

import django_filters
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.filters import BlankChoiceFilter, IdFilter, ListFilterBackend
from qalibrate.calibration import services as calibration_services
from qalibrate.evaluations import services
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.evaluations.permissions import can_evaluate
from qalibrate.evaluations.serializers import (
    EvaluationDetailSerializer,
    EvaluationSaveSerializer,
    EvaluationSerializer,
    EvaluationStartSerializer,
)
from qalibrate.scorecards.scoring import score_evaluation
from qalibrate.scorecards.selectors import version_content

EVALUATION_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The evaluation's id."
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_revision"


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
    create=extend_schema(
        summary="Start scoring a contact: your evaluation, new (201) or the one you have (200)",
        description=(
            "In a calibration session you were invited to score and that is open for scoring, "
            "or outside any session on a published version. Anyone but agents; an automatic "
            "scorer's account scores like an evaluator."
        ),
        request=EvaluationStartSerializer,
        responses={
            200: EvaluationDetailSerializer,
            201: EvaluationDetailSerializer,
            **errors(400, 401, 403, 413, 429),
        },
    ),
    partial_update=extend_schema(
        summary="Save answers to your draft evaluation (only those given change)",
        parameters=[EVALUATION_ID],
        request=EvaluationSaveSerializer,
        responses={
            200: EvaluationDetailSerializer,
            **errors(400, 401, 403, 404, 409, 413, 429),
        },
    ),
)
@extend_schema(tags=["evaluations"])
class EvaluationViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filter_backends = [ListFilterBackend, OrderingFilter]
    filterset_class = EvaluationFilter
    ordering_fields = ["created_at", "saved_at", "submitted_at", "score"]
    ordering = ["-saved_at", "-pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return EvaluationSerializer if self.action == "list" else EvaluationDetailSerializer

    def get_queryset(self):
        evaluations = Evaluation.objects.visible_to(self.request.user).select_related(
            "contact__agent", "evaluator", "version__scorecard"
        )
        if self.action != "list":
            return evaluations.prefetch_related("answers__criterion")
        return evaluations

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    def _answer(self, evaluation, status_code=status.HTTP_200_OK) -> Response:
        """The evaluation as GET shows it (read with get_queryset's related rows)."""
        answers = list(evaluation.answers.all())
        result = score_evaluation(
            evaluation.version.scoring_spec(), {a.criterion_id: a.scoring_value() for a in answers}
        )
        evaluation.failed_critical = list(result.failed_critical)
        return Response(
            EvaluationDetailSerializer(evaluation, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def _read_again(self, evaluation) -> Evaluation:
        """After a write: the saved state, with the related rows the answer shows."""
        return self.get_queryset().get(pk=evaluation.pk)

    def create(self, request):
        if not can_evaluate(request.user):
            raise exceptions.PermissionDenied
        body = EvaluationStartSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        contact, session = body.validated_data["contact"], body.validated_data.get("session")
        if session is not None:
            evaluation = calibration_services.session_evaluation_open(
                session=session, user=request.user, contact=contact
            )
        else:
            evaluation = services.evaluation_start(
                contact=contact, evaluator=request.user, version=body.validated_data["version"]
            )
        created = getattr(evaluation, "is_new", False)
        return self._answer(
            self._read_again(evaluation),
            status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def partial_update(self, request, pk=None):
        evaluation = self._save(request, self.get_object())
        return self._answer(self._read_again(evaluation))

    @extend_schema(
        summary="Submit your evaluation, with any last answers (all or nothing)",
        description=(
            "Every scored criterion needs an answer (or N/A where allowed); otherwise a 400 "
            "names them and nothing is saved. Blind in a session: nobody else sees it until "
            "the reveal."
        ),
        parameters=[EVALUATION_ID],
        request=EvaluationSaveSerializer,
        responses={
            200: EvaluationDetailSerializer,
            **errors(400, 401, 403, 404, 409, 413, 429),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        evaluation = self.get_object()
        with transaction.atomic():
            evaluation = self._save(request, evaluation)
            evaluation = services.evaluation_submit(evaluation=evaluation, user=request.user)
        return self._answer(self._read_again(evaluation))

    def _save(self, request, evaluation) -> Evaluation:
        """The body's answers saved through the page's service: its rules, its validation."""
        if evaluation.evaluator_id != request.user.pk:
            raise exceptions.PermissionDenied
        body = EvaluationSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        sections = version_content(evaluation.version)
        criteria = {c.pk for section in sections for c in section.criteria.all()}
        unknown = [i for i, a in enumerate(data["answers"]) if a["criterion"] not in criteria]
        if unknown:
            raise exceptions.ValidationError(
                {
                    "answers": {
                        i: {"criterion": [_("Not a criterion of this evaluation's form.")]}
                        for i in unknown
                    }
                }
            )
        answers = {
            a["criterion"]: services.AnswerInput(
                value=a["value"],
                na=a["is_na"],
                comment=a["comment"],
                media_timestamp=a["media_timestamp"],
            )
            for a in data["answers"]
        }
        try:
            return services.evaluation_save(
                evaluation=evaluation,
                user=request.user,
                answers=answers,
                summary=data.get("summary"),
                seconds_spent=data["seconds_spent"],
                revision=data.get("revision"),
                sections=sections,
            )
        except services.StaleRevision:
            raise Conflict(
                _("This evaluation was saved since the revision you sent; read it again.")
            ) from None
