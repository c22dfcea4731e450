"""``qalibrate agreement FILE``: agreement statistics for a CSV file of ratings.

The CSV is either wide (first column the unit, then one column per rater; an empty cell means
not rated) or long (a header with ``unit``, ``rater`` and ``value`` columns in any case and
order, other columns ignored; one rating per line). The delimiter (comma, semicolon or tab) is
detected, and in semicolon- and tab-separated files a decimal comma (``4,5``, the Russian and
Swedish spreadsheet default) reads as 4.5. Empty cells and the ``--na`` tokens are missing
(rating_sheet.py reads the file).
Only the standard library, numpy and scipy are used, so the command runs without Django or a
database.

Besides Krippendorff's alpha at the chosen level (with Krippendorff's own distance metrics and a
jackknife t interval, or the percentile bootstrap with ``--bootstrap``), the report gives the
chance-corrected family of coefficients.py (percent agreement, Gwet's AC1/AC2, Fleiss' kappa,
Brennan-Prediger, Conger's kappa, Krippendorff's alpha) with weights, standard errors and
intervals, each read against a benchmark scale with Gwet's probabilistic benchmarking
(interpretation.py). The weights follow the level unless ``--weights`` says otherwise
(DEFAULT_WEIGHTS): any difference is a full disagreement for nominal data, only the order counts
for ordinal data, and the squared distance for interval and ratio data.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qalibrate.agreement.alpha import (
    krippendorff_alpha,
    krippendorff_alpha_ci,
    krippendorff_alpha_interval,
)
from qalibrate.agreement.coefficients import (
    COEFFICIENTS,
    INTERVALS,
    agreement_coefficients,
)
from qalibrate.agreement.icc import ICC_KEYS, icc, icc_intervals
from qalibrate.agreement.interpretation import SCALES, benchmark_fields
from qalibrate.agreement.kappa import fleiss_kappa, gwet_ac1, percent_agreement
from qalibrate.agreement.precision import (
    FEWEST_CONTACTS,
    contacts_for_margin,
    expected_alpha_width,
)
from qalibrate.agreement.rating_sheet import DEFAULT_NA, InputError, Sheet, read_sheet
from qalibrate.agreement.ratings import LEVELS, AgreementError, as_table, missing_mask
from qalibrate.agreement.weights import WEIGHTS

PROG = "qalibrate agreement"
PLAN_MARGINS = (0.1, 0.2)
CONFIDENCE = 0.95
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# The weights that fit each level: nominal answers are equally different from one another,
# ordinal ones differ by how many steps apart they are (their order, not their values), and
# interval and ratio values by their squared distance (with these weights the family's alpha is
# Krippendorff's interval alpha). Gwet (2014), "Handbook of Inter-Rater Reliability", ch. 3.
DEFAULT_WEIGHTS = {
    "nominal": "identity",
    "ordinal": "ordinal",
    "interval": "quadratic",
    "ratio": "quadratic",
}
# The product's interval (coefficients.py), chosen by the coverage benchmark.
DEFAULT_INTERVAL = "auto"
DEFAULT_SCALE = "landis_koch"
COEFFICIENT_LABELS = {
    "percent_agreement": "percent agreement",
    "ac1": "Gwet's AC1",
    "fleiss_kappa": "Fleiss' kappa",
    "brennan_prediger": "Brennan-Prediger",
    "conger_kappa": "Conger's kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
}
INTERVAL_LABELS = {
    "auto": "chosen by the coverage benchmark (Gwet's on Fisher's z scale for AC1 and "
    "Brennan-Prediger, the jackknife for kappa and alpha)",
    "gwet_z": "Gwet's on Fisher's z scale",
    "jackknife_z": "jackknife on Fisher's z scale",
    "gwet": "Gwet's t interval",
    "jackknife": "plain jackknife",
}


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0, or 2 for bad input or usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has already printed the usage or the help
        return int(exit_.code or 0)
    if args.plan is not None:
        return _print_plan(args)
    if args.file is None:
        print(
            f"{PROG}: error: give a FILE of ratings, or --plan (usage: {PROG} --help)",
            file=sys.stderr,
        )
        return 2
    try:
        sheet = read_sheet(args.file, na=args.na)
        report = build_report(
            sheet,
            level=args.level,
            domain=args.domain,
            bootstrap=args.bootstrap,
            seed=args.seed,
            coefficients=args.coefficients,
            weights=args.weights,
            confidence=args.confidence,
            population=args.population,
            interval=args.interval,
            scale=args.benchmark_scale,
        )
    except (InputError, ValueError, ArithmeticError, csv.Error, MemoryError) as error:
        # AgreementError and UnicodeDecodeError are ValueErrors: every bad input gets one line,
        # never a traceback; a file too big for memory too.
        message = " ".join(str(error).split()) or type(error).__name__
        if isinstance(error, MemoryError):
            message = f"not enough memory for these ratings ({message})"
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(report["figures"], indent=2))
    else:
        print(format_table(report, name=Path(args.file).name))
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        # One line, like every other bad input, instead of argparse's usage block.
        self.exit(2, f"{self.prog}: error: {message} (usage: {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Inter-rater agreement for a CSV of ratings: wide (unit, then one column "
        "per rater) or long (columns unit, rater and value). Comma, semicolon or tab "
        "delimiters and decimal commas are detected. Empty cells and --na values are missing.",
    )
    parser.add_argument("file", nargs="?", help="CSV file of ratings (UTF-8)")
    parser.add_argument(
        "--plan",
        type=_plan_size,
        metavar="CONTACTSxEVALUATORS",
        help="instead of reading a file: how precisely a session of this size (e.g. 8x5) will "
        "measure alpha of the total scores, and how many contacts give ±0.1 and ±0.2",
    )
    parser.add_argument(
        "--expected-alpha",
        type=_expected_alpha,
        default=0.8,
        metavar="A",
        help="the alpha --plan assumes, e.g. the last session's (default: 0.8)",
    )
    parser.add_argument("--level", choices=LEVELS, default="nominal", help="default: nominal")
    parser.add_argument(
        "--domain", help='possible values in order, comma-separated, e.g. "poor,fair,good"'
    )
    parser.add_argument(
        "--coefficients",
        type=_coefficient_list,
        default=COEFFICIENTS,
        metavar="LIST",
        help=f"comma-separated, from {', '.join(COEFFICIENTS)} (default: all)",
    )
    parser.add_argument(
        "--weights",
        choices=WEIGHTS,
        help="weights of the coefficients (default: identity for nominal, ordinal for ordinal, "
        "quadratic for interval and ratio level)",
    )
    parser.add_argument(
        "--confidence",
        type=_confidence,
        default=CONFIDENCE,
        metavar="C",
        help=f"confidence level of every interval, between 0 and 1 (default: {CONFIDENCE})",
    )
    parser.add_argument(
        "--population",
        type=_positive,
        metavar="N",
        help="number of units the file's units were drawn from (finite-population correction; "
        "default: infinite)",
    )
    parser.add_argument(
        "--interval",
        choices=INTERVALS,
        default=DEFAULT_INTERVAL,
        help=f"interval of the coefficients (default: {DEFAULT_INTERVAL}, the one the coverage "
        "benchmark chose for each coefficient; gwet: Gwet's t interval; gwet_z: Gwet's on "
        "Fisher's z scale; jackknife, jackknife_z: the jackknife over units, plain or on the z "
        "scale)",
    )
    parser.add_argument(
        "--benchmark-scale",
        choices=tuple(SCALES),
        default=DEFAULT_SCALE,
        help=f"scale the coefficients are read against (default: {DEFAULT_SCALE})",
    )
    parser.add_argument(
        "--bootstrap",
        type=_positive,
        metavar="N",
        help="interval of Krippendorff's alpha from N bootstrap resamples instead of the jackknife",
    )
    parser.add_argument(
        "--seed", type=_non_negative, metavar="S", help="random seed for --bootstrap (0 or more)"
    )
    parser.add_argument(
        "--na",
        default=DEFAULT_NA,
        metavar="TOKENS",
        help=f'comma-separated cell values that mean "not rated", in any case (default: '
        f'"{DEFAULT_NA}"; empty cells always are; --na "" for none)',
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _plan_size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").split("x")
    try:
        contacts, evaluators = (int(part) for part in parts)
    except ValueError:
        contacts = evaluators = 0
    if contacts < FEWEST_CONTACTS or evaluators < 2:
        raise argparse.ArgumentTypeError(
            f"expected contacts x evaluators, at least {FEWEST_CONTACTS}x2, e.g. 8x5; got {text!r}"
        )
    return contacts, evaluators


def _expected_alpha(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return number


def plan_figures(contacts: int, evaluators: int, alpha: float, confidence: float) -> dict:
    """Sample-size guidance for alpha of the totals (precision.py)."""
    return {
        "contacts": contacts,
        "evaluators": evaluators,
        "expected_alpha": alpha,
        "confidence": confidence,
        "expected_width": expected_alpha_width(contacts, evaluators, alpha, confidence),
        "contacts_for_margin": {
            str(margin): contacts_for_margin(margin, evaluators, alpha, confidence)
            for margin in PLAN_MARGINS
        },
    }


def _print_plan(args: argparse.Namespace) -> int:
    contacts, evaluators = args.plan
    try:
        figures = plan_figures(contacts, evaluators, args.expected_alpha, args.confidence)
    except AgreementError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(figures, indent=2))
        return 0
    level = f"{args.confidence:.0%}"
    print(
        f"{contacts} contacts x {evaluators} evaluators, expected alpha {args.expected_alpha:g}: "
        f"alpha of the totals to about ±{figures['expected_width'] / 2:.2f} "
        f"({level} interval, width {figures['expected_width']:.2f})"
    )
    for margin, needed in figures["contacts_for_margin"].items():
        count = f"about {needed} contacts" if needed else "more than 200 contacts"
        print(f"±{margin}: {count} with {evaluators} evaluators")
    return 0


def _coefficient_list(text: str) -> tuple[str, ...]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(
            f"lists no coefficient; choose from {', '.join(COEFFICIENTS)}"
        )
    unknown = [name for name in names if name not in COEFFICIENTS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown coefficient {unknown[0]!r}; choose from {', '.join(COEFFICIENTS)}"
        )
    return tuple(dict.fromkeys(names))  # in the order given, each once


def _confidence(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not 0 < number < 1:  # NaN fails too
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, e.g. 0.95, got {text!r}"
        )
    return number


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return number


def _non_negative(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number 0 or more, got {text!r}")
    return number


def build_report(
    sheet: Sheet,
    *,
    level: str = "nominal",
    domain: str | None = None,
    bootstrap: int | None = None,
    seed: int | None = None,
    coefficients: Sequence[str] = COEFFICIENTS,
    weights: str | None = None,
    confidence: float = CONFIDENCE,
    population: int | None = None,
    interval: str = DEFAULT_INTERVAL,
    scale: str = DEFAULT_SCALE,
) -> dict[str, Any]:
    """Every figure for the sheet: {"figures": the JSON object, "counts": n for the table}.

    ``weights`` None takes the level's (DEFAULT_WEIGHTS).
    """
    if bootstrap and population:
        # The bootstrap has no finite-population correction; alpha's interval would silently
        # ignore the population while the other intervals use it.
        raise InputError("--population works with the jackknife; leave out --bootstrap")
    weights = weights or DEFAULT_WEIGHTS[level]
    cells, numeric = _ratings(sheet)
    allowed = _domain(domain, numeric=numeric)
    # Parsed once: a float array when every rating is a number, which the statistics take as is.
    ratings = as_table(cells)
    rated = (~missing_mask(ratings)).sum(axis=1)
    rated_units = int((rated >= 1).sum())
    if population is not None and population < rated_units:
        raise InputError(
            f"--population {population} is smaller than the {rated_units} rated units in the file"
        )
    # Alpha first: it rejects ratings that do not fit the level with the clearest message.
    alpha = krippendorff_alpha(ratings, level=level, domain=allowed)
    if weights != "identity" and not numeric and allowed is None:
        # Words are coded in the order they first appear, which says nothing about their order.
        raise InputError(f"{weights} weights need the answers in order: list them with --domain")
    pairable = rated >= 2
    alpha_interval = _alpha_interval(
        ratings,
        level,
        allowed,
        bootstrap,
        seed,
        confidence=confidence,
        population=population,
        units=int(pairable.sum()),
    )
    figures: dict[str, Any] = {
        "n_units": len(sheet.units),
        "n_raters": len(sheet.raters),
        "n_ratings": int(rated.sum()),
        "level": level,
        "percent_agreement": percent_agreement(ratings),
        "krippendorff_alpha": alpha,
        "alpha_ci": None,
        "fleiss_kappa": None,
        "gwet_ac1": None,
        "icc": None,
        "alpha_interval": alpha_interval,
        "icc_intervals": None,
        "weights": weights,
        "confidence": confidence,
        "interval": interval,
        "population": population,
        "benchmark_scale": scale,
        "coefficients": _coefficients(
            ratings,
            allowed,
            coefficients,
            weights=weights,
            confidence=confidence,
            population=population,
            interval=interval,
            scale=scale,
        ),
    }
    if alpha_interval["low"] is not None:
        figures["alpha_ci"] = [alpha_interval["low"], alpha_interval["high"]]
    if level in ("nominal", "ordinal"):
        # Kappa and AC1 compare categories, which interval and ratio data are not.
        figures["fleiss_kappa"] = fleiss_kappa(ratings, domain=allowed)
        figures["gwet_ac1"] = gwet_ac1(ratings, domain=allowed)
    icc_note = "needs interval or ratio level"
    if level in ("interval", "ratio"):
        icc_note = "needs every rater to rate every unit"
        if rated.min() == len(sheet.raters):
            try:
                figures["icc"] = icc(ratings)
                icc_note = ""
                figures["icc_intervals"] = {
                    key: dataclasses.asdict(estimate)
                    for key, estimate in icc_intervals(ratings, confidence).items()
                }
            except AgreementError as error:
                icc_note = str(error)
    _check_finite(figures)
    counts = {
        "pairable_units": int(pairable.sum()),
        "pairable_ratings": int(rated[pairable].sum()),
        "rated_units": rated_units,
        "bootstrap": bootstrap,
        "icc_note": icc_note,
    }
    return {"figures": figures, "counts": counts}


def _alpha_interval(
    ratings: Any,
    level: str,
    domain: list[Any] | None,
    bootstrap: int | None,
    seed: int | None,
    *,
    confidence: float,
    population: int | None,
    units: int,
) -> dict[str, Any]:
    """Alpha's interval at the level: the jackknife t interval, or the percentile bootstrap
    when ``bootstrap`` resamples are asked for (it has no standard error). Both resample or
    leave out the ``units`` with two or more ratings."""
    if bootstrap:
        result = krippendorff_alpha_ci(
            ratings, level, n_boot=bootstrap, confidence=confidence, seed=seed, domain=domain
        )
        return {
            "method": "bootstrap",
            "low": result.low,
            "high": result.high,
            "se": None,
            "confidence": confidence,
            "n": units,
            "resamples": bootstrap,
        }
    result = krippendorff_alpha_interval(
        ratings, level, confidence, domain=domain, population=population
    )
    return {
        "method": "jackknife",
        "low": result.low,
        "high": result.high,
        "se": result.se,
        "confidence": confidence,
        "n": result.n,
        "resamples": None,
    }


def _coefficients(
    ratings: Any,
    domain: list[Any] | None,
    names: Sequence[str],
    *,
    weights: str,
    confidence: float,
    population: int | None,
    interval: str,
    scale: str,
) -> dict[str, dict[str, Any] | None]:
    """The family's coefficients asked for, in that order; None for one that is undefined for
    these ratings (e.g. kappa when chance agreement is 1)."""
    family = agreement_coefficients(
        ratings,
        categories=domain,
        weights=weights,
        confidence=confidence,
        population=population,
        coefficients=names,
        interval=interval,
    )
    result: dict[str, dict[str, Any] | None] = {}
    for name in names:
        estimate = family.get(name)
        if estimate is None:
            result[name] = None
            continue
        result[name] = estimate.as_dict() | {"benchmark": benchmark_fields(estimate, scale)}
    return result


def _check_finite(figures: Any, key: str = "") -> None:
    """A NaN or infinity must not reach the table or the JSON (where it is not even valid)."""
    if isinstance(figures, dict):
        for name, value in figures.items():
            _check_finite(value, key or name)
    elif isinstance(figures, list):
        for value in figures:
            _check_finite(value, key)
    elif isinstance(figures, float) and not math.isfinite(figures):
        raise AgreementError(f"{key} cannot be computed for these ratings (overflow)")


def _ratings(sheet: Sheet) -> tuple[list[list[Any]], bool]:
    """Cell texts as ratings: all numbers if every rating is one, otherwise texts."""
    texts = [text for row in sheet.cells for text in row if text]
    numeric = all(_NUMBER.fullmatch(text) for text in texts)
    if numeric:
        huge = next((text for text in texts if not math.isfinite(float(text))), None)
        if huge is not None:
            raise InputError(f"rating {huge} is too large to compute with")
        return [[float(text) if text else None for text in row] for row in sheet.cells], True
    return [[text or None for text in row] for row in sheet.cells], False


def _domain(text: str | None, *, numeric: bool) -> list[Any] | None:
    if text is None:
        return None
    values = [value.strip() for value in text.split(",") if value.strip()]
    if not values:
        raise InputError("--domain lists no values")
    if not numeric:
        return values
    if not all(_NUMBER.fullmatch(value) for value in values):
        raise InputError("the ratings are numbers, so --domain must list numbers")
    return [float(value) for value in values]


def format_table(report: dict[str, Any], *, name: str) -> str:
    """The report as plain text: the figures at the level with the n behind each, then the
    chance-corrected family with standard errors, intervals and benchmark readings."""
    figures, counts = report["figures"], report["counts"]
    lines = [
        f"Agreement in {name} ({figures['level']} level): {figures['n_units']} units, "
        f"{figures['n_raters']} raters, {figures['n_ratings']} ratings",
        "",
    ]
    lines += _aligned([("statistic", "value", "n"), *_level_rows(figures, counts)], right=(1,))
    lines += ["", *_family_title(figures), ""]
    lines += _aligned(_family_rows(figures), right=(1, 2, 4))
    return "\n".join(lines)


def _level_rows(figures: dict[str, Any], counts: dict[str, Any]) -> list[tuple[str, ...]]:
    units = f"{counts['pairable_units']} units with 2+ ratings"
    level = _percent(figures["confidence"])
    rows = [
        ("percent agreement", _number(figures["percent_agreement"]), units),
        (
            "Krippendorff's alpha",
            _number(figures["krippendorff_alpha"]),
            f"{counts['pairable_ratings']} pairable ratings in {counts['pairable_units']} units",
        ),
    ]
    interval = figures["alpha_interval"]
    if interval["method"] == "bootstrap":
        note = f"{counts['bootstrap']} resamples of units"
    elif interval["low"] is None:
        note = "needs 3 or more units that leave alpha defined when one is left out"
    else:
        note = f"t interval, se {_number(interval['se'])}"
    rows.append((f"  {level} {interval['method']} CI", _range(interval), note))
    if figures["fleiss_kappa"] is None:
        rows.append(("Fleiss' kappa", "n/a", "needs nominal or ordinal level"))
        rows.append(("Gwet's AC1", "n/a", "needs nominal or ordinal level"))
    else:
        rows.append(("Fleiss' kappa", _number(figures["fleiss_kappa"]), units))
        rated = f"{counts['rated_units']} rated units"
        rows.append(("Gwet's AC1", _number(figures["gwet_ac1"]), rated))
    if figures["icc"] is None:
        rows.append(("ICC", "n/a", counts["icc_note"]))
        return rows
    panel = f"{figures['n_units']} units x {figures['n_raters']} raters"
    for key in ICC_KEYS:
        estimate = (figures["icc_intervals"] or {}).get(key)
        note = f"{panel}, {level} CI {_range(estimate)}" if estimate else panel
        rows.append((key, _number(figures["icc"][key]), note))
    if not figures["icc_intervals"]:
        rows.append(("  ICC intervals", "n/a", counts["icc_note"]))
    return rows


def _family_title(figures: dict[str, Any]) -> list[str]:
    intervals = (
        f"{_percent(figures['confidence'])} intervals: {INTERVAL_LABELS[figures['interval']]}"
    )
    if figures["population"]:
        intervals += f", for a population of {figures['population']} units"
    return [f"Chance-corrected agreement, {figures['weights']} weights", intervals]


def _family_rows(figures: dict[str, Any]) -> list[tuple[str, ...]]:
    weighted = figures["weights"] != "identity"
    scale = SCALES[figures["benchmark_scale"]].name
    rows = [("coefficient", "value", "se", f"{_percent(figures['confidence'])} CI", "n", scale)]
    for key, estimate in figures["coefficients"].items():
        label = COEFFICIENT_LABELS[key]
        if key == "ac1" and weighted:
            label = "Gwet's AC2"  # AC1 with weights is Gwet's AC2
        if estimate is None:
            rows.append((label, "n/a", "", "", "", "undefined for these ratings"))
            continue
        rows.append(
            (
                label,
                _number(estimate["value"]),
                "n/a" if estimate["se"] is None else _number(estimate["se"]),
                _range(estimate),
                str(estimate["n"]),
                _reading(estimate["benchmark"]),
            )
        )
    return rows


def _reading(reading: dict[str, Any] | None) -> str:
    """A benchmark reading in words, as the report page says it (reports/benchmark_words.py):
    the level retained holds "or better" with the cumulative probability shown."""
    if reading is None:
        return "not chance-corrected: no benchmark"
    levels = SCALES[reading["scale"]].levels
    word = reading["level"].replace("_", " ")
    if reading["cumulative"] is None or reading["level"] == levels[-1].key:
        return word
    # Rounded down and kept under 100%, so it never claims more than was computed.
    percent = min(math.floor(reading["cumulative"] * 100 + 1e-9), 99)
    better = "" if reading["level"] == levels[0].key else " or better"
    return f"{word}{better}, with {percent}% probability"


def _aligned(rows: list[tuple[str, ...]], *, right: tuple[int, ...]) -> list[str]:
    """Columns two spaces apart, the numeric ones right-aligned; the last one is not padded."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _range(estimate: dict[str, Any] | None) -> str:
    if not estimate or estimate["low"] is None:
        return "n/a"
    return f"{_number(estimate['low'])} to {_number(estimate['high'])}"


def _percent(confidence: float) -> str:
    return f"{confidence * 100:g}%"


def _number(value: float) -> str:
    return f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
