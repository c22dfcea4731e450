"""What the evaluator pages post, validated: a team's drift rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qalibrate.history.drift import CONSECUTIVE_RANGE, RECENT_RANGE
from qalibrate.history.models import DriftRule


class DriftRuleForm(forms.ModelForm):
    """A team's drift rule (docs/history.md, "The drift rule")."""

    consecutive = forms.IntegerField(
        label=_("Sessions in a row outside the tolerance"),
        min_value=CONSECUTIVE_RANGE[0],
        max_value=CONSECUTIVE_RANGE[1],
        help_text=_(
            "An evaluator drifts when outside the tolerance in this many sessions in a row."
        ),
    )
    recent = forms.IntegerField(
        label=_("Sessions pooled for the bias"),
        min_value=RECENT_RANGE[0],
        max_value=RECENT_RANGE[1],
        help_text=_(
            "An evaluator also drifts when their bias pooled over this many recent sessions is "
            "beyond the tolerance and its interval excludes 0."
        ),
    )

    class Meta:
        model = DriftRule
        fields = ["enabled", "consecutive", "recent"]
        labels = {"enabled": _("Drift alerts on")}
        help_texts = {
            "enabled": _("Off: nobody is marked as drifting in this team and no alert is sent.")
        }
