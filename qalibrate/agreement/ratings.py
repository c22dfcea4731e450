"""Turning a units × raters table of ratings into the arrays the statistics work on.

A rating table has one row per unit (a contact, a call, a ticket) and one column per rater.
``None``, NaN, empty (or blank) strings and pandas' missing values (``pd.NA``, ``pd.NaT``, the
gaps of nullable ``Int64``/``Float64`` columns) mean "not rated".
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")


class AgreementError(ValueError):
    """The ratings cannot give a meaningful figure; the message says why."""


def as_table(ratings: Any) -> np.ndarray:
    """Return ``ratings`` as a 2-D array, units × raters.

    The result is float64 with NaN for missing when every rating is a real number, and an object
    array with ``None`` for missing otherwise (strings, or numbers mixed with strings).
    """
    try:
        raw = np.asarray(ratings)
        if raw.dtype.kind not in "biuf":
            # Not numpy's own choice of type: it turns numbers mixed with words into strings.
            raw = np.asarray(ratings, dtype=object)
    except ValueError as error:  # rows of unequal length that numpy cannot line up
        raise AgreementError(_NOT_RECTANGULAR) from error
    _check_shape(raw)
    if raw.dtype != object:
        # The fast path for numeric data: no per-value Python work.
        table = raw.astype(np.float64)
        _check_finite(table)
        return table
    flat = raw.ravel()
    missing = np.fromiter((is_missing(value) for value in flat), dtype=bool, count=flat.size)
    present = flat[~missing]
    if all(isinstance(value, numbers.Real) for value in present):
        table = np.full(flat.size, np.nan)
        table[~missing] = present.astype(np.float64)
        table = table.reshape(raw.shape)
        _check_finite(table)
        return table
    table = flat.copy()
    table[missing] = None
    return table.reshape(raw.shape)


def is_missing(value: Any) -> bool:
    """Whether one cell counts as "not rated": None, NaN, an empty or blank string, NaT, or
    pandas' ``pd.NA``."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    # pandas is not a dependency: its missing values can only exist once it has been imported,
    # so look them up there instead of importing it.
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        return value is getattr(pandas, "NA", None) or value is getattr(pandas, "NaT", None)
    return False


def missing_mask(table: np.ndarray) -> np.ndarray:
    """Boolean units × raters mask of the cells without a rating."""
    if table.dtype == object:
        return np.equal(table, None)
    return np.isnan(table)


def numeric_values(table: np.ndarray, *, level: str, domain: Sequence | None = None) -> np.ndarray:
    """The ratings (a table from as_table, or its present cells) as floats, NaN for missing.

    Raises AgreementError for a non-numeric rating, for a rating outside ``domain`` when one is
    given, and at ratio level for a negative rating (a ratio scale starts at an absolute zero).
    """
    if table.dtype == object:
        # as_table makes an object table only when some rating is not a number.
        odd = next(v for v in table.ravel() if v is not None and not isinstance(v, numbers.Real))
        raise AgreementError(f"{level} level needs numeric ratings; found {_show(odd)}")
    present = table[~np.isnan(table)]
    if domain is not None:
        allowed = _numeric_domain(domain, level=level)
        outside = present[~np.isin(present, allowed)]
        if outside.size:
            raise AgreementError(f"rating {_show(outside[0])} is not in the domain")
    if level == "ratio" and present.size and present.min() < 0:
        raise AgreementError(
            f"ratio level needs non-negative ratings (a ratio scale has a true zero); "
            f"found {_show(present.min())}"
        )
    return table


def category_codes(
    cells: np.ndarray, *, domain: Sequence | None = None, ordered: bool = False
) -> tuple[np.ndarray, list]:
    """Code each of ``cells`` (a 1-D array of ratings, none missing) as an integer category.

    Returns the codes and the categories they index. With a ``domain`` the categories are its
    values in its order, and every rating must be one of them. Without one, numbers are coded
    in ascending order and other values in order of first appearance; ``ordered=True`` (the
    ordinal level) then needs numbers, because only a domain can say how words such as "poor"
    and "good" are ordered.
    """
    numeric = cells.dtype != object
    if numeric:
        # Work on the distinct numbers, not on every rating.
        distinct, inverse = np.unique(cells, return_inverse=True)
        inverse = inverse.ravel()
    if domain is not None:
        categories = list(domain)
        try:
            position = {value: index for index, value in enumerate(categories)}
        except TypeError as error:
            raise AgreementError("domain values must be numbers or strings") from error
        if len(position) != len(categories):
            raise AgreementError("the domain lists a value twice")
    elif numeric:
        return inverse.astype(np.int64), distinct.tolist()
    elif ordered:
        raise AgreementError(
            "ordinal level with non-numeric ratings needs a domain that lists them in order"
        )
    else:
        categories, position = [], {}
        for value in cells:
            try:
                if value not in position:
                    position[value] = len(categories)
                    categories.append(value)
            except TypeError as error:
                raise AgreementError(f"cannot use {_show(value)} as a rating") from error

    if numeric:
        lookup = np.array([_position(position, value) for value in distinct.tolist()], dtype=int)
        return lookup[inverse].astype(np.int64), categories
    codes = np.fromiter((_position(position, value) for value in cells), np.int64, len(cells))
    return codes, categories


def unit_value_counts(unit: np.ndarray, code: np.ndarray) -> tuple[np.ndarray, ...]:
    """(unit, code, count) of each distinct (unit, code) pair among the ratings given.

    ``unit`` and ``code`` hold one entry per rating. This is a sparse form of the units ×
    categories count table, sorted by unit and then code, so memory stays proportional to the
    number of ratings however many categories there are.
    """
    width = max(int(code.max()) + 1, 1) if code.size else 1
    keys, counts = np.unique(unit * width + code, return_counts=True)
    return keys // width, keys % width, counts.astype(np.float64)


def _position(position: dict, value: Any) -> int:
    try:
        return position[value]
    except (KeyError, TypeError):
        raise AgreementError(f"rating {_show(value)} is not in the domain") from None


def _numeric_domain(domain: Sequence, *, level: str) -> np.ndarray:
    values = list(domain)
    if not all(isinstance(value, numbers.Real) for value in values):
        raise AgreementError(f"{level} level needs a domain of numbers")
    return np.asarray(values, dtype=np.float64)


def _show(value: Any) -> str:
    """A rating as a person would write it: 3 rather than 3.0."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return repr(str(value)) if isinstance(value, str) else str(value)  # np.str_ as plain text


def _check_shape(table: np.ndarray) -> None:
    if table.ndim != 2:
        raise AgreementError(_NOT_RECTANGULAR)
    if table.shape[0] == 0:
        raise AgreementError("there are no units to compare")
    if table.shape[1] < 2:
        raise AgreementError(
            f"agreement needs at least two raters; the ratings have {table.shape[1]}"
        )


def power_of_two_scaled(values: np.ndarray) -> np.ndarray:
    """``values`` divided by the power of two nearest above their largest magnitude.

    Statistics that do not change when every value is multiplied by the same number (interval
    and ratio alpha, the ICCs) work on these, so squares of values near 1e200 do not overflow
    and those of values near 1e-200 do not vanish; dividing by a power of two is exact.
    """
    largest = float(np.nanmax(np.abs(values))) if values.size else 0.0
    if not largest:
        return values
    _, exponent = math.frexp(largest)
    return np.ldexp(values, -exponent)


def _check_finite(table: np.ndarray) -> None:
    if np.isinf(table).any():
        raise AgreementError("ratings must be finite numbers; found an infinity")


_NOT_RECTANGULAR = "ratings must be a rectangular table: one row per unit, one column per rater"
