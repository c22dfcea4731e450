"""The REST API, version 1. Each endpoint reads through the selectors and writes through the
services the pages use, with the pages' permission checks (DRF's only add authentication)."""

import io
import math

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from qalibrate.accounts.models import Role, Team, User
from qalibrate.accounts.permissions import can_build_scorecards, can_see_all_contacts
from qalibrate.api import serializers as s
from qalibrate.api.base import ApiViewMixin, errors, takes_no_body
from qalibrate.api.exceptions import RowErrors
from qalibrate.api.permissions import CanPlanSessions, IsStaff
from qalibrate.api.reports import report_data
from qalibrate.calibration import selectors as calibration_selectors
from qalibrate.calibration import series as series_services
from qalibrate.calibration import services as calibration_services
from qalibrate.calibration.forms import SessionPlanForm
from qalibrate.calibration.models import (
    DEFAULT_AGENDA,
    DEFAULT_GROUND_RULES,
    MAX_CONTACTS,
    MIN_CONTACTS,
    CalibrationSession,
    FollowUpAction,
    ParticipantRole,
    SessionStatus,
)
from qalibrate.contacts import importing
from qalibrate.contacts.forms import ContactFilterForm
from qalibrate.contacts.media import ranged_file_response
from qalibrate.contacts.models import Channel, Contact
from qalibrate.contacts.selectors import contacts_filtered
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.notifications import selectors as notification_selectors
from qalibrate.notifications import services as notification_services
from qalibrate.notifications.models import Notification
from qalibrate.reports.selectors import session_report
from qalibrate.scorecards import formats
from qalibrate.scorecards import selectors as scorecard_selectors
from qalibrate.scorecards.models import Scorecard, ScorecardVersion, VersionStatus
from qalibrate.scorecards.permissions import can_view_version
from qalibrate.scorecards.scoring import score_evaluation

TRUE = ("1", "true", "yes", "on")


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in TRUE


def _form_errors(form) -> exceptions.ValidationError:
    """A Django form's errors as DRF's, field by field, with their codes."""
    detail = {}
    for field, items in form.errors.as_data().items():
        key = "non_field_errors" if field == "__all__" else field
        detail[key] = [
            serializers.ErrorDetail(message, code=item.code or "invalid")
            for item in items
            for message in item.messages
        ]
    return exceptions.ValidationError(detail)


def _given(filters: dict) -> dict:
    """Filters without the blank ones: a blank filter means all, as on the pages."""
    return {name: value for name, value in filters.items() if value not in ("", None)}


def _finite(data):
    """NaN and infinity are not JSON: a figure that cannot be computed is null."""
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_finite(value) for value in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


FLAG_PARAMETER = {"type": OpenApiTypes.BOOL, "location": OpenApiParameter.QUERY, "required": False}


# --- people ----------------------------------------------------------------------------------


class MeView(ApiViewMixin, APIView):
    @extend_schema(responses={200: s.MeSerializer, **errors(401, 429)}, tags=["people"])
    def get(self, request):
        """The signed-in user: who the token or session belongs to."""
        return Response(s.MeSerializer(request.user).data)


class UserFilter(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        summary="Active users, for planning sessions (administrators and QA leads)",
        parameters=[UserFilter],
        responses={200: s.UserSerializer(many=True), **errors(400, 401, 403, 404, 429)},
        tags=["people"],
    )
)
class UserViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.UserSerializer
    permission_classes = [CanPlanSessions]
    filter_backends = [OrderingFilter]
    ordering_fields = ["username", "last_name"]
    ordering = ["last_name", "first_name", "username"]

    def get_queryset(self):
        users = User.objects.filter(is_active=True).prefetch_related("teams")
        params = UserFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return users.filter(**_given(params.validated_data))


@extend_schema_view(
    list=extend_schema(
        summary="Teams (everyone but agents)",
        responses={200: s.TeamSerializer(many=True), **errors(400, 401, 403, 404, 429)},
        tags=["people"],
    )
)
class TeamViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TeamSerializer
    permission_classes = [IsStaff]
    queryset = Team.objects.order_by("name")


# --- scorecards ------------------------------------------------------------------------------


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
        responses={200: s.ScorecardSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One scorecard with its versions",
        responses={200: s.ScorecardSerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["scorecards"])
class ScorecardViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ScorecardSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        versions = ScorecardVersion.objects.order_by("-number")
        return scorecard_selectors.scorecards_for(user=self.request.user).prefetch_related(
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


@extend_schema(tags=["scorecards"])
class ScorecardVersionViewSet(ApiViewMixin, viewsets.GenericViewSet):
    queryset = ScorecardVersion.objects.select_related("scorecard")
    serializer_class = s.VersionSerializer

    def get_object(self):
        version = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not can_view_version(self.request.user, version):
            raise exceptions.PermissionDenied
        return version

    @extend_schema(
        summary="A version with its sections and criteria",
        responses={200: s.VersionSerializer, **errors(401, 403, 404, 429)},
    )
    def retrieve(self, request, pk=None):
        version = self.get_object()
        version.content = scorecard_selectors.version_content(version)
        return Response(s.VersionSerializer(version).data)

    @extend_schema(
        summary="A version in the scorecard JSON format (Export JSON)",
        responses={200: s.ScorecardDocumentSerializer, **errors(401, 403, 404, 429)},
    )
    @action(detail=True)
    def export(self, request, pk=None):
        return Response(formats.version_to_dict(self.get_object()))


# --- contacts --------------------------------------------------------------------------------


class ContactFilter(serializers.Serializer):
    """The contact list's filters (documentation: ContactFilterForm checks them)."""

    team = s.IdField(required=False)
    agent = s.IdField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    evaluated = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True)
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="In the external id or the subject."
    )


@extend_schema_view(
    list=extend_schema(
        summary="Contacts you may see (agents: their own), with the contact list's filters",
        parameters=[ContactFilter],
        responses={200: s.ContactSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One contact with its transcript and metadata",
        responses={200: s.ContactDetailSerializer, **errors(401, 404, 429)},
    ),
)
@extend_schema(tags=["contacts"])
class ContactViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [OrderingFilter]
    ordering_fields = ["occurred_at", "external_id", "created_at"]
    ordering = ["-occurred_at", "-pk"]

    @property
    def max_request_bytes(self):
        return importing.MAX_JSON_BYTES if self.action == "bulk" else super().max_request_bytes

    def get_serializer_class(self):
        return s.ContactDetailSerializer if self.action == "retrieve" else s.ContactSerializer

    def get_queryset(self):
        filters = {}
        if self.action == "list" and self.request.query_params:
            form = ContactFilterForm(self.request.query_params)
            if not form.is_valid():
                raise _form_errors(form)
            filters = form.cleaned_data
        return contacts_filtered(user=self.request.user, filters=filters)

    def perform_content_negotiation(self, request, force=False):
        # A recording is sent as it is, whatever the client accepts.
        force = force or self.action == "recording"
        return super().perform_content_negotiation(request, force=force)

    @extend_schema(
        summary="The contact's recording, with byte ranges",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            (206, "application/octet-stream"): OpenApiTypes.BINARY,
            **errors(401, 404, 429),
        },
    )
    @action(detail=True)
    def recording(self, request, pk=None):
        contact = self.get_object()
        if not contact.media:
            raise Http404
        return ranged_file_response(contact.media, request.headers.get("Range"))

    @extend_schema(
        summary="Create or update contacts by external_id (administrators and QA leads)",
        description=(
            "Every item is checked as a row of the contact import (README: Contacts); the "
            "contacts are written in one transaction, or none if any item has a problem. With "
            "`dry_run=true` nothing is written and the counts say what would happen. Errors "
            "name the item (`index`, from 0) and the field. At most 10 MB."
        ),
        parameters=[OpenApiParameter("dry_run", **FLAG_PARAMETER)],
        request={"application/json": s.CONTACT_ROW_SCHEMA},
        responses={200: s.ContactUpsertResultSerializer, **errors(400, 401, 403, 413, 429)},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        if not can_see_all_contacts(request.user):
            raise exceptions.PermissionDenied
        rows = request.data
        if not isinstance(rows, list):
            raise exceptions.ValidationError(
                [_("Send a JSON list of contacts, one object per contact.")]
            )
        problems = [
            {
                "index": index,
                "field": "media_file",
                "message": _("Recordings cannot be sent through the API; leave media_file out."),
                "code": "invalid",
            }
            for index, row in enumerate(rows)
            if isinstance(row, dict) and row.get("media_file") not in (None, "")
        ] + [
            # The importer would write a list or an object into a text column as its JSON.
            {
                "index": index,
                "field": str(key),
                "message": _("Give text here, not a list or an object."),
                "code": "invalid",
            }
            for index, row in enumerate(rows)
            if isinstance(row, dict)
            for key, value in row.items()
            if isinstance(value, dict | list)
            and not (str(key).lower() == "transcript" and isinstance(value, list))
        ]
        if problems:
            raise RowErrors(problems, problems[0]["message"])
        # The body as it came (the parser keeps it), read by the file importer as a JSON file.
        content = request.parser_context["body"]
        dry_run = _flag(request, "dry_run")
        try:
            if dry_run:
                report = importing.contacts_check(file=io.BytesIO(content), filename="api.json")
                if not report.ok:
                    raise importing.ImportRejected(report)
            else:
                report = importing.contacts_apply(file=io.BytesIO(content), filename="api.json")
        except importing.ImportRejected as rejected:
            raise _row_errors(rejected.report) from None
        result = {
            "applied": not dry_run,
            "rows": report.total_rows,
            "created": report.creates,
            "updated": report.updates,
            "new_agents": report.new_agents,
        }
        return Response(s.ContactUpsertResultSerializer(result).data)


def _row_errors(report: importing.ImportReport) -> RowErrors:
    errors = []
    for error in report.errors:
        item = {"field": error.column or None, "message": error.message, "code": "invalid"}
        if error.row:
            item["index"] = error.row - 1
        errors.append(item)
    detail = ngettext(
        "Nothing was written: %(count)d problem to fix.",
        "Nothing was written: %(count)d problems to fix.",
        report.error_count,
    ) % {"count": report.error_count}
    return RowErrors(errors, detail)


# --- evaluations -----------------------------------------------------------------------------


class EvaluationFilter(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=EvaluationStatus.choices, required=False, allow_blank=True
    )
    contact = s.IdField(required=False)
    session = s.IdField(required=False)
    version = s.IdField(required=False)


@extend_schema_view(
    list=extend_schema(
        summary="Evaluations you may see",
        description=(
            "Your own in any state; QA staff also everyone's submitted ones and session "
            "participants those of their sessions, but a calibration session's only after its "
            "reveal (blind scoring); agents their own contacts' once shared with them."
        ),
        parameters=[EvaluationFilter],
        responses={200: s.EvaluationSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One evaluation with its answers",
        responses={200: s.EvaluationDetailSerializer, **errors(401, 404, 429)},
    ),
)
@extend_schema(tags=["evaluations"])
class EvaluationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "saved_at", "submitted_at", "score"]
    ordering = ["-saved_at", "-pk"]

    def get_serializer_class(self):
        return s.EvaluationDetailSerializer if self.action == "retrieve" else s.EvaluationSerializer

    def get_queryset(self):
        evaluations = Evaluation.objects.visible_to(self.request.user).select_related(
            "contact__agent", "evaluator", "version__scorecard"
        )
        if self.action == "retrieve":
            return evaluations.prefetch_related("answers__criterion")
        params = EvaluationFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return evaluations.filter(**_given(params.validated_data))

    def retrieve(self, request, pk=None):
        evaluation = self.get_object()
        answers = list(evaluation.answers.all())
        result = score_evaluation(
            evaluation.version.scoring_spec(), {a.criterion_id: a.scoring_value() for a in answers}
        )
        evaluation.failed_critical = list(result.failed_critical)
        return Response(self.get_serializer(evaluation).data)


# --- calibration sessions --------------------------------------------------------------------


def _actions_with_rights(actions, user) -> list[FollowUpAction]:
    actions = list(actions)
    for item in actions:
        item.can_update = calibration_services.can_update_action(user, item)
    return actions


def _agent_results(session, user) -> list[dict]:
    results = calibration_selectors.agent_results(session, user=user)["results"]
    return [
        {
            "contact": result["session_contact"].contact,
            "agreed_score": result["session_contact"].agreed_score,
            "feedback": result["session_contact"].notes,
            "answers": [
                {
                    "criterion": item["criterion"].pk,
                    "text": item["criterion"].text,
                    "section": part["section"].title,
                    "answer": item["answer"],
                    "reason": item["reason"],
                    "process_problem": item["process"] is not None,
                }
                for part in result["sections"]
                for item in part["items"]
            ],
        }
        for result in results
    ]


def session_detail(session: CalibrationSession, user) -> dict:
    """What the session page shows this user. An agent whose results were shared sees only
    the agreed evaluations of their own contacts, as on the page."""
    plain = [
        "id",
        "title",
        "status",
        "scoring_deadline",
        "meeting_at",
        "created_at",
        "completed_at",
        "reference_mode",
        "duration_minutes",
        "location",
        "agenda",
        "ground_rules",
    ]
    data = {name: getattr(session, name) for name in plain}
    data.update(
        version=session.version,
        team=session.team,
        facilitator=session.facilitator,
        expert=session.expert,
        tolerance=float(session.tolerance),
        can_run=calibration_services.can_run(user, session),
        can_see_answers=calibration_selectors.can_see_answers(user, session),
        summary=None,
        agreed_becomes_official=None,
        share_with_agents=None,
        results=[],
    )
    if user.is_agent and session.status == SessionStatus.COMPLETED and session.share_with_agents:
        results = _agent_results(session, user)
        data.update(
            expert=None,
            contacts=[
                {
                    "position": 0,
                    "contact": result["contact"],
                    "occurred_at": result["contact"].occurred_at,
                    "subject": result["contact"].subject,
                }
                for result in results
            ],
            evaluators=[],
            observers=[],
            progress=[],
            events=[],
            actions=[],
            results=results,
        )
        return data
    board = calibration_selectors.progress_board(session)
    positions = dict(session.session_contacts.values_list("contact_id", "position"))
    data.update(
        contacts=[
            {
                "position": positions.get(contact.pk, 0),
                "contact": contact,
                "occurred_at": contact.occurred_at,
                "subject": contact.subject,
            }
            for contact in board["contacts"]
        ],
        evaluators=[row["evaluator"] for row in board["rows"]],
        observers=[
            p.user
            for p in session.participants.filter(role=ParticipantRole.OBSERVER).select_related(
                "user"
            )
        ],
        progress=[
            {
                "evaluator": row["evaluator"],
                "cells": [
                    {"contact": contact.pk, "status": cell}
                    for contact, cell in zip(board["contacts"], row["cells"], strict=True)
                ],
                "done": row["done"],
            }
            for row in board["rows"]
        ],
        events=[
            {"at": e.at, "from_status": e.from_status, "to_status": e.to_status, "actor": e.actor}
            for e in session.events.select_related("actor")
        ],
        actions=_actions_with_rights(session.actions.select_related("owner", "session"), user),
    )
    if session.status == SessionStatus.COMPLETED and not user.is_agent:
        data.update(
            summary=session.summary,
            agreed_becomes_official=session.agreed_becomes_official,
            share_with_agents=session.share_with_agents,
        )
    return data


class SessionFilter(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SessionStatus.choices, required=False, allow_blank=True
    )
    team = s.IdField(required=False)


SESSION_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _move_schema(summary: str):
    schema = extend_schema(
        summary=summary,
        request=None,
        parameters=[SESSION_ID],
        responses={200: s.SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    return lambda function: schema(takes_no_body(function))


@extend_schema_view(
    list=extend_schema(
        summary="Calibration sessions you may see",
        parameters=[SessionFilter],
        responses={200: s.SessionSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One session: contacts, progress (never answers or scores), meeting, history",
        parameters=[SESSION_ID],
        responses={200: s.SessionDetailSerializer, **errors(401, 404, 429)},
    ),
    create=extend_schema(
        summary="Plan a session (administrators and QA leads)",
        description=(
            "The fields of the Plan a session page. Give 5-10 `contacts`, or leave them out "
            "and sample `sample_size` contacts at random from a filter, spread over agents."
        ),
        request=s.SessionPlanSerializer,
        responses={201: s.SessionDetailSerializer, **errors(400, 401, 403, 429)},
    ),
)
@extend_schema(tags=["calibration sessions"])
class SessionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.SessionSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["meeting_at", "scoring_deadline", "created_at", "title"]
    ordering = ["-meeting_at", "-pk"]

    def get_queryset(self):
        sessions = calibration_selectors.sessions_for(user=self.request.user)
        if self.action == "list":
            params = SessionFilter(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            sessions = sessions.filter(**_given(params.validated_data))
        return sessions

    def _detail(self, session) -> dict:
        return s.SessionDetailSerializer(session_detail(session, self.request.user)).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    def create(self, request):
        user = request.user
        if not calibration_services.can_plan(user):
            raise exceptions.PermissionDenied
        plan = s.SessionPlanSerializer(data=request.data)
        plan.is_valid(raise_exception=True)
        data = plan.validated_data
        picked = self._picked(data.get("contacts"))
        form_data = {
            "title": data["title"],
            "version": data["version"],
            "team": data.get("team") or "",
            "facilitator": data.get("facilitator", user.pk),
            "expert": data.get("expert") or "",
            "reference_mode": data["reference_mode"],
            "tolerance": data["tolerance"],
            "scoring_deadline": data["scoring_deadline"],
            "meeting_at": data["meeting_at"],
            "duration_minutes": data["duration_minutes"],
            "location": data.get("location", ""),
            "agenda": data.get("agenda", str(DEFAULT_AGENDA)),
            "ground_rules": data.get("ground_rules", str(DEFAULT_GROUND_RULES)),
            "evaluators": data["evaluators"],
            "observers": data.get("observers", []),
            "sample_team": data.get("sample_team") or "",
            "sample_channel": data.get("sample_channel", ""),
            "sample_from": data.get("sample_from") or "",
            "sample_to": data.get("sample_to") or "",
            "sample_size": data.get("sample_size", ""),
        }
        form = SessionPlanForm(form_data, picked=picked)
        if not form.is_valid():
            raise _form_errors(form)
        cleaned = form.cleaned_data
        contacts = picked or self._sampled(cleaned)
        session = calibration_services.session_plan(
            user=user,
            contacts=contacts,
            evaluators=list(cleaned["evaluators"]),
            observers=list(cleaned["observers"]),
            **{name: cleaned[name] for name in SessionPlanForm.Meta.fields},
        )
        session = self.get_queryset().get(pk=session.pk)
        return Response(self._detail(session), status=status.HTTP_201_CREATED)

    def _picked(self, ids) -> list[Contact]:
        """The listed contacts, in the order given; each must be one the planner may see."""
        if not ids:
            return []
        contacts = self._found_contacts(ids)
        if not MIN_CONTACTS <= len(contacts) <= MAX_CONTACTS:
            raise exceptions.ValidationError(
                {
                    "contacts": [
                        _("A session needs %(min)d to %(max)d contacts; it has %(count)d.")
                        % {"min": MIN_CONTACTS, "max": MAX_CONTACTS, "count": len(contacts)}
                    ]
                }
            )
        return contacts

    def _found_contacts(self, ids) -> list[Contact]:
        """The listed contacts, in the order given; each must be one the user may see."""
        ids = list(dict.fromkeys(ids))
        found = contacts_filtered(user=self.request.user, filters={}).in_bulk(ids)
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            raise exceptions.ValidationError(
                {"contacts": [_("No such contacts: %(ids)s.") % {"ids": ", ".join(unknown)}]}
            )
        return [found[i] for i in ids]

    def _sampled(self, cleaned) -> list[Contact]:
        """As the page: a random sample from the filter, spread over the agents."""
        pool = contacts_filtered(
            user=self.request.user,
            filters={
                "team": cleaned["sample_team"] or cleaned["team"],
                "channel": cleaned["sample_channel"],
                "date_from": cleaned["sample_from"],
                "date_to": cleaned["sample_to"],
            },
        )
        size = cleaned["sample_size"]
        contacts = calibration_services.contacts_sample(contacts=pool, count=size)
        if len(contacts) < size:
            raise exceptions.ValidationError(
                {
                    "sample_size": [
                        _("Only %(found)d contacts match; widen the filter or pick fewer.")
                        % {"found": len(contacts)}
                    ]
                }
            )
        return contacts

    def _move(self, request, move: str):
        session = self.get_object()
        calibration_services.session_move(session=session, user=request.user, action=move)
        return Response(self._detail(self.get_object()))

    def _users(self, ids, queryset, field: str) -> list[User]:
        found = queryset.in_bulk(list(dict.fromkeys(ids)))
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            raise exceptions.ValidationError(
                {field: [_("No such users: %(ids)s.") % {"ids": ", ".join(unknown)}]}
            )
        return list(found.values())

    @extend_schema(
        summary="Invite evaluators (until the reveal) or observing agents (until completion)",
        parameters=[SESSION_ID],
        request=s.SessionParticipantsSerializer,
        responses={200: s.SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        session = self.get_object()
        if not calibration_services.can_run(request.user, session):
            raise exceptions.PermissionDenied
        body = s.SessionParticipantsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = SessionPlanForm.base_fields
        calibration_services.participants_add(
            session=session,
            user=request.user,
            evaluators=self._users(
                body.validated_data.get("evaluators", []),
                fields["evaluators"].queryset,
                "evaluators",
            ),
            observers=self._users(
                body.validated_data.get("observers", []),
                fields["observers"].queryset,
                "observers",
            ),
        )
        return Response(self._detail(self.get_object()))

    @extend_schema(
        summary="Add contacts to a planned session",
        parameters=[SESSION_ID],
        request=s.SessionContactsSerializer,
        responses={200: s.SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        session = self.get_object()
        if not calibration_services.can_run(request.user, session):
            raise exceptions.PermissionDenied
        body = s.SessionContactsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        calibration_services.session_contacts_add(
            session=session,
            user=request.user,
            contacts=self._found_contacts(body.validated_data["contacts"]),
        )
        return Response(self._detail(self.get_object()))

    @extend_schema(
        summary="Move the meeting: everyone invited gets an updated calendar invitation",
        parameters=[SESSION_ID],
        request=s.SessionRescheduleSerializer,
        responses={200: s.SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        session = self.get_object()
        if not calibration_services.can_run(request.user, session):
            raise exceptions.PermissionDenied
        body = s.SessionRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = {
            "duration_minutes": session.duration_minutes,
            "location": session.location,
            **body.validated_data,
        }
        calibration_services.session_reschedule(session=session, user=request.user, **fields)
        return Response(self._detail(self.get_object()))

    @_move_schema("Open blind scoring (5-10 contacts, at least two evaluators)")
    @action(detail=True, methods=["post"], url_path="open")
    def open_scoring(self, request, pk=None):
        return self._move(request, "open")

    @_move_schema("Reveal the scores: submitted evaluations are locked, drafts stay out")
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        return self._move(request, "reveal")

    @_move_schema("Cancel the session")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, "cancel")

    @extend_schema(
        summary="Complete the session: lock it with its summary",
        parameters=[SESSION_ID],
        request=s.SessionCompleteSerializer,
        responses={200: s.SessionCompletedSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        session = self.get_object()
        if not calibration_services.can_run(request.user, session):
            raise exceptions.PermissionDenied
        body = s.SessionCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if session.status != SessionStatus.DISCUSSION:
            raise exceptions.ValidationError([_("Only a session in discussion can be completed.")])
        completion = calibration_services.session_complete(
            session=session, user=request.user, **body.validated_data
        )
        result = {
            "session": session_detail(self.get_object(), request.user),
            "official_evaluations": [evaluation.pk for evaluation in completion.official],
            "kept_contacts": [contact.pk for contact in completion.kept],
        }
        return Response(s.SessionCompletedSerializer(result).data)

    @extend_schema(
        summary="The calibration report: every figure of the report page",
        description=(
            "After the reveal, for QA staff and the session's evaluators (agents never). "
            "`anonymous=true` names the evaluators Evaluator A, B, C… and leaves out their ids."
        ),
        parameters=[SESSION_ID, OpenApiParameter("anonymous", **FLAG_PARAMETER)],
        responses={200: s.ReportSerializer, **errors(401, 403, 404, 429)},
    )
    @action(detail=True)
    def report(self, request, pk=None):
        session = self.get_object()
        if not calibration_selectors.can_see_answers(request.user, session):
            raise exceptions.PermissionDenied
        report = session_report(session, anonymous=_flag(request, "anonymous"))
        return Response(_finite(s.ReportSerializer(report_data(report)).data))


# --- follow-up actions -----------------------------------------------------------------------


class ActionFilter(serializers.Serializer):
    include_done = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        summary="Follow-up actions: QA staff see all, everyone else their own",
        parameters=[ActionFilter],
        responses={200: s.ActionSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    partial_update=extend_schema(
        summary="Change an action's status (its owner and the session's runners)",
        request=s.ActionStatusSerializer,
        responses={200: s.ActionSerializer, **errors(400, 401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["calibration sessions"])
class ActionViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ActionSerializer

    def get_queryset(self):
        params = ActionFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return calibration_selectors.actions_for(
            user=self.request.user, include_done=params.validated_data["include_done"]
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else _actions_with_rights(page, self.request.user)

    def partial_update(self, request, pk=None):
        # As the page: any action by its id, then the owner or the session's runners only.
        item = get_object_or_404(FollowUpAction.objects.select_related("session", "owner"), pk=pk)
        if not calibration_services.can_update_action(request.user, item):
            raise exceptions.PermissionDenied
        body = s.ActionStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = calibration_services.action_status_set(
            action=item, user=request.user, status=body.validated_data["status"]
        )
        (item,) = _actions_with_rights([item], request.user)
        return Response(s.ActionSerializer(item).data)


# --- series and notifications -------------------------------------------------------------------

SERIES_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Recurring calibration series: all for QA staff, their own for evaluators",
        responses={200: s.SeriesSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="A series, with the rule in words and its next five meetings",
        parameters=[SERIES_ID],
        responses={200: s.SeriesSerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["calibration sessions"])
class SeriesViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.SeriesSerializer
    permission_classes = [IsStaff]

    def get_queryset(self):
        return series_services.series_for(user=self.request.user).order_by("title", "pk")

    def _with_figures(self, items):
        now = timezone.now()
        for item in items:
            item.rule_in_words = series_services.cadence_text(item)
            item.next_meetings = (
                series_services.series_meetings(series=item, after=now, count=5)
                if item.is_active
                else []
            )
        return items

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self._with_figures(page)

    def retrieve(self, request, pk=None):
        (item,) = self._with_figures([self.get_object()])
        return Response(s.SeriesSerializer(item).data)


class NotificationFilter(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first (what the bell shows)",
        parameters=[NotificationFilter],
        responses={200: s.NotificationSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        params = NotificationFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        mine = Notification.objects.filter(user=self.request.user)
        return mine.filter(read_at__isnull=True) if params.validated_data["unread"] else mine

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        return notification_selectors.with_words(page, reader=self.request.user)

    @extend_schema(
        summary="Mark all your notifications as read",
        request=None,
        responses={200: s.MarkedReadSerializer, **errors(400, 401, 429)},
    )
    @action(detail=False, methods=["post"])
    @takes_no_body
    def read(self, request):
        return Response({"marked": notification_services.mark_read(user=request.user)})
