"""Reporting periods ("Y", "H1", "H2", "Q1".."Q4"), the period a date falls in, and years.

Decisions on ambiguous input (each one is pinned by a test):

* Periods: an optional leading year ("2024年上半年") is checked against the submission year when given.
* Years: four digits within 1990–2100 ("24" fails rather than being guessed as 2024).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, ClassVar, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import ASCII_LOWER, compiled_regex
from lawgov_metrics.intake.parse.numbers import PLAIN_NUMBER
from lawgov_metrics.intake.parse.outcomes import (
    PERIOD_UNREADABLE,
    PERIOD_YEAR,
    YEAR_MAX,
    YEAR_MIN,
    YEAR_RANGE,
    YEAR_UNREADABLE,
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
    is_whole,
    reasons_for,
    shared_reader,
    value_checks,
)

Granularity = Literal["year", "half", "quarter"]


def _period_words() -> dict[str, str]:
    words = dict.fromkeys(("", "全年", "全年度", "年度", "年", "本年", "本年度", "y", "fy"), "Y")
    words |= dict.fromkeys(("上半年", "上半年度", "上半", "h1", "1h"), "H1")
    words |= dict.fromkeys(("下半年", "下半年度", "下半", "h2", "2h"), "H2")
    for q, numeral in enumerate("一二三四", start=1):
        for first in ("", "第"):
            for number in (numeral, str(q)):
                words |= dict.fromkeys((f"{first}{number}季度", f"{first}{number}季"), f"Q{q}")
        words |= dict.fromkeys((f"q{q}", f"{q}q"), f"Q{q}")
    spans = {
        (1, 12): "Y",
        (1, 6): "H1",
        (7, 12): "H2",
        (1, 3): "Q1",
        (4, 6): "Q2",
        (7, 9): "Q3",
        (10, 12): "Q4",
    }
    for (first_month, last_month), code in spans.items():
        words |= dict.fromkeys((f"{first_month}-{last_month}月", f"{first_month}月-{last_month}月"), code)
    return words


PERIOD_WORDS = _period_words()
_PERIOD = r"(?:(?P<year>[0-9]{4})(?:年度|年|[-_/.])?)?(?P<rest>.*)"
_DASHES = "[—–~至到]"


class _PeriodReader(ValueReader[str]):
    out: ClassVar[OutKind] = "text"
    reason = PERIOD_UNREADABLE

    def __init__(self, year: int | None) -> None:
        self.year = year

    def one_text(self, text: str) -> Parsed[str]:
        key = compiled_regex(_DASHES).sub("-", text.replace(" ", "").translate(ASCII_LOWER))
        match = compiled_regex(_PERIOD).fullmatch(key)
        code = None if match is None else PERIOD_WORDS.get(match["rest"])
        if match is None or code is None:
            return fail_with(self.reason)
        if self.year is not None and match["year"] and int(match["year"]) != self.year:
            return fail_with(PERIOD_YEAR)
        return Parsed(code)

    def many_text(self, arr: Any) -> ManyParsed:
        key = pc.replace_substring_regex(pc.ascii_lower(pc.replace_substring(arr, " ", "")), _DASHES, "-")
        found = pc.extract_regex(key, pattern=f"^(?:{_PERIOD})$")  # always matches: .* takes the rest
        rest = found.field("rest")
        index = pc.index_in(rest, value_set=pa.array(list(PERIOD_WORDS), type=rest.type))
        known = index.is_valid().to_numpy(zero_copy_only=False)
        errors = reasons_for(len(arr), ~known, self.reason)
        if self.year is not None:
            year = found.field("year").to_numpy(zero_copy_only=False)
            errors[known & (year != "") & (year != str(self.year))] = PERIOD_YEAR
        return pc.take(pa.array(list(PERIOD_WORDS.values()), type=pa.large_string()), index), errors


def parse_period(value: object, *, year: int | None = None) -> Parsed[str]:
    """A reporting period: "Y", "H1", "H2" or "Q1".."Q4".

    Y: 全年 年度 全年度 年 本年 Y FY 1-12月; H1/H2: 上半年 下半年 H1 1H (any case, any spaces:
    "上 半 年"); quarters: 第一季度 一季度 1季度 第1季 Q1 1Q …; month spans 1-6月, 7-9月 ("至", "～" as dash).
    A leading year ("2024年上半年", "2024H1", "2024年度") is allowed; with ``year`` it must match.
    Blank stays blank: whether blank means the whole year is the caller's decision. Numbers fail.
    """
    return shared_reader(_PeriodReader, year).parse(value)


def parse_period_series(series: pd.Series[Any], *, year: int | None = None) -> ParsedColumn:
    """:func:`parse_period` over a column; values are str."""
    return shared_reader(_PeriodReader, year).parse_series(series)


@overload
def period_of_date(dates: dt.date, granularity: Granularity) -> str: ...
@overload
def period_of_date(dates: pd.Series[Any], granularity: Granularity) -> pd.Series[str]: ...
def period_of_date(dates: dt.date | pd.Series[Any], granularity: Granularity) -> str | pd.Series[str]:
    """The period a date falls in: "Y" for ``year``, "H1"/"H2" for ``half``, "Q1".."Q4" for ``quarter``.

    A Series (datetime64) gives a str Series, missing where the date is missing.
    """
    if not isinstance(dates, pd.Series):
        if granularity == "year":
            return "Y"
        return (
            f"H{1 if dates.month <= 6 else 2}" if granularity == "half" else f"Q{(dates.month - 1) // 3 + 1}"
        )
    month = pd.to_datetime(dates).dt.month.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(month)
    if granularity == "year":
        codes = np.full(len(month), "Y", dtype=object)
    elif granularity == "half":
        codes = np.where(month <= 6, "H1", "H2").astype(object)
    else:
        codes = np.array(["Q1", "Q2", "Q3", "Q4"], dtype=object)[
            (np.nan_to_num(month, nan=1) - 1).astype(int) // 3
        ]
    codes[missing] = None
    return pd.Series(codes, index=dates.index, dtype="str")


# ---------------------------------------------------------------- years

_YEAR = rf"(?P<num>{PLAIN_NUMBER}) ?(?:年度|年)?"


class _YearReader(ValueReader[int]):
    out: ClassVar[OutKind] = "int"
    reason = YEAR_UNREADABLE

    def one_text(self, text: str) -> Parsed[int]:
        match = compiled_regex(_YEAR).fullmatch(text)
        return fail_with(self.reason) if match is None else self.one_number(float(match["num"]))

    def one_number(self, x: float) -> Parsed[int]:
        if not math.isfinite(x) or x != math.floor(x):
            return fail_with(self.reason)
        return Parsed(int(x)) if YEAR_MIN <= x <= YEAR_MAX else fail_with(YEAR_RANGE)

    def many_text(self, arr: Any) -> ManyParsed:
        shaped = _matches(arr, _YEAR)
        x = np.full(len(arr), np.nan)
        x[shaped] = float_of(pc.utf8_rtrim(arr.filter(pa.array(shaped)), characters="年度 "))
        return self.many_number(x)

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        errors, failed = value_checks(
            (~is_whole(x), self.reason), ((x < YEAR_MIN) | (x > YEAR_MAX), YEAR_RANGE)
        )
        return np.where(failed, 0, x).astype(np.int64), errors


def parse_year(value: object) -> Parsed[int]:
    """A year: 2024, 2024.0, "2024", "2024年", "２０２４年度" → 2024; 24 fails (1990–2100); 2024.5 fails."""
    return shared_reader(_YearReader).parse(value)


def parse_year_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_year` over a column; values are Int64."""
    return shared_reader(_YearReader).parse_series(series)
