"""Ratings from a CSV file, for ``qalibrate agreement`` (cli.py).

The file is either wide (first column the unit, then one column per rater; an empty cell means
not rated) or long (a header with ``unit``, ``rater`` and ``value`` columns in any case and
order, other columns ignored; one rating per line). The delimiter (comma, semicolon or tab) is
detected, and in semicolon- and tab-separated files a decimal comma (``4,5``, the Russian and
Swedish spreadsheet default) reads as 4.5. Empty cells and the ``na`` tokens are missing.
Only the standard library, so the command runs without Django or a database.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

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


def read_sheet(path: str | Path, *, na: str = DEFAULT_NA) -> Sheet:
    """Read a wide or long CSV file of ratings (UTF-8, with or without a byte-order mark).

    ``na`` lists, comma-separated, the cell values (in any case) that mean "not rated"; they
    become empty cells, like the empty cells themselves.
    """
    delimiter, lines = _csv_lines(path)
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


def _csv_lines(path: str | Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """The file's delimiter and its non-blank lines, each with its line number."""
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
    return delimiter, lines


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
