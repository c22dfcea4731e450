"""How often the Wilson interval of a share (qalibrate/agreement/proportion.py) holds the true
share: its exact coverage, summed over every possible count of successes (binomial weights), for
the answer counts an automatic scorer's criterion reaches (10 to 500 answers compared) and true
shares from 0.5 to 0.99. No simulation, so no noise: the figures are exact.

    .venv/bin/python benchmarks/proportion_coverage.py
"""

import sys
from pathlib import Path

from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qalibrate.agreement.proportion import wilson  # noqa: E402

COUNTS = (10, 20, 50, 100, 200, 500)
SHARES = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)


def coverage(n: int, p: float, confidence: float = 0.95) -> float:
    weights = stats.binom.pmf(range(n + 1), n, p)
    return sum(
        weight
        for k, weight in enumerate(weights)
        if (share := wilson(k, n, confidence=confidence)).low <= p <= share.high
    )


def main() -> None:
    print("Exact coverage of the nominal 95% Wilson interval (rows: answers compared; columns:")
    print("the true share of answers matching the reference)\n")
    print("| n | " + " | ".join(f"p = {p}" for p in SHARES) + " |")
    print("|---|" + "---|" * len(SHARES))
    lowest = 1.0
    for n in COUNTS:
        cells = [coverage(n, p) for p in SHARES]
        lowest = min(lowest, *cells)
        print(f"| {n} | " + " | ".join(f"{c:.1%}" for c in cells) + " |")
    print(f"\nlowest: {lowest:.1%}")


if __name__ == "__main__":
    main()
