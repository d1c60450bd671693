"""IDs (身份证号, 执法证号, 案号) as text, and the ways Excel spoils them.

Decisions on ambiguous input (each one is pinned by a test):

* IDs: a number with more than 15 digits has lost digits in Excel and fails; so does Excel's display
  form "4.60102E+17", a fraction, or a date (Excel turned "1-2" into 2 January). IDs keep their case.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import compiled_regex
from lawgov_metrics.intake.parse.outcomes import (
    ID_DATE,
    ID_FRACTION,
    ID_PRECISION,
    ID_UNREADABLE,
    Parsed,
    ParsedColumn,
    fail_with,
)
from lawgov_metrics.intake.parse.reading import (
    ManyParsed,
    OutKind,
    ValueReader,
    empty_parsed,
    reasons_for,
    shared_reader,
    value_checks,
)
from lawgov_metrics.intake.parse.text import many_number_text

_SCIENTIFIC = r"[0-9]+(?:\.[0-9]+)?[eE]\+[0-9]+"  # Excel's display of a long number: 4.60102E+17


class _IdReader(ValueReader[str]):
    out: ClassVar[OutKind] = "text"
    reason = ID_UNREADABLE

    def one_text(self, text: str) -> Parsed[str]:
        text = text.replace(" ", "")
        return fail_with(ID_PRECISION) if compiled_regex(_SCIENTIFIC).fullmatch(text) else Parsed(text)

    def one_number(self, x: float) -> Parsed[str]:
        if not math.isfinite(x):
            return fail_with(self.reason)
        if abs(x) >= 1e15:
            return fail_with(ID_PRECISION)
        return Parsed(str(int(x))) if x == math.floor(x) else fail_with(ID_FRACTION)

    def one_moment(self, m: dt.datetime) -> Parsed[str]:
        return fail_with(ID_DATE)

    def many_text(self, arr: Any) -> ManyParsed:
        text = pc.replace_substring(arr, " ", "")
        scientific = pc.match_substring_regex(text, f"^(?:{_SCIENTIFIC})$").to_numpy(zero_copy_only=False)
        return text, reasons_for(len(arr), scientific, ID_PRECISION)

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        errors, _ = value_checks(
            (~np.isfinite(x), self.reason), (np.abs(x) >= 1e15, ID_PRECISION), (x != np.floor(x), ID_FRACTION)
        )
        return many_number_text(x), errors

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> ManyParsed:
        return empty_parsed("text", len(m)), reasons_for(len(m), np.ones(len(m), dtype=bool), ID_DATE)


def parse_identifier(value: object) -> Parsed[str]:
    """An ID (身份证号, 执法证号, 案号) as text: cleaned, every space removed, case kept.

    A number is its integer text when whole and at most 15 digits (12345.0 → "12345"); more digits means
    Excel already lost some (an 18-digit 身份证号 stored as 4.60102199001011e17) and fails, as does the
    text "4.60102E+17", a fraction, or a date.
    """
    return shared_reader(_IdReader).parse(value)


def parse_identifier_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_identifier` over a column; values are str."""
    return shared_reader(_IdReader).parse_series(series)
