from django import forms
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Role, Team, User
from qalibrate.accounts.permissions import in_my_teams, sees_every_team, visible_teams
from qalibrate.calibration.models import (
    MAX_CONTACTS,
    MIN_CONTACTS,
    CalibrationSession,
    FlagKind,
    Series,
    SessionStatus,
)
from qalibrate.contacts.models import Channel
from qalibrate.scorecards.models import Scorecard, ScorecardVersion, VersionStatus

STAFF = (Role.ADMIN, Role.QA_LEAD, Role.EVALUATOR)


def agents_of_teams(user: User):
    """The agents with a log-in in the user's teams: those who may observe a session."""
    members = User.objects.filter(in_my_teams(user, "teams")).values("pk")
    return User.objects.filter(is_active=True, role=Role.AGENT, pk__in=members)


SAMPLE_FIELDS = ("sample_team", "sample_channel", "sample_from", "sample_to", "sample_size")


class SessionPlanForm(forms.ModelForm):
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"),
        queryset=User.objects.filter(is_active=True, role__in=STAFF),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They score every contact, blind, before the meeting."),
    )
    observers = forms.ModelMultipleChoiceField(
        label=_("Agents who observe"),
        queryset=User.objects.filter(is_active=True, role=Role.AGENT),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Agents learn how scores are given, especially on their own contacts."),
    )
    sample_team = forms.ModelChoiceField(
        label=_("Sample contacts from team"), queryset=Team.objects.all(), required=False
    )
    sample_channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All"))] + Channel.choices, required=False
    )
    sample_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sample_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sample_size = forms.IntegerField(
        label=_("Number of contacts"),
        min_value=MIN_CONTACTS,
        max_value=MAX_CONTACTS,
        initial=6,
        help_text=_("Picked at random, spread over the agents."),
    )

    class Meta:
        model = CalibrationSession
        fields = [
            "title",
            "version",
            "team",
            "facilitator",
            "expert",
            "reference_mode",
            "tolerance",
            "scoring_deadline",
            "meeting_at",
            "duration_minutes",
            "location",
            "agenda",
            "ground_rules",
        ]
        widgets = {
            # Radios: the latest published versions in view, older ones folded away.
            "version": forms.RadioSelect,
            "scoring_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "meeting_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "ground_rules": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, picked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.picked = list(picked)
        if self.picked:  # contacts ticked in the contact list: nothing to sample
            for name in SAMPLE_FIELDS:
                del self.fields[name]
        else:
            self.fields["sample_team"].queryset = visible_teams(user)
        self.fields["version"].queryset = (
            ScorecardVersion.objects.filter(
                status=VersionStatus.PUBLISHED,
                scorecard__in=Scorecard.objects.visible_to(user).values("pk"),
            )
            .select_related("scorecard")
            .order_by("scorecard__name", "scorecard_id", "-number")
        )
        # A lead of some teams plans for one of them; evaluators may come from any team.
        self.fields["team"].queryset = visible_teams(user)
        self.fields["team"].required = not sees_every_team(user)
        self.fields["observers"].queryset = agents_of_teams(user)
        leads = User.objects.filter(is_active=True, role__in=(Role.ADMIN, Role.QA_LEAD))
        self.fields["facilitator"].queryset = leads
        self.fields["expert"].queryset = User.objects.filter(is_active=True, role__in=STAFF)

    def clean(self):
        cleaned = super().clean()
        self._team_from_picked(cleaned)
        deadline, meeting = cleaned.get("scoring_deadline"), cleaned.get("meeting_at")
        if deadline and meeting and deadline > meeting:
            self.add_error("scoring_deadline", _("Scoring must end before the meeting starts."))
        if cleaned.get("reference_mode") == "expert" and not cleaned.get("expert"):
            self.add_error("expert", _("Choose the expert whose answers are the reference."))
        evaluators = cleaned.get("evaluators") or []
        if evaluators and len(evaluators) < 2:
            self.add_error("evaluators", _("Invite at least two evaluators."))
        if self.picked and not MIN_CONTACTS <= len(self.picked) <= MAX_CONTACTS:
            self.add_error(
                None,
                _("Pick %(min)d to %(max)d contacts; %(count)d are ticked.")
                % {"min": MIN_CONTACTS, "max": MAX_CONTACTS, "count": len(self.picked)},
            )
        return cleaned

    def _team_from_picked(self, cleaned: dict) -> None:
        """No team given, but every picked contact is of one of the user's teams: that one."""
        teams = {contact.team for contact in self.picked}
        choices = self.fields["team"].queryset
        if self.data.get("team") or len(teams) != 1:  # an explicit choice stands
            return
        (team,) = teams
        if choices.filter(pk=team.pk).exists():
            cleaned["team"] = team
            self.errors.pop("team", None)

    def version_radios(self) -> dict:
        """The version radios split in two: each scorecard's latest published version, and the
        older ones (shown open when one of them is chosen)."""
        latest, older, seen = [], [], set()
        for radio in self["version"]:
            version = radio.data["value"].instance
            (older if version.scorecard_id in seen else latest).append(radio)
            seen.add(version.scorecard_id)
        return {
            "latest": latest,
            "older": older,
            "older_chosen": any(radio.data["selected"] for radio in older),
        }


class AgreedAnswerForm(forms.Form):
    value = forms.CharField(label=_("Agreed answer"), max_length=200)
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000)


class FlagForm(forms.Form):
    kind = forms.ChoiceField(choices=FlagKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    remove = forms.BooleanField(required=False)


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).exclude(role=Role.AGENT)
        self.fields["owner"].initial = session.facilitator_id


class CompletionForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Drafted from the results and notes; edit it before completing. It is locked "
            "afterwards."
        ),
    )
    agreed_becomes_official = forms.BooleanField(
        label=CalibrationSession._meta.get_field("agreed_becomes_official").verbose_name,
        help_text=CalibrationSession._meta.get_field("agreed_becomes_official").help_text,
        required=False,
    )
    share_with_agents = forms.BooleanField(
        label=CalibrationSession._meta.get_field("share_with_agents").verbose_name,
        help_text=CalibrationSession._meta.get_field("share_with_agents").help_text,
        required=False,
    )


class SeriesForm(forms.ModelForm):
    """A recurring series: the template of its sessions, when they meet, and the saved sample."""

    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"),
        queryset=User.objects.filter(is_active=True, role__in=STAFF),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Invited to every session of the series; at least two."),
    )

    class Meta:
        model = Series
        fields = [
            "title",
            "team",
            "scorecard",
            "facilitator",
            "expert",
            "cadence_kind",
            "interval",
            "weekday",
            "nth",
            "first_day",
            "meeting_time",
            "time_zone",
            "duration_minutes",
            "location",
            "reference_mode",
            "tolerance",
            "lead_days",
            "scoring_days",
            "sample_channel",
            "sample_days",
            "sample_size",
            "is_active",
        ]
        widgets = {
            "first_day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "meeting_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible_teams(user)
        self.fields["scorecard"].queryset = (
            Scorecard.objects.visible_to(user)
            .filter(versions__status=VersionStatus.PUBLISHED)
            .distinct()
            .order_by("name")
        )
        self.fields["scorecard"].help_text = _(
            "Each new session takes the scorecard's latest published version."
        )
        leads = User.objects.filter(is_active=True, role__in=(Role.ADMIN, Role.QA_LEAD))
        self.fields["facilitator"].queryset = leads
        self.fields["expert"].queryset = User.objects.filter(is_active=True, role__in=STAFF)
        self.fields["sample_channel"].choices = [("", _("All"))] + Channel.choices
        if self.instance.pk:
            self.initial.setdefault("evaluators", list(self.instance.evaluators.all()))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reference_mode") == "expert" and not cleaned.get("expert"):
            self.add_error("expert", _("Choose the expert whose answers are the reference."))
        evaluators = cleaned.get("evaluators") or []
        if evaluators and len(evaluators) < 2:
            self.add_error("evaluators", _("Invite at least two evaluators."))
        lead, scoring = cleaned.get("lead_days"), cleaned.get("scoring_days")
        if lead is not None and scoring is not None and scoring >= lead:
            self.add_error(
                "scoring_days",
                _("Scoring must end after the session is created: fewer days than %(lead)d.")
                % {"lead": lead},
            )
        return cleaned


class CadenceTargetForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), widget=forms.HiddenInput)
    sessions_per_month = forms.IntegerField(
        label=_("Sessions per month"), min_value=1, max_value=31
    )


class RescheduleForm(forms.ModelForm):
    """Move the meeting (and the scoring deadline with it): everyone invited gets an update."""

    class Meta:
        model = CalibrationSession
        fields = ["scoring_deadline", "meeting_at", "duration_minutes", "location"]
        widgets = {
            "scoring_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "meeting_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def clean(self):
        cleaned = super().clean()
        deadline, meeting = cleaned.get("scoring_deadline"), cleaned.get("meeting_at")
        if deadline and meeting and deadline > meeting:
            self.add_error("scoring_deadline", _("Scoring must end before the meeting starts."))
        return cleaned


class InviteForm(forms.Form):
    """More evaluators (until the reveal) and observing agents, beyond those already in."""

    evaluators = forms.ModelMultipleChoiceField(
        label=_("Evaluators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observers = forms.ModelMultipleChoiceField(
        label=_("Agents who observe"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        present = session.participants.values("user")
        if session.status in (SessionStatus.DRAFT, SessionStatus.SCORING):
            self.fields["evaluators"].queryset = User.objects.filter(
                is_active=True, role__in=STAFF
            ).exclude(pk__in=present)
        else:
            del self.fields["evaluators"]
        self.fields["observers"].queryset = User.objects.filter(
            is_active=True, role=Role.AGENT
        ).exclude(pk__in=present)
