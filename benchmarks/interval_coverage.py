"""How often each interval the product shows holds the true agreement (its coverage).

    .venv/bin/python benchmarks/interval_coverage.py            # 1,000 replications a cell
    .venv/bin/python benchmarks/interval_coverage.py --reps 200 # a quicker look

Panels are simulated with a known true agreement: 5, 8, 15 and 30 contacts × 3, 5 and 8
evaluators, with 0% and 10% of the answers missing at random, for three kinds of data:

* nominal: a yes/no criterion. Each contact's true answer is "yes" with probability 0.75;
  an evaluator gives it with probability 0.8 and otherwise answers yes or no at random.
* ordinal: a 5-option criterion (ordinal weights). A contact's latent quality is N(0, 1), an
  evaluator sees it with N(0, 0.6^2) noise, and thresholds -1.5, -0.5, 0.5, 1.5 cut it into
  options 1-5.
* interval: a 0-10 scale criterion (quadratic weights), the latent value 5 + 2 N(0, 1) plus
  N(0, 1.2^2) noise, rounded and kept within 0-10; and the session's total scores,
  70 + 8 N(0, 1) plus N(0, 4^2) noise, for alpha of the totals (jackknife and percentile
  bootstrap) and, when no answer is missing, the ICCs with McGraw & Wong's F intervals.

The true value of each coefficient is the coefficient of 200,000 simulated contacts (its limit
as contacts grow). Coverage is the share of replications whose nominal 95% interval holds it,
among the replications where the interval exists (the "n/a" column counts the others). With
1,000 replications a coverage of 95% is measured within about ±1.4 points.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qalibrate.agreement import alpha, coefficients  # noqa: E402
from qalibrate.agreement.ratings import AgreementError  # noqa: E402

CONTACTS = (5, 8, 15, 30)
EVALUATORS = (3, 5, 8)
MISSING = (0.0, 0.1)
KINDS = ("nominal", "ordinal", "interval")
SHORT = {
    "percent_agreement": "agree",
    "ac1": "AC",
    "fleiss_kappa": "Fleiss",
    "brennan_prediger": "BP",
    "conger_kappa": "Conger",
    "krippendorff_alpha": "alpha",
}
SETUP = {  # categories and weights of each kind, as the product uses them
    "nominal": (["yes", "no"], "identity"),
    "ordinal": ([1, 2, 3, 4, 5], "ordinal"),
    "interval": (list(range(11)), "quadratic"),
}


def simulate(kind: str, contacts: int, evaluators: int, missing: float, rng) -> np.ndarray:
    """One panel, contacts × evaluators, NaN (or None) where an answer is missing."""
    if kind == "nominal":
        truth = rng.random(contacts) < 0.75
        keeps = rng.random((contacts, evaluators)) < 0.8
        guesses = rng.random((contacts, evaluators)) < 0.5
        yes = np.where(keeps, truth[:, None], guesses)
        panel = np.where(yes, "yes", "no").astype(object)
        panel[rng.random(panel.shape) < missing] = None
        return panel
    if kind == "ordinal":
        latent = rng.normal(size=(contacts, 1)) + rng.normal(0, 0.6, (contacts, evaluators))
        panel = np.digitize(latent, [-1.5, -0.5, 0.5, 1.5]).astype(float) + 1
    elif kind == "interval":
        latent = 5 + 2 * rng.normal(size=(contacts, 1))
        panel = np.clip(np.rint(latent + rng.normal(0, 1.2, (contacts, evaluators))), 0, 10)
    else:  # totals
        panel = 70 + 8 * rng.normal(size=(contacts, 1)) + rng.normal(0, 4, (contacts, evaluators))
    panel[rng.random(panel.shape) < missing] = np.nan
    return panel


def true_values(kind: str, rng) -> dict[str, float]:
    big = simulate(kind, 200_000, 4, 0.0, rng)
    if kind == "totals":
        return {"alpha_totals": alpha.krippendorff_alpha(big, "interval")}
    categories, weights = SETUP[kind]
    return {
        name: estimate.value
        for name, estimate in coefficients.agreement_coefficients(
            big, categories=categories, weights=weights, interval="gwet"
        ).items()
    }


def criterion_intervals(kind, panel) -> dict[str, tuple[float, float] | None]:
    categories, weights = SETUP[kind]
    found = {}
    for method in coefficients.INTERVALS:
        label = "product" if method == "auto" else method  # "auto" is what the product shows
        try:
            estimates = coefficients.agreement_coefficients(
                panel, categories=categories, weights=weights, interval=method
            )
        except AgreementError:
            estimates = {}
        for name in coefficients.COEFFICIENTS:
            estimate = estimates.get(name)
            defined = estimate is not None and estimate.low is not None
            found[f"{name}:{label}"] = (estimate.low, estimate.high) if defined else None
    return found


def totals_intervals(panel, seed) -> dict[str, tuple[float, float] | None]:
    found = {}
    try:
        jackknife = alpha.krippendorff_alpha_interval(panel, "interval")
        found["alpha_totals:jackknife"] = (
            (jackknife.low, jackknife.high) if jackknife.low is not None else None
        )
    except AgreementError:
        found["alpha_totals:jackknife"] = None
    try:
        boot = alpha.krippendorff_alpha_ci(panel, "interval", n_boot=500, seed=seed)
        found["alpha_totals:bootstrap"] = (boot.low, boot.high)
    except AgreementError:
        found["alpha_totals:bootstrap"] = None
    return found


def run_cell(kind, contacts, evaluators, missing, reps, truth, rng) -> dict[str, tuple[int, int]]:
    """{interval: (covered, defined)} over ``reps`` panels of one cell."""
    tally: dict[str, list[int]] = {}
    for rep in range(reps):
        panel = simulate(kind, contacts, evaluators, missing, rng)
        if kind == "totals":
            found = totals_intervals(panel, seed=rep)
        else:
            found = criterion_intervals(kind, panel)
        for key, interval in found.items():
            covered, defined = tally.setdefault(key, [0, 0])
            target = truth[key.split(":")[0]]
            if interval is not None:
                tally[key] = [covered + (interval[0] <= target <= interval[1]), defined + 1]
    return {key: (c, d) for key, (c, d) in tally.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--kinds", nargs="*", default=[*KINDS, "totals"])
    parser.add_argument(
        "--write", action="store_true", help=f"store the product's coverage in {MEASURED_FILE}"
    )
    parser.add_argument(
        "--summary", action="store_true", help="print the stored product coverage and stop"
    )
    args = parser.parse_args()
    if args.summary:
        print_summary()
        return
    measured: dict[str, dict[str, dict[str, float]]] = {}
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    for kind in args.kinds:
        truth = true_values(kind, rng)
        print(f"\n## {kind}: true values " + ", ".join(f"{k} {v:.3f}" for k, v in truth.items()))
        header = None
        for contacts in CONTACTS:
            for evaluators in EVALUATORS:
                for missing in MISSING:
                    cell = run_cell(kind, contacts, evaluators, missing, args.reps, truth, rng)
                    keys = sorted(cell)
                    if header is None:
                        header = keys
                        names = [_short(k) for k in keys]
                        print("| contacts × evaluators, missing | " + " | ".join(names) + " |")
                        print("|---" * (len(keys) + 1) + "|")
                    row = [_percent(*cell[k], args.reps) for k in header]
                    _remember(measured, kind, contacts, evaluators, cell)
                    label = f"{contacts} × {evaluators}, {missing:.0%}"
                    print(f"| {label} | " + " | ".join(row) + " |", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.write:
        _write(measured, args.reps)
        print_summary()


def print_summary() -> None:
    """The product's intervals only: coverage % per size, the lower of 0% and 10% missing."""
    from qalibrate.agreement.coverage_measured import MEASURED

    sizes = [f"{c}x{e}" for c in CONTACTS for e in EVALUATORS]
    print("\n## Coverage of the intervals the product shows (%, nominal 95%)")
    print("| kind | coefficient | " + " | ".join(s.replace("x", " × ") for s in sizes) + " |")
    print("|---" * (len(sizes) + 2) + "|")
    for key, grid in MEASURED.items():
        kind, name = key.split(":")
        cells = " | ".join(f"{100 * grid[s]:.0f}" for s in sizes)
        print(f"| {kind} | {SHORT.get(name, name)} | {cells} |")


MEASURED_FILE = Path(__file__).resolve().parents[1] / "qalibrate/agreement/coverage_measured.py"


def _remember(measured, kind, contacts, evaluators, cell) -> None:
    """Keep the product's coverage, the lower of the 0% and 10% missing cells."""
    for key, (covered, defined) in cell.items():
        name, method = key.split(":")
        if method != "product" and not (kind == "totals" and method == "jackknife"):
            continue
        coefficient = "krippendorff_alpha" if kind == "totals" else name
        grid = measured.setdefault(f"{kind}:{coefficient}", {})
        size = f"{contacts}x{evaluators}"
        coverage = covered / defined if defined else 0.0
        grid[size] = round(min(grid.get(size, 1.0), coverage), 3)


def _write(measured, reps) -> None:
    lines = [
        '"""Measured coverage of the 95% intervals the product shows (generated, do not edit).',
        "",
        f"Written by ``benchmarks/interval_coverage.py --reps {reps} --write``: for each",
        '"kind:coefficient", the share of simulated panels of "contacts x evaluators" whose',
        "interval held the true value (the lower of 0% and 10% missing answers).",
        '"""',
        "",
        f"MEASURED = {measured!r}",
        "",
    ]
    MEASURED_FILE.write_text("\n".join(lines))
    print(f"wrote {MEASURED_FILE}")


def _short(key: str) -> str:
    name, method = key.split(":")
    return f"{SHORT.get(name, name)} {method}"


def _percent(covered: int, defined: int, reps: int) -> str:
    if not defined:
        return "n/a"
    text = f"{100 * covered / defined:.1f}"
    return text if defined == reps else f"{text} ({reps - defined} n/a)"


if __name__ == "__main__":
    main()
