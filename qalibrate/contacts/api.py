"""The contact endpoints of the REST API: /api/v1/contacts/ with the contact list's filters
(contacts.filters), one contact and its recording, and the bulk create-or-update that checks
every item as a row of the contact import (contacts.importing)."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.exceptions import RowErrors
from qalibrate.api.filters import ListFilterBackend
from qalibrate.api.helpers import FLAG_PARAMETER, flag
from qalibrate.contacts import importing, selectors
from qalibrate.contacts.filters import ContactFilter
from qalibrate.contacts.import_files import MAX_JSON_BYTES
from qalibrate.contacts.media import ranged_file_response
from qalibrate.contacts.permissions import can_import_contacts
from qalibrate.contacts.serializers import (
    CONTACT_ROW_SCHEMA,
    ContactDetailSerializer,
    ContactSerializer,
    ContactUpsertResultSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="Contacts you may see (agents: their own), with the contact list's filters",
        responses={200: ContactSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One contact with its transcript and metadata",
        responses={200: ContactDetailSerializer, **errors(401, 404, 429)},
    ),
)
@extend_schema(tags=["contacts"])
class ContactViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [ListFilterBackend, OrderingFilter]
    filterset_class = ContactFilter
    ordering_fields = ["occurred_at", "external_id", "created_at"]
    ordering = ["-occurred_at", "-pk"]

    @property
    def max_request_bytes(self):
        return MAX_JSON_BYTES if self.action == "bulk" else super().max_request_bytes

    def get_serializer_class(self):
        return ContactDetailSerializer if self.action == "retrieve" else ContactSerializer

    def get_queryset(self):
        return selectors.contacts_listed(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.evaluated_marked(page, user=self.request.user)

    def get_object(self):
        contact = super().get_object()
        return selectors.evaluated_marked([contact], user=self.request.user)[0]

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
        request={"application/json": CONTACT_ROW_SCHEMA},
        responses={200: ContactUpsertResultSerializer, **errors(400, 401, 403, 413, 429)},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        if not can_import_contacts(request.user):
            raise exceptions.PermissionDenied
        rows = request.data
        if not isinstance(rows, list):
            raise exceptions.ValidationError(
                [_("Send a JSON list of contacts, one object per contact.")]
            )
        problems = _unimportable_values(rows)
        if problems:
            raise RowErrors(problems, problems[0]["message"])
        dry_run = flag(request, "dry_run")
        try:
            if dry_run:
                report = importing.contacts_check(records=rows, user=request.user)
                if not report.ok:
                    raise importing.ImportRejected(report)
            else:
                report = importing.contacts_apply(records=rows, user=request.user)
        except importing.ImportRejected as rejected:
            raise _row_errors(rejected.report) from None
        result = {
            "applied": not dry_run,
            "rows": report.total_rows,
            "created": report.creates,
            "updated": report.updates,
            "new_agents": report.new_agents,
        }
        return Response(ContactUpsertResultSerializer(result).data)


def _unimportable_values(rows: list) -> list[dict]:
    """What a file could not hold either: a recording, or a list or an object where the
    importer expects text (it would write it into a text column as its JSON)."""
    recordings = [
        {
            "index": index,
            "field": "media_file",
            "message": _("Recordings cannot be sent through the API; leave media_file out."),
            "code": "invalid",
        }
        for index, row in enumerate(rows)
        if isinstance(row, dict) and row.get("media_file") not in (None, "")
    ]
    structures = [
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
    return recordings + structures


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
