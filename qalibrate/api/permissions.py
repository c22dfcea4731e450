"""The apps' permission predicates as DRF permission classes, so an endpoint lets in exactly
whom its page lets in. Rules about one object (may this user run that session?) are checked in
the views with the same predicates."""

from rest_framework.permissions import BasePermission

from qalibrate.accounts.permissions import is_staff_member
from qalibrate.calibration.permissions import can_plan, can_see_series_pages


class CanPlanSessions(BasePermission):
    """Administrators and QA leads: those who see the Plan a session page."""

    def has_permission(self, request, view):
        return can_plan(request.user)


class IsStaff(BasePermission):
    """Everyone but agents (accounts.permissions.is_staff_member)."""

    def has_permission(self, request, view):
        return is_staff_member(request.user)


class CanSeeSeries(BasePermission):
    """Everyone but agents: those who see the series pages."""

    def has_permission(self, request, view):
        return can_see_series_pages(request.user)
