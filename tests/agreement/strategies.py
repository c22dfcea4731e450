"""Hypothesis strategies for rating tables (units x raters, NaN = not rated)."""

import numpy as np
from hypothesis import strategies as st


@st.composite
def rating_tables(
    draw,
    values=None,
    *,
    min_units: int = 2,
    max_units: int = 25,
    min_raters: int = 2,
    max_raters: int = 7,
    complete: bool = False,
) -> np.ndarray:
    """A float table of ratings drawn from ``values`` (default 0-4), with missing cells
    unless ``complete``; a ``missing`` share is drawn per table so that both sparse and
    nearly complete tables come up."""
    values = st.integers(0, 4) if values is None else values
    n_units = draw(st.integers(min_units, max_units))
    n_raters = draw(st.integers(min_raters, max_raters))
    cells = draw(st.lists(values, min_size=n_units * n_raters, max_size=n_units * n_raters))
    table = np.array(cells, dtype=float).reshape(n_units, n_raters)
    if not complete:
        share = draw(st.sampled_from([0.0, 0.1, 0.3, 0.6]))
        holes = draw(
            st.lists(st.floats(0, 1), min_size=table.size, max_size=table.size).map(np.array)
        )
        table[holes.reshape(table.shape) < share] = np.nan
    return table


def ratings_per_unit(table: np.ndarray) -> np.ndarray:
    return (~np.isnan(table)).sum(axis=1)


def distinct_values(table: np.ndarray) -> int:
    return len(np.unique(table[~np.isnan(table)]))
