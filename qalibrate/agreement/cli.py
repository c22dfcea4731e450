"""``qalibrate agreement FILE``: agreement statistics for a CSV file of ratings.

The CSV is either wide (first column the unit, then one column per rater; an empty cell means
not rated) or long (header exactly ``unit,rater,value``, one rating per line). Only the
standard library and numpy are used, so the command runs without Django or a database.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qalibrate.agreement.alpha import krippendorff_alpha, krippendorff_alpha_ci
from qalibrate.agreement.icc import ICC_KEYS, icc
from qalibrate.agreement.kappa import fleiss_kappa, gwet_ac1, percent_agreement
from qalibrate.agreement.ratings import LEVELS, AgreementError, as_table, missing_mask

PROG = "qalibrate agreement"
CONFIDENCE = 0.95
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class InputError(Exception):
    """The file cannot be read as ratings; the message is shown to the user as is."""


@dataclass(frozen=True)
class Sheet:
    """Ratings read from a CSV file: cell texts, "" where a rater did not rate a unit."""

    units: list[str]
    raters: list[str]
    cells: list[list[str]]


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0, or 2 for bad input or usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has already printed the usage or the help
        return int(exit_.code or 0)
    try:
        sheet = read_sheet(args.file)
        report = build_report(
            sheet, level=args.level, domain=args.domain, bootstrap=args.bootstrap, seed=args.seed
        )
    except (InputError, AgreementError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(report["figures"], indent=2))
    else:
        print(format_table(report, name=Path(args.file).name))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Inter-rater agreement for a CSV of ratings: wide (unit, then one column "
        "per rater) or long (header unit,rater,value). Empty cells are missing ratings.",
    )
    parser.add_argument("file", help="CSV file of ratings (UTF-8)")
    parser.add_argument("--level", choices=LEVELS, default="nominal", help="default: nominal")
    parser.add_argument(
        "--domain", help='possible values in order, comma-separated, e.g. "poor,fair,good"'
    )
    parser.add_argument(
        "--bootstrap", type=_positive, metavar="N", help="add a 95%% CI from N resamples"
    )
    parser.add_argument("--seed", type=int, metavar="S", help="random seed for --bootstrap")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return number


def read_sheet(path: str | Path) -> Sheet:
    """Read a wide or long CSV file of ratings (UTF-8, with or without a byte-order mark)."""
    try:
        # utf-8-sig drops the byte-order mark Excel writes at the start of "CSV UTF-8" files.
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            lines = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a directory") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {path}: it is not UTF-8 text") from None
    except csv.Error as error:
        raise InputError(f"cannot read {path}: not valid CSV ({error})") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    if not lines:
        raise InputError(f"{path} is empty")
    header = [cell.strip() for cell in lines[0][1]]
    if len(lines) == 1:
        raise InputError(f"{path} has a header but no ratings")
    if header == ["unit", "rater", "value"]:
        return _long_sheet(lines[1:])
    return _wide_sheet(header, lines[1:])


def _wide_sheet(header: list[str], lines: list[tuple[int, list[str]]]) -> Sheet:
    raters = _trim(header)[1:]
    if len(set(raters)) != len(raters):
        raise InputError("two rater columns have the same name")
    units, cells = [], []
    for line, row in lines:
        row = _trim([cell.strip() for cell in row])
        if len(row) > len(raters) + 1:
            raise InputError(f"line {line} has {len(row) - 1} ratings for {len(raters)} raters")
        units.append(row[0])
        cells.append(row[1:] + [""] * (len(raters) + 1 - len(row)))
    return Sheet(units=units, raters=raters, cells=cells)


def _long_sheet(lines: list[tuple[int, list[str]]]) -> Sheet:
    ratings: dict[tuple[str, str], str] = {}
    units: dict[str, None] = {}  # dicts keep first-seen order
    raters: dict[str, None] = {}
    for line, row in lines:
        row = _trim([cell.strip() for cell in row])
        if len(row) > 3:
            raise InputError(f"line {line} has {len(row)} fields; expected unit,rater,value")
        unit, rater, value = row + [""] * (3 - len(row))
        if not unit or not rater:
            raise InputError(f"line {line} needs both a unit and a rater")
        if (unit, rater) in ratings:
            raise InputError(f"line {line}: rater {rater!r} rates unit {unit!r} twice")
        ratings[unit, rater] = value
        units[unit] = raters[rater] = None
    cells = [[ratings.get((unit, rater), "") for rater in raters] for unit in units]
    return Sheet(units=list(units), raters=list(raters), cells=cells)


def _trim(row: list[str]) -> list[str]:
    """Drop empty cells at the end of a row (spreadsheets often pad rows with commas)."""
    end = len(row)
    while end > 1 and not row[end - 1]:
        end -= 1
    return row[:end]


def build_report(
    sheet: Sheet,
    *,
    level: str = "nominal",
    domain: str | None = None,
    bootstrap: int | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Every figure for the sheet: {"figures": the JSON object, "counts": n for the table}."""
    cells, numeric = _ratings(sheet)
    allowed = _domain(domain, numeric=numeric)
    # Parsed once: a float array when every rating is a number, which the statistics take as is.
    ratings = as_table(cells)
    rated = (~missing_mask(ratings)).sum(axis=1)
    # Alpha first: it rejects ratings that do not fit the level with the clearest message.
    alpha = krippendorff_alpha(ratings, level=level, domain=allowed)
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
    }
    if bootstrap:
        interval = krippendorff_alpha_ci(
            ratings, level, n_boot=bootstrap, confidence=CONFIDENCE, seed=seed, domain=allowed
        )
        figures["alpha_ci"] = [interval.low, interval.high]
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
            except AgreementError as error:
                icc_note = str(error)
    pairable = rated >= 2
    counts = {
        "pairable_units": int(pairable.sum()),
        "pairable_ratings": int(rated[pairable].sum()),
        "rated_units": int((rated >= 1).sum()),
        "bootstrap": bootstrap,
        "icc_note": icc_note,
    }
    return {"figures": figures, "counts": counts}


def _ratings(sheet: Sheet) -> tuple[list[list[Any]], bool]:
    """Cell texts as ratings: all numbers if every rating is one, otherwise texts."""
    texts = [text for row in sheet.cells for text in row if text]
    numeric = all(_NUMBER.fullmatch(text) for text in texts)
    if numeric:
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
    """The report as an aligned plain-text table with the n behind each figure."""
    figures, counts = report["figures"], report["counts"]
    units = f"{counts['pairable_units']} units with 2+ ratings"
    rows = [
        ("percent agreement", _number(figures["percent_agreement"]), units),
        (
            "Krippendorff's alpha",
            _number(figures["krippendorff_alpha"]),
            f"{counts['pairable_ratings']} pairable ratings in {counts['pairable_units']} units",
        ),
    ]
    if figures["alpha_ci"] is not None:
        low, high = figures["alpha_ci"]
        rows.append(
            (
                f"  {CONFIDENCE:.0%} bootstrap CI",
                f"{_number(low)} to {_number(high)}",
                f"{counts['bootstrap']} resamples of units",
            )
        )
    if figures["fleiss_kappa"] is None:
        rows.append(("Fleiss' kappa", "n/a", "needs nominal or ordinal level"))
        rows.append(("Gwet's AC1", "n/a", "needs nominal or ordinal level"))
    else:
        rows.append(("Fleiss' kappa", _number(figures["fleiss_kappa"]), units))
        rated = f"{counts['rated_units']} rated units"
        rows.append(("Gwet's AC1", _number(figures["gwet_ac1"]), rated))
    if figures["icc"] is None:
        rows.append(("ICC", "n/a", counts["icc_note"]))
    else:
        panel = f"{figures['n_units']} units x {figures['n_raters']} raters"
        rows.extend((key, _number(figures["icc"][key]), panel) for key in ICC_KEYS)

    rows.insert(0, ("statistic", "value", "n"))
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    lines = [
        f"Agreement in {name} ({figures['level']} level): {figures['n_units']} units, "
        f"{figures['n_raters']} raters, {figures['n_ratings']} ratings",
        "",
    ]
    lines += [
        f"{label.ljust(widths[0])}  {value.rjust(widths[1])}  {note}" for label, value, note in rows
    ]
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
