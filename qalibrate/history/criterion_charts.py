"""The criterion history's chart, drawn server-side with matplotlib as the report's are
(qalibrate.reports.charts: same style, SVG inlined in the page, no script). Drawing takes a
few hundred milliseconds, so the SVG is cached under a digest of everything it draws: new data,
another language or other words make another key."""

from datetime import date

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure

from qalibrate.agreement.session_figures import AGREEMENT_THRESHOLD
from qalibrate.reports.charts import (
    ACCENT,
    ERROR,
    INK,
    LINE,
    MUTED,
    as_svg,
    legend_below,
    svg_once,
)

__all__ = ["agreement_chart", "agreement_svg", "as_svg"]
MOST_TICKS = 8


def tick_indices(count: int) -> list[int]:
    """The sessions whose dates label the axis: at most MOST_TICKS, evenly spread, first and
    last included."""
    if count <= 0:
        return []
    return sorted({int(i) for i in np.linspace(0, count - 1, min(count, MOST_TICKS)).round()})


def _values(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def agreement_chart(
    dates: list[date],
    agreement: list[float | None],
    coefficient: list[float | None],
    changes: list[tuple[date, str]],
    *,
    labels: dict[int, str],
    flagged: list[bool],
    texts: dict,
) -> Figure:
    """Per session: agreement (share of agreeing pairs) and the chance-corrected coefficient
    (AC1 or AC2) on one 0-1 axis, the 80% bar as a dotted line, sessions flagged as low
    agreement or needing clarification ringed in red, and each change of wording as a dashed
    vertical line labelled with its version. ``labels``: the dates at tick_indices(len(dates))
    as the page writes them, by index;
    ``texts``: agreement, coefficient, threshold,
    flagged, value."""
    figure = Figure(figsize=(10.0, 3.4), layout="constrained")
    axes = figure.subplots()
    x = mdates.date2num(dates)
    shares, chance = _values(agreement), _values(coefficient)
    axes.plot(x, shares, color=ACCENT, marker="o", markersize=5, label=texts["agreement"])
    axes.plot(
        x,
        chance,
        color=MUTED,
        marker="s",
        markersize=4,
        linestyle="--",
        linewidth=1,
        label=texts["coefficient"],
    )
    ringed = [i for i, f in enumerate(flagged) if f and not np.isnan(shares[i])]
    if ringed:
        axes.scatter(
            x[ringed],
            shares[ringed],
            s=110,
            facecolors="none",
            edgecolors=ERROR,
            linewidths=1.4,
            zorder=3,
            label=texts["flagged"],
        )
    axes.axhline(
        AGREEMENT_THRESHOLD, color=LINE, linestyle=":", linewidth=1.2, label=texts["threshold"]
    )
    known = np.concatenate([shares[~np.isnan(shares)], chance[~np.isnan(chance)]])
    bottom = min(0.0, float(known.min())) if known.size else 0.0
    axes.set_ylim(bottom - 0.02, 1.05)
    for day, label in changes:
        where = mdates.date2num(day)
        axes.axvline(where, color=INK, linestyle="--", linewidth=1)
        axes.annotate(
            label,
            (where, 1.05),
            xytext=(3, -10),
            textcoords="offset points",
            color=INK,
            fontsize=8,
        )
    if len(x) == 1 and not changes:  # one point: give the axis a width
        axes.set_xlim(x[0] - 7, x[0] + 7)
    # Dates as the page writes them (the language's own format), at most MOST_TICKS of them.
    shown = tick_indices(len(x))
    axes.set_xticks(x[shown], [labels[i] for i in shown], rotation=30, ha="right")
    axes.set_ylabel(texts["value"])
    legend_below(figure)
    return figure


def agreement_svg(*args, **kwargs) -> str:
    """agreement_chart(...) as inline SVG, drawn once for the same arguments."""
    return svg_once("criterion", agreement_chart, *args, **kwargs)
