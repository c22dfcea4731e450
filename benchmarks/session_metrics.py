"""All calibration metrics of one large session: 30 evaluators × 10 contacts × 50 criteria,
every agreement coefficient with its standard error and interval: the family per criterion,
each evaluator's kappa and AC1 against the reference per criterion, Bland-Altman per
evaluator, the ICCs with F intervals and alpha of the totals (target: under 0.1 s).

Run from the repository root: ``PYTHONPATH=. python benchmarks/session_metrics.py``.
Pure numpy (qalibrate.agreement.session_figures); the database reads are measured separately by
the report's fixed query count.
"""

from __future__ import annotations

import time

import numpy as np

from qalibrate.agreement import session_figures
from qalibrate.agreement.bland_altman import bland_altman
from qalibrate.agreement.icc import icc_intervals
from qalibrate.agreement.pairwise import pairwise_against_reference

EVALUATORS, CONTACTS, CRITERIA = 30, 10, 50
KINDS = ["yes_no", "scale", "options"]


def session(rng: np.random.Generator):
    """Answers per criterion (contacts × evaluators, strings as stored) and the totals."""
    answers = []
    for number in range(CRITERIA):
        kind = KINDS[number % 3]
        if kind == "yes_no":
            table = rng.choice(
                ["yes", "no", "na"], p=[0.75, 0.2, 0.05], size=(CONTACTS, EVALUATORS)
            )
        elif kind == "scale":
            table = rng.integers(0, 6, size=(CONTACTS, EVALUATORS)).astype(object)
        else:
            table = rng.choice(["Correct", "Partly", "Wrong"], size=(CONTACTS, EVALUATORS))
        answers.append((kind, table.tolist()))
    truth = rng.uniform(55, 95, CONTACTS)
    totals = np.clip(truth + rng.normal(0, 6, (EVALUATORS, CONTACTS)), 0, 100)
    return answers, totals, truth


def all_metrics(answers, totals, reference) -> None:
    spreads = session_figures.contact_spreads(totals)
    deviations = session_figures.evaluator_deviations(totals, reference, tolerance=5)
    session_figures.is_calibrated(deviations)
    session_figures.share_within(totals, reference, tolerance=5)
    session_figures.discussion_order(spreads)
    for kind, table in answers:
        level = {"yes_no": "nominal", "scale": "interval", "options": "ordinal"}[kind]
        domain = ["Wrong", "Partly", "Correct"] if kind == "options" else None
        figures = session_figures.criterion_figures(
            table, level=level, domain=domain, yes_no=kind == "yes_no"
        )
        # Each evaluator against the reference answers (here the majority).
        references = [session_figures.majority(row) for row in table]
        pairwise_against_reference(table, references, categories=domain, weights=figures.weights)
        for row in table:
            session_figures.dispute([v for v in row if v is not None])
    session_figures.session_figures(totals)
    icc_intervals(totals.T)
    for evaluator_totals in totals:
        bland_altman(evaluator_totals, reference)


def main() -> None:
    answers, totals, truth = session(np.random.default_rng(2026))
    all_metrics(answers, totals, truth)  # warm-up: imports, caches
    times = []
    for _ in range(7):
        start = time.perf_counter()
        all_metrics(answers, totals, truth)
        times.append(time.perf_counter() - start)
    print(
        f"All metrics, {EVALUATORS} evaluators × {CONTACTS} contacts × {CRITERIA} criteria, "
        f"every coefficient with its standard error and interval: best {min(times):.3f} s, "
        f"median {sorted(times)[3]:.3f} s (target < 0.1 s)"
    )


if __name__ == "__main__":
    main()
