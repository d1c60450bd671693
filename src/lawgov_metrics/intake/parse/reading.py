"""The two forms of a reader: one set of rules for a cell (``one_*``) and for a column (``many_*``).

A reader subclasses :class:`ValueReader` and says, per input type (text, number, bool, moment, clock), what it
makes of it; the base class sorts a cell or a column by type, cleans text, leaves blanks blank, reads a
column of few distinct strings once per string, and puts the column back together.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers  # the standard library's (numbers.Real), not the sibling module .numbers
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import (
    _few_distinct,
    _strings,
    _take,
    _text_values,
    _whole,
    clean_arrow,
    clean_text,
    is_text_dtype,
)
from lawgov_metrics.intake.parse.outcomes import BLANK, Parsed, ParsedColumn, fail_with

T = TypeVar("T")


# ---------------------------------------------------------------- the two forms of a reader

_MISSING, _TEXT, _NUMBER, _BOOL, _MOMENT, _CLOCK, _OTHER = range(7)
OutKind = Literal["float", "int", "bool", "datetime", "text"]
ManyParsed = tuple[
    Any, npt.NDArray[np.object_]
]  # values (ndarray, or arrow strings for text), reasons or None
_Part = tuple[npt.NDArray[np.intp], Any, npt.NDArray[np.object_], npt.NDArray[np.bool_] | None]


def _kind_of_type(kind: type) -> int:
    if issubclass(kind, str):
        return _TEXT
    if issubclass(kind, (bool, np.bool_)):
        return _BOOL
    if issubclass(kind, (numbers.Real, Decimal)):
        return _NUMBER
    if issubclass(kind, (dt.date, np.datetime64)):
        return _MOMENT
    if issubclass(kind, dt.time):
        return _CLOCK
    return _OTHER


def _kind_of(value: object) -> int:
    cell: Any = value
    if cell is None or (pd.api.types.is_scalar(cell) and pd.isna(cell)):
        return _MISSING
    return _kind_of_type(type(value))


def _to_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond float range
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]


def _to_datetime(value: object) -> dt.datetime:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.floor("us").to_pydatetime(warn=False).replace(tzinfo=None)


def reasons_for(
    n: int, mask: npt.NDArray[np.bool_] | None = None, reason: str | None = None
) -> npt.NDArray[np.object_]:
    out = np.full(n, None, dtype=object)
    if mask is not None:
        out[mask] = reason
    return out


def value_checks(
    *checks: tuple[npt.NDArray[np.bool_], str],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """Per row the reason of the first check that fails, in the order the one-cell form runs them; and
    where any failed."""
    errors, failed = reasons_for(len(checks[0][0])), np.zeros(len(checks[0][0]), dtype=bool)
    for fails, reason in checks:
        errors[fails & ~failed] = reason
        failed |= fails
    return errors, failed


def empty_parsed(out: OutKind, n: int) -> npt.NDArray[Any]:
    if out == "float":
        return np.full(n, np.nan)
    if out == "int":
        return np.zeros(n, dtype=np.int64)
    if out == "bool":
        return np.zeros(n, dtype=np.bool_)
    if out == "datetime":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, None, dtype=object)


def _matches(arr: Any, pattern: str) -> npt.NDArray[np.bool_]:
    found: npt.NDArray[np.bool_] = pc.match_substring_regex(arr, _whole(pattern)).to_numpy(
        zero_copy_only=False
    )
    return found


def float_of(arr: Any) -> npt.NDArray[np.float64]:
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def is_whole(x: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    whole: npt.NDArray[np.bool_] = np.isfinite(x) & (x == np.floor(x))
    return whole


def _moments(cells: npt.NDArray[np.object_]) -> npt.NDArray[np.datetime64]:
    try:
        stamps = pd.to_datetime(pd.Series(cells, dtype=object))
        if getattr(stamps.dtype, "tz", None):
            stamps = stamps.dt.tz_localize(None)
        return stamps.to_numpy(dtype="datetime64[us]")
    except (ValueError, TypeError, OverflowError):  # mixed time zones or out of range: rare, one by one
        return np.array([_to_datetime(v) for v in cells], dtype="datetime64[us]")


class ValueReader(Generic[T]):
    """The rules of one kind of value, for one cell (``one_*``) and for a column (``many_*``), per input type.

    Text arrives cleaned and non-blank (``many``: a large_string array); numbers as float, never NaN;
    moments as datetime (``many``: datetime64[us]). An input type a reader leaves alone fails with ``reason``.
    """

    out: ClassVar[OutKind]
    reason: ClassVar[str]

    def one_text(self, text: str) -> Parsed[T]:
        return fail_with(self.reason)

    def one_number(self, x: float) -> Parsed[T]:
        return fail_with(self.reason)

    def one_bool(self, b: bool) -> Parsed[T]:
        return fail_with(self.reason)

    def one_moment(self, m: dt.datetime) -> Parsed[T]:
        return fail_with(self.reason)

    def one_clock(self, t: dt.time) -> Parsed[T]:
        return fail_with(self.reason)

    def _refuse(self, n: int) -> ManyParsed:
        return empty_parsed(self.out, n), reasons_for(n, np.ones(n, dtype=bool), self.reason)

    def many_text(self, arr: Any) -> ManyParsed:
        return self._refuse(len(arr))

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        return self._refuse(len(x))

    def many_bool(self, b: npt.NDArray[np.bool_]) -> ManyParsed:
        return self._refuse(len(b))

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> ManyParsed:
        return self._refuse(len(m))

    def many_clock(self, t: npt.NDArray[np.object_]) -> ManyParsed:
        return self._refuse(len(t))

    # ------------------------------------------------ one cell

    def parse(self, value: object) -> Parsed[T]:
        kind = _kind_of(value)
        if kind == _MISSING:
            return BLANK
        if kind == _TEXT:
            text = clean_text(str(value))
            return self.one_text(text) if text else BLANK
        if kind == _NUMBER:
            return self.one_number(_to_float(value))
        if kind == _BOOL:
            return self.one_bool(bool(value))
        if kind == _MOMENT:
            return self.one_moment(_to_datetime(value))
        if kind == _CLOCK and isinstance(value, dt.time):
            return self.one_clock(value)
        return fail_with(self.reason)

    # ------------------------------------------------ a column

    def parse_series(self, series: pd.Series[Any]) -> ParsedColumn:
        dtype, n = series.dtype, len(series)
        if isinstance(dtype, pd.CategoricalDtype):
            return self._many_categories(series)
        parts: list[_Part] = []
        missing = np.zeros(n, dtype=bool)
        if pd.api.types.is_bool_dtype(dtype):
            missing = series.isna().to_numpy(dtype=bool)
            parts.append(
                (np.flatnonzero(~missing), *self.many_bool(series[~missing].to_numpy(dtype=bool)), None)
            )
        elif pd.api.types.is_numeric_dtype(dtype):
            x = series.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = np.isnan(x)
            parts.append((np.flatnonzero(~missing), *self.many_number(x[~missing]), None))
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            stamps = series.dt.tz_localize(None) if getattr(dtype, "tz", None) else series
            m = stamps.to_numpy(dtype="datetime64[us]")
            missing = np.isnat(m)
            parts.append((np.flatnonzero(~missing), *self.many_moment(m[~missing]), None))
        elif is_text_dtype(dtype):
            arr, missing = _strings(series)
            parts.append((np.flatnonzero(~missing), *self._many_strings(arr)))
        else:
            missing = self._many_objects(series.to_numpy(dtype=object), parts)

        errors, blank = reasons_for(n), missing.copy()
        for pos, _, part_errors, part_blank in parts:
            errors[pos] = part_errors
            if part_blank is not None:
                blank[pos] = part_blank
        unset = blank | pd.notna(errors)
        return ParsedColumn(
            values=self._values(n, parts, unset, series.index),
            error=pd.Series(errors, index=series.index, dtype=object),
            blank=pd.Series(blank, index=series.index, dtype=bool),
        )

    def _many_objects(self, cells: npt.NDArray[np.object_], parts: list[_Part]) -> npt.NDArray[np.bool_]:
        missing = pd.isna(cells)
        inferred = pd.api.types.infer_dtype(cells, skipna=True)
        if inferred == "string":
            kinds = np.full(len(cells), _TEXT)
        elif inferred in ("floating", "integer", "mixed-integer-float"):
            kinds = np.full(len(cells), _NUMBER)
        elif inferred in ("datetime", "date", "datetime64"):  # a date column from a workbook
            kinds = np.full(len(cells), _MOMENT)
        else:  # classify each distinct type once, not each cell
            codes, types = pd.factorize(np.fromiter(map(type, cells), dtype=object, count=len(cells)))
            kinds = np.array([_kind_of_type(t) for t in types] + [_OTHER], dtype=np.int64)[codes]
        kinds[missing] = _MISSING
        for kind in (_TEXT, _NUMBER, _BOOL, _MOMENT, _CLOCK, _OTHER):
            pos = np.flatnonzero(kinds == kind)
            if not len(pos):
                continue
            sub = cells[pos]
            if kind == _TEXT:
                parts.append((pos, *self._many_strings(pa.array(sub, type=pa.large_string()))))
                continue
            if kind == _NUMBER:
                try:
                    x = sub.astype(np.float64)
                except OverflowError:  # an int beyond float range: rare, read one by one
                    x = np.array([_to_float(v) for v in sub], dtype=np.float64)
                part = self.many_number(x)
            elif kind == _BOOL:
                part = self.many_bool(sub.astype(bool))
            elif kind == _MOMENT:
                part = self.many_moment(_moments(sub))
            elif kind == _CLOCK:
                part = self.many_clock(sub)
            else:
                part = self._refuse(len(pos))
            parts.append((pos, *part, None))
        missing_cells: npt.NDArray[np.bool_] = missing
        return missing_cells

    def _many_strings(self, arr: Any) -> tuple[Any, npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        encoded = _few_distinct(arr)
        if encoded is None:
            return self._many_distinct(arr)
        values, errors, blank = self._many_distinct(encoded.dictionary)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        return _take(values, codes), errors[codes], blank[codes]

    def _many_distinct(self, arr: Any) -> tuple[Any, npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        cleaned = clean_arrow(arr)
        blank = pc.equal(cleaned, "").to_numpy(zero_copy_only=False)
        if not blank.any():
            return (*self.many_text(cleaned), blank)
        pos = np.flatnonzero(~blank)
        values, errors = self.many_text(cleaned.filter(pa.array(~blank)))
        if self.out == "text":  # keep arrow strings; blank rows are masked when the column is put together
            if isinstance(values, np.ndarray):
                values = pa.array(values, type=pa.large_string())
            source = np.zeros(len(arr), dtype=np.int64)
            source[pos] = np.arange(len(pos))
            all_values = (
                pc.take(values, pa.array(source)) if len(pos) else pa.nulls(len(arr), pa.large_string())
            )
        else:
            all_values = empty_parsed(self.out, len(arr))
            all_values[pos] = values
        all_errors = reasons_for(len(arr))
        all_errors[pos] = errors
        return all_values, all_errors, blank

    def _many_categories(self, series: pd.Series[Any]) -> ParsedColumn:
        inner = self.parse_series(pd.Series(series.cat.categories))
        codes = series.cat.codes.to_numpy()
        errors = inner.error.to_numpy(dtype=object)[codes]
        errors[codes < 0] = None
        return ParsedColumn(
            values=pd.Series(inner.values.array.take(codes, allow_fill=True), index=series.index),
            error=pd.Series(errors, index=series.index, dtype=object),
            blank=pd.Series((codes < 0) | inner.blank.to_numpy()[codes], index=series.index, dtype=bool),
        )

    def _values(
        self, n: int, parts: list[_Part], unset: npt.NDArray[np.bool_], index: pd.Index[Any]
    ) -> pd.Series[Any]:
        if self.out == "text":
            text = _text_values(n, [(pos, values) for pos, values, _, _ in parts], unset)
            return pd.Series(pd.array(text, dtype="str"), index=index)
        values = empty_parsed(self.out, n)
        for pos, part_values, _, _ in parts:
            values[pos] = part_values
        if self.out == "int":
            return pd.Series(pd.arrays.IntegerArray(values, unset), index=index)
        if self.out == "bool":
            return pd.Series(pd.arrays.BooleanArray(values, unset), index=index)
        values[unset] = np.datetime64("NaT") if self.out == "datetime" else np.nan
        return pd.Series(values, index=index)


_R = TypeVar("_R", bound=ValueReader[Any])
_READERS: dict[tuple[Any, ...], Any] = {}


def shared_reader(kind: type[_R], *settings: Any) -> _R:
    """One reader per kind and settings, built once: readers keep no state but their patterns."""
    key = (kind, *settings)
    found: _R | None = _READERS.get(key)
    if found is None:
        found = _READERS[key] = kind(*settings)
    return found
