"""Row look-ups by integer keys: a sorted search in numpy instead of a pandas merge on small frames.

A (unit, year) pair becomes one int64, ``unit_code * YEAR_SPAN + year``, where the unit code is the unit's
position in a list of units. Finding rows of one table in another is then a ``searchsorted``, which costs
microseconds where a merge of two small frames costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

YEAR_SPAN = 10_000  # years are four-digit
ABSENT = -1


def codes(names: Sequence[str] | np.ndarray | pd.Index, values: pd.Series | np.ndarray) -> np.ndarray:
    """Position of each of ``values`` in ``names`` (unique), ``ABSENT`` where it is not there.

    The values are factorised first, so only their distinct values are searched among the names.
    """
    index = names if isinstance(names, pd.Index) else pd.Index(list(names), dtype="object")
    found, distinct = pd.factorize(values)
    position = np.append(index.get_indexer(pd.Index(distinct)), ABSENT).astype(np.int64)
    return position[found]  # a blank (code -1) takes the ABSENT appended last


def years_of(column: pd.Series) -> np.ndarray:
    """A year column as int64, ``ABSENT`` where it is blank."""
    if column.dtype == np.int64:
        return column.to_numpy()
    years = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isnan(years), ABSENT, years).astype(np.int64)


def pair_keys(unit_codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    """One int64 per (unit, year); ``ABSENT`` where the unit is unknown or the year is not four-digit."""
    years = np.asarray(years, dtype=np.int64)
    ok = (unit_codes >= 0) & (years >= 0) & (years < YEAR_SPAN)
    return np.where(ok, unit_codes * YEAR_SPAN + years, ABSENT)


class KeyIndex:
    """Positions of unique int64 keys, found for many query keys at once."""

    def __init__(self, keys: np.ndarray) -> None:
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]

    def find(self, query: np.ndarray) -> np.ndarray:
        """Position of each query key among the keys, ``ABSENT`` where it is not one of them."""
        query = np.asarray(query, dtype=np.int64)
        if not len(self._sorted):
            return np.full(len(query), ABSENT, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, query), len(self._sorted) - 1)
        hit = (self._sorted[at] == query) & (query != ABSENT)
        return np.where(hit, self._order[at], ABSENT)


def first_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct key, in the order they first occur."""
    _, first = np.unique(keys, return_index=True)
    first.sort()
    return first


def row_codes(columns: Sequence[np.ndarray | pd.Series]) -> np.ndarray:
    """One int64 per row naming its combination of values across ``columns`` (same values, same code).

    Codes are re-compressed after every column, so they never exceed the number of rows (no overflow).
    """
    code = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    for column in columns:
        found, distinct = pd.factorize(column)
        found = np.where(found < 0, len(distinct), found)  # a blank is a value of its own
        code, _ = pd.factorize(code * (len(distinct) + 1) + found)
        code = np.asarray(code, dtype=np.int64)
    return code
