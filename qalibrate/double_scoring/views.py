"""Double scoring's pages: the QA lead's overview, a team's policy, and one pair compared."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.double_scoring import permissions, selectors, services
from qalibrate.double_scoring.forms import PolicyForm
from qalibrate.double_scoring.models import Policy
from qalibrate.evaluations.models import Evaluation
from qalibrate.scorecards.selectors import version_content


@login_required
def overview(request):
    if not permissions.can_see_overview(request.user):
        raise PermissionDenied
    context = {
        "overview": selectors.overview(user=request.user),
        "outside_in_a_row": selectors.OUTSIDE_IN_A_ROW,
    }
    return render(request, "double_scoring/overview.html", context)


@login_required
def policy_form(request, pk=None):
    if not permissions.can_set_policies(request.user):
        raise PermissionDenied
    policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=pk) if pk else None
    form = PolicyForm(request.POST or None, instance=policy, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.policy_save(
                user=request.user,
                policy=policy,
                team=data.pop("team"),
                scorecard=data.pop("scorecard"),
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The double scoring policy has been saved."))
            return redirect("double_scoring")
    return render(request, "double_scoring/policy_form.html", {"form": form, "policy": policy})


@login_required
@require_POST
def policy_delete(request, pk):
    policy = get_object_or_404(Policy.objects.visible_to(request.user), pk=pk)
    services.policy_delete(user=request.user, policy=policy)
    messages.success(request, _("The policy has been deleted; the pairs already drawn stay."))
    return redirect("double_scoring")


@login_required
def pair_detail(request, pk):
    """The two evaluations side by side, once both are submitted."""
    pair = selectors.pair_detail(user=request.user, pk=pk)
    if pair is None:
        raise Http404
    first = {a.criterion_id: a for a in pair.first.answers.all()}
    second = {a.criterion_id: a for a in pair.second.answers.all()}
    sections = [
        (section, [_row(c, first.get(c.pk), second.get(c.pk)) for c in section.criteria.all()])
        for section in version_content(pair.first.version)
    ]
    shown = Evaluation.objects.visible_to(request.user).filter(
        pk__in=[pair.first_id, pair.second_id]
    )
    context = {
        "pair": pair,
        "sections": sections,
        # An evaluator reads the other evaluation here, not on its own page (not theirs to open).
        "openable": set(shown.values_list("pk", flat=True)),
        "can_overview": permissions.can_see_overview(request.user),
    }
    return render(request, "double_scoring/pair.html", context)


def _row(criterion, one, other) -> dict:
    compared = one and other and not one.is_na and not other.is_na
    return {
        "criterion": criterion,
        "answers": (one, other),
        "differs": bool(compared and one.value.strip() != other.value.strip()),
    }
