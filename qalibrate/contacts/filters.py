"""The contact list's filters, one declaration for the page and the API (GET /api/v1/contacts/):
what each takes and how it is labelled. The rules they apply are contacts_narrowed's
(contacts.selectors), which session sampling uses too."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from qalibrate.api.filters import (
    BlankChoiceFilter,
    ObjectFilter,
    agents_of_request,
    teams_of_request,
)
from qalibrate.contacts.models import Channel
from qalibrate.contacts.selectors import contacts_narrowed

DAY = {"type": "string", "format": "date"}
TEXT = {"type": "string"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _in_api(schema: dict, description: str):
    """The parameter as the API's schema describes it, in words for a script rather than the
    page's label."""
    return extend_schema_field({**schema, "description": description})


class ContactFilter(django_filters.FilterSet):
    """Every filter optional. An invalid value answers 400 in the API; the page ignores the
    filters until they are all valid."""

    team = ObjectFilter(label=_("Team"), queryset=teams_of_request)
    agent = ObjectFilter(label=_("Agent"), queryset=agents_of_request)
    channel = BlankChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("All"))
    date_from = _in_api(DAY, "Contacts of this day and later, in your time zone.")(
        django_filters.DateFilter(label=_("From"), widget=_date_input())
    )
    date_to = _in_api(DAY, "Contacts of this day and earlier, in your time zone.")(
        django_filters.DateFilter(label=_("To"), widget=_date_input())
    )
    evaluated = BlankChoiceFilter(
        label=_("Evaluated"),
        choices=[("yes", _("Evaluated")), ("no", _("Not evaluated"))],
        empty_label=_("All"),
    )
    q = _in_api(TEXT, "In the external id or the subject.")(
        django_filters.CharFilter(label=_("Reference or subject"), max_length=100)
    )

    def filter_queryset(self, queryset):
        return contacts_narrowed(queryset, self.form.cleaned_data, user=self.request.user)
