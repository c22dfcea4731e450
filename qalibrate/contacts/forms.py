from django import forms
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Agent, Team
from qalibrate.contacts.models import Channel


class ContactFilterForm(forms.Form):
    """The filters above the contact list; every field optional, bad values ignored."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=Agent.objects.select_related("team"), required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All"))] + Channel.choices, required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evaluated = forms.ChoiceField(
        label=_("Evaluated"),
        choices=[("", _("All")), ("yes", _("Evaluated")), ("no", _("Not evaluated"))],
        required=False,
    )
    q = forms.CharField(label=_("Reference or subject"), required=False, max_length=100)
