"""What reading a cell comes to: a value, *blank*, or a failure with a short Chinese reason.

:class:`Parsed` is one cell read, :class:`ParsedColumn` a column. Each reason maps to an issue code of
:mod:`lawgov_metrics.issues` by :data:`REASON_CODES`; a failure is never a silent NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pandas as pd

T_co = TypeVar("T_co", covariant=True)

YEAR_MIN, YEAR_MAX = 1990, 2100  # plausible years, as DATE_RANGE and YEAR_RANGE tell the user


# ---------------------------------------------------------------- reasons

NUMBER_UNREADABLE = "无法识别为数字"
NUMBER_NOT_WHOLE = "应为整数"
NUMBER_TOO_LARGE = "数值过大"
PERCENT_UNREADABLE = "无法识别为百分比"
PERCENT_RANGE = "百分比超出 0–100%"
PERCENT_PERMILLE = "请用百分号（%）填写，不要用千分号（‰）"
BOOL_UNREADABLE = "无法识别为是/否"
DATE_UNREADABLE = "无法识别的日期"
DATE_INVALID = "日期不存在"
TIME_INVALID = "时间不存在"
DATE_RANGE = "日期超出合理范围"
PERIOD_UNREADABLE = "无法识别的期间"
PERIOD_YEAR = "期间的年份与填报年度不一致"
YEAR_UNREADABLE = "无法识别的年度"
YEAR_RANGE = "年度应为 1990–2100 的四位年份"
ID_UNREADABLE = "无法识别的编号"
ID_PRECISION = "编号超过15位被存成了数字，已丢失精度，请将该列设为文本格式后重新填写"
ID_FRACTION = "编号被存成了小数，请将该列设为文本格式后重新填写"
ID_DATE = "编号被 Excel 识别成了日期，请将该列设为文本格式后重新填写"
CHOICE_UNKNOWN = "不在可选值中"
TEXT_UNREADABLE = "无法识别为文本"

REASON_CODES: dict[str, str] = {
    NUMBER_UNREADABLE: "value-type",
    NUMBER_NOT_WHOLE: "value-type",
    NUMBER_TOO_LARGE: "value-out-of-range",
    PERCENT_UNREADABLE: "value-type",
    PERCENT_RANGE: "value-out-of-range",
    PERCENT_PERMILLE: "value-type",
    BOOL_UNREADABLE: "value-type",
    DATE_UNREADABLE: "value-type",
    DATE_INVALID: "value-type",
    TIME_INVALID: "value-type",
    DATE_RANGE: "value-out-of-range",
    PERIOD_UNREADABLE: "period-invalid",
    PERIOD_YEAR: "period-invalid",
    YEAR_UNREADABLE: "year-invalid",
    YEAR_RANGE: "year-invalid",
    ID_UNREADABLE: "value-type",
    ID_PRECISION: "value-id-precision",
    ID_FRACTION: "value-type",
    ID_DATE: "value-type",
    CHOICE_UNKNOWN: "value-choice",
    TEXT_UNREADABLE: "value-type",
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T_co]):
    """One cell read: ``value`` when it was read, ``error`` (a Chinese reason) when it failed, neither if blank."""

    value: T_co | None = None
    error: str | None = None

    @property
    def blank(self) -> bool:
        return self.value is None and self.error is None

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def code(self) -> str | None:
        """The issue code of the failure (see :mod:`lawgov_metrics.issues`)."""
        return None if self.error is None else REASON_CODES[self.error]


BLANK: Parsed[Any] = Parsed()


def fail_with(reason: str) -> Parsed[Any]:
    return Parsed(error=reason)


@dataclass(frozen=True, slots=True)
class ParsedColumn:
    """A column read: ``values`` (missing where blank or failed), ``error`` (reason or None), ``blank``."""

    values: pd.Series[Any]
    error: pd.Series[Any]
    blank: pd.Series[bool]

    @property
    def bad(self) -> pd.Series[bool]:
        return self.error.notna()
