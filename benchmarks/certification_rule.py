"""The gold-set certification's stopping rule simulated (qalibrate/certification/rule.py):
for each true mean absolute deviation from the agreed score, how often the rule certifies and
how many gold contacts it takes, at the default tolerance (5 points), at most 10 contacts.

    .venv/bin/python benchmarks/certification_rule.py [--runs 20000]
"""

import argparse

import numpy as np

from qalibrate.certification.rule import MAX_CONTACTS, MIN_CONTACTS, simulate

TRUE_MEANS = [1, 2, 3, 4, 5, 6, 8, 10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--tolerance", type=float, default=5.0)
    args = parser.parse_args()
    rng = np.random.default_rng(20261204)
    print(
        f"tolerance {args.tolerance:g} points, {MIN_CONTACTS}-{MAX_CONTACTS} contacts, "
        f"{args.runs} runs each"
    )
    print("| true mean deviation | certified | contacts scored (mean) |")
    print("|---|---|---|")
    for true_mean in TRUE_MEANS:
        share, contacts = simulate(true_mean, args.tolerance, runs=args.runs, rng=rng)
        print(f"| {true_mean:g} | {share:.1%} | {contacts:.1f} |")


if __name__ == "__main__":
    main()
