"""The book of rulings (/history/rulings/), its panel beside the evaluation form, and the
process problems (/history/problems/)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Team
from qalibrate.accounts.permissions import visible_teams
from qalibrate.calibration.models import ActionStatus
from qalibrate.history import problem_selectors, ruling_selectors
from qalibrate.history.permissions import can_see_history
from qalibrate.scorecards.models import Scorecard

PANEL_SIZE = 10


class RulingSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    scorecard = forms.ModelChoiceField(
        label=_("Scorecard"), queryset=Scorecard.objects.none(), required=False
    )
    criterion = forms.ChoiceField(label=_("Criterion"), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    answer = forms.CharField(label=_("Agreed answer"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].queryset = Scorecard.objects.visible_to(user).order_by("name")
        self.fields["team"].queryset = visible_teams(user)
        groups = ruling_selectors.criterion_choices(user=user)
        self.fields["criterion"].choices = [("", "—"), *groups]


class ProblemFilterForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Actions"),
        required=False,
        choices=[("", "—"), *ActionStatus.choices, ("none", _("No action"))],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible_teams(user)


def _require_history(request) -> None:
    if not can_see_history(request.user):
        raise PermissionDenied


def ruling_filters(form) -> dict:
    if not form.is_valid():
        return {}
    found = dict(form.cleaned_data)
    for name in ("scorecard", "team"):
        if found.get(name) is not None:
            found[name] = found[name].pk
    return found


@login_required
def rulings_page(request):
    _require_history(request)
    form = RulingSearchForm(request.GET or None, user=request.user)
    rulings = ruling_selectors.rulings_narrowed(
        ruling_selectors.rulings_for(user=request.user), ruling_filters(form)
    )
    page = ruling_selectors.rulings_page(
        rulings, number=ruling_selectors.page_number(request.GET.get("page"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "history/_rulings_results.html" if request.htmx else "history/rulings.html"
    return render(request, template, context)


@login_required
def rulings_panel(request, key):
    """The latest rulings on one criterion, for the panel beside the evaluation form; never
    those on the contact being scored (``?contact=``)."""
    _require_history(request)
    contact = request.GET.get("contact", "")
    rulings = ruling_selectors.criterion_rulings(
        user=request.user, key=key, exclude_contact_id=int(contact) if contact.isdigit() else None
    )
    shown = ruling_selectors.rulings_page(rulings, size=PANEL_SIZE)
    return render(request, "history/_rulings_panel.html", {"page": shown, "key": key})


@login_required
def problems_page(request):
    _require_history(request)
    form = ProblemFilterForm(request.GET or None, user=request.user)
    problems = problem_selectors.process_problems(user=request.user, filters=ruling_filters(form))
    shown = list(problems[: problem_selectors.PAGE_SIZE])
    context = {"form": form, "problems": shown, "more": len(shown) == problem_selectors.PAGE_SIZE}
    return render(request, "history/problems.html", context)
