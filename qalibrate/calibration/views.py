from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qalibrate.accounts.permissions import visible_teams
from qalibrate.calibration import meeting_selectors, permissions, planning, selectors, services
from qalibrate.calibration.detail_selectors import actions_with_rights, session_detail_for
from qalibrate.calibration.forms import (
    ActionForm,
    AgreedAnswerForm,
    CompletionForm,
    FlagForm,
    InviteForm,
    RescheduleForm,
    SessionPlanForm,
)
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
    ParticipantRole,
    SessionStatus,
)
from qalibrate.contacts import selection as contact_selection
from qalibrate.core.keyset import requested_page
from qalibrate.core.redirects import safe_next
from qalibrate.evaluations.services import AnswerInput
from qalibrate.history.proposals import proposals
from qalibrate.scorecards.models import Criterion

SESSION_PAGE_SIZE = 50

PLAN_FIELDS = SessionPlanForm.Meta.fields


def _session_for(request, pk) -> CalibrationSession:
    return get_object_or_404(selectors.sessions_for(user=request.user), pk=pk)


@login_required
def session_list(request):
    page = requested_page(
        selectors.sessions_for(user=request.user),
        field="meeting_at",
        query=request.GET,
        size=SESSION_PAGE_SIZE,
    )
    context = {
        "sessions": page,
        "page": page,
        "can_plan": permissions.can_plan(request.user),
    }
    return render(request, "calibration/list.html", context)


def _picked_contacts(request) -> list:
    """Contacts ticked in the contact list (only those the planner may see), in list order."""
    ids = [
        int(i)
        for i in request.GET.getlist("contacts") + request.POST.getlist("contacts")
        if i.isdigit()
    ]
    picked, _unknown = selectors.picked_contacts(user=request.user, ids=ids)
    return picked


@login_required
def session_plan(request):
    """Plan a session of the contacts ticked in the contact list (or a random sample), the form
    prefilled from the team's habits (qalibrate.calibration.planning)."""
    if not permissions.can_plan(request.user):
        raise PermissionDenied
    picked = _picked_contacts(request)
    initial = {}
    if request.method != "POST":
        team_id = request.GET.get("team", "")
        teams = visible_teams(request.user)
        team_filter = teams.filter(pk=team_id).first() if team_id.isdigit() else None
        initial = planning.plan_initial(
            user=request.user, contacts=picked, team_filter=team_filter, now=timezone.now()
        )
    form = SessionPlanForm(request.POST or None, initial=initial, picked=picked, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contacts = picked or _sampled_contacts(request, form)
        if contacts:
            session = services.session_plan(
                user=request.user,
                contacts=contacts,
                evaluators=data["evaluators"],
                observers=data["observers"],
                series=planning.series_of_meeting(team=data["team"], meeting_at=data["meeting_at"]),
                **{name: data[name] for name in PLAN_FIELDS},
            )
            if picked:  # the ticks did their job: the contact list starts afresh
                contact_selection.selection_clear(request.session)
            messages.success(request, _("The session is planned. Check it, then open scoring."))
            return redirect("session_detail", pk=session.pk)
    teams = {contact.team for contact in picked}
    context = {
        "form": form,
        "picked": picked,
        "picked_teams": sorted(teams, key=str),
        "precision": planning.form_precision(form, picked),
        **_proposals(request, picked, initial, form),
    }
    return render(request, "calibration/plan.html", context)


def _proposals(request, picked, initial, form) -> dict:
    """The contacts the history proposes for the team's next session, with reasons (none once
    contacts are picked, or when the form comes back with errors)."""
    if picked or request.method == "POST":
        return {}
    team, version = initial.get("team"), initial.get("version")
    return {
        "proposal_team": team,
        "proposal_version": version,
        "proposal_teams": list(visible_teams(request.user).order_by("name")),
        "proposals": proposals(
            user=request.user, team=team, version=version, count=form["sample_size"].initial
        ),
    }


@login_required
@require_GET
def session_plan_precision(request):
    """The plan page's precision note for the form as it stands (htmx, on every change)."""
    if not permissions.can_plan(request.user):
        raise PermissionDenied
    picked = _picked_contacts(request)
    form = SessionPlanForm(request.GET, picked=picked, user=request.user)
    context = {"precision": planning.form_precision(form, picked)}
    return render(request, "calibration/_plan_precision.html", context)


def _sampled_contacts(request, form) -> list:
    """The sample the form asks for; none, with the form's error, when too few match."""
    try:
        return services.plan_sample(user=request.user, plan=form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return []


@login_required
def session_detail(request, pk):
    session = _session_for(request, pk)
    detail = session_detail_for(session, user=request.user)
    if detail.agent_results is not None:
        # An agent sees the agreed evaluation and feedback of their own contacts, no scores.
        context = {"session": session, **detail.agent_results}
        return render(request, "calibration/agent_results.html", context)
    participant = session.participants.filter(user=request.user).first()
    scoring = participant is not None and participant.role == ParticipantRole.EVALUATOR
    board = detail.board
    if scoring:  # each contact with the state of the user's own evaluation, nobody else's
        contact_rows = selectors.my_contacts(session, user=request.user)
    else:
        contact_rows = [
            selectors.MyContact(n, c, "", None) for n, c in enumerate(board["contacts"], start=1)
        ]
    context = {
        "session": session,
        "board": board,
        "can_run": detail.can_run,
        "is_scorer": scoring and session.status == SessionStatus.SCORING,
        "my_scoring": selectors.MyScoring(session, contact_rows) if scoring else None,
        "contact_rows": contact_rows,
        "events": detail.events,
        "can_see_answers": detail.can_see_answers,
        "actions": detail.actions,
        "action_statuses": ActionStatus.choices,
        "observers": detail.observers,
        "reschedule_form": RescheduleForm(instance=session) if session.is_under_way else None,
        "invite_form": InviteForm(session=session) if session.is_under_way else None,
    }
    return render(request, "calibration/detail.html", context)


@login_required
@require_POST
def session_move(request, pk, action):
    if action not in ("open", "reveal", "cancel"):
        raise Http404  # completing takes a summary: see session_complete
    session = _session_for(request, pk)
    try:
        services.session_move(session=session, user=request.user, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("session_detail", pk=pk)


def _session_to_run(request, pk):
    """The session, for those who run it (admins, its facilitator and its planner) only."""
    session = _session_for(request, pk)
    if not permissions.can_run(request.user, session):
        raise PermissionDenied
    return session


def _form_problems(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def session_reschedule(request, pk):
    session = _session_to_run(request, pk)
    form = RescheduleForm(request.POST, instance=CalibrationSession(pk=session.pk))
    if form.is_valid():
        try:
            services.session_reschedule(session=session, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The session is moved; everyone invited gets an update."))
    else:
        messages.error(request, _form_problems(form))
    return redirect("session_detail", pk=pk)


@login_required
@require_POST
def session_participants_add(request, pk):
    session = _session_to_run(request, pk)
    form = InviteForm(request.POST, session=session)
    if not form.is_valid():
        messages.error(request, _form_problems(form))
        return redirect("session_detail", pk=pk)
    try:
        services.participants_add(
            session=session,
            user=request.user,
            evaluators=list(form.cleaned_data.get("evaluators") or []),
            observers=list(form.cleaned_data["observers"]),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("They are invited and get an invitation."))
    return redirect("session_detail", pk=pk)


@login_required
@require_POST
def session_contacts_add(request, pk):
    """The contacts ticked in the contact list (opened with ?add_to=<session>)."""
    session = _session_to_run(request, pk)
    picked = _picked_contacts(request)
    if not picked:
        messages.error(request, _("Tick the contacts to add."))
        return redirect(f"{reverse('contact_list')}?add_to={session.pk}")
    try:
        services.session_contacts_add(session=session, user=request.user, contacts=picked)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('contact_list')}?add_to={session.pk}")
    contact_selection.selection_clear(request.session)
    messages.success(
        request,
        ngettext("%(count)d contact added.", "%(count)d contacts added.", len(picked))
        % {"count": len(picked)},
    )
    return redirect("session_detail", pk=pk)


@login_required
@require_POST
def session_score(request, pk, contact_pk):
    """Open (or reopen) the participant's own evaluation of one of the session's contacts."""
    session = _session_for(request, pk)
    if not permissions.can_score(request.user, session):
        raise PermissionDenied
    session_contact = get_object_or_404(session.session_contacts, contact_id=contact_pk)
    evaluation = services.session_evaluation_open(
        session=session, user=request.user, contact=session_contact.contact
    )
    return redirect("evaluation_detail", pk=evaluation.pk)


def _discussion_context(request, session) -> dict:
    anonymous = request.GET.get("anonymous") == "1"
    can_record = permissions.can_run(request.user, session) and (
        session.status == SessionStatus.DISCUSSION
    )
    discussion = meeting_selectors.discussion_with_history(session, anonymous=anonymous)
    return {
        "session": session,
        "discussion": discussion,
        **_meeting_view(request, discussion.contacts, anonymous=anonymous),
        "anonymous": anonymous,
        "can_record": can_record,
        "flag_kinds": FlagKind.choices,
        "action_form": ActionForm(session=session) if can_record else None,
        "actions": actions_with_rights(
            session.actions.select_related("owner", "session"), user=request.user
        ),
        "action_statuses": ActionStatus.choices,
    }


def _meeting_view(request, rows, *, anonymous: bool) -> dict:
    """What the meeting screen shows: the overview (no `contact`), one contact (`contact=3`,
    in the order to discuss) or everything to print (`contact=all`), and the links between."""
    wanted = request.GET.get("contact", "")
    number = int(wanted) if wanted.isdigit() and 1 <= int(wanted) <= len(rows) else 0
    view = "all" if wanted == "all" else ("contact" if number else "overview")

    def link(contact="", *, names=anonymous) -> str:
        params = {"anonymous": "1"} if names else {}
        return "?" + urlencode({**params, **({"contact": contact} if contact else {})})

    here = {"all": "all", "overview": ""}.get(view, str(number))
    return {
        "view": view,
        "number": number,
        "row": rows[number - 1] if number else None,
        "view_param": here,  # forms send it back so the page returns to the same contact
        "index": [
            {"number": n, "row": row, "url": link(n), "current": n == number}
            for n, row in enumerate(rows, start=1)
        ],
        "overview_url": link(),
        "all_url": link("all"),
        "previous_url": link(number - 1) if number else "",
        "next_url": link(number + 1) if view != "all" and number < len(rows) else "",
        "toggle_url": link(here, names=not anonymous),
        "view_query": link(here)[1:],
    }


@login_required
def session_discussion(request, pk):
    session = _session_for(request, pk)
    if not permissions.can_see_answers(request.user, session):
        raise PermissionDenied
    return render(request, "calibration/discussion.html", _discussion_context(request, session))


def _back_to_discussion(request, session, anchor=""):
    """Back to the part of the meeting screen the form was on (one contact, or all)."""
    url = reverse("session_discussion", args=[session.pk])
    params = {}
    if request.GET.get("anonymous") == "1" or request.POST.get("anonymous") == "1":
        params["anonymous"] = "1"
    contact = request.POST.get("contact") or request.GET.get("contact")
    if contact and (contact == "all" or contact.isdigit()):
        params["contact"] = contact
    if params:
        url += "?" + urlencode(params)
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def session_agree(request, pk, session_contact_pk, criterion_pk):
    """Record the agreed answer for one criterion of one contact (an htmx partial or a redirect)."""
    session = _session_for(request, pk)
    session_contact = get_object_or_404(session.session_contacts, pk=session_contact_pk)
    criterion = get_object_or_404(
        Criterion.objects.select_related("section"),
        pk=criterion_pk,
        section__version_id=session.version_id,
    )
    form = AgreedAnswerForm(request.POST)
    error = ""
    if form.is_valid():
        value = form.cleaned_data["value"]
        try:
            services.agreed_answer_set(
                session_contact=session_contact,
                criterion=criterion,
                user=request.user,
                answer=AnswerInput(value="" if value == "na" else value, na=value == "na"),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Choose the agreed answer.")
    if request.htmx:
        # The whole contact card: its agreed score and reference deviations change too.
        # The index beside it too: the contact's state and agreed score (out of band).
        context = _discussion_context(request, session)
        rows = context["discussion"].contacts
        row = next(r for r in rows if r.session_contact.pk == session_contact.pk)
        context.update({"row": row, "number": rows.index(row) + 1, "error": error})
        return render(request, "calibration/_contact_agreed.html", context)
    if error:
        messages.error(request, error)
    return _back_to_discussion(request, session, f"contact-{session_contact.pk}")


@login_required
@require_POST
def session_notes(request, pk, session_contact_pk):
    session = _session_for(request, pk)
    session_contact = get_object_or_404(session.session_contacts, pk=session_contact_pk)
    try:
        services.contact_notes_set(
            session_contact=session_contact, user=request.user, notes=request.POST.get("notes", "")
        )
        messages.success(request, _("Notes saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back_to_discussion(request, session, f"contact-{session_contact.pk}")


@login_required
@require_POST
def session_flag(request, pk, criterion_pk):
    session = _session_for(request, pk)
    criterion = get_object_or_404(
        Criterion.objects.select_related("section"),
        pk=criterion_pk,
        section__version_id=session.version_id,
    )
    form = FlagForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Unknown flag."))
        existing = CriterionFlag.objects.filter(
            session=session, criterion=criterion, kind=form.cleaned_data["kind"]
        ).first()
        if form.cleaned_data["remove"]:
            if existing:
                services.criterion_flag_remove(flag=existing, user=request.user)
        else:
            services.criterion_flag_set(
                session=session,
                criterion=criterion,
                user=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back_to_discussion(request, session, request.POST.get("anchor", ""))


@login_required
@require_POST
def session_action_add(request, pk):
    session = _session_for(request, pk)
    form = ActionForm(request.POST, session=session)
    if form.is_valid():
        try:
            services.action_add(session=session, user=request.user, **form.cleaned_data)
            messages.success(request, _("Follow-up action added."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
    return _back_to_discussion(request, session, "actions")


@login_required
@require_POST
def action_status(request, action_pk):
    action = get_object_or_404(FollowUpAction.objects.select_related("session"), pk=action_pk)
    if not permissions.can_update_action(request.user, action):
        raise PermissionDenied
    try:
        services.action_status_set(
            action=action, user=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(safe_next(request, "action_list"))


@login_required
def action_list(request):
    """Open follow-up actions across sessions: QA staff see all, everyone else their own."""
    show_done = request.GET.get("done") == "1"
    actions = actions_with_rights(
        selectors.actions_for(user=request.user, include_done=show_done), user=request.user
    )
    context = {
        "actions": actions,
        "show_done": show_done,
        "action_statuses": ActionStatus.choices,
        "show_session": True,
    }
    return render(request, "calibration/actions.html", context)


@login_required
def session_complete(request, pk):
    session = _session_to_run(request, pk)
    if session.status != SessionStatus.DISCUSSION:
        messages.error(request, _("Only a session in discussion can be completed."))
        return redirect("session_detail", pk=pk)
    discussion = meeting_selectors.discussion_with_history(session)
    initial = {"summary": meeting_selectors.summary_draft(discussion)}
    form = CompletionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            completion = services.session_complete(
                session=session, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session is completed and its summary is locked."))
            if completion.kept:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d contact already had an evaluation shared with the agent; it "
                        "was kept and no official evaluation was made from the agreed answers.",
                        "%(count)d contacts already had an evaluation shared with the agent; "
                        "they were kept and no official evaluation was made from the agreed "
                        "answers.",
                        len(completion.kept),
                    )
                    % {"count": len(completion.kept)},
                )
            return redirect("session_detail", pk=pk)
    context = {"session": session, "form": form, "discussion": discussion}
    return render(request, "calibration/complete.html", context)


@login_required
@require_POST
def session_score_next(request, pk):
    """Open the next contact the evaluator still has to score, or the session when all are."""
    session = _session_for(request, pk)
    evaluation = services.next_evaluation_open(session=session, user=request.user)
    if evaluation is None:
        messages.success(request, all_scored_message())
        return redirect("session_detail", pk=pk)
    return redirect("evaluation_detail", pk=evaluation.pk)


def all_scored_message() -> str:
    return _("You have scored every contact in this session. Thank you!")
