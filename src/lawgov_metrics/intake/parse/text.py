"""Free text, and a number as text (free text, IDs and choices read a whole number by its integer text)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.outcomes import TEXT_UNREADABLE, Parsed, ParsedColumn
from lawgov_metrics.intake.parse.reading import (
    ManyParsed,
    OutKind,
    ValueReader,
    is_whole,
    reasons_for,
    shared_reader,
)


def number_text(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and x == math.floor(x) and abs(x) < 1e15 else str(x)


def many_number_text(x: npt.NDArray[np.float64]) -> Any:
    whole = is_whole(x) & (np.abs(x) < 1e15)
    text = pa.array(np.where(whole, x, 0).astype(np.int64)).cast(pa.large_string())
    if not whole.all():  # fractions, huge numbers: rare
        other = pa.array(x[~whole].astype(str).astype(object), type=pa.large_string())
        text = pc.replace_with_mask(text, pa.array(~whole), other)
    return text


class _TextReader(ValueReader[str]):
    out: ClassVar[OutKind] = "text"
    reason = TEXT_UNREADABLE

    def one_text(self, text: str) -> Parsed[str]:
        return Parsed(text)

    def one_number(self, x: float) -> Parsed[str]:
        return Parsed(number_text(x))

    def one_bool(self, b: bool) -> Parsed[str]:
        return Parsed("TRUE" if b else "FALSE")

    def one_moment(self, m: dt.datetime) -> Parsed[str]:
        return Parsed(
            m.date().isoformat() if m.time() == dt.time() else m.isoformat(sep=" ", timespec="seconds")
        )

    def one_clock(self, t: dt.time) -> Parsed[str]:
        return Parsed(t.isoformat(timespec="seconds"))

    def many_text(self, arr: Any) -> ManyParsed:
        return arr, reasons_for(len(arr))

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        return many_number_text(x), reasons_for(len(x))

    def many_bool(self, b: npt.NDArray[np.bool_]) -> ManyParsed:
        return np.where(b, "TRUE", "FALSE").astype(object), reasons_for(len(b))

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> ManyParsed:
        midnight = m == m.astype("datetime64[D]")
        day = np.datetime_as_string(m, unit="D")
        second = np.char.replace(np.datetime_as_string(m, unit="s"), "T", " ")
        return np.where(midnight, day, second).astype(object), reasons_for(len(m))

    def many_clock(self, t: npt.NDArray[np.object_]) -> ManyParsed:
        return np.array([c.isoformat(timespec="seconds") for c in t], dtype=object), reasons_for(len(t))


def parse_text(value: object) -> Parsed[str]:
    """Free text, cleaned by :func:`clean_text`. A whole number is its integer text (12.0 → "12"), a bool
    "TRUE"/"FALSE", a date "2024-01-31" (with " 14:30:00" when it has a time). Never fails; blank is blank.
    """
    return shared_reader(_TextReader).parse(value)


def parse_text_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_text` over a column; values are str."""
    return shared_reader(_TextReader).parse_series(series)
