"""``qalibrate agreement FILE``: agreement statistics for a CSV file of ratings.

The CSV is either wide (first column the unit, then one column per rater; an empty cell means
not rated) or long (a header with ``unit``, ``rater`` and ``value`` columns in any case and
order, other columns ignored; one rating per line). The delimiter (comma, semicolon or tab) is
detected, and in semicolon- and tab-separated files a decimal comma (``4,5``, the Russian and
Swedish spreadsheet default) reads as 4.5. Empty cells and the ``--na`` tokens are missing.
Only the standard library and numpy are used, so the command runs without Django or a database.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from qalibrate.agreement.alpha import krippendorff_alpha, krippendorff_alpha_ci
from qalibrate.agreement.icc import ICC_KEYS, icc
from qalibrate.agreement.kappa import fleiss_kappa, gwet_ac1, percent_agreement
from qalibrate.agreement.ratings import LEVELS, AgreementError, as_table, missing_mask

PROG = "qalibrate agreement"
CONFIDENCE = 0.95
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
DEFAULT_NA = "NA,N/A,n/a"
# Tried in this order, so a rarer delimiter that splits the header wins over a comma that may be
# a decimal comma or part of a name.
_DELIMITERS = ("\t", ";", ",")
_SAMPLE_LINES = 50


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
        sheet = read_sheet(args.file, na=args.na)
        report = build_report(
            sheet, level=args.level, domain=args.domain, bootstrap=args.bootstrap, seed=args.seed
        )
    except (InputError, ValueError, ArithmeticError, csv.Error) as error:
        # AgreementError and UnicodeDecodeError are ValueErrors: every bad input gets one line,
        # never a traceback.
        message = " ".join(str(error).split()) or type(error).__name__
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
    parser.add_argument("file", help="CSV file of ratings (UTF-8)")
    parser.add_argument("--level", choices=LEVELS, default="nominal", help="default: nominal")
    parser.add_argument(
        "--domain", help='possible values in order, comma-separated, e.g. "poor,fair,good"'
    )
    parser.add_argument(
        "--bootstrap", type=_positive, metavar="N", help="add a 95%% CI from N resamples"
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


def read_sheet(path: str | Path, *, na: str = DEFAULT_NA) -> Sheet:
    """Read a wide or long CSV file of ratings (UTF-8, with or without a byte-order mark).

    ``na`` lists, comma-separated, the cell values (in any case) that mean "not rated"; they
    become empty cells, like the empty cells themselves.
    """
    try:
        # utf-8-sig drops the byte-order mark Excel writes at the start of "CSV UTF-8" files.
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
        delimiter = _delimiter(text)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
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
    missing = {token.strip().casefold() for token in na.split(",")} - {""}
    decimal_comma = delimiter != ","
    names = [name.casefold() for name in header]
    if "unit" in names and "rater" in names:
        sheet = _long_sheet(names, lines[1:])
    else:
        sheet = _wide_sheet(header, lines[1:])
    # Only ratings are read this way: unit ids and rater names stay as written.
    cells = [
        [_cell(text, missing, decimal_comma=decimal_comma) for text in row] for row in sheet.cells
    ]
    return Sheet(units=sheet.units, raters=sheet.raters, cells=cells)


def _delimiter(text: str) -> str:
    """Tab, semicolon or comma: the first that splits the header into two or more columns and
    most data lines into as many (commas may be decimal commas, or inside names)."""
    best, best_share = ",", -1.0
    for delimiter in _DELIMITERS:
        rows = (row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row))
        rows = [_trim([cell.strip() for cell in row]) for row in islice(rows, _SAMPLE_LINES)]
        if not rows or len(rows[0]) < 2:
            continue
        data = rows[1:] or rows
        share = sum(len(row) == len(rows[0]) for row in data) / len(data)
        if share > best_share:
            best, best_share = delimiter, share
    return best


def _cell(text: str, missing: set[str], *, decimal_comma: bool) -> str:
    """One cell's text, stripped: "" for a missing-value token, 4.5 for a decimal comma 4,5."""
    text = text.strip()
    if text.casefold() in missing:
        return ""
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    return text


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
    _check_unique_units(units, [line for line, _ in lines])
    return Sheet(units=units, raters=raters, cells=cells)


def _check_unique_units(units: list[str], line_numbers: list[int]) -> None:
    """A unit id on two rows would count as two units (more evidence than there is)."""
    repeated = [unit for unit, count in Counter(units).items() if count > 1]
    if not repeated:
        return
    lines: dict[str, list[str]] = {}
    for number, unit in zip(line_numbers, units, strict=True):
        lines.setdefault(unit, []).append(str(number))
    where = [f"{unit!r} (lines {', '.join(lines[unit])})" for unit in repeated[:3]]
    more = f" and {len(repeated) - 3} more" if len(repeated) > 3 else ""
    raise InputError(f"unit ids appear on more than one row: {'; '.join(where)}{more}")


def _long_sheet(names: list[str], lines: list[tuple[int, list[str]]]) -> Sheet:
    """Long form: the unit, rater and value columns found by name; other columns ignored."""
    for name in ("unit", "rater", "value"):
        if names.count(name) != 1:
            problem = "no" if name not in names else "more than one"
            raise InputError(f"long form needs one {name!r} column; the header has {problem}")
    columns = [names.index(name) for name in ("unit", "rater", "value")]
    ratings: dict[tuple[str, str], str] = {}
    units: dict[str, None] = {}  # dicts keep first-seen order
    raters: dict[str, None] = {}
    for line, row in lines:
        row = _trim([cell.strip() for cell in row])
        if len(row) > len(names):
            raise InputError(f"line {line} has {len(row)} fields for {len(names)} columns")
        row = row + [""] * (len(names) - len(row))
        unit, rater, value = (row[column] for column in columns)
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
    _check_finite_figures(figures)
    pairable = rated >= 2
    counts = {
        "pairable_units": int(pairable.sum()),
        "pairable_ratings": int(rated[pairable].sum()),
        "rated_units": int((rated >= 1).sum()),
        "bootstrap": bootstrap,
        "icc_note": icc_note,
    }
    return {"figures": figures, "counts": counts}


def _check_finite_figures(figures: dict[str, Any]) -> None:
    """A NaN or infinity must not reach the table or the JSON (where it is not even valid)."""
    for key, value in figures.items():
        values = list(value.values()) if isinstance(value, dict) else value
        if any(isinstance(v, float) and not math.isfinite(v) for v in _as_list(values)):
            raise AgreementError(f"{key} cannot be computed for these ratings (overflow)")


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


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
