"""Erase a person or export their data (administrators): buttons on the People page."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.accounts.models import Agent, User
from qalibrate.privacy import services
from qalibrate.privacy.permissions import can_handle_personal_data


def _require(request, person=None) -> None:
    if not can_handle_personal_data(request.user, person):
        raise PermissionDenied


def _json(data: dict, name: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@login_required
@require_POST
def user_erase(request, pk):
    _require(request)
    person = get_object_or_404(User, pk=pk)
    services.user_erase(by=request.user, person=person)
    messages.success(request, _("The person's name, e-mail and log-in were erased."))
    return redirect("people_list")


@login_required
@require_POST
def agent_erase(request, pk):
    _require(request)
    agent = get_object_or_404(Agent, pk=pk)
    services.agent_erase(by=request.user, agent=agent)
    messages.success(request, _("The agent's name and employee id were erased."))
    return redirect("people_list")


@login_required
def user_export(request, pk):
    _require(request)
    person = get_object_or_404(User, pk=pk)
    return _json(services.user_export(by=request.user, person=person), f"user-{pk}")


@login_required
def agent_export(request, pk):
    _require(request)
    agent = get_object_or_404(Agent, pk=pk)
    return _json(services.agent_export(by=request.user, agent=agent), f"agent-{pk}")
