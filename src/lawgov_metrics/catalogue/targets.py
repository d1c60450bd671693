"""How the plan's words become targets and due dates — each rule written once.

- A target may be written as a fraction (``value: 2/3`` for 三分之二以上): it is read as the exact float 2/3,
  so a ratio of exactly 2/3 (8 of 12) meets it, where a rounded 0.6666 or 0.6667 would misjudge one side.
- Deadlines (“前”): the due date is the **last day that still counts**, included.
  ``X月Y日前`` → X月Y日 (民法典 第二百零三条: the last day ends at 24:00); ``X月前`` (no day) → the day
  before X月1日, i.e. the last day of month X−1 (4月前 → 3月31日); ``X月底前`` → the last day of X月;
  ``第N季度``/``N季度`` → the quarter's last day; ``年底前``/``年底``/``年内`` → 12月31日.
  :func:`due_in_words` reads a quote by this rule; the catalogue check compares every deadline's ``due``
  and every milestone's ``due`` with the date its quote names.
"""

from __future__ import annotations

import calendar
import re
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

FRACTION = r"^\s*\d+\s*/\s*\d+\s*$"


def fraction(value: object) -> object:
    """``"2/3"`` → exactly ``2/3``; anything else is left to pydantic."""
    if isinstance(value, str) and value.count("/") == 1:
        top, bottom = (part.strip() for part in value.split("/"))
        if top.isdigit() and bottom.isdigit() and int(bottom) > 0:
            return int(top) / int(bottom)
        raise ValueError(f"分数「{value}」应写作 正整数/正整数，如 2/3")
    return value


TargetValue = Annotated[
    float,
    BeforeValidator(fraction),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": FRACTION}],
            "description": "目标值：数字（0.95 表示 95%），或分数（2/3 表示三分之二，按精确值比较）",
        }
    ),
]

_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*前")
_MONTH_END = re.compile(r"(\d{1,2})\s*月底\s*前")
_MONTH = re.compile(r"(\d{1,2})\s*月\s*前")
_QUARTER = re.compile(r"第?([一二三四1-4])\s*季度")
_YEAR_END = re.compile(r"(?<!\d)(\d{4})\s*年\s*(?:年\s*)?底")


def _month_end(month: int) -> tuple[int, int]:
    return month, calendar.monthrange(2023, month)[1]  # a non-leap year: 2月 ends on the 28th


def due_in_words(quote: str) -> tuple[int, int] | None:
    """(month, day) of the last day a deadline in ``quote`` allows, by the rule above; None when the quote
    names no date this rule reads (年初, 及时 …)."""
    if found := _DAY.search(quote):
        return int(found[1]), int(found[2])
    if found := _MONTH_END.search(quote):
        return _month_end(int(found[1]))
    if found := _MONTH.search(quote):
        month = int(found[1])
        return _month_end(month - 1) if month > 1 else (12, 31)
    if found := _QUARTER.search(quote):
        quarter = _CHINESE_DIGITS.get(found[1]) or int(found[1])
        return _month_end(quarter * 3)
    return None


def year_end_in_words(quote: str) -> int | None:
    """The year of ``2022年底前`` / ``2024年年底`` in a quote (a milestone's due date is its 12月31日)."""
    found = _YEAR_END.search(quote)
    return int(found[1]) if found else None
