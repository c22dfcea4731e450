"""How well qalibrate.agreement.precision predicts the width of alpha's interval of the totals.

    .venv/bin/python benchmarks/sample_size.py             # 1,000 panels a cell, about 30 s
    .venv/bin/python benchmarks/sample_size.py --reps 200  # a quicker look

Panels of 5, 8, 10, 15 and 30 contacts × 3, 5 and 8 evaluators are simulated with the model of
benchmarks/interval_coverage.py for the session's total scores, 70 + s N(0, 1) per contact plus
N(0, 4^2) per answer, where s sets the true alpha s^2 / (s^2 + 16): s = 8 gives 0.8 (the model
of interval_coverage.py); 4.90 gives 0.6 and 12 gives 0.9. 0% or 10% of the answers are missing
at random. For each cell the table shows the predicted width of the 95% jackknife interval
(``expected_alpha_width``), the width from Fisher's large-sample variance of the intraclass
correlation for comparison, the mean width of ``krippendorff_alpha_interval`` over the panels
that have an interval ("n/a" counts the others), the predicted / simulated ratio, and whether
it is within the issue's 20%. Then, for ±0.1 and ±0.2, the contacts ``contacts_for_margin``
asks for and the mean simulated half-width at that size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qalibrate.agreement.alpha import krippendorff_alpha_interval  # noqa: E402
from qalibrate.agreement.precision import (  # noqa: E402
    contacts_for_margin,
    expected_alpha_width,
)

CONTACTS = (5, 8, 10, 15, 30)
EVALUATORS = (3, 5, 8)
ALPHAS = (0.6, 0.8, 0.9)
MISSING = (0.0, 0.1)
MARGINS = (0.1, 0.2)
ERROR_SD = 4.0  # one answer's spread around the contact's total, as in interval_coverage.py
TOLERANCE = 0.2


def simulate(contacts: int, evaluators: int, alpha: float, missing: float, rng) -> np.ndarray:
    """One panel of totals, contacts × evaluators, NaN where an answer is missing."""
    contact_sd = ERROR_SD * np.sqrt(alpha / (1 - alpha))
    panel = (
        70
        + contact_sd * rng.normal(size=(contacts, 1))
        + rng.normal(0, ERROR_SD, (contacts, evaluators))
    )
    panel[rng.random(panel.shape) < missing] = np.nan
    return panel


def simulated_widths(contacts, evaluators, alpha, missing, reps, rng) -> tuple[float, int]:
    """Mean interval width over ``reps`` panels, and how many panels had no interval."""
    widths = []
    for _ in range(reps):
        estimate = krippendorff_alpha_interval(
            simulate(contacts, evaluators, alpha, missing, rng), "interval"
        )
        if estimate.low is not None:
            widths.append(estimate.high - estimate.low)
    return float(np.mean(widths)), reps - len(widths)


def fisher_width(contacts: int, evaluators: int, alpha: float) -> float:
    """2 t(n - 1) sqrt(Var) with Fisher's (1925) large-sample variance of the one-way ICC,
    Var = 2 (1 - rho)^2 (1 + (k - 1) rho)^2 / (k (k - 1) (n - 1)), not cut to [-1, 1]."""
    n, k = contacts, evaluators
    variance = 2 * (1 - alpha) ** 2 * (1 + (k - 1) * alpha) ** 2 / (k * (k - 1) * (n - 1))
    return float(2 * stats.t.ppf(0.975, n - 1) * np.sqrt(variance))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261214)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()

    print(f"## Width of the 95% interval of alpha of the totals ({args.reps} panels a cell)\n")
    print(
        "| alpha | contacts × evaluators | missing | predicted | Fisher | simulated | ratio | "
        "within 20% |"
    )
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for alpha in ALPHAS:
        for contacts in CONTACTS:
            for evaluators in EVALUATORS:
                for missing in MISSING:
                    predicted = expected_alpha_width(contacts, evaluators, alpha, missing=missing)
                    simulated, undefined = simulated_widths(
                        contacts, evaluators, alpha, missing, args.reps, rng
                    )
                    ratio = predicted / simulated
                    ratios.append(ratio)
                    fisher = "" if missing else f"{fisher_width(contacts, evaluators, alpha):.3f}"
                    na = f" ({undefined} n/a)" if undefined else ""
                    ok = "yes" if abs(ratio - 1) <= TOLERANCE else "**no**"
                    print(
                        f"| {alpha} | {contacts} × {evaluators} | {missing:.0%} | {predicted:.3f} "
                        f"| {fisher} | {simulated:.3f}{na} | {ratio:.2f} | {ok} |",
                        flush=True,
                    )
    ratios = np.array(ratios)
    inside = np.abs(ratios - 1) <= TOLERANCE
    print(
        f"\n{inside.sum()} of {len(ratios)} cells within {TOLERANCE:.0%}; ratio from "
        f"{ratios.min():.2f} to {ratios.max():.2f}, median {np.median(ratios):.2f}\n"
    )

    print("## Contacts for a wanted precision (no answer missing)\n")
    print("| alpha | evaluators | margin | contacts | predicted ± | simulated ± |")
    print("|---|---|---|---|---|---|")
    for alpha in ALPHAS:
        for evaluators in EVALUATORS:
            for margin in MARGINS:
                contacts = contacts_for_margin(margin, evaluators, alpha)
                if contacts is None:
                    print(f"| {alpha} | {evaluators} | ±{margin} | more than 200 | | |")
                    continue
                predicted = expected_alpha_width(contacts, evaluators, alpha) / 2
                simulated, _ = simulated_widths(contacts, evaluators, alpha, 0.0, args.reps, rng)
                print(
                    f"| {alpha} | {evaluators} | ±{margin} | {contacts} | {predicted:.3f} "
                    f"| {simulated / 2:.3f} |",
                    flush=True,
                )
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
