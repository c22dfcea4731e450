"""The history pages' filters, one declaration for each page and its API endpoint: what each
takes and how it is labelled. The rules they apply are in the selectors."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from qalibrate.api.filters import BlankChoiceFilter, ObjectFilter, teams_of_request
from qalibrate.history import selectors
from qalibrate.scorecards.models import Scorecard

DAY = {"type": "string", "format": "date"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _in_api(schema: dict, description: str):
    """The parameter as the API's schema describes it, in words for a script."""
    return extend_schema_field({**schema, "description": description})


def _scorecards(request):
    return selectors.trend_scorecards(user=request.user) if request else Scorecard.objects.none()


class TrendsForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data


class TrendsFilter(django_filters.FilterSet):
    """The trends (page and GET /api/v1/history/trends/), every filter optional and all of
    them applying: a preset period and from and to dates narrow each other."""

    team = ObjectFilter(label=_("Team"), queryset=teams_of_request, empty_label=_("All teams"))
    scorecard = ObjectFilter(
        label=_("Scorecard"), queryset=_scorecards, empty_label=_("All scorecards")
    )
    period = BlankChoiceFilter(
        label=_("Period"),
        choices=[
            ("3m", _("Last 3 months")),
            ("6m", _("Last 6 months")),
            ("12m", _("Last 12 months")),
        ],
        empty_label=_("All time"),
    )
    date_from = _in_api(DAY, "Sessions held on this day and later.")(
        django_filters.DateFilter(label=_("From"), widget=_date_input())
    )
    date_to = _in_api(DAY, "Sessions held on this day and earlier.")(
        django_filters.DateFilter(label=_("To"), widget=_date_input())
    )

    class Meta:
        form = TrendsForm

    def filter_queryset(self, queryset):
        return selectors.records_narrowed(queryset, self.form.cleaned_data)
