"""The evaluator page's chart, drawn server-side with matplotlib as the report's charts are
(qalibrate/reports/charts.py: same style, inlined as SVG, no script or CDN)."""

import numpy as np
from matplotlib.figure import Figure

from qalibrate.reports.charts import ERROR, INK, LINE, MUTED, OK, as_svg, legend_below

__all__ = ["as_svg", "bias_chart"]
MAX_TICKS = 8


def _values(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def bias_chart(days, labels, biases, outside, shrunken, tolerances, pooled, *, texts) -> Figure:
    """One evaluator's bias per session (red when outside the tolerance), each pooled
    session's shrunken bias as a ring, the tolerance as a band around 0, and the pooled bias
    over the recent sessions as a line with its interval as a shaded band. ``pooled``: (first
    day pooled, estimate, low, high) or None. ``texts``: bias, shrunken, tolerance, pooled,
    points."""
    figure = Figure(figsize=(7.2, 3.2), layout="constrained")
    axes = figure.subplots()
    x = np.array([day.toordinal() for day in days], dtype=float)
    bias, rings, tolerance = _values(biases), _values(shrunken), _values(tolerances)
    single = len(x) == 1
    edges = (x[0] - 7, x[0] + 7) if single else (x[0], x[-1])
    band_x = np.array(edges) if single else x
    band = np.full(2, tolerance[0]) if single else tolerance
    axes.fill_between(
        band_x, -band, band, color=OK, alpha=0.1, linewidth=0, label=texts["tolerance"]
    )
    axes.axhline(0, color=LINE, linewidth=1)
    axes.plot(x, bias, color=LINE, linewidth=1.5, zorder=1)
    axes.scatter(
        x, bias, c=[ERROR if o else INK for o in outside], s=26, zorder=3, label=texts["bias"]
    )
    if np.isfinite(rings).any():
        axes.scatter(
            x, rings, s=70, facecolors="none", edgecolors=MUTED, zorder=2, label=texts["shrunken"]
        )
    if pooled is not None:
        start, estimate, low, high = pooled
        span = np.array([float(start.toordinal()), edges[1]])
        if span[0] >= span[1]:
            span = np.array(edges)
        axes.fill_between(span, low, high, color=MUTED, alpha=0.18, linewidth=0)
        axes.plot(span, [estimate, estimate], color=MUTED, linewidth=2, label=texts["pooled"])
    axes.set_ylabel(texts["points"])
    step = max(1, int(np.ceil(len(x) / MAX_TICKS)))
    axes.set_xticks(x[::step], labels[::step], rotation=30, ha="right")
    axes.set_xlim(edges[0] - 3, edges[1] + 3)
    legend_below(figure)
    return figure
