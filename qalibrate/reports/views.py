from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.calibration.selectors import sessions_for
from qalibrate.core.once import completed_once
from qalibrate.reports import charts, exports, pdf
from qalibrate.reports.permissions import can_see_report
from qalibrate.reports.selectors import report_figures, session_report

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.report_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.report_xlsx,
    ),
    "pdf": ("application/pdf", pdf.report_pdf),
}


def _report_for(request, pk):
    """Only after the reveal, and only for those who may see everyone's answers."""
    session = get_object_or_404(sessions_for(user=request.user), pk=pk)
    if not can_see_report(request.user, session):
        raise PermissionDenied
    return session_report(session, anonymous=request.GET.get("anonymous") == "1")


@login_required
def session_report_page(request, pk):
    report = _report_for(request, pk)
    audit_record(action=AuditAction.REPORT_VIEWED, target=report.session, team=report.session.team)
    svgs = completed_once(
        report.session,
        "report-charts",
        lambda: {name: charts.as_svg(figure) for name, figure in report_figures(report).items()},
        report.discussion.anonymous,
    )
    context = {
        "report": report,
        "session": report.session,
        "d": report.discussion,
        "charts": svgs,
        "anonymous": report.discussion.anonymous,
    }
    return render(request, "reports/session.html", context)


@login_required
def session_report_file(request, pk, file_format):
    if file_format not in EXPORTS:
        raise Http404
    report = _report_for(request, pk)
    content_type, build = EXPORTS[file_format]
    audit_record(
        action=AuditAction.REPORT_DOWNLOADED,
        target=report.session,
        team=report.session.team,
        details={"format": file_format, "anonymous": report.discussion.anonymous},
    )
    response = HttpResponse(build(report), content_type=content_type)
    name = slugify(report.session.title) or f"session-{pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
