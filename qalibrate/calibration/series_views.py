"""Pages of recurring calibration series and of the teams' cadence.

QA leads and admins manage and see every series; evaluators see the series they are in (read
only) and the cadence page; agents see neither."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qalibrate.accounts.permissions import sees_team, visible_teams
from qalibrate.calibration import selectors, series_selectors, services, tasks
from qalibrate.calibration.forms import CadenceTargetForm, SeriesForm
from qalibrate.calibration.models import Series
from qalibrate.calibration.permissions import can_plan, can_see_series_pages
from qalibrate.calibration.series import cadence_text, series_meetings, series_next_meeting

SERIES_FIELDS = SeriesForm.Meta.fields
CADENCE_MONTHS = 6


def _require_series_pages(user) -> None:
    if not can_see_series_pages(user):
        raise PermissionDenied


def _series_for(request, pk) -> Series:
    _require_series_pages(request.user)
    return get_object_or_404(series_selectors.series_for(user=request.user), pk=pk)


@login_required
def series_list(request):
    _require_series_pages(request.user)
    now = timezone.now()
    rows = [
        {
            "series": series,
            "cadence": cadence_text(series),
            "next_meeting": series_next_meeting(series=series, after=now)
            if series.is_active
            else None,
        }
        for series in series_selectors.series_for(user=request.user)
    ]
    context = {"rows": rows, "can_manage": can_plan(request.user)}
    return render(request, "calibration/series_list.html", context)


def _series_form_page(request, instance: Series | None):
    if not can_plan(request.user):
        raise PermissionDenied
    initial = {} if instance else {"facilitator": request.user, "first_day": timezone.localdate()}
    if not instance and request.user.time_zone:
        initial["time_zone"] = request.user.time_zone
    form = SeriesForm(request.POST or None, instance=instance, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in SERIES_FIELDS}
        try:
            if instance is None:
                series = services.series_create(
                    user=request.user, evaluators=data["evaluators"], **fields
                )
                messages.success(
                    request,
                    _("The series is saved. Its sessions are created %(days)d days ahead.")
                    % {"days": series.lead_days},
                )
            else:
                series = services.series_update(
                    series=instance, user=request.user, evaluators=data["evaluators"], **fields
                )
                messages.success(request, _("The series is saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("series_detail", pk=series.pk)
    return render(request, "calibration/series_form.html", {"form": form, "series": instance})


@login_required
def series_new(request):
    return _series_form_page(request, None)


@login_required
def series_edit(request, pk):
    if not can_plan(request.user):
        raise PermissionDenied
    return _series_form_page(request, get_object_or_404(Series, pk=pk))


@login_required
def series_detail(request, pk):
    series = _series_for(request, pk)
    now = timezone.now()
    sessions = list(
        selectors.sessions_for(user=request.user).filter(series=series).order_by("meeting_at")
    )
    context = {
        "series": series,
        "cadence": cadence_text(series),
        "next_meetings": series_meetings(series=series, after=now, count=5),
        "upcoming": [s for s in sessions if s.meeting_at >= now],
        "past": [s for s in sessions if s.meeting_at < now][::-1],
        "evaluators": series.evaluators.order_by("last_name", "first_name"),
        "can_manage": can_plan(request.user),
    }
    return render(request, "calibration/series_detail.html", context)


@login_required
@require_POST
def series_run(request, pk):
    """Create the series' due sessions now, instead of waiting for the periodic job."""
    if not can_plan(request.user):
        raise PermissionDenied
    series = get_object_or_404(Series, pk=pk)
    if not series.is_active:
        messages.error(request, _("The series is not active: it creates no sessions."))
        return redirect("series_detail", pk=pk)
    created = tasks.series_create_due_sessions(now=timezone.now(), series=[series])
    series.refresh_from_db()
    if created:
        messages.success(
            request,
            ngettext("%(count)d session created.", "%(count)d sessions created.", len(created))
            % {"count": len(created)},
        )
    else:
        messages.info(
            request,
            _("No session is due: every meeting in the next %(days)d days already has one.")
            % {"days": series.lead_days},
        )
    if series.last_problem:
        messages.warning(request, series.last_problem)
    return redirect("series_detail", pk=pk)


@login_required
def cadence(request):
    """Sessions held per team and month against the team's target."""
    _require_series_pages(request.user)
    can_manage = can_plan(request.user)
    rows = series_selectors.cadence_by_month(
        teams=visible_teams(request.user), months=CADENCE_MONTHS, today=timezone.localdate()
    )
    months = rows[0].months if rows else []
    context = {"rows": rows, "months": months, "can_manage": can_manage}
    return render(request, "calibration/cadence.html", context)


@login_required
@require_POST
def cadence_target(request):
    if not can_plan(request.user):
        raise PermissionDenied
    form = CadenceTargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("cadence")
    team = form.cleaned_data["team"]
    if team is None or not sees_team(request.user, team.pk):
        raise Http404
    services.cadence_target_set(
        team=team, user=request.user, sessions_per_month=form.cleaned_data["sessions_per_month"]
    )
    messages.success(
        request,
        _("%(team)s: the target is %(count)d sessions a month.")
        % {"team": team, "count": form.cleaned_data["sessions_per_month"]},
    )
    return redirect("cadence")
