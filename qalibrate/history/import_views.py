"""Import past sessions: upload a spreadsheet, see every row checked, then apply it in one
transaction (qalibrate.history.importing), as contacts are imported.

Between the check and the application the upload waits in the storage (import_files), and the
check's report in the user's session, under a random token: only the user who checked a file can
apply it."""

import secrets
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from qalibrate.history import import_files
from qalibrate.history.import_checks import MAX_ROWS
from qalibrate.history.importing import ImportRejected
from qalibrate.history.permissions import can_import_history

SESSION_KEY = "history_imports"
KEPT_CHECKS = 5  # a user's checks remembered at once; older ones are forgotten, files and all

COLUMN_HELP = [
    ("session_date", True, gettext_lazy("The day the session met, e.g. 2026-03-02 or 02.03.2026.")),
    ("team", True, gettext_lazy("The team's name, as in Qalibrate.")),
    (
        "scorecard, version",
        True,
        gettext_lazy("The scorecard's name and the number of a published version, e.g. 2."),
    ),
    (
        "external_id",
        True,
        gettext_lazy(
            "The contact's id in your system. A contact Qalibrate does not know yet is created "
            "for the team, dated the session's day."
        ),
    ),
    (
        "criterion",
        True,
        gettext_lazy("The criterion's key, or its exact text in that version of the scorecard."),
    ),
    (
        "evaluator",
        True,
        gettext_lazy("The username or e-mail of the person who scored (not an agent)."),
    ),
    (
        "answer, agreed_answer",
        True,
        gettext_lazy(
            "The evaluator's answer and the one the team agreed on: yes or no, a number on the "
            "scale, an option's label, or N/A where the criterion allows it. Every row of a "
            "contact and criterion gives the same agreed answer, and at least two evaluators "
            "answer each."
        ),
    ),
    ("reason", False, gettext_lazy("Why the team agreed on that answer.")),
    (
        "title",
        False,
        gettext_lazy(
            "The session's title; without it, the scorecard's name and the date. The rows of "
            "one date, team, scorecard version and title make one session."
        ),
    ),
    (
        "tolerance",
        False,
        gettext_lazy("Points within which scores count as calibrated; 5 if empty."),
    ),
    ("notes", False, gettext_lazy("What the team concluded about the contact.")),
    ("channel", False, gettext_lazy("For a new contact: call (if empty), chat, email or ticket.")),
    (
        "agent_id, agent_name",
        False,
        gettext_lazy(
            "For a new contact: its agent's employee id; with agent_name, an agent not known "
            "yet is created. Without them the contact goes to the team's placeholder agent."
        ),
    ),
]


class HistoryImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Past sessions"), help_text=gettext_lazy("CSV or XLSX.")
    )


def _require_importer(user) -> None:
    if not can_import_history(user):
        raise PermissionDenied


def _checks(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _check_of(request, token: str) -> dict:
    check = _checks(request).get(token)
    if check is None:
        raise Http404
    return check


def _check_keep(request, token: str, check: dict) -> None:
    checks = dict(_checks(request))
    checks[token] = check
    for old in sorted(checks, key=lambda t: checks[t]["at"])[:-KEPT_CHECKS]:
        import_files.upload_delete(checks.pop(old)["stored"])
    request.session[SESSION_KEY] = checks


@login_required
def history_import(request):
    _require_importer(request.user)
    form = HistoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > import_files.MAX_IMPORT_BYTES:
            form.add_error(
                "file",
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(import_files.MAX_IMPORT_BYTES)},
            )
        else:
            stored = import_files.upload_store(upload)
            with import_files.upload_open(stored) as handle:
                report = import_files.file_check(
                    file=handle, filename=upload.name, user=request.user
                )
            token = secrets.token_urlsafe(12)
            check = {
                "name": upload.name,
                "stored": stored,
                "status": "previewed",
                "report": report.as_dict(),
                "at": timezone.now().isoformat(),
            }
            if not report.ok:
                import_files.upload_delete(stored)  # a corrected file comes as a new upload
                check.update(stored="", status="rejected")
            _check_keep(request, token, check)
            return redirect("history_import_report", token=token)
    return render(
        request,
        "history/import.html",
        {"form": form, "columns": COLUMN_HELP, "max_rows": MAX_ROWS},
    )


@login_required
def history_import_report(request, token):
    _require_importer(request.user)
    check = _check_of(request, token)
    report = check["report"]
    sessions = [
        {**summary, "day": date.fromisoformat(summary["date"])} for summary in report["sessions"]
    ]
    # Once applied, the sessions written, in the same order: oldest first.
    created = [
        {**summary, "pk": pk} for summary, pk in zip(sessions, report["created"], strict=False)
    ]
    return render(
        request,
        "history/import_report.html",
        {
            "check": check,
            "token": token,
            "report": report,
            "sessions": sessions,
            "created": created,
        },
    )


@login_required
@require_POST
def history_import_apply(request, token):
    _require_importer(request.user)
    check = _check_of(request, token)
    if check["status"] != "previewed":
        return redirect("history_import_report", token=token)
    handle = import_files.upload_open(check["stored"])
    if handle is None:  # removed after a day
        messages.error(
            request, _("This check is more than a day old and its file is gone; upload it again.")
        )
        return redirect("history_import")
    try:
        with handle:
            report = import_files.file_apply(file=handle, filename=check["name"], user=request.user)
    except ImportRejected as rejected:
        report, status = rejected.report, "rejected"
    else:
        status = "applied"
    import_files.upload_delete(check["stored"])
    check.update(stored="", status=status, report=report.as_dict())
    _check_keep(request, token, check)
    if status == "rejected":
        messages.error(request, _("Nothing was imported: the file has problems to fix."))
    else:
        messages.success(
            request,
            ngettext(
                "Imported %(count)d past session.",
                "Imported %(count)d past sessions.",
                len(report.created),
            )
            % {"count": len(report.created)},
        )
    return redirect("history_import_report", token=token)


@login_required
def history_import_template(request, file_format):
    _require_importer(request.user)
    if file_format == "csv":
        content, content_type = import_files.template_csv(), "text/csv; charset=utf-8"
    elif file_format == "xlsx":
        content = import_files.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="qalibrate-past-sessions-template.{file_format}"'
    )
    return response
