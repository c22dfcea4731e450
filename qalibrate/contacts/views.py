from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qalibrate.calibration.permissions import can_plan
from qalibrate.contacts import selection, selectors
from qalibrate.contacts.filters import ContactFilter
from qalibrate.contacts.media import ranged_file_response
from qalibrate.contacts.models import Contact
from qalibrate.contacts.permissions import can_filter_contacts, can_import_contacts
from qalibrate.core.keyset import capped_count, requested_page
from qalibrate.core.redirects import safe_next
from qalibrate.evaluations.models import Evaluation
from qalibrate.evaluations.permissions import can_evaluate
from qalibrate.scorecards.models import Scorecard, ScorecardVersion, VersionStatus

PAGE_SIZE = 50


@login_required
def contact_list(request):
    filterset = ContactFilter(
        request.GET or None,
        queryset=selectors.contacts_listed(user=request.user),
        request=request,
    )
    # Unlike the API, the page shows every contact until all the filters are valid.
    valid = filterset.is_valid()
    contacts = filterset.qs if valid else filterset.queryset
    filters = filterset.form.cleaned_data if valid else {}
    page = requested_page(contacts, field="occurred_at", query=request.GET, size=PAGE_SIZE)
    page.rows = selectors.evaluated_marked(page.rows, user=request.user)
    total, more = capped_count(contacts)
    query = request.GET.copy()
    for name in ("page", "older", "newer"):
        query.pop(name, None)
    context = {
        "form": filterset.form,
        "page": page,
        "total": total,
        "more": more,
        "query": query.urlencode(),
        "show_filters": can_filter_contacts(request.user),
        "can_import": can_import_contacts(request.user),
        "can_plan": can_plan(request.user),
        "add_to": _session_to_add_to(request),
        "team_filter": filters.get("team"),
    }
    if context["can_plan"]:
        shown = [contact.pk for contact in page]
        context.update(_selection_context(request, shown=shown, back=request.get_full_path()))
    return render(request, "contacts/list.html", context)


def _selection_context(request, *, shown: list[int], back: str) -> dict:
    selected = selection.selected_contacts(user=request.user, session=request.session)
    return {
        "selected": selected,
        "selected_ids": {contact.pk for contact in selected},
        "selected_elsewhere": [contact for contact in selected if contact.pk not in shown],
        "selected_teams": sorted({contact.team for contact in selected}, key=str),
        "shown": ",".join(map(str, shown)),
        "back": back,
    }


def _ids(values: list[str]) -> list[int]:
    """Contact ids from form values: repeated fields, or one comma-separated field."""
    return [int(v) for value in values for v in value.split(",") if v.strip().isdigit()]


def _back_to_list(request, url: str) -> str:
    """The contact list page the request came from (path and query only), or the list."""
    list_url = reverse("contact_list")
    parts = urlsplit(safe_next(request, list_url, url=url or ""))
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return path if path.startswith(list_url) else list_url


@login_required
@require_POST
def contact_selection_update(request):
    """One page's ticks (htmx, on every change): the page's contacts, ``shown``, and those
    ticked, ``contacts``. Answers with the selection bar."""
    if not can_plan(request.user):
        raise PermissionDenied
    shown = _ids(request.POST.getlist("shown"))
    visible = set(
        Contact.objects.visible_to(request.user).filter(pk__in=shown).values_list("pk", flat=True)
    )
    ticked = [pk for pk in _ids(request.POST.getlist("contacts")) if pk in visible]
    selection.selection_update(request.session, shown=shown, ticked=ticked)
    back = _back_to_list(request, request.htmx.current_url or request.POST.get("next", ""))
    if not request.htmx:
        return redirect(back)
    context = _selection_context(request, shown=shown, back=back)
    context["add_to"] = _session_to_add_to(request)
    return render(request, "contacts/selection.html", context)


@login_required
@require_POST
def contact_selection_clear(request):
    if not can_plan(request.user):
        raise PermissionDenied
    selection.selection_clear(request.session)
    return redirect(_back_to_list(request, request.POST.get("next", "")))


def _session_to_add_to(request):
    """?add_to=<session>: the ticked contacts go to that planned session, if the user runs it."""
    from qalibrate.calibration.models import CalibrationSession, SessionStatus
    from qalibrate.calibration.permissions import can_run

    try:
        pk = int(request.GET.get("add_to") or request.POST.get("add_to", ""))
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
            ScorecardVersion.objects.filter(
                status=VersionStatus.PUBLISHED,
                scorecard__in=Scorecard.objects.visible_to(request.user).values("pk"),
            )
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
