"""The evaluators' drift pages: the list for QA staff, one evaluator's page (QA staff, or the
evaluator themself), and a team's drift rule (qalibrate.history.evaluator_selectors)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff, visible_teams
from qalibrate.double_scoring import selectors as pair_selectors
from qalibrate.history import evaluator_charts, evaluator_selectors, services
from qalibrate.history.evaluator_forms import DriftRuleForm
from qalibrate.history.permissions import can_see_evaluator, can_see_history, can_set_drift_rule
from qalibrate.reports.charts import svg_once


@login_required
def evaluators_list(request):
    """QA staff: every evaluator with their latest figures and drift; an evaluator goes to
    their own page."""
    user = request.user
    if not is_qa_staff(user):
        if can_see_history(user):
            return redirect("history_evaluator", pk=user.pk)
        raise PermissionDenied
    context = {
        "lines": evaluator_selectors.evaluators_overview(user=user),
        "rules": evaluator_selectors.teams_with_rules(user=user)
        if can_set_drift_rule(user)
        else [],
    }
    return render(request, "history/evaluators.html", context)


def bias_svg(part: evaluator_selectors.TeamHistory) -> str:
    """The chart of one team's part of the page: bias per session, the tolerance band, the
    shrunken biases and the pooled bias with its interval."""
    lines = part.sessions
    pooled = part.verdict.pooled
    window = part.verdict.window
    return svg_once(
        "bias",
        evaluator_charts.bias_chart,
        [line.row.held_on for line in lines],
        [date_format(line.row.held_on, "SHORT_DATE_FORMAT") for line in lines],
        [line.row.bias for line in lines],
        [line.row.within_tolerance is False for line in lines],
        [line.shrunken for line in lines],
        [line.record.tolerance for line in lines],
        None
        if pooled is None or not window
        else (window[0].held_on, pooled.estimate, pooled.low, pooled.high),
        texts={
            "bias": _("Bias in the session"),
            "shrunken": _("Shrunken bias"),
            "tolerance": _("Tolerance"),
            # xgettext:no-python-format
            "pooled": _("Pooled bias (95% interval)"),
            "points": _("Points (+ lenient, − strict)"),
        },
    )


@login_required
def evaluator_page(request, pk):
    evaluator = get_object_or_404(User, pk=pk)
    if not can_see_evaluator(request.user, evaluator):
        raise PermissionDenied
    history = evaluator_selectors.evaluator_history(user=request.user, evaluator=evaluator)
    context = {
        "history": history,
        "evaluator": evaluator,
        "parts": [(part, bias_svg(part)) for part in history.teams],
        "can_set_rule": can_set_drift_rule(request.user),
        "is_qa_staff": is_qa_staff(request.user),
        "trust": history.trust,
        "pairs": pair_selectors.evaluator_figures(user=request.user, evaluator=evaluator),
        "alignment": pair_selectors.evaluator_alignment(user=request.user, evaluator=evaluator),
    }
    return render(request, "history/evaluator.html", context)


@login_required
def drift_rule_page(request, team_id):
    if not can_set_drift_rule(request.user):
        raise PermissionDenied
    team = get_object_or_404(visible_teams(request.user), pk=team_id)
    rule = evaluator_selectors.rules_for([team.pk])[team.pk]
    form = DriftRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.drift_rule_save(
                team=team,
                user=request.user,
                enabled=data["enabled"],
                consecutive=data["consecutive"],
                recent=data["recent"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The drift rule of %(team)s is saved.") % {"team": team.name}
            )
            return redirect("history_evaluators")
    return render(request, "history/drift_rule.html", {"form": form, "team": team})
