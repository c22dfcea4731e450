"""Speed of qalibrate.agreement against the ``krippendorff`` package, on seeded random data.

Run from the repository root: ``PYTHONPATH=. python benchmarks/agreement_speed.py``.
Needs numpy and the ``krippendorff`` package; takes about 20 seconds. See README.md here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib.metadata import version

import krippendorff
import numpy as np

from qalibrate.agreement import krippendorff_alpha, krippendorff_alpha_ci

N_UNITS, N_RATERS, PER_UNIT = 5000, 200, 10


def sparse_panel(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """N_UNITS × N_RATERS, NaN except PER_UNIT raters per unit, chosen at random."""
    table = np.full((N_UNITS, N_RATERS), np.nan)
    raters = np.argsort(rng.random((N_UNITS, N_RATERS)), axis=1)[:, :PER_UNIT]
    table[np.arange(N_UNITS)[:, None], raters] = values.reshape(N_UNITS, PER_UNIT)
    return table


def scores(rng: np.random.Generator, decimals: int) -> np.ndarray:
    """Scores 0-100: a true score per unit plus rater noise, rounded to `decimals`."""
    truth = np.repeat(rng.uniform(20, 80, N_UNITS), PER_UNIT)
    noisy = truth + rng.normal(0, 12, N_UNITS * PER_UNIT)
    return np.clip(noisy, 0, 100).round(decimals)


def best_time(function: Callable[[], float], repeat: int) -> tuple[float, float]:
    """(fastest wall time in seconds over `repeat` runs, the function's result)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def compare(label: str, table: np.ndarray, level: str, target: str, minimum: float) -> None:
    ours_s, ours = best_time(lambda: krippendorff_alpha(table, level=level), repeat=5)
    theirs_s, theirs = best_time(
        lambda: krippendorff.alpha(reliability_data=table.T, level_of_measurement=level), repeat=2
    )
    speed_up = theirs_s / ours_s
    verdict = "met" if speed_up >= minimum else "MISSED"
    print(
        f"{label}: ours {ours_s:.3f} s, krippendorff {theirs_s:.2f} s, speed-up {speed_up:.0f}x, "
        f"|diff| {abs(ours - theirs):.0e}  (target: {target}; {verdict})"
    )


def main() -> None:
    rng = np.random.default_rng(20240601)
    print(
        f"numpy {np.__version__}, krippendorff {version('krippendorff')}; "
        "best of 5 runs for ours, best of 2 for the package\n"
    )

    integers = sparse_panel(rng, scores(rng, decimals=0))
    compare(
        f"interval alpha, {N_UNITS}x{N_RATERS}, {PER_UNIT} ratings/unit, ints 0-100",
        integers,
        "interval",
        target=">= 20x faster",
        minimum=20,
    )

    decimals = sparse_panel(rng, scores(rng, decimals=1))
    distinct = len(np.unique(decimals[~np.isnan(decimals)]))
    seconds, _ = best_time(lambda: krippendorff_alpha(decimals, level="interval"), repeat=5)
    print(
        f"interval alpha, {N_UNITS}x{N_RATERS}, {PER_UNIT} ratings/unit, one decimal "
        f"({distinct} distinct values): ours {seconds:.3f} s  "
        f"(target: < 0.2 s; {'met' if seconds < 0.2 else 'MISSED'}); the package is not run: its "
        f"units x values x values array would need {N_UNITS * distinct**2 * 8 / 1e9:.0f} GB"
    )

    categories = sparse_panel(rng, rng.integers(0, 5, N_UNITS * PER_UNIT).astype(float))
    compare(
        f"nominal alpha, {N_UNITS}x{N_RATERS}, {PER_UNIT} ratings/unit, 5 categories",
        categories,
        "nominal",
        target="no slower",
        minimum=1,
    )

    # A calibration session: 10 contacts, each scored by 30 evaluators on 50 criteria (1-5).
    # Each criterion is its own 10 x 30 matrix with its own interval, as the app shows them.
    truth = rng.integers(1, 6, size=(50, 10, 1))
    session = np.clip(truth + rng.choice([-1, 0, 0, 1], size=(50, 10, 30)), 1, 5).astype(float)
    for level in ("nominal", "ordinal", "interval"):
        start = time.perf_counter()
        for criterion in session:
            krippendorff_alpha_ci(criterion, level, n_boot=1000, seed=1)
        seconds = time.perf_counter() - start
        print(
            f"bootstrap CI, {level}, 1000 resamples, 50 criteria as 50 separate 10x30 matrices: "
            f"{seconds:.2f} s in all, {seconds / 50 * 1000:.1f} ms per criterion"
        )
    stacked = session.reshape(500, 30)
    for level in ("nominal", "ordinal", "interval"):
        seconds, _ = best_time(
            lambda level=level: krippendorff_alpha_ci(stacked, level, n_boot=1000, seed=1), 3
        )
        print(
            f"bootstrap CI, {level}, 1000 resamples, the 50 criteria stacked as one 500x30 "
            f"matrix: {seconds:.2f} s"
        )


if __name__ == "__main__":
    main()
