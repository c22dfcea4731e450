from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.calibration.selectors import flags_for_draft
from qalibrate.core import jsonsafe
from qalibrate.history.criterion_selectors import clarification_histories
from qalibrate.history.permissions import can_see_history
from qalibrate.scorecards import formats, selectors, services
from qalibrate.scorecards.forms import (
    CriterionForm,
    ImportForm,
    PublishForm,
    ReviewCommentForm,
    ReviewersForm,
    ScorecardForm,
    SectionForm,
)
from qalibrate.scorecards.models import (
    Criterion,
    ReviewComment,
    Scorecard,
    ScorecardVersion,
    Section,
)
from qalibrate.scorecards.permissions import (
    can_build_scorecards,
    can_comment,
    can_edit,
    can_view_version,
)
from qalibrate.scorecards.scoring import NA, InvalidAnswer, score_evaluation

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _require_builder(user) -> None:
    if not can_build_scorecards(user):
        raise PermissionDenied


def _version_for(request, pk: int, *, edit=False) -> ScorecardVersion:
    version = get_object_or_404(ScorecardVersion.objects.select_related("scorecard"), pk=pk)
    allowed = can_edit(request.user, version) if edit else can_view_version(request.user, version)
    if not allowed:
        raise PermissionDenied
    return version


def _criterion_histories(user, version: ScorecardVersion, sections) -> dict:
    """Criterion key → its agreement history in short, for the criteria flagged in their recent
    sessions (shown beside them); nothing for those who do not see the history."""
    if not can_see_history(user):
        return {}
    keys = [c.key for section in sections for c in section.criteria.all() if c.kind != "text"]
    return clarification_histories(user=user, scorecard_id=version.scorecard_id, keys=keys)


def _builder_response(request, version: ScorecardVersion):
    """After a change: the re-drawn builder for htmx, the builder page otherwise."""
    if request.htmx:
        sections = selectors.version_content(version)
        context = {
            "version": version,
            "sections": sections,
            "session_flags": flags_for_draft(version),
            "criterion_histories": _criterion_histories(request.user, version, sections),
        }
        return render(request, "scorecards/_builder_sections.html", context)
    return redirect("scorecard_builder", pk=version.pk)


@login_required
def scorecard_list(request):
    context = {
        "scorecards": selectors.scorecards_for(user=request.user),
        "can_build": can_build_scorecards(request.user),
    }
    return render(request, "scorecards/list.html", context)


@login_required
def scorecard_create(request):
    _require_builder(request.user)
    initial = {"language": request.user.language, "team": request.user.teams.first()}
    form = ScorecardForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        scorecard = services.scorecard_create(author=request.user, **form.cleaned_data)
        return redirect("scorecard_builder", pk=scorecard.draft.pk)
    return render(request, "scorecards/create.html", {"form": form})


@login_required
def scorecard_detail(request, pk):
    scorecard = get_object_or_404(Scorecard, pk=pk)
    versions = [v for v in scorecard.versions.all() if can_view_version(request.user, v)]
    if not versions:
        raise PermissionDenied
    context = {
        "scorecard": scorecard,
        "versions": versions,
        "can_build": can_build_scorecards(request.user),
        "has_draft": any(v.is_draft for v in versions),
    }
    return render(request, "scorecards/detail.html", context)


@login_required
def scorecard_edit(request, pk):
    _require_builder(request.user)
    scorecard = get_object_or_404(Scorecard.objects.editable_by(request.user), pk=pk)
    form = ScorecardForm(request.POST or None, instance=scorecard, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("scorecard_detail", pk=scorecard.pk)
    return render(request, "scorecards/create.html", {"form": form, "scorecard": scorecard})


@login_required
@require_POST
def draft_start(request, pk):
    _require_builder(request.user)
    scorecard = get_object_or_404(Scorecard.objects.editable_by(request.user), pk=pk)
    draft = services.draft_start(scorecard=scorecard, user=request.user)
    return redirect("scorecard_builder", pk=draft.pk)


@login_required
def version_builder(request, pk):
    version = _version_for(request, pk)
    if not can_edit(request.user, version):
        return redirect("scorecard_preview", pk=version.pk)
    sections = selectors.version_content(version)
    context = {
        "version": version,
        "sections": sections,
        "open_comments": services.open_comment_count(version),
        "session_flags": flags_for_draft(version),
        "criterion_histories": _criterion_histories(request.user, version, sections),
    }
    return render(request, "scorecards/builder.html", context)


@login_required
@require_POST
def section_add(request, pk):
    version = _version_for(request, pk, edit=True)
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The section needs a title and a weight of at least 1."))
        return redirect("scorecard_builder", pk=version.pk)
    services.section_add(version=version, **form.cleaned_data)
    return _builder_response(request, version)


def _check_direction(direction: str) -> None:
    if direction not in ("up", "down"):
        raise Http404


def _section_for_edit(request, pk) -> Section:
    section = get_object_or_404(Section.objects.select_related("version__scorecard"), pk=pk)
    if not can_edit(request.user, section.version):
        raise PermissionDenied
    return section


def _criterion_for_edit(request, pk) -> Criterion:
    criterion = get_object_or_404(
        Criterion.objects.select_related("section__version__scorecard"), pk=pk
    )
    if not can_edit(request.user, criterion.section.version):
        raise PermissionDenied
    return criterion


@login_required
def section_edit(request, pk):
    section = _section_for_edit(request, pk)
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("scorecard_builder", pk=section.version_id)
    context = {"form": form, "version": section.version, "section": section}
    return render(request, "scorecards/section_form.html", context)


@login_required
@require_POST
def section_delete(request, pk):
    section = _section_for_edit(request, pk)
    version = section.version
    section.delete()
    return _builder_response(request, version)


@login_required
@require_POST
def section_move(request, pk, direction):
    _check_direction(direction)
    section = _section_for_edit(request, pk)
    services.item_move(item=section, direction=-1 if direction == "up" else 1)
    return _builder_response(request, section.version)


@login_required
def criterion_add(request, pk):
    section = _section_for_edit(request, pk)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CriterionForm.Meta.fields}
        services.criterion_add(section=section, options=form.cleaned_data["options_text"], **fields)
        return redirect("scorecard_builder", pk=section.version_id)
    context = {"form": form, "version": section.version, "section": section}
    return render(request, "scorecards/criterion_form.html", context)


@login_required
def criterion_edit(request, pk):
    criterion = _criterion_for_edit(request, pk)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("scorecard_builder", pk=criterion.section.version_id)
    context = {
        "form": form,
        "version": criterion.section.version,
        "section": criterion.section,
        "criterion": criterion,
    }
    return render(request, "scorecards/criterion_form.html", context)


@login_required
@require_POST
def criterion_delete(request, pk):
    criterion = _criterion_for_edit(request, pk)
    version = criterion.section.version
    criterion.delete()
    return _builder_response(request, version)


@login_required
@require_POST
def criterion_move(request, pk, direction):
    _check_direction(direction)
    criterion = _criterion_for_edit(request, pk)
    services.item_move(item=criterion, direction=-1 if direction == "up" else 1)
    return _builder_response(request, criterion.section.version)


@login_required
def version_preview(request, pk):
    version = _version_for(request, pk)
    context = {
        "version": version,
        "sections": selectors.version_content(version),
        "can_edit": can_edit(request.user, version),
    }
    return render(request, "scorecards/preview.html", context)


def answers_from_post(post, sections) -> dict:
    """The evaluator's form as posted: criterion id → value, NA or nothing."""
    answers = {}
    for section in sections:
        for criterion in section.criteria.all():
            raw = post.get(f"c{criterion.pk}", "")
            if raw == "":
                continue
            if raw == "na":
                answers[criterion.pk] = NA
            elif criterion.kind == "scale":
                try:
                    answers[criterion.pk] = int(raw)
                except ValueError:
                    continue
            else:
                answers[criterion.pk] = raw
    return answers


@login_required
@require_POST
def preview_score(request, pk):
    """The live score under the preview, as an evaluator will see it while answering."""
    version = _version_for(request, pk)
    sections = selectors.version_content(version)
    try:
        result = score_evaluation(version.scoring_spec(), answers_from_post(request.POST, sections))
        error = None
    except InvalidAnswer:
        result, error = None, _("One of the answers is not possible for its criterion.")
    context = {"result": result, "error": error, "sections": sections}
    return render(request, "scorecards/_live_score.html", context)


@login_required
def version_review(request, pk):
    version = _version_for(request, pk)
    sections = selectors.version_content(version, with_comments=True)
    context = {
        "version": version,
        "sections": sections,
        "criterion_histories": _criterion_histories(request.user, version, sections),
        "can_comment": can_comment(request.user, version),
        "can_edit": can_edit(request.user, version),
        "comment_form": ReviewCommentForm(),
        "reviewers": version.reviewers.all(),
        "open_comments": services.open_comment_count(version),
        "session_flags": flags_for_draft(version),
    }
    return render(request, "scorecards/review.html", context)


@login_required
@require_POST
def comment_add(request, pk):
    criterion = get_object_or_404(Criterion.objects.select_related("section__version"), pk=pk)
    version = criterion.section.version
    if not can_comment(request.user, version):
        raise PermissionDenied
    form = ReviewCommentForm(request.POST)
    if form.is_valid():
        services.comment_add(
            criterion=criterion, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Your comment has been added."))
    else:
        messages.error(request, _("Write a comment first (at most 2,000 characters)."))
    return redirect(f"{_review_url(version)}#criterion-{criterion.pk}")


def _review_url(version) -> str:
    return reverse("scorecard_review", args=[version.pk])


@login_required
@require_POST
def comment_resolve(request, pk):
    comment = get_object_or_404(
        ReviewComment.objects.select_related("criterion__section__version"), pk=pk
    )
    version = comment.criterion.section.version
    if not can_edit(request.user, version):
        raise PermissionDenied
    services.comment_resolve(comment=comment, user=request.user)
    return redirect(f"{_review_url(version)}#criterion-{comment.criterion_id}")


@login_required
def reviewers_edit(request, pk):
    version = _version_for(request, pk, edit=True)
    form = ReviewersForm(request.POST or None, initial={"reviewers": version.reviewers.all()})
    if request.method == "POST" and form.is_valid():
        version.reviewers.set(form.cleaned_data["reviewers"])
        messages.success(request, _("The draft is shared with the chosen reviewers."))
        return redirect("scorecard_review", pk=version.pk)
    return render(request, "scorecards/reviewers.html", {"form": form, "version": version})


@login_required
def version_publish(request, pk):
    version = _version_for(request, pk, edit=True)
    open_comments = services.open_comment_count(version)
    form = PublishForm(request.POST or None)
    if not open_comments:
        del form.fields["confirm_open_comments"]
    if request.method == "POST" and form.is_valid():
        if open_comments and not form.cleaned_data["confirm_open_comments"]:
            form.add_error(
                "confirm_open_comments", _("Confirm that you publish with open comments.")
            )
        else:
            try:
                services.version_publish(
                    version=version, user=request.user, change_note=form.cleaned_data["change_note"]
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Version %(n)d is published.") % {"n": version.number})
                return redirect("scorecard_detail", pk=version.scorecard_id)
    context = {"form": form, "version": version, "open_comments": open_comments}
    return render(request, "scorecards/publish.html", context)


@login_required
def version_diff(request, pk):
    scorecard = get_object_or_404(Scorecard, pk=pk)
    versions = [
        v for v in scorecard.versions.order_by("number") if can_view_version(request.user, v)
    ]
    if not versions:
        raise PermissionDenied
    if len(versions) < 2:
        messages.info(request, _("There is only one version: nothing to compare yet."))
        return redirect("scorecard_detail", pk=scorecard.pk)
    by_number = {v.number: v for v in versions}
    try:
        new = by_number[int(request.GET.get("new", versions[-1].number))]
        old = by_number[int(request.GET.get("old", versions[-2].number))]
    except (KeyError, ValueError):
        new, old = versions[-1], versions[-2]
    context = {
        "scorecard": scorecard,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": selectors.version_diff(old, new),
    }
    return render(request, "scorecards/diff.html", context)


@login_required
def version_export(request, pk):
    version = _version_for(request, pk)
    document = formats.version_to_dict(version)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    name = slugify(version.scorecard.name) or "scorecard"
    response["Content-Disposition"] = f'attachment; filename="{name}-v{version.number}.json"'
    return response


@login_required
def xlsx_template(request):
    response = HttpResponse(
        formats.xlsx_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="qalibrate-scorecard-template.xlsx"'
    return response


@login_required
def scorecard_import(request):
    _require_builder(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = _read_import(upload)
            scorecard = formats.scorecard_import(data=document, author=request.user)
        except formats.ImportErrors as problems:
            errors = problems.errors
        else:
            messages.success(request, _("Imported as a draft. Check it, then publish it."))
            return redirect("scorecard_builder", pk=scorecard.draft.pk)
    return render(request, "scorecards/import.html", {"form": form, "errors": errors})


def _read_import(upload) -> dict:
    if upload.size > IMPORT_MAX_BYTES:
        raise formats.ImportErrors([_("The file is larger than 5 MB.")])
    content = upload.read()
    name = upload.name.lower()
    if name.endswith(".xlsx"):
        return formats.xlsx_to_dict(content)
    if name.endswith(".json"):
        try:
            return jsonsafe.loads(content.decode("utf-8-sig"))
        except ValueError as error:  # undecodable, not JSON, or nested too deep
            raise formats.ImportErrors(
                [_("The JSON cannot be read: %(error)s") % {"error": error}]
            ) from None
    raise formats.ImportErrors([_("Upload a .json or .xlsx file.")])
