"""The people pages: the list, invitations and their acceptance, a user's role and teams,
deactivation, agents, the import (docs/people.md)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.contacts.importing import ImportRejected
from qalibrate.people import importing, selectors, services
from qalibrate.people.forms import AcceptForm, AgentForm, ImportForm, InviteForm, UserEditForm
from qalibrate.people.permissions import (
    can_import_people,
    can_invite,
    can_manage_agent,
    can_manage_user,
    can_see_people,
)
from qalibrate.privacy.permissions import can_handle_personal_data

TEMPLATE_ROWS = [
    importing.COLUMNS,
    [
        "user",
        "Maria Svensson",
        "maria.svensson@example.com",
        "evaluator",
        "Customer support",
        "",
        "sv",
    ],
    ["agent", "Ivan Petrov", "", "", "Customer support", "EMP-1042", ""],
]


def _require_people_staff(user) -> None:
    if not can_see_people(user):
        raise PermissionDenied


def _teams_shown(person) -> list:
    """A user's teams; for an agent with a login, the team of their agent record."""
    teams = list(person.teams.all())
    profile = getattr(person, "agent_profile", None)
    return teams or ([profile.team] if profile is not None else [])


@login_required
def people_list(request):
    _require_people_staff(request.user)
    users = list(selectors.users_visible(user=request.user))
    rows = [
        {
            "person": person,
            "teams": _teams_shown(person),
            "manage": can_manage_user(
                request.user, person, person_team_ids={team.pk for team in person.teams.all()}
            ),
        }
        for person in users
    ]
    agents = [
        {"agent": agent, "manage": can_manage_agent(request.user, agent)}
        for agent in selectors.agents_visible(user=request.user)
    ]
    context = {
        "rows": rows,
        "agents": agents,
        "invitations": selectors.invitations_pending(user=request.user),
        "can_import": can_import_people(request.user),
        "personal_data": can_handle_personal_data(request.user),
    }
    return render(request, "people/list.html", context)


@login_required
def invite(request):
    _require_people_staff(request.user)
    form = InviteForm(request.POST or None, user=request.user, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        teams = list(data["teams"])
        if not can_invite(request.user, role=data["role"], team_ids=[t.pk for t in teams]):
            raise PermissionDenied
        try:
            services.invite(
                by=request.user,
                email=data["email"],
                role=data["role"],
                teams=teams,
                language=data["language"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": data["email"]}
            )
            return redirect("people_list")
    return render(request, "people/invite.html", {"form": form})


def invitation_accept(request, token):
    try:
        invitation = services.invitation_usable(token)
    except services.InvitationUnusable as unusable:
        return _invitation_unusable(request, unusable.reason)
    first, _space, last = invitation.name.partition(" ")
    form = AcceptForm(
        request.POST or None,
        invitation=invitation,
        initial={"first_name": first, "last_name": last},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except services.InvitationUnusable as unusable:
            return _invitation_unusable(request, unusable.reason)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to Qalibrate. You sign in with %(username)s.")
                % {"username": user.username},
            )
            return redirect("home")
    return render(request, "people/accept.html", {"form": form, "invitation": invitation})


def _invitation_unusable(request, reason: str):
    status = 404 if reason == "unknown" else 410
    return render(request, "people/invitation_unusable.html", {"reason": reason}, status=status)


def _person_or_404(request, pk):
    return get_object_or_404(selectors.users_visible(user=request.user), pk=pk)


@login_required
def user_edit(request, pk):
    _require_people_staff(request.user)
    person = _person_or_404(request, pk)
    if not can_manage_user(request.user, person):
        raise PermissionDenied
    initial = {"role": person.role, "teams": person.teams.all(), "all_teams": person.all_teams}
    form = UserEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_update(
            by=request.user,
            person=person,
            role=form.cleaned_data["role"],
            teams=form.cleaned_data["teams"],
            all_teams=form.cleaned_data.get("all_teams"),
        )
        messages.success(request, _("%(person)s was changed.") % {"person": person})
        return redirect("people_list")
    return render(request, "people/user_edit.html", {"form": form, "person": person})


@login_required
@require_POST
def user_deactivate(request, pk):
    _require_people_staff(request.user)
    person = _person_or_404(request, pk)
    services.user_deactivate(by=request.user, person=person, request=request)
    messages.success(
        request,
        _("%(person)s was deactivated: signed out everywhere, API tokens revoked.")
        % {"person": person},
    )
    return redirect("people_list")


@login_required
@require_POST
def user_reactivate(request, pk):
    _require_people_staff(request.user)
    person = _person_or_404(request, pk)
    services.user_reactivate(by=request.user, person=person, request=request)
    messages.success(request, _("%(person)s may sign in again.") % {"person": person})
    return redirect("people_list")


@login_required
def agent_edit(request, pk=None):
    _require_people_staff(request.user)
    agent = None
    if pk is not None:
        agent = get_object_or_404(selectors.agents_visible(user=request.user), pk=pk)
        if not can_manage_agent(request.user, agent):
            raise PermissionDenied
    old_team_id = agent.team_id if agent else None
    form = AgentForm(request.POST or None, instance=agent, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.agent_save(
            by=request.user, agent=form.save(commit=False), old_team_id=old_team_id
        )
        messages.success(request, _("%(agent)s was saved.") % {"agent": saved})
        return redirect("people_list")
    return render(request, "people/agent_form.html", {"form": form, "agent": agent})


@login_required
def people_import(request):
    _require_people_staff(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = importing.people_apply(
                file=upload,
                filename=upload.name,
                user=request.user,
                language=get_language(),
                request=request,
            )
        except ImportRejected as rejected:
            report = rejected.report
        else:
            messages.success(
                request,
                _("Imported: %(users)d invited, %(agents)d agents.")
                % {"users": report.users, "agents": report.agents},
            )
            if report.not_sent:
                messages.error(
                    request,
                    _("%(count)d invitation e-mails could not be sent; invite them again.")
                    % {"count": report.not_sent},
                )
            return redirect("people_list")
    context = {"form": form, "report": report, "columns": importing.COLUMNS}
    return render(request, "people/import.html", context)


@login_required
def import_template(request):
    _require_people_staff(request.user)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(TEMPLATE_ROWS)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="qalibrate-people-template.csv"'
    return response
