"""The trends page (/history/), the hub of the history, and its CSV and XLSX files: the
completed sessions in time order from their stored records (qalibrate.history.selectors)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse

from qalibrate.double_scoring import selectors as pair_selectors
from qalibrate.history import charts, selectors, trend_exports
from qalibrate.history.filters import TrendsFilter
from qalibrate.history.permissions import can_see_history

LISTED = 50  # the newest sessions listed in the table unless all are asked for (the chart and
# the files hold every one): a page of 500 rows takes longer to write than everything else.

FILES = {
    "csv": ("text/csv; charset=utf-8", trend_exports.trends_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        trend_exports.trends_xlsx,
    ),
}


def _filtered(request) -> tuple[TrendsFilter, bool]:
    if not can_see_history(request.user):
        raise PermissionDenied
    filterset = TrendsFilter(
        request.GET or None,
        queryset=selectors.trend_records(user=request.user),
        request=request,
    )
    return filterset, filterset.is_valid()


@login_required
def trends_page(request):
    filterset, valid = _filtered(request)
    # Like the contact list, the page shows every session until all the filters are valid.
    found = selectors.trends(filterset.qs if valid else filterset.queryset)
    filters = filterset.form.cleaned_data if valid else {}
    start, end = selectors.period_bounds(filters)
    context = {
        "form": filterset.form,
        "valid": valid or not filterset.is_bound,
        "trends": found,
        "listed": found.rows if request.GET.get("all") == "1" else found.rows[-LISTED:],
        "hidden": 0 if request.GET.get("all") == "1" else max(0, len(found.rows) - LISTED),
        "chart": charts.trends_svg(found.rows),
        "start": start,
        "end": end,
        "query": request.GET.urlencode(),
        "pairs": pair_selectors.figures(
            pair_selectors.pairs_filtered(
                user=request.user,
                team=filters.get("team"),
                scorecard=filters.get("scorecard"),
                start=start,
                end=end,
            ),
            with_criteria=False,
        ),
    }
    return render(request, "history/trends.html", context)


@login_required
def trends_file(request, file_format):
    if file_format not in FILES:
        raise Http404
    filterset, valid = _filtered(request)
    if filterset.is_bound and not valid:
        return HttpResponseBadRequest(
            filterset.errors.as_text(), content_type="text/plain; charset=utf-8"
        )
    rows = selectors.trends(filterset.qs if valid else filterset.queryset).rows
    content_type, build = FILES[file_format]

    def report_url(session_id: int) -> str:
        return request.build_absolute_uri(reverse("session_report", args=[session_id]))

    response = HttpResponse(build(rows, report_url=report_url), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="trends.{file_format}"'
    return response
