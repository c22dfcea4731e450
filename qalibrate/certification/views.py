"""Gold-set certification's pages: the QA lead's list and start form, a certification's result,
and the candidate's next gold contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.certification import permissions, rule, selectors, services
from qalibrate.certification.forms import CertificationForm
from qalibrate.certification.models import Certification


@login_required
def certification_list(request):
    if request.user.is_agent:
        raise PermissionDenied
    context = {
        "certifications": selectors.certifications_for(user=request.user),
        "can_certify": permissions.can_certify(request.user),
        "gold_sizes": selectors.gold_sizes(user=request.user)
        if permissions.can_certify(request.user)
        else [],
        "rule": rule,
    }
    return render(request, "certification/list.html", context)


@login_required
def certification_new(request):
    if not permissions.can_certify(request.user):
        raise PermissionDenied
    form = CertificationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.certification_start(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The certification has started; the evaluator is told on their home page."),
            )
            return redirect("certification_detail", made.pk)
    context = {"form": form, "gold_sizes": selectors.gold_sizes(user=request.user), "rule": rule}
    return render(request, "certification/form.html", context)


@login_required
def certification_detail(request, pk):
    certification = get_object_or_404(selectors.certifications_for(user=request.user), pk=pk)
    is_candidate = certification.evaluator_id == request.user.pk
    context = {
        "certification": certification,
        "attempts": selectors.attempts_of(certification),
        # The candidate reads the agreed scores only once the certification has ended.
        "show_agreed": not (is_candidate and certification.in_progress),
        "is_candidate": is_candidate,
        "rule": rule,
    }
    return render(request, "certification/detail.html", context)


@login_required
@require_POST
def certification_next(request, pk):
    certification = get_object_or_404(Certification.objects.visible_to(request.user), pk=pk)
    try:
        evaluation = services.certification_next(user=request.user, certification=certification)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("certification_detail", pk)
    return redirect("evaluation_detail", evaluation.pk)
