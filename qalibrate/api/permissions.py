"""The pages' permission helpers as DRF permission classes."""

from rest_framework.permissions import BasePermission

from qalibrate.calibration.services import can_plan


class CanPlanSessions(BasePermission):
    """Administrators and QA leads: those who see the Plan a session page."""

    def has_permission(self, request, view):
        return can_plan(request.user)


class IsStaff(BasePermission):
    """Everyone but agents: those who see the contact list's filters."""

    def has_permission(self, request, view):
        return request.user.is_authenticated and not request.user.is_agent
