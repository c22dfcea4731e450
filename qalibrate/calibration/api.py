"""The calibration endpoints of the REST API (/api/v1/sessions/, /actions/, /series/). They read
through the same selectors as the pages (qalibrate.calibration.detail_selectors for one session)
and write through the same forms and services, with the same permission checks."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from qalibrate.accounts.models import User
from qalibrate.api.base import ApiViewMixin, errors, takes_no_body
from qalibrate.api.filters import BlankChoiceFilter, FlagFilter, IdFilter, ListFilterBackend
from qalibrate.api.helpers import FLAG_PARAMETER, finite, flag, form_errors
from qalibrate.api.permissions import CanSeeSeries
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.calibration import permissions, series_selectors
from qalibrate.calibration import selectors as calibration_selectors
from qalibrate.calibration import services as calibration_services
from qalibrate.calibration.detail_selectors import actions_with_rights
from qalibrate.calibration.forms import SessionPlanForm
from qalibrate.calibration.models import (
    DEFAULT_AGENDA,
    DEFAULT_GROUND_RULES,
    MAX_CONTACTS,
    MIN_CONTACTS,
    ActionStatus,
    CalibrationSession,
    FollowUpAction,
    SessionStatus,
)
from qalibrate.calibration.serializers import (
    ActionSerializer,
    ActionStatusSerializer,
    AgreedAnswerInputSerializer,
    AgreedAnswerSerializer,
    ContactNotesSerializer,
    CriterionFlagInputSerializer,
    CriterionFlagSerializer,
    SeriesSerializer,
    SessionCompletedSerializer,
    SessionCompleteSerializer,
    SessionContactsSerializer,
    SessionDetailSerializer,
    SessionParticipantsSerializer,
    SessionPlanSerializer,
    SessionRescheduleSerializer,
    SessionSerializer,
    session_detail_data,
)
from qalibrate.calibration.series import cadence_text, series_meetings
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.services import AnswerInput
from qalibrate.reports.api import report_data
from qalibrate.reports.selectors import session_report
from qalibrate.reports.serializers import ReportSerializer
from qalibrate.scorecards.models import Criterion

SESSION_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
SERIES_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)

# --- sessions --------------------------------------------------------------------------------


class SessionFilter(django_filters.FilterSet):
    status = BlankChoiceFilter(choices=SessionStatus.choices)
    team = IdFilter()

    class Meta:
        model = CalibrationSession
        fields = ["status", "team"]


def _move_schema(summary: str):
    schema = extend_schema(
        summary=summary,
        request=None,
        parameters=[SESSION_ID],
        responses={200: SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    return lambda function: schema(takes_no_body(function))


@extend_schema_view(
    list=extend_schema(
        summary="Calibration sessions you may see",
        responses={200: SessionSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One session: contacts, progress (never answers or scores), meeting, history",
        parameters=[SESSION_ID],
        responses={200: SessionDetailSerializer, **errors(401, 404, 429)},
    ),
    create=extend_schema(
        summary="Plan a session (administrators and QA leads)",
        description=(
            "The fields of the Plan a session page. Give 5-10 `contacts`, or leave them out "
            "and sample `sample_size` contacts at random from a filter, spread over agents."
        ),
        request=SessionPlanSerializer,
        responses={201: SessionDetailSerializer, **errors(400, 401, 403, 429)},
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
    serializer_class = SessionSerializer
    filter_backends = [ListFilterBackend, OrderingFilter]
    filterset_class = SessionFilter
    ordering_fields = ["meeting_at", "scoring_deadline", "created_at", "title"]
    ordering = ["-meeting_at", "-pk"]

    def get_queryset(self):
        return calibration_selectors.sessions_for(user=self.request.user)

    def _detail(self, session) -> dict:
        return SessionDetailSerializer(session_detail_data(session, self.request.user)).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    def create(self, request):
        user = request.user
        if not permissions.can_plan(user):
            raise exceptions.PermissionDenied
        plan = SessionPlanSerializer(data=request.data)
        plan.is_valid(raise_exception=True)
        data = plan.validated_data
        picked = self._picked(data.get("contacts"))
        form = SessionPlanForm(self._plan_form_data(data), picked=picked, user=user)
        if not form.is_valid():
            raise form_errors(form)
        cleaned = form.cleaned_data
        contacts = picked or calibration_services.plan_sample(user=user, plan=cleaned)
        session = calibration_services.session_plan(
            user=user,
            contacts=contacts,
            evaluators=list(cleaned["evaluators"]),
            observers=list(cleaned["observers"]),
            **{name: cleaned[name] for name in SessionPlanForm.Meta.fields},
        )
        session = self.get_queryset().get(pk=session.pk)
        return Response(self._detail(session), status=status.HTTP_201_CREATED)

    def _plan_form_data(self, data: dict) -> dict:
        """The plan as the Plan a session page's form takes it, which keeps the rules."""
        return {
            "title": data["title"],
            "version": data["version"],
            "team": data.get("team") or "",
            "facilitator": data.get("facilitator", self.request.user.pk),
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

    def _picked(self, ids) -> list[Contact]:
        """The listed contacts, in the order given; each must be one the planner may see."""
        if not ids:
            return []
        contacts = self._contacts(ids)
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

    def _contacts(self, ids) -> list[Contact]:
        """The listed contacts, in the order given; each must be one the user may see."""
        contacts, unknown = calibration_selectors.picked_contacts(user=self.request.user, ids=ids)
        if unknown:
            raise exceptions.ValidationError(
                {
                    "contacts": [
                        _("No such contacts: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
                    ]
                }
            )
        return contacts

    def _move(self, request, move: str):
        session = self.get_object()
        calibration_services.session_move(session=session, user=request.user, action=move)
        return Response(self._detail(self.get_object()))

    def _session_to_run(self, request) -> CalibrationSession:
        session = self.get_object()
        if not permissions.can_run(request.user, session):
            raise exceptions.PermissionDenied
        return session

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
        request=SessionParticipantsSerializer,
        responses={200: SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        session = self._session_to_run(request)
        body = SessionParticipantsSerializer(data=request.data)
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
        request=SessionContactsSerializer,
        responses={200: SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        session = self._session_to_run(request)
        body = SessionContactsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        calibration_services.session_contacts_add(
            session=session,
            user=request.user,
            contacts=self._contacts(body.validated_data["contacts"]),
        )
        return Response(self._detail(self.get_object()))

    @extend_schema(
        summary="Move the meeting: everyone invited gets an updated calendar invitation",
        parameters=[SESSION_ID],
        request=SessionRescheduleSerializer,
        responses={200: SessionDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        session = self._session_to_run(request)
        body = SessionRescheduleSerializer(data=request.data)
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
        request=SessionCompleteSerializer,
        responses={200: SessionCompletedSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        session = self._session_to_run(request)
        body = SessionCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if session.status != SessionStatus.DISCUSSION:
            raise exceptions.ValidationError([_("Only a session in discussion can be completed.")])
        completion = calibration_services.session_complete(
            session=session, user=request.user, **body.validated_data
        )
        result = {
            "session": session_detail_data(self.get_object(), request.user),
            "official_evaluations": [evaluation.pk for evaluation in completion.official],
            "kept_contacts": [contact.pk for contact in completion.kept],
        }
        return Response(SessionCompletedSerializer(result).data)

    # --- the meeting's results: what the discussion screen records, with the same rules ----

    def _session_contact(self, session, contact_id: int):
        found = session.session_contacts.filter(contact_id=contact_id).first()
        if found is None:
            raise exceptions.ValidationError(
                {"contact": [_("This contact is not one of the session's.")]}
            )
        return found

    def _criterion(self, session, criterion_id: int) -> Criterion:
        found = Criterion.objects.filter(pk=criterion_id, section__version=session.version_id)
        criterion = found.select_related("section").first()
        if criterion is None:
            raise exceptions.ValidationError(
                {"criterion": [_("This criterion is not on the session's scorecard.")]}
            )
        return criterion

    @extend_schema(
        summary="Record the group's agreed answer on a contact's criterion, and why",
        description="As the discussion screen: by those who run the session, during discussion.",
        parameters=[SESSION_ID],
        request=AgreedAnswerInputSerializer,
        responses={200: AgreedAnswerSerializer, **errors(400, 401, 403, 404, 413, 429)},
    )
    @action(detail=True, methods=["post"], url_path="agreed-answers")
    def agreed_answers(self, request, pk=None):
        session = self._session_to_run(request)
        body = AgreedAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agreed = calibration_services.agreed_answer_set(
            session_contact=self._session_contact(session, data["contact"]),
            criterion=self._criterion(session, data["criterion"]),
            user=request.user,
            answer=AnswerInput(value=data["value"], na=data["is_na"]),
            reason=data["reason"],
        )
        return Response(AgreedAnswerSerializer(agreed).data)

    @extend_schema(
        summary="Write the meeting's notes on a contact (feedback for the agent)",
        parameters=[SESSION_ID],
        request=ContactNotesSerializer,
        responses={200: ContactNotesSerializer, **errors(400, 401, 403, 404, 413, 429)},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        session = self._session_to_run(request)
        body = ContactNotesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session_contact = self._session_contact(session, body.validated_data["contact"])
        calibration_services.contact_notes_set(
            session_contact=session_contact, user=request.user, notes=body.validated_data["notes"]
        )
        session_contact.refresh_from_db()
        return Response({"contact": session_contact.contact_id, "notes": session_contact.notes})

    @extend_schema(
        summary="Flag a criterion (needs clarification, or a process problem), or unflag it",
        parameters=[SESSION_ID],
        request=CriterionFlagInputSerializer,
        responses={200: CriterionFlagSerializer, **errors(400, 401, 403, 404, 413, 429)},
    )
    @action(detail=True, methods=["post"])
    def flags(self, request, pk=None):
        session = self._session_to_run(request)
        body = CriterionFlagInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        criterion = self._criterion(session, data["criterion"])
        if data["remove"]:
            calibration_services.criterion_flag_unset(
                session=session, criterion=criterion, user=request.user, kind=data["kind"]
            )
            note = ""
        else:
            note = calibration_services.criterion_flag_set(
                session=session,
                criterion=criterion,
                user=request.user,
                kind=data["kind"],
                note=data["note"],
            ).note
        return Response(
            {
                "criterion": criterion.pk,
                "kind": data["kind"],
                "note": note,
                "removed": data["remove"],
            }
        )

    @extend_schema(
        summary="The calibration report: every figure of the report page",
        description=(
            "After the reveal, for QA staff and the session's evaluators (agents never). "
            "`anonymous=true` names the evaluators Evaluator A, B, C… and leaves out their ids."
        ),
        parameters=[SESSION_ID, OpenApiParameter("anonymous", **FLAG_PARAMETER)],
        responses={200: ReportSerializer, **errors(401, 403, 404, 429)},
    )
    @action(detail=True)
    def report(self, request, pk=None):
        session = self.get_object()
        if not permissions.can_see_answers(request.user, session):
            raise exceptions.PermissionDenied
        report = session_report(session, anonymous=flag(request, "anonymous"))
        audit_record(
            action=AuditAction.REPORT_VIEWED,
            actor=request.user,
            target=session,
            team=session.team,
            details={"through": "api"},
        )
        return Response(finite(ReportSerializer(report_data(report)).data))


# --- follow-up actions -----------------------------------------------------------------------


class ActionFilter(django_filters.FilterSet):
    include_done = FlagFilter(method="done_included")

    class Meta:
        model = FollowUpAction
        fields = ["include_done"]

    def done_included(self, queryset, name, value):
        # As the action list page: done actions are left out unless asked for.
        return queryset if value else queryset.exclude(status=ActionStatus.DONE)


@extend_schema_view(
    list=extend_schema(
        summary="Follow-up actions: QA staff see all, everyone else their own",
        responses={200: ActionSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    partial_update=extend_schema(
        summary="Change an action's status (its owner and the session's runners)",
        request=ActionStatusSerializer,
        responses={200: ActionSerializer, **errors(400, 401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["calibration sessions"])
class ActionViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ActionSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ActionFilter

    def get_queryset(self):
        return calibration_selectors.actions_for(user=self.request.user, include_done=True)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else actions_with_rights(page, user=self.request.user)

    def partial_update(self, request, pk=None):
        # As the page: any action by its id, then the owner or the session's runners only.
        item = get_object_or_404(FollowUpAction.objects.select_related("session", "owner"), pk=pk)
        if not permissions.can_update_action(request.user, item):
            raise exceptions.PermissionDenied
        body = ActionStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = calibration_services.action_status_set(
            action=item, user=request.user, status=body.validated_data["status"]
        )
        (item,) = actions_with_rights([item], user=request.user)
        return Response(ActionSerializer(item).data)


# --- series ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Recurring calibration series: all for QA staff, their own for evaluators",
        responses={200: SeriesSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="A series, with the rule in words and its next five meetings",
        parameters=[SERIES_ID],
        responses={200: SeriesSerializer, **errors(401, 403, 404, 429)},
    ),
)
@extend_schema(tags=["calibration sessions"])
class SeriesViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SeriesSerializer
    permission_classes = [CanSeeSeries]

    def get_queryset(self):
        return series_selectors.series_for(user=self.request.user).order_by("title", "pk")

    def _with_figures(self, items):
        now = timezone.now()
        for item in items:
            item.rule_in_words = cadence_text(item)
            item.next_meetings = (
                series_meetings(series=item, after=now, count=5) if item.is_active else []
            )
        return items

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self._with_figures(page)

    def retrieve(self, request, pk=None):
        (item,) = self._with_figures([self.get_object()])
        return Response(SeriesSerializer(item).data)
