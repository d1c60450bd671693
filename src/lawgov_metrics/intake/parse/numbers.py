"""Numbers, counts (whole numbers) and percents.

Decisions on ambiguous input (each one is pinned by a test):

* Numbers: thousands separators must group by three (``1,234``; ``1,23`` is refused, never a decimal comma);
  a trailing unit from a short list (件, 人, 次, 学时 …) or the field's own unit is dropped; scaling units
  (万, 千) are refused, never multiplied. The strings "inf"/"nan" and ±inf are failures.
* Percent: a % sign divides by 100; a bare number above 1 is percent points (95 → 0.95); a bare number
  at most 1 is a fraction — so a bare 1 is 100%, and 0.5 is 50% (write "0.5%" for half a percent);
  ‰ is refused rather than guessed.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import clean_text, compiled_regex
from lawgov_metrics.intake.parse.outcomes import (
    NUMBER_NOT_WHOLE,
    NUMBER_TOO_LARGE,
    NUMBER_UNREADABLE,
    PERCENT_PERMILLE,
    PERCENT_RANGE,
    PERCENT_UNREADABLE,
    Parsed,
    ParsedColumn,
    fail_with,
)
from lawgov_metrics.intake.parse.reading import (
    ManyParsed,
    OutKind,
    ValueReader,
    _matches,
    float_of,
    reasons_for,
    shared_reader,
    value_checks,
)

PLAIN_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_GROUPED = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
NUMBER_UNITS = (
    "个工作日", "工作日", "件次", "人次", "学时", "课时", "小时", "分钟",
    "件", "个", "人", "名", "次", "场", "期", "项", "条", "份", "篇", "家", "户", "起", "宗", "批", "本", "元", "天", "日",
)  # fmt: skip


def _units(unit: str) -> str:
    return "|".join(sorted({*NUMBER_UNITS, *([re.escape(unit)] if unit else [])}, key=len, reverse=True))


class _NumberReader(ValueReader[float]):
    out: ClassVar[OutKind] = "float"
    reason = NUMBER_UNREADABLE

    def __init__(self, unit: str | None = None) -> None:
        unit = clean_text(unit or "").replace(" ", "")
        self.pattern = rf"(?P<num>[+-]?(?:{_GROUPED}|{PLAIN_NUMBER}))(?: ?(?:{_units(unit)}))?"
        # once a cell has the shape, trimming unit characters leaves the number, unless the unit could end one
        self.unit_chars = "".join(sorted({*"".join(NUMBER_UNITS), *unit, " "}))
        self.unit_trims = not any(c in "0123456789." for c in unit)
        self.unit_suffix = f" ?(?:{_units(unit)})$"

    def one_text(self, text: str) -> Parsed[float]:
        match = compiled_regex(self.pattern).fullmatch(text)
        if match is None:
            return fail_with(self.reason)
        return self.one_number(float(match["num"].replace(",", "")))

    def one_number(self, x: float) -> Parsed[float]:
        return Parsed(x) if math.isfinite(x) else fail_with(self.reason)

    def many_text(self, arr: Any) -> ManyParsed:
        shaped = _matches(arr, self.pattern)
        x = np.full(len(arr), np.nan)
        if shaped.any():
            text = arr.filter(pa.array(shaped))
            if self.unit_trims:
                text = pc.utf8_rtrim(text, characters=self.unit_chars)
            else:
                text = pc.replace_substring_regex(text, self.unit_suffix, "")
            x[shaped] = float_of(pc.replace_substring(text, ",", ""))
        return self.many_number(x)

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        return x.copy(), reasons_for(len(x), ~np.isfinite(x), self.reason)


class _CountReader(ValueReader[int]):
    out: ClassVar[OutKind] = "int"
    reason = NUMBER_UNREADABLE

    def __init__(self, unit: str | None = None) -> None:
        self.numbers = shared_reader(_NumberReader, unit)

    def one_text(self, text: str) -> Parsed[int]:
        read = self.numbers.one_text(text)
        return fail_with(self.reason) if read.value is None else self.one_number(read.value)

    def one_number(self, x: float) -> Parsed[int]:
        if not math.isfinite(x):
            return fail_with(self.reason)
        if abs(x) > 2**53:
            return fail_with(NUMBER_TOO_LARGE)
        return Parsed(int(x)) if x == math.floor(x) else fail_with(NUMBER_NOT_WHOLE)

    def many_text(self, arr: Any) -> ManyParsed:
        return self.many_number(self.numbers.many_text(arr)[0])  # NaN where unread: the same reason

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        errors, failed = value_checks(
            (~np.isfinite(x), self.reason),
            (np.abs(x) > 2**53, NUMBER_TOO_LARGE),
            (x != np.floor(x), NUMBER_NOT_WHOLE),
        )
        return np.where(failed, 0, x).astype(np.int64), errors


def parse_number(value: object, *, unit: str | None = None) -> Parsed[float]:
    """A number: int/float (not bool, not ±inf) or text such as "1,234", "１２３４", "12件", "1e3", "-5".

    ``unit`` is the field's own unit, also allowed after the number. Negative numbers are kept.
    """
    return shared_reader(_NumberReader, unit).parse(value)


def parse_number_series(series: pd.Series[Any], *, unit: str | None = None) -> ParsedColumn:
    """:func:`parse_number` over a column; values are float64."""
    return shared_reader(_NumberReader, unit).parse_series(series)


def parse_count(value: object, *, unit: str | None = None) -> Parsed[int]:
    """A whole number read as :func:`parse_number`: 12.0 → 12, 12.5 → "应为整数"; the value is an int."""
    return shared_reader(_CountReader, unit).parse(value)


def parse_count_series(series: pd.Series[Any], *, unit: str | None = None) -> ParsedColumn:
    """:func:`parse_count` over a column; values are Int64."""
    return shared_reader(_CountReader, unit).parse_series(series)


# ---------------------------------------------------------------- percent

_PERCENT = rf"(?P<num>[+-]?{PLAIN_NUMBER}) ?(?P<sign>[%‰]?)"


class _PercentReader(ValueReader[float]):
    out: ClassVar[OutKind] = "float"
    reason = PERCENT_UNREADABLE

    def one_text(self, text: str) -> Parsed[float]:
        match = compiled_regex(_PERCENT).fullmatch(text)
        if match is None:
            return fail_with(self.reason)
        x = float(match["num"])
        if not math.isfinite(x):
            return fail_with(self.reason)
        if match["sign"] == "‰":
            return fail_with(PERCENT_PERMILLE)
        if match["sign"] == "%":
            return Parsed(x / 100) if 0 <= x <= 100 else fail_with(PERCENT_RANGE)
        return self.one_number(x)

    def one_number(self, x: float) -> Parsed[float]:
        if not math.isfinite(x):
            return fail_with(self.reason)
        if not 0 <= x <= 100:
            return fail_with(PERCENT_RANGE)
        return Parsed(x / 100 if x > 1 else x)

    def many_text(self, arr: Any) -> ManyParsed:
        shaped = _matches(arr, _PERCENT)
        x, sign = np.full(len(arr), np.nan), np.full(len(arr), "", dtype=object)
        if shaped.any():
            text = arr.filter(pa.array(shaped))
            sign[shaped] = pc.utf8_slice_codeunits(text, -1).to_numpy(zero_copy_only=False)
            x[shaped] = float_of(pc.utf8_rtrim(text, characters="%‰ "))
        values, errors = self.many_number(x)
        errors[(sign == "‰") & np.isfinite(x)] = PERCENT_PERMILLE
        with_sign = (sign == "%") & np.isfinite(x)
        errors[with_sign] = None
        errors[with_sign & ~((x >= 0) & (x <= 100))] = PERCENT_RANGE
        values[with_sign] = x[with_sign] / 100
        return values, errors

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        errors, _ = value_checks((~np.isfinite(x), self.reason), (~((x >= 0) & (x <= 100)), PERCENT_RANGE))
        return np.where(x > 1, x / 100, x), errors


def parse_percent(value: object) -> Parsed[float]:
    """A share as a fraction 0..1.

    "95%", "９５％", "95 %" → 0.95 (a % sign divides by 100); a bare number above 1 is percent points
    (95, "95" → 0.95); a bare number at most 1 is already a fraction (0.95 → 0.95, **1 → 1.0 = 100%**,
    0.5 → 50%: write "0.5%" for half a percent). Outside 0–100% fails; "95‰" fails rather than being guessed.
    """
    return shared_reader(_PercentReader).parse(value)


def parse_percent_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_percent` over a column; values are float64 fractions."""
    return shared_reader(_PercentReader).parse_series(series)
