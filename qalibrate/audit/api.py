"""/api/v1/audit-events/: the audit trail for administrators, read-only like its page."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission

from qalibrate.api.base import ApiViewMixin, errors
from qalibrate.api.filters import ListFilterBackend
from qalibrate.audit.filters import AuditFilter
from qalibrate.audit.models import AuditEvent
from qalibrate.audit.permissions import can_see_audit
from qalibrate.audit.selectors import audit_events


class CanSeeAudit(BasePermission):
    def has_permission(self, request, view):
        return can_see_audit(request.user)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    team = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "team",
            "details",
            "address",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="The audit trail, newest first (administrators)",
        responses={200: AuditEventSerializer(many=True), **errors(400, 401, 403, 404, 429)},
        tags=["audit"],
    ),
    retrieve=extend_schema(
        summary="One audit event (administrators)",
        responses={200: AuditEventSerializer, **errors(401, 403, 404, 429)},
        tags=["audit"],
    ),
)
class AuditEventViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = AuditEventSerializer
    permission_classes = [CanSeeAudit]
    filter_backends = [ListFilterBackend]
    filterset_class = AuditFilter

    def get_queryset(self):
        return audit_events()
