"""The statistics of one large calibration discussion, as the report page computes them:
30 evaluators × 10 contacts × 50 criteria (target: well under a second; 0.5 s).

Run from the repository root: ``.venv/bin/python benchmarks/discussion_statistics.py``.

Times what qalibrate.calibration.meeting_selectors.discussion() computes once its few queries have
loaded the answers: per criterion the whole coefficient family with intervals; per evaluator
Bland-Altman against the reference totals and, per criterion, Cohen's kappa and AC1 against
the reference answers (1,500 pairs); the totals' alpha and ICC intervals, spreads and
deviations. The answers are built in memory as the queries return them (no database); the
fixed number of queries is checked by the report's tests.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qalibrate.settings")

import django  # noqa: E402

django.setup()

from qalibrate.agreement import session_figures  # noqa: E402
from qalibrate.calibration import agreement_figures, meeting_selectors  # noqa: E402
from qalibrate.scorecards.models import Criterion  # noqa: E402

EVALUATORS, CONTACTS, CRITERIA = 30, 10, 50
OPTIONS = [
    {"label": "Correct", "points": 3},
    {"label": "Partly", "points": 1},
    {"label": "Wrong", "points": 0},
]


def session(rng: np.random.Generator):
    """A session's criteria, contacts, evaluators, answers, agreed answers and totals."""
    kinds = ["yes_no", "scale", "options"]
    criteria = [
        Criterion(pk=i + 1, kind=kinds[i % 3], scale_min=0, scale_max=5, options=OPTIONS)
        for i in range(CRITERIA)
    ]
    contacts = [SimpleNamespace(pk=j + 1, contact_id=100 + j) for j in range(CONTACTS)]
    evaluators = [SimpleNamespace(pk=1000 + k) for k in range(EVALUATORS)]
    answers, agreed = {}, {}
    for criterion in criteria:
        for sc in contacts:
            if criterion.kind == "yes_no":
                values = rng.choice(["yes", "no", "na"], p=[0.75, 0.2, 0.05], size=EVALUATORS)
            elif criterion.kind == "scale":
                values = rng.integers(0, 6, size=EVALUATORS).astype(str)
            else:
                values = rng.choice(["Correct", "Partly", "Wrong"], size=EVALUATORS)
            answers[(sc.contact_id, criterion.pk)] = [
                SimpleNamespace(form_value=str(v), evaluation=SimpleNamespace(evaluator_id=u.pk))
                for v, u in zip(values, evaluators, strict=True)
            ]
            agreed[(sc.pk, criterion.pk)] = SimpleNamespace(
                form_value=session_figures.majority([str(v) for v in values])
            )
    truth = rng.uniform(55, 95, CONTACTS)
    totals = np.clip(truth + rng.normal(0, 6, (EVALUATORS, CONTACTS)), 0, 100)
    return criteria, contacts, evaluators, answers, agreed, totals, truth


def statistics(criteria, contacts, evaluators, answers, agreed, totals, reference) -> None:
    """What discussion() computes after its queries, in the same calls."""
    the_session = SimpleNamespace(reference_mode="consensus", expert_id=None)
    spreads = session_figures.contact_spreads(totals)
    deviations = session_figures.evaluator_deviations(totals, reference, tolerance=5)
    for criterion in criteria:
        for sc in contacts:
            session_figures.dispute([a.form_value for a in answers[(sc.contact_id, criterion.pk)]])
    rows = [
        meeting_selectors.EvaluatorRow(
            user=u, label=str(u.pk), deviation=deviations[k], scored=CONTACTS
        )
        for k, u in enumerate(evaluators)
    ]
    tables = {
        c.pk: agreement_figures.answer_table(c, contacts, evaluators, answers) for c in criteria
    }
    references = [
        agreement_figures.reference_answers(the_session, c, contacts, answers, agreed)
        for c in criteria
    ]
    agreement_figures.compare_with_reference(rows, totals, reference, criteria, tables, references)
    agreement_figures.criterion_agreement(criteria, contacts, tables, agreed, {})
    session_figures.share_within(totals, reference, tolerance=5)
    session_figures.is_calibrated(deviations)
    session_figures.discussion_order(spreads)
    session_figures.session_figures(totals)
    agreement_figures.icc_of_totals(totals)


def main() -> None:
    data = session(np.random.default_rng(2026))
    statistics(*data)  # warm-up: imports, caches
    times = []
    for _ in range(5):
        start = time.perf_counter()
        statistics(*data)
        times.append(time.perf_counter() - start)
    print(
        f"Discussion statistics, {EVALUATORS} evaluators × {CONTACTS} contacts × {CRITERIA} "
        f"criteria: best {min(times):.3f} s, median {sorted(times)[2]:.3f} s (target < 0.5 s)"
    )


if __name__ == "__main__":
    main()
