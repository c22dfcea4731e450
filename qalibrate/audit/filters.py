"""The audit trail's filters, shared by its page and its endpoint."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team, User
from qalibrate.api.filters import BlankChoiceFilter, ObjectFilter
from qalibrate.audit.models import AuditAction, AuditEvent


class AuditFilter(django_filters.FilterSet):
    action = BlankChoiceFilter(label=_("What"), choices=AuditAction.choices, empty_label=_("All"))
    actor = ObjectFilter(
        label=_("Who"),
        queryset=User.objects.order_by("last_name", "first_name", "username"),
        empty_label=_("All"),
    )
    team = ObjectFilter(
        label=_("Team"), queryset=Team.objects.order_by("name"), empty_label=_("All")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    target_type = django_filters.CharFilter(label=_("Object type"), max_length=60)
    target_id = django_filters.CharFilter(label=_("Object id"), max_length=60)

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "team", "date_from", "date_to", "target_type", "target_id"]
