from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Role, Team, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.calibration.models import tolerance_field
from qalibrate.certification import rule
from qalibrate.scorecards.models import Scorecard


class CertificationForm(forms.Form):
    evaluator = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    scorecard = forms.ModelChoiceField(label=_("Scorecard"), queryset=Scorecard.objects.none())
    tolerance = tolerance_field().formfield(
        help_text=_("Certified once the mean deviation from the agreed scores is surely within.")
    )
    max_contacts = forms.IntegerField(
        label=_("At most this many gold contacts"),
        min_value=rule.MIN_CONTACTS,
        max_value=30,
        initial=rule.MAX_CONTACTS,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        teams = visible_teams(user).order_by("name")
        self.fields["team"].queryset = teams
        self.fields["scorecard"].queryset = Scorecard.objects.visible_to(user).order_by("name")
        self.fields["evaluator"].queryset = (
            User.objects.filter(is_active=True, is_automatic=False)
            .filter(role__in=(Role.EVALUATOR, Role.QA_LEAD))
            .filter(Q(teams__in=teams) | Q(all_teams=True))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
