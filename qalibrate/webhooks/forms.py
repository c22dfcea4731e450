from django import forms
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team
from qalibrate.webhooks.models import SUBSCRIBABLE, Webhook


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where each event is posted as JSON (http or https)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e.value, e.label) for e in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("Every team"),
        help_text=_("Only the events of this team's sessions, contacts and evaluations."),
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "team", "active"]
        help_texts = {
            "active": _("An inactive webhook is sent nothing; its log stays."),
        }
