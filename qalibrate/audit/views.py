"""The audit trail page and its CSV export: administrators only, and read-only."""

import csv
import json

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.audit.display import detail_rows
from qalibrate.audit.filters import AuditFilter
from qalibrate.audit.permissions import can_see_audit
from qalibrate.audit.selectors import audit_events, audit_target_types
from qalibrate.reports.exports import safe_cell

PAGE_SIZE = 50
MAX_PAGE = 10_000  # further back, narrow the filters or export the CSV
CSV_COLUMNS = [
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "target",
    "team",
    "details",
    "address",
]


def _filtered(request) -> AuditFilter:
    if not can_see_audit(request.user):
        raise PermissionDenied
    return AuditFilter(request.GET or None, queryset=audit_events())


def _events(found: AuditFilter):
    # Invalid filters show everything, with the form naming what is wrong.
    return found.qs if found.is_bound and found.is_valid() else found.queryset


@login_required
def audit_list(request):
    found = _filtered(request)
    number = _page_number(request.GET.get("page"))
    start = (number - 1) * PAGE_SIZE
    # One row past the page says whether an older page exists, without counting the whole trail.
    events = list(_events(found)[start : start + PAGE_SIZE + 1])
    for event in events:
        event.details_items = detail_rows(event)
        event.target_kind = _kind_name(event.target_type)
    query = request.GET.copy()
    query.pop("page", None)
    kinds = audit_target_types()
    found.form.fields["target_type"].widget = forms.Select(
        choices=[("", _("All"))] + [(kind, _kind_name(kind)) for kind in kinds]
    )
    context = {
        "filter": found,
        "events": events[:PAGE_SIZE],
        "number": number,
        "previous_number": number - 1 if number > 1 else None,
        "next_number": number + 1 if len(events) > PAGE_SIZE else None,
        "query": query.urlencode(),
    }
    return render(request, "audit/list.html", context)


def _kind_name(target_type: str) -> str:
    """ "calibration.calibrationsession" as the model's own name: "calibration session"."""
    if not target_type:
        return ""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def _page_number(value) -> int:
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


@login_required
def audit_csv(request):
    found = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for event in _events(found).iterator(chunk_size=2000):
        row = [
            event.at.isoformat(),
            event.actor.username if event.actor else "",
            event.action,
            event.target_type,
            event.target_id,
            event.target_label,
            event.team.name if event.team else "",
            _details_text(event.details),
            event.address or "",
        ]
        writer.writerow([safe_cell(value) for value in row])
    return response


def _details_text(details: dict) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""
