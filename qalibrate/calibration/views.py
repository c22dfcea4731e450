from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.calibration import selectors, services
from qalibrate.calibration.forms import SessionPlanForm
from qalibrate.calibration.models import CalibrationSession, ParticipantRole, SessionStatus
from qalibrate.contacts.selectors import contacts_filtered
from qalibrate.evaluations import services as evaluation_services

PLAN_FIELDS = SessionPlanForm.Meta.fields


def _session_for(request, pk) -> CalibrationSession:
    return get_object_or_404(selectors.sessions_for(user=request.user), pk=pk)


@login_required
def session_list(request):
    context = {
        "sessions": selectors.sessions_for(user=request.user),
        "can_plan": services.can_plan(request.user),
    }
    return render(request, "calibration/list.html", context)


@login_required
def session_plan(request):
    if not services.can_plan(request.user):
        raise PermissionDenied
    form = SessionPlanForm(request.POST or None, initial={"facilitator": request.user})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pool = contacts_filtered(
            user=request.user,
            filters={
                "team": data["sample_team"] or data["team"],
                "channel": data["sample_channel"],
                "date_from": data["sample_from"],
                "date_to": data["sample_to"],
            },
        )
        contacts = services.contacts_sample(contacts=pool, count=data["sample_size"])
        if len(contacts) < data["sample_size"]:
            form.add_error(
                "sample_size",
                _("Only %(found)d contacts match; widen the filter or pick fewer.")
                % {"found": len(contacts)},
            )
        else:
            session = services.session_plan(
                user=request.user,
                contacts=contacts,
                evaluators=data["evaluators"],
                observers=data["observers"],
                **{name: data[name] for name in PLAN_FIELDS},
            )
            messages.success(request, _("The session is planned. Check it, then open scoring."))
            return redirect("session_detail", pk=session.pk)
    return render(request, "calibration/plan.html", {"form": form})


@login_required
def session_detail(request, pk):
    session = _session_for(request, pk)
    participant = session.participants.filter(user=request.user).first()
    scoring = participant is not None and participant.role == ParticipantRole.EVALUATOR
    context = {
        "session": session,
        "board": selectors.progress_board(session),
        "can_run": services.can_run(request.user, session),
        "is_scorer": scoring and session.status == SessionStatus.SCORING,
        "events": session.events.select_related("actor"),
        "observers": session.participants.filter(role=ParticipantRole.OBSERVER).select_related(
            "user"
        ),
    }
    return render(request, "calibration/detail.html", context)


@login_required
@require_POST
def session_move(request, pk, action):
    if action not in (*services.TRANSITIONS, "cancel"):
        raise Http404
    session = _session_for(request, pk)
    try:
        services.session_move(session=session, user=request.user, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("session_detail", pk=pk)


@login_required
@require_POST
def session_score(request, pk, contact_pk):
    """Open (or reopen) the participant's own evaluation of one of the session's contacts."""
    session = _session_for(request, pk)
    is_scorer = session.participants.filter(
        user=request.user, role=ParticipantRole.EVALUATOR
    ).exists()
    if not is_scorer or session.status != SessionStatus.SCORING:
        raise PermissionDenied
    session_contact = get_object_or_404(session.session_contacts, contact_id=contact_pk)
    evaluation = evaluation_services.evaluation_start(
        contact=session_contact.contact,
        evaluator=request.user,
        version=session.version,
        session=session,
    )
    return redirect("evaluation_detail", pk=evaluation.pk)
