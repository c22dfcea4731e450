"""The trends chart, drawn server-side with matplotlib as the report's charts are
(qalibrate/reports/charts.py: same style, inlined as SVG, no script or CDN)."""

from datetime import date

import numpy as np
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from qalibrate.history.selectors import TrendRow
from qalibrate.reports.charts import ACCENT, ERROR, INK, LINE, MUTED, OK, svg_once

# Krippendorff (2004), "Content Analysis", 2nd ed., p. 241: rely on data with alpha >= .800.
ALPHA_RELIABLE = 0.8
MAX_TICKS = 8
# One line per team and scorecard when the rows mix several.
SERIES_COLOURS = [ACCENT, "#9a6700", "#6941c6", "#c4320a", "#3e7c17", INK]


def _values(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def trends_chart(days: list[date], labels: list[str], groups: list[str], figures, *, texts):
    """Above: the share of scores within tolerance per session (green when calibrated, red
    when not, grey without a verdict) against the 100% target. Below: alpha of the totals with
    its interval, against Krippendorff's 0.80. ``figures`` has per session (share within,
    calibrated, alpha, alpha low, alpha high); ``groups`` names its team and scorecard."""
    figure = Figure(figsize=(7.2, 4.8), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    x = np.array([day.toordinal() for day in days], dtype=float)
    share, calibrated, alpha, low, high = zip(*figures, strict=True)
    share, alpha, low, high = _values(share) * 100, _values(alpha), _values(low), _values(high)
    _lines(top, bottom, x, groups, share, alpha)
    top.scatter(x, share, c=[MUTED if c is None else OK if c else ERROR for c in calibrated], s=28)
    top.axhline(100, color=MUTED, linestyle="--", linewidth=1, label=texts["target"])
    top.set_ylim(0, 105)
    top.set_ylabel(texts["share"])
    top.legend(loc="lower left", frameon=False, fontsize=8, ncols=3)
    ranged = ~np.isnan(low) & ~np.isnan(high) & ~np.isnan(alpha)
    bottom.errorbar(
        x[ranged],
        alpha[ranged],
        yerr=[alpha[ranged] - low[ranged], high[ranged] - alpha[ranged]],
        fmt="none",
        ecolor=MUTED,
        elinewidth=1,
        capsize=3,
        label=texts["interval"],
    )
    bottom.scatter(x, alpha, color=INK, s=22, zorder=3, label=texts["alpha"])
    bottom.axhline(
        ALPHA_RELIABLE, color=MUTED, linestyle="--", linewidth=1, label=texts["reliable"]
    )
    lowest = [v for v in np.concatenate([alpha, low]) if np.isfinite(v)]
    bottom.set_ylim(min([0.0, *lowest]) - 0.05, 1.05)
    bottom.set_ylabel(texts["alpha_axis"])
    bottom.legend(loc="lower left", frameon=False, fontsize=8, ncols=3)
    step = max(1, int(np.ceil(len(x) / MAX_TICKS)))
    bottom.set_xticks(x[::step], labels[::step], rotation=30, ha="right")
    if len(set(x)) == 1:
        bottom.set_xlim(x[0] - 7, x[0] + 7)
    return figure


def _lines(top, bottom, x, groups, share, alpha) -> None:
    """Each team and scorecard's sessions joined by a line, named when there are several."""
    names = list(dict.fromkeys(groups))
    for index, name in enumerate(names):
        mask = np.array([group == name for group in groups])
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)] if len(names) > 1 else LINE
        label = name if len(names) > 1 else None
        top.plot(x[mask], share[mask], color=colour, linewidth=1.5, zorder=1, label=label)
        bottom.plot(x[mask], alpha[mask], color=colour, linewidth=1.5, zorder=1)


def trends_svg(rows: list[TrendRow]) -> str:
    """The chart of the trends' rows as inline SVG; "" when there is no row."""
    if not rows:
        return ""
    texts = {
        "share": _("Scores within tolerance (%)"),
        "target": _("Target: 100%"),
        "alpha": _("Alpha of the totals"),
        "alpha_axis": _("Alpha"),
        "interval": _("95% interval"),
        "reliable": _("0.80: reliable (Krippendorff)"),
    }
    return svg_once(
        "trends",
        trends_chart,
        [row.held_on for row in rows],
        [date_format(row.held_on, "SHORT_DATE_FORMAT") for row in rows],
        [f"{row.team or '—'} · {row.scorecard.name}" for row in rows],
        [
            (
                row.share_within,
                row.calibrated,
                row.alpha and row.alpha.value,
                row.alpha and row.alpha.low,
                row.alpha and row.alpha.high,
            )
            for row in rows
        ],
        texts=texts,
    )
