from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qalibrate.calibration import selectors as calibration_selectors
from qalibrate.calibration import services as calibration_services
from qalibrate.calibration.permissions import can_score
from qalibrate.calibration.views import all_scored_message
from qalibrate.certification.selectors import attempt_of
from qalibrate.contacts.models import Contact
from qalibrate.core.keyset import requested_page
from qalibrate.double_scoring.selectors import pair_of
from qalibrate.evaluations import selectors, services
from qalibrate.evaluations.models import Evaluation
from qalibrate.evaluations.permissions import can_evaluate, can_manage_evaluation
from qalibrate.history.permissions import can_see_history
from qalibrate.history.ruling_selectors import ruling_counts
from qalibrate.scorecards.models import ScorecardVersion, VersionStatus
from qalibrate.scorecards.scoring import score_evaluation
from qalibrate.scorecards.selectors import version_content

PAGE_SIZE = 50


def _evaluation_for(request, pk) -> Evaluation:
    queryset = Evaluation.objects.visible_to(request.user).select_related(
        "contact__agent", "agreed_in", "contact__team", "evaluator", "version__scorecard", "session"
    )
    return get_object_or_404(queryset, pk=pk)


def answers_from_post(post, criteria) -> dict[int, services.AnswerInput]:
    """The screen's fields: c<id> (value or "na"), c<id>_comment, c<id>_t (seconds)."""
    answers = {}
    for criterion in criteria:
        name = f"c{criterion.pk}"
        if not any(key in post for key in (name, f"{name}_comment", f"{name}_t")):
            continue
        raw = post.get(name, "")
        try:
            moment = float(post.get(f"{name}_t") or "") if post.get(f"{name}_t") else None
        except ValueError:
            moment = None
        answers[criterion.pk] = services.AnswerInput(
            value="" if raw == "na" else raw,
            na=raw == "na",
            comment=post.get(f"{name}_comment", ""),
            media_timestamp=moment,
        )
    return answers


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _save_from_post(request, evaluation, sections):
    criteria = [c for s in sections for c in s.criteria.all()]
    return services.evaluation_save(
        evaluation=evaluation,
        user=request.user,
        answers=answers_from_post(request.POST, criteria),
        summary=request.POST.get("summary"),
        seconds_spent=_int(request.POST.get("seconds_spent")),
        revision=_int(request.POST.get("revision"), default=None),
        sections=sections,
    )


@login_required
@require_POST
def evaluation_start(request, pk):
    if not can_evaluate(request.user):
        raise PermissionDenied
    contact = get_object_or_404(Contact, pk=pk)
    version = get_object_or_404(
        ScorecardVersion, pk=_int(request.POST.get("version")), status=VersionStatus.PUBLISHED
    )
    evaluation = services.evaluation_start(contact=contact, evaluator=request.user, version=version)
    return redirect("evaluation_detail", pk=evaluation.pk)


@login_required
def evaluation_list(request):
    evaluations = Evaluation.objects.visible_to(request.user).select_related(
        "contact__agent", "evaluator", "version__scorecard"
    )
    page = requested_page(evaluations, field="saved_at", query=request.GET, size=PAGE_SIZE)
    return render(request, "evaluations/list.html", {"evaluations": page, "page": page})


def _answers_by_criterion(evaluation) -> dict:
    return {a.criterion_id: a for a in evaluation.answers.all()}


def _ruling_counts(request, evaluation, sections) -> dict[str, int]:
    """How many past rulings each criterion has (the book of rulings), for the links beside the
    form; never counting those on this very contact."""
    if not can_see_history(request.user):
        return {}
    keys = [c.key for section in sections for c in section.criteria.all() if c.kind != "text"]
    return ruling_counts(user=request.user, keys=keys, exclude_contact_id=evaluation.contact_id)


@login_required
def evaluation_detail(request, pk, errors=None):
    evaluation = _evaluation_for(request, pk)
    sections = version_content(evaluation.version)
    editable = evaluation.is_draft and evaluation.evaluator_id == request.user.pk
    answers = _answers_by_criterion(evaluation)
    result = score_evaluation(
        evaluation.version.scoring_spec(),
        {pk: answer.scoring_value() for pk, answer in answers.items()},
    )
    context = {
        "evaluation": evaluation,
        "contact": evaluation.contact,
        "sections": sections,
        "answers": answers,
        "failed_critical": set(result.failed_critical),
        "editable": editable,
        "errors": errors or [],
        "missing_ids": {c.pk for c in services.unanswered_criteria(evaluation)}
        if errors
        else set(),
        "can_manage": can_manage_evaluation(request.user, evaluation),
        "events": evaluation.events.select_related("actor"),
        "is_own_agent": evaluation.contact.agent.user_id == request.user.pk,
        "flow": _session_flow(request, evaluation),
        "pair": pair_of(user=request.user, evaluation=evaluation),
        "gold": attempt_of(user=request.user, evaluation=evaluation),
        "ruling_counts": _ruling_counts(request, evaluation, sections) if editable else {},
        "save_messages": {
            "saving": _("Saving…"),
            "unsaved": _("Changes not saved yet…"),
            "offline": _(
                "Not saved: no connection. Your answers are kept in this browser and will be "
                "sent again."
            ),
            "restored": _("Restored answers that had not reached the server; saving them now."),
            "restored_merged": _(
                "Restored answers that had not reached the server and combined them with the "
                "answers saved since; saving them now."
            ),
            "merged": _(
                "This evaluation was also saved elsewhere; your newer changes were kept and "
                "saved again."
            ),
        },
    }
    template = "evaluations/screen.html" if editable else "evaluations/view.html"
    return render(request, template, context, status=400 if errors else 200)


@login_required
@require_POST
def evaluation_save(request, pk):
    """Autosave: JSON for the screen's script; every outcome says whether the answers are kept."""
    # The service reads the evaluation again, locked: here only who may see it and its version.
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(request.user).select_related("version"), pk=pk
    )
    sections = version_content(evaluation.version)
    try:
        evaluation = _save_from_post(request, evaluation, sections)
    except services.StaleRevision:
        message = _(
            "This evaluation was saved from another window. Reload the page to see the newest "
            "answers; your answers here are kept in this browser."
        )
        return JsonResponse({"ok": False, "error": message}, status=409)
    except ValidationError as error:
        return JsonResponse({"ok": False, "error": " ".join(error.messages)}, status=400)
    saved_at = formats.time_format(timezone.localtime(evaluation.saved_at), "H:i:s")
    return JsonResponse(
        {
            "ok": True,
            "revision": evaluation.revision,
            "score": None if evaluation.score is None else round(evaluation.score, 1),
            "saved_at": saved_at,
            "message": _("Saved at %(time)s") % {"time": saved_at},
        }
    )


@login_required
@require_GET
@never_cache
def evaluation_answers(request, pk):
    """The evaluator's own saved answers as JSON, in the screen's field names: the screen lays
    the changes it could not save on top of them (another window saved first, or a save arrived
    but its response was lost)."""
    evaluation = _evaluation_for(request, pk)
    if evaluation.evaluator_id != request.user.pk:
        raise PermissionDenied
    return JsonResponse(
        {"revision": evaluation.revision, "values": selectors.form_values(evaluation)}
    )


@login_required
@require_POST
def evaluation_submit(request, pk):
    evaluation = _evaluation_for(request, pk)
    sections = version_content(evaluation.version)
    try:
        evaluation = _save_from_post(request, evaluation, sections)
        services.evaluation_submit(evaluation=evaluation, user=request.user)
    except services.StaleRevision:
        messages.error(
            request, _("This evaluation was saved from another window; check it and submit again.")
        )
        return redirect("evaluation_detail", pk=pk)
    except ValidationError as error:
        return evaluation_detail(request, pk, errors=error.messages)
    if evaluation.session_id:
        return _next_in_session(request, evaluation)
    messages.success(request, _("Evaluation submitted."))
    return redirect("evaluation_detail", pk=pk)


def _next_in_session(request, evaluation):
    """After a submit in a calibration session: on to the next contact still to score, or back
    to the session once every contact is scored."""
    session = evaluation.session
    upcoming = calibration_services.next_evaluation_open(
        session=session, user=request.user, after_contact_id=evaluation.contact_id
    )
    if upcoming is None:
        messages.success(request, all_scored_message())
        return redirect("session_detail", pk=session.pk)
    messages.success(request, _("Evaluation submitted. Here is the next contact to score."))
    return redirect("evaluation_detail", pk=upcoming.pk)


def _session_flow(request, evaluation) -> dict | None:
    """Where the evaluation sits in its calibration session ("contact 3 of 6"), and for its own
    evaluator while the session takes scores, the previous and next contacts."""
    session = evaluation.session
    if session is None or request.user.is_agent:
        return None
    contacts = calibration_selectors.my_contacts(session, user=evaluation.evaluator)
    index = next((i for i, c in enumerate(contacts) if c.contact.pk == evaluation.contact_id), None)
    if index is None:
        return None
    moving = evaluation.evaluator_id == request.user.pk and can_score(request.user, session)
    return {
        "session": session,
        "number": index + 1,
        "total": len(contacts),
        "previous": contacts[index - 1] if moving and index > 0 else None,
        "next": contacts[index + 1] if moving and index + 1 < len(contacts) else None,
    }


def _follow_up(request, pk, action, success_message):
    """Run one follow-up service on the evaluation and say how it went, on its page."""
    evaluation = _evaluation_for(request, pk)
    try:
        action(evaluation=evaluation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success_message)
    return redirect("evaluation_detail", pk=pk)


@login_required
@require_POST
def evaluation_reopen(request, pk):
    reason = request.POST.get("reason", "")
    return _follow_up(
        request,
        pk,
        lambda **kwargs: services.evaluation_reopen(reason=reason, **kwargs),
        _("Reopened: the evaluator can change the answers again."),
    )


@login_required
@require_POST
def evaluation_release(request, pk):
    return _follow_up(request, pk, services.evaluation_release, _("Shared with the agent."))


@login_required
@require_POST
def evaluation_acknowledge(request, pk):
    return _follow_up(
        request,
        pk,
        services.evaluation_acknowledge,
        _("Thank you: the quality team sees that you have read it."),
    )
