"""What the people pages post."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Agent, Role, Team, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.people.permissions import roles_user_may_give


def _role_choices(user: User):
    allowed = roles_user_may_give(user)
    return [(value, label) for value, label in Role.choices if value in allowed]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"))
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["role"].choices = _role_choices(user)
        self.fields["role"].initial = Role.EVALUATOR
        self.fields["teams"].queryset = visible_teams(user)
        if not user.is_admin:
            self.fields["teams"].required = True


class UserEditForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    all_teams = forms.BooleanField(
        label=_("Sees every team"),
        required=False,
        help_text=_("QA leads and evaluators otherwise see only the teams they belong to."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(user)
        self.fields["teams"].queryset = visible_teams(user)
        if not user.is_admin:
            self.fields["teams"].required = True
            del self.fields["all_teams"]


class AgentForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = ["full_name", "employee_id", "team", "is_active"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible_teams(user)


class AcceptForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(
                username=self.invitation.email,
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=_("People file"), help_text=_("CSV or XLSX."))
