from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from qalibrate.accounts.permissions import can_see_all_contacts
from qalibrate.calibration.services import can_plan
from qalibrate.contacts import selectors
from qalibrate.contacts.forms import ContactFilterForm
from qalibrate.contacts.media import ranged_file_response
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.models import Evaluation
from qalibrate.evaluations.permissions import can_evaluate
from qalibrate.scorecards.models import ScorecardVersion, VersionStatus

PAGE_SIZE = 50


@login_required
def contact_list(request):
    form = ContactFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    contacts = selectors.contacts_filtered(user=request.user, filters=filters)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "show_filters": not request.user.is_agent,
        "can_import": can_see_all_contacts(request.user),
        "can_plan": can_plan(request.user),
        "add_to": _session_to_add_to(request),
    }
    return render(request, "contacts/list.html", context)


def _session_to_add_to(request):
    """?add_to=<session>: the ticked contacts go to that planned session, if the user runs it."""
    from qalibrate.calibration.models import CalibrationSession, SessionStatus
    from qalibrate.calibration.services import can_run

    try:
        pk = int(request.GET.get("add_to", ""))
    except ValueError:
        return None
    session = CalibrationSession.objects.filter(pk=pk, status=SessionStatus.DRAFT).first()
    return session if session is not None and can_run(request.user, session) else None


def _contact_for(request, pk) -> Contact:
    contact = Contact.objects.visible_to(request.user).select_related("agent", "team").filter(pk=pk)
    return get_object_or_404(contact)


@login_required
def contact_detail(request, pk):
    contact = _contact_for(request, pk)
    evaluations = (
        Evaluation.objects.visible_to(request.user)
        .filter(contact=contact)
        .select_related("evaluator", "version__scorecard")
    )
    versions = []
    if can_evaluate(request.user):
        versions = (
            ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("scorecard")
            .order_by("scorecard__name", "-number")
            .distinct()
        )
        latest = {}
        for version in versions:
            latest.setdefault(version.scorecard_id, version)
        versions = list(latest.values())
    context = {"contact": contact, "evaluations": evaluations, "versions": versions}
    return render(request, "contacts/detail.html", context)


@login_required
def contact_media(request, pk):
    contact = _contact_for(request, pk)
    if not contact.media:
        raise Http404
    return ranged_file_response(contact.media, request.headers.get("Range"))
