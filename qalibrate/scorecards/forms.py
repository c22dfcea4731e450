from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import sees_every_team, visible_teams
from qalibrate.scorecards.models import Criterion, Scorecard, Section
from qalibrate.scorecards.services import criterion_validate


class ScorecardForm(forms.ModelForm):
    class Meta:
        model = Scorecard
        fields = ["name", "purpose", "description", "language", "team", "shared_with"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "shared_with": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = visible_teams(user)
        self.fields["team"].queryset = teams
        self.fields["shared_with"].queryset = teams
        # Only those who see every team may make a scorecard the whole organisation's.
        self.fields["team"].required = not sees_every_team(user)

    def clean(self):
        cleaned = super().clean()
        team, shared = cleaned.get("team"), cleaned.get("shared_with")
        if team is not None and shared is not None:
            cleaned["shared_with"] = [other for other in shared if other.pk != team.pk]
        return cleaned


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "weight", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CriterionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Yes = 2\nPartly = 1\nNo = 0"}),
        help_text=_("For options with points: one option a line, as label = points."),
    )

    class Meta:
        model = Criterion
        fields = [
            "text",
            "kind",
            "points",
            "scale_min",
            "scale_max",
            "na_allowed",
            "critical",
            "guideline",
            "purpose",
        ]
        widgets = {"guideline": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.options:
            self.initial["options_text"] = "\n".join(
                f"{option['label']} = {option['points']}" for option in self.instance.options
            )

    def clean_options_text(self):
        options = []
        for number, line in enumerate(self.cleaned_data["options_text"].splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, points = line.rpartition("=")
            try:
                value = int(points.strip())
            except ValueError:
                value = -1
            if not sep or not label.strip() or value < 0:
                raise ValidationError(
                    _("Line %(number)d: write label = points, with whole points from 0 up."),
                    params={"number": number},
                )
            options.append({"label": label.strip(), "points": value})
        return options

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self.instance.options = cleaned.get("options_text", [])
        candidate = self.instance
        for name in self.Meta.fields:
            setattr(candidate, name, cleaned.get(name))
        try:
            criterion_validate(candidate)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error("options_text" if field == "options" else field, messages)
        return cleaned


class ReviewCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=User.objects.filter(is_active=True).order_by("role", "last_name", "first_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Anyone can review a draft: managers, evaluators and agents alike."),
    )


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_open_comments = forms.BooleanField(
        label=_("Publish even though some review comments are still open"), required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Scorecard file"),
        help_text=_("A Qalibrate JSON export, or the XLSX template filled in."),
    )
