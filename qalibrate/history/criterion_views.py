"""Criterion history pages: a scorecard's criteria with their latest agreement and trend, and one
criterion followed across versions (qalibrate.history.criterion_selectors)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qalibrate.double_scoring import selectors as pair_selectors
from qalibrate.history import criterion_charts, criterion_selectors
from qalibrate.history.permissions import can_see_history

LISTED = 50  # sessions listed in the table unless all are asked for (the chart shows every one)


def _require_history(user) -> None:
    if not can_see_history(user):
        raise PermissionDenied


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def criteria_list(request):
    _require_history(request.user)
    overview = criterion_selectors.criteria_overview(
        user=request.user, scorecard_id=_number(request.GET.get("scorecard"))
    )
    return render(request, "history/criteria.html", {"overview": overview})


def _chart(history) -> str:
    points = history.sessions
    if not points:
        return ""
    coefficient = "AC1" if history.weights == "identity" else "AC2"
    return criterion_charts.agreement_svg(
        [p.held_on for p in points],
        [p.agreement for p in points],
        [p.ac1 for p in points],
        [
            (change.published_on, f"v{change.number}")
            for change in history.changes
            if change.published_on is not None
        ],
        labels={
            i: date_format(points[i].held_on, "SHORT_DATE_FORMAT")
            for i in criterion_charts.tick_indices(len(points))
        },
        flagged=[p.flagged for p in points],
        texts={
            "agreement": _("Agreement"),
            "coefficient": coefficient,
            "threshold": _("80% bar"),
            "flagged": _("Flagged"),
            "value": _("Share or coefficient"),
        },
    )


@login_required
def criterion_history(request, key):
    _require_history(request.user)
    history = criterion_selectors.criterion_history(
        key=key, user=request.user, scorecard_id=_number(request.GET.get("scorecard"))
    )
    if history is None:
        raise Http404
    newest_first = history.sessions[::-1]
    shown = newest_first if request.GET.get("all") == "1" else newest_first[:LISTED]
    context = {
        "history": history,
        "chart": _chart(history),
        "sessions": shown,
        "hidden": len(newest_first) - len(shown),
        # One reverse() for every row's link: /reports/sessions/<id>/ without the id.
        "report_prefix": reverse("session_report", args=[0])[: -len("0/")],
        "pairs": pair_selectors.criterion_pairs(user=request.user, key=key),
    }
    return render(request, "history/criterion.html", context)
