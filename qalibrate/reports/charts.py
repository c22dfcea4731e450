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
    }
)


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


def as_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prologue and doctype: it is inlined


def as_png(figure: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
