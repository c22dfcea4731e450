from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Role, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.double_scoring.models import Policy
from qalibrate.scorecards.models import Scorecard


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["team", "scorecard", "share_percent", "new_evaluator_count", "expert"]
        fields += ["tolerance", "active"]
        help_texts = {
            "expert": _(
                "Leave empty to share the second evaluations among the team's evaluators, "
                "fewest waiting first."
            ),
            "active": _("An inactive policy draws nothing; its pairs stay."),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        teams = visible_teams(user).order_by("name")
        self.fields["team"].queryset = teams
        self.fields["scorecard"].queryset = Scorecard.objects.visible_to(user).order_by("name")
        self.fields["expert"].queryset = (
            User.objects.filter(is_active=True, is_automatic=False)
            .filter(role__in=(Role.ADMIN, Role.QA_LEAD, Role.EVALUATOR))
            .filter(Q(teams__in=teams) | Q(all_teams=True) | Q(role=Role.ADMIN))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["expert"].empty_label = _("Another evaluator of the team")

    def clean(self):
        data = super().clean()
        team, scorecard = data.get("team"), data.get("scorecard")
        taken = Policy.objects.filter(team=team, scorecard=scorecard).exclude(pk=self.instance.pk)
        if team and scorecard and taken.exists():
            raise forms.ValidationError(_("This team already has a policy for this scorecard."))
        return data
