"""What the API's filters share: the backend (django-filter, on lists only) and the filter
kinds the domains' FilterSets use, each documented in the schema as the API reads it."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qalibrate.accounts.models import Agent, Team
from qalibrate.accounts.permissions import in_my_teams, visible_teams
from qalibrate.api.helpers import MAX_ID, IdField


def teams_of_request(request):
    """The teams a filter offers: the user's (every team for those who see every team)."""
    return visible_teams(request.user) if request else Team.objects.none()


def agents_of_request(request):
    """The agents a filter offers: those of the user's teams."""
    if request is None:
        return Agent.objects.none()
    return Agent.objects.filter(in_my_teams(request.user)).select_related("team")


class ListFilterBackend(DjangoFilterBackend):
    """A view's FilterSet (``filterset_class``) narrows its list; one object's address takes no
    filters and ignores any it is given. Invalid values answer 400, naming the parameter."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)


@extend_schema_field(IdField())
class IdFilter(django_filters.Filter):
    """An object's id: a whole number from 1. An id nothing has matches nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(IdField())
class ObjectFilter(django_filters.ModelChoiceFilter):
    """An object of ``queryset`` by its id. An id nothing has is refused."""


class BlankChoiceFilter(django_filters.ChoiceFilter):
    """One of ``choices``; blank means all, as the schema says."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, choices=choices, **kwargs)
        extend_schema_field(serializers.ChoiceField(choices=choices, allow_blank=True))(self)


class FlagField(forms.Field):
    """Yes or no, in the words DRF reads (true, yes, on, 1; false, no, off, 0...); blank: no."""

    def to_python(self, value):
        if value in self.empty_values:
            return False
        try:
            return serializers.BooleanField().to_internal_value(value)
        except serializers.ValidationError as error:
            raise forms.ValidationError(error.detail[0], code="invalid") from None


@extend_schema_field({"type": "boolean", "default": False})
class FlagFilter(django_filters.Filter):
    field_class = FlagField
