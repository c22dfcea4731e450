"""Upload contacts: check every row and show the report first, then apply in one transaction."""

import csv
import io
import tempfile
import zipfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qalibrate.contacts import import_files, importing
from qalibrate.contacts.models import ContactImport, ImportStatus
from qalibrate.contacts.permissions import can_import_contacts

TEMPLATE_COLUMNS = [
    "external_id",
    "channel",
    "agent_id",
    "occurred_at",
    "duration",
    "language",
    "subject",
    "transcript",
    "media_file",
    "agent_name",
    "team",
    "queue",
]
TEMPLATE_ROW = [
    "CRM-100234",
    "call",
    "EN001",
    "2026-03-02 10:30",
    "4:35",
    "en",
    "Double charge on the bill",
    "Agent: Good morning, Emma speaking.\nCustomer: Hi, I was charged twice.",
    "",
    "",
    "",
    "Billing",
]


COLUMN_HELP = [
    (
        "external_id",
        True,
        gettext_lazy(
            "Your system's id of the contact. Importing the same id again updates the contact."
        ),
    ),
    ("channel", True, gettext_lazy("call, chat, email or ticket.")),
    ("agent_id", True, gettext_lazy("The agent's employee id.")),
    (
        "occurred_at",
        True,
        gettext_lazy(
            "Date and time, e.g. 2026-03-02 10:30, 2026-03-02T10:30:00+01:00 or 02.03.2026 10:30."
        ),
    ),
    ("duration", False, gettext_lazy("Seconds, or m:ss, or h:mm:ss.")),
    ("language", False, gettext_lazy("en, ru or sv.")),
    ("subject", False, gettext_lazy("A short topic line.")),
    (
        "transcript",
        False,
        gettext_lazy(
            "Plain text, one turn a line; or a JSON list of turns with t, speaker and text."
        ),
    ),
    ("media_file", False, gettext_lazy("The recording's file name inside the zip.")),
    (
        "agent_name, team",
        False,
        gettext_lazy(
            "To create an agent whose agent_id is not known yet: "
            "the full name and an existing team."
        ),
    ),
    ("…", False, gettext_lazy("Any other column is kept as the contact's metadata.")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def recordings_zipped(files) -> File:
    """Single uploaded recordings, packed as the zip the import reads (one way in for both).
    Packed on disk, chunk by chunk, so large recordings never sit in memory."""
    packed = tempfile.TemporaryFile()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as archive:
        for upload in files:
            with archive.open(Path(upload.name).name, "w", force_zip64=True) as member:
                for chunk in upload.chunks():
                    member.write(chunk)
    packed.seek(0)
    return File(packed, name="recordings.zip")


class ContactImportForm(forms.Form):
    def clean_media_archive(self):
        archive = self.cleaned_data.get("media_archive")
        if archive and not zipfile.is_zipfile(archive):
            raise forms.ValidationError(_("The recordings must come as one .zip file."))
        if archive:
            archive.seek(0)
        return archive

    file = forms.FileField(
        label=gettext_lazy("Contacts file"), help_text=gettext_lazy("CSV, XLSX or JSON.")
    )
    media_archive = forms.FileField(
        label=gettext_lazy("Recordings (optional)"),
        required=False,
        help_text=gettext_lazy("A zip of audio files, matched to rows by the media_file column."),
    )
    recordings = MultipleFileField(
        label=gettext_lazy("Or single recordings (optional)"),
        required=False,
        help_text=gettext_lazy("Choose one or more audio files; each is matched by its file name."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("media_archive") and cleaned.get("recordings"):
            raise forms.ValidationError(_("Upload either a zip or single recordings, not both."))
        for upload in cleaned.get("recordings") or []:
            if Path(upload.name).suffix.lower() not in importing.AUDIO_EXTENSIONS:
                self.add_error(
                    "recordings", _("%(name)s is not an audio file.") % {"name": upload.name}
                )
        return cleaned


def _require_importer(user) -> None:
    if not can_import_contacts(user):
        raise PermissionDenied


@login_required
def import_start(request):
    _require_importer(request.user)
    form = ContactImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        archive = form.cleaned_data["media_archive"]
        if form.cleaned_data["recordings"]:
            archive = recordings_zipped(form.cleaned_data["recordings"])
        if upload.size > import_files.MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than the limit of 50 MB."))
        else:
            batch = ContactImport(original_name=upload.name, uploaded_by=request.user)
            try:
                importing.file_store(batch.file, upload.name, upload)
                if archive:
                    importing.file_store(batch.media_archive, archive.name, archive)
                batch.save()
            except Exception:
                # A full disk, say: no file may stay without the row that names it.
                importing.import_files_delete(batch)
                raise
            media_names = set()
            if batch.media_archive:
                with batch.media_archive.open("rb") as handle:
                    media_names = importing.media_names_in(handle)
            with batch.file.open("rb") as handle:
                report = import_files.file_check(
                    file=handle,
                    filename=batch.original_name,
                    media_names=media_names,
                    user=request.user,
                )
            batch.report = report.as_dict()
            batch.save(update_fields=["report"])
            return redirect("contact_import_report", pk=batch.pk)
    return render(request, "contacts/import.html", {"form": form, "columns": COLUMN_HELP})


def _imports_of(user):
    """One's own uploads; administrators anyone's."""
    return (
        ContactImport.objects.all()
        if user.is_admin
        else ContactImport.objects.filter(uploaded_by=user)
    )


@login_required
def import_report(request, pk):
    _require_importer(request.user)
    batch = get_object_or_404(_imports_of(request.user), pk=pk)
    return render(request, "contacts/import_report.html", {"batch": batch, "report": batch.report})


@login_required
@require_POST
def import_apply(request, pk):
    _require_importer(request.user)
    batch = get_object_or_404(_imports_of(request.user), pk=pk, status=ImportStatus.PREVIEWED)
    if not batch.file:  # removed by importing.import_uploads_expire
        messages.error(
            request, _("This check is more than a day old and its file is gone; upload it again.")
        )
        return redirect("contact_import")
    archive = batch.media_archive.open("rb") if batch.media_archive else None
    try:
        with batch.file.open("rb") as handle:
            report = import_files.file_apply(
                file=handle, filename=batch.original_name, media_archive=archive, user=request.user
            )
    except importing.ImportRejected as rejected:
        report = rejected.report
        batch.status = ImportStatus.REJECTED
    else:
        batch.status = ImportStatus.APPLIED
        batch.applied_at = timezone.now()
    finally:
        # Any other failure (a full disk) keeps the check and its files, to apply again later.
        if archive:
            archive.close()
    batch.report = report.as_dict()
    batch.save(update_fields=["report", "status", "applied_at"])
    importing.import_files_delete(batch)  # done with them; a fixed file comes as a new upload
    if batch.status == ImportStatus.REJECTED:
        messages.error(request, _("Nothing was imported: the file has problems to fix."))
        return redirect("contact_import_report", pk=batch.pk)
    messages.success(
        request,
        _("Imported: %(created)d new contacts, %(updated)d updated.")
        % {"created": report.creates, "updated": report.updates},
    )
    return redirect("contact_list")


@login_required
def import_template(request):
    _require_importer(request.user)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(TEMPLATE_ROW)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="qalibrate-contacts-template.csv"'
    return response
