"""The report's charts, drawn server-side with matplotlib: SVG for the page, PNG of the same
figure for the PDF, so both show the same thing and no script or CDN is needed."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

INK, MUTED, ACCENT, OK, ERROR, LINE = (
    "#1f2933",
    "#52606d",
    "#0f5f73",
    "#1b6e3a",
    "#b42318",
    "#d9e2ec",
)
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller files, readable by screen readers
        "svg.hashsalt": "qalibrate",  # stable ids, so the same data gives the same file
        "font.size": 9,
        "font.family": "DejaVu Sans",
        "axes.edgecolor": LINE,
        "axes.labelcolor": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # Labels are names people typed: "$\\foo$" is a name, never math text to parse (a
        # name matplotlib cannot parse would fail the page for everyone). Every chart module
        # (history's too) imports this one, and pdf.py draws through it.
        "text.parse_math": False,
    }
)


LEGEND_POINTS = 8


def _height(rows: int) -> float:
    return max(1.8, 0.42 * rows + 1.2)


def deviation_chart(labels, mean_abs, bias, *, tolerance: float, texts) -> Figure:
    """Per evaluator: mean absolute deviation as bars (red beyond the tolerance), signed bias
    as a dot, and the tolerance as a dashed line."""
    figure = Figure(figsize=(6.4, _height(len(labels))), layout="constrained")
    axes = figure.subplots()
    y = np.arange(len(labels))
    values = np.array([np.nan if v is None else v for v in mean_abs], dtype=float)
    colours = [ERROR if v > tolerance + 1e-9 else OK for v in np.nan_to_num(values)]
    axes.barh(y, np.nan_to_num(values), color=colours, height=0.55, label=texts["mean_abs"])
    axes.scatter(
        [np.nan if b is None else b for b in bias],
        y,
        color=INK,
        zorder=3,
        s=18,
        label=texts["bias"],
    )
    axes.axvline(tolerance, color=MUTED, linestyle="--", linewidth=1, label=texts["tolerance"])
    axes.axvline(0, color=LINE, linewidth=1)
    axes.set_yticks(y, labels)
    axes.invert_yaxis()
    axes.set_xlabel(texts["points"])
    figure.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    return figure


def spread_chart(labels, lows, highs, references, *, texts) -> Figure:
    """Per contact: the range of the evaluators' totals and the reference score."""
    figure = Figure(figsize=(5.0, _height(len(labels))), layout="constrained")
    axes = figure.subplots()
    y = np.arange(len(labels))
    for row, (low, high) in enumerate(zip(lows, highs, strict=True)):
        if low is not None:
            axes.plot([low, high], [row, row], color=ACCENT, linewidth=5, solid_capstyle="round")
    axes.scatter(
        [np.nan if r is None else r for r in references],
        y,
        color=INK,
        marker="D",
        s=22,
        zorder=3,
        label=texts["reference"],
    )
    axes.set_xlim(0, 100)
    axes.set_yticks(y, labels)
    axes.invert_yaxis()
    axes.set_xlabel(texts["score"])
    figure.legend(loc="outside lower center", frameon=False, fontsize=8)
    return figure


def heat_map(contact_labels, evaluator_labels, deviations, *, tolerance: float, texts) -> Figure:
    """Contact × evaluator deviation from the reference: blue below, red above, white within."""
    matrix = np.array(
        [[np.nan if v is None else v for v in row] for row in deviations], dtype=float
    ).reshape(len(contact_labels), len(evaluator_labels))
    figure = Figure(
        figsize=(max(4.0, 1.0 * len(evaluator_labels) + 2.6), _height(len(contact_labels))),
        layout="constrained",
    )
    axes = figure.subplots()
    limit = max(tolerance * 2, float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 1)
    image = axes.imshow(matrix, cmap="RdBu_r", norm=TwoSlopeNorm(0, -limit, limit), aspect="auto")
    for (row, column), value in np.ndenumerate(matrix):
        text = "–" if np.isnan(value) else f"{value:+.0f}"
        strong = not np.isnan(value) and abs(value) > limit * 0.6
        axes.text(
            column,
            row,
            text,
            ha="center",
            va="center",
            fontsize=8,
            color="white" if strong else INK,
        )
    axes.set_xticks(range(len(evaluator_labels)), evaluator_labels, rotation=30, ha="right")
    axes.set_yticks(range(len(contact_labels)), contact_labels)
    axes.spines[:].set_visible(False)
    figure.colorbar(image, ax=axes, label=texts["deviation"], shrink=0.8)
    return figure


def legend_below(figure: Figure, *, most_columns: int = 4) -> None:
    """The figure's legend under its plot, in as many columns as fit the figure's width: longer
    labels (Russian runs a third longer than English) wrap the legend onto more rows instead of
    running off both edges."""
    labels = [label for axes in figure.axes for label in axes.get_legend_handles_labels()[1]]
    # About 0.6 em a character at the legend's 8 points, and 6 characters of marker and gap.
    room = figure.get_figwidth() * 72 / (LEGEND_POINTS * 0.6)
    columns = max(1, min(most_columns, len(labels)))
    while (
        columns > 1
        and max(
            sum(len(label) + 6 for label in labels[start : start + columns])
            for start in range(0, len(labels), columns)
        )
        > room
    ):
        columns -= 1
    figure.legend(loc="outside lower center", ncols=columns, frameon=False, fontsize=LEGEND_POINTS)


def as_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prologue and doctype: it is inlined


def as_png(figure: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


SVG_CACHE_SECONDS = 24 * 3600


def svg_once(name: str, draw, *args, **kwargs) -> str:
    """``draw(*args, **kwargs)`` as inline SVG, drawn once for the same arguments: drawing takes
    a few hundred milliseconds, and the pages that show stored figures draw the same chart
    again and again. The key is a digest of everything drawn, so new data, another language or
    other words make another key."""
    import hashlib
    import json

    from django.core.cache import cache

    drawn = json.dumps([args, kwargs], default=str, sort_keys=True).encode()
    key = f"charts:{name}:" + hashlib.sha256(drawn).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = as_svg(draw(*args, **kwargs))
        cache.set(key, svg, SVG_CACHE_SECONDS)
    return svg
