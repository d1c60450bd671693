"""The catalogue's declarative record filters (``where``) evaluated on a ledger, vectorised.

A text column is factorised once per ledger; an equality or membership test is then decided once per distinct
value and spread to the records by their codes — a catalogue with twenty-five counts of the same activity
column compares the column's handful of distinct values, not its records, twenty-five times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Condition


class LedgerMasks:
    """Masks of one ledger's records meeting a tuple of conditions, with each text column encoded once."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._encoded: dict[str, tuple[np.ndarray, list[object]] | None] = {}
        self._masks: dict[tuple[Condition, ...], np.ndarray] = {}

    def where(self, conditions: tuple[Condition, ...]) -> np.ndarray:
        """Records meeting every condition. Comparisons with a missing value are false (never a silent match)."""
        if conditions not in self._masks:
            mask = np.ones(len(self.frame), dtype=bool)
            for cond in conditions:
                mask &= self._one(cond)
            self._masks[conditions] = mask
        return self._masks[conditions]

    def _one(self, cond: Condition) -> np.ndarray:
        encoded = self._encode(cond.column)
        if encoded is not None and cond.op in ("eq", "ne", "in", "not_in", "is_null", "not_null"):
            found, distinct = encoded
            value = cond.value
            wanted = set(value) if isinstance(value, tuple) else {value}
            # one verdict per distinct value, and a last one (index -1) for a blank: no blank matches
            hit = np.array([v in wanted for v in distinct] + [False], dtype=bool)
            present = found >= 0
            match cond.op:
                case "eq" | "in":
                    part = hit[found]
                case "ne" | "not_in":
                    part = present & ~hit[found]
                case "is_null":
                    part = ~present
                case _:
                    part = present
            return np.asarray(part, dtype=bool)
        column = self.frame[cond.column]
        if column.dtype == np.float64 and _numbers(cond.value):
            return _compare_numbers(column.to_numpy(dtype=np.float64), cond)
        return _compare(column, cond)

    def _encode(self, column_id: str) -> tuple[np.ndarray, list[object]] | None:
        """(codes, distinct values) of a text column, -1 for a blank; None for other columns."""
        if column_id not in self._encoded:
            column = self.frame[column_id]
            text = pd.api.types.is_string_dtype(column) and not pd.api.types.is_bool_dtype(column)
            if text:
                found, distinct = pd.factorize(column)
                self._encoded[column_id] = (np.asarray(found), list(distinct))
            else:
                self._encoded[column_id] = None
        return self._encoded[column_id]


def _numbers(value: object) -> bool:
    values = value if isinstance(value, tuple) else (value,)
    return all(isinstance(v, int | float) or v is None for v in values)  # bool is an int: True is 1.0


def _compare_numbers(column: np.ndarray, cond: Condition) -> np.ndarray:
    """A condition on a number column in numpy: NaN compares false, as in pandas."""
    value = cond.value
    numbers = [float(v) for v in (value if isinstance(value, tuple) else (value,)) if v is not None]
    present = ~np.isnan(column)
    match cond.op:
        case "eq":
            part = column == numbers[0]
        case "ne":
            part = present & (column != numbers[0])
        case "in":
            part = np.isin(column, numbers)
        case "not_in":
            part = present & ~np.isin(column, numbers)
        case "ge":
            part = column >= numbers[0]
        case "gt":
            part = column > numbers[0]
        case "le":
            part = column <= numbers[0]
        case "lt":
            part = column < numbers[0]
        case "is_null":
            part = ~present
        case _:
            part = present
    return np.asarray(part, dtype=bool)


def _compare(column: pd.Series, cond: Condition) -> np.ndarray:
    """A condition on a number, date or boolean column, compared by pandas."""
    value = cond.value
    if isinstance(value, bool) and column.dtype == "float64":
        value = float(value)
    match cond.op:
        case "eq":
            part = column == value
        case "ne":
            part = column.notna() & (column != value)
        case "in":
            part = column.isin(list(value))  # type: ignore[arg-type]
        case "not_in":
            part = column.notna() & ~column.isin(list(value))  # type: ignore[arg-type]
        case "ge":
            part = column >= _comparable(column, value)
        case "gt":
            part = column > _comparable(column, value)
        case "le":
            part = column <= _comparable(column, value)
        case "lt":
            part = column < _comparable(column, value)
        case "is_null":
            part = column.isna()
        case "not_null":
            part = column.notna()
    return np.asarray(part.fillna(False).astype(bool), dtype=bool)


def _comparable(column: pd.Series, value: object) -> object:
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.Timestamp(str(value))
    return value
