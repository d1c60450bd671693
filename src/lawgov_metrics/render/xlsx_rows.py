"""The Excel report's row models: a :class:`SheetData` per sheet, its :class:`Column` s and the
:class:`Styled` values that carry their own number format or fill; plain data, drawn by
:mod:`lawgov_metrics.render.xlsx`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

CellType = Literal["text", "int", "number", "percent"]
PERCENT = "0.0%"
POINTS = "0.0#"  # 得分 and other plain numbers: 87.6, 136.31
FILLS: dict[str, str] = {  # Styled.fill → background colour (RGB hex): a status id, or severity:<id>
    "met": "C6EFCE",  # green
    "not_met": "FFC7CE",  # red
    "missing": "FFD8A8",  # orange
    "invalid": "C00000",  # dark red, drawn with white bold text
    "not_applicable": "D9D9D9",  # grey
    "not_yet_due": "D9D9D9",
    "severity:error": "FFC7CE",
    "severity:warning": "FFD8A8",
}
DARK_FILLS = frozenset({"invalid"})
HEADER_FILL = "DDEBF7"
WIDTH_SAMPLE = 2_000  # rows looked at when fitting a column's width
# a cell as the report writes it: (text?, the safe text or the number, the key of its format: number format,
# fill, quote prefix; None for no format)
FormatKey = tuple[str | None, str | None, bool]
Cell = tuple[bool, Any, FormatKey | None]

# ---------------------------------------------------------------- row models


@dataclass(frozen=True)
class Column:
    header: str
    type: CellType = "text"
    max_width: int = 40
    number_format: str | None = None  # default for the column's numbers
    note: str | None = None  # the header cell's comment: what the column holds

    @property
    def cell_format(self) -> str | None:
        """The number format of the column's numbers that carry none of their own."""
        return self.number_format or (PERCENT if self.type == "percent" else None)


class Styled(NamedTuple):  # thousands per report: a tuple costs half a frozen dataclass
    """A value with a cell-specific number format and/or fill (fill: the status or severity id)."""

    value: Any
    number_format: str | None = None
    fill: str | None = None


@dataclass
class SheetData:
    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]] = field(default_factory=list)
    freeze: str | None = "A2"
    autofilter: bool = True
    # the columns printed (all when None): long texts kept for the screen would shrink a fitted page to nothing
    printed_columns: int | None = None

    @property
    def rectangular(self) -> bool:
        """Some rows, each as wide as the columns (what the column-wise writer takes)."""
        return bool(self.rows) and set(map(len, self.rows)) == {len(self.columns)}

    @property
    def last_row(self) -> int:
        """The 1-based spreadsheet row of the last data row (the header is row 1)."""
        return len(self.rows) + 1

    def column_widths(self) -> list[int]:
        """Each column's width in characters: its header or its widest value among the first rows
        (a CJK character counts two), plus a margin, within 6 and the column's ``max_width``."""
        sample = self.rows[:WIDTH_SAMPLE]
        widths = []
        for i, column in enumerate(self.columns):
            widest = _display_width(column.header)
            for value in {row[i] for row in sample}:  # few distinct values: names and quotes repeat
                if widest + 2 >= column.max_width:
                    break
                widest = max(widest, _display_width(value))
            widths.append(max(6, min(column.max_width, widest + 2)))
        return widths


def _display_width(value: Any) -> int:
    if isinstance(value, Styled):
        value = value.value
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    text = str(value)[:200]
    if text.isascii():
        return len(text)
    kinds = Counter(map(unicodedata.east_asian_width, text))
    return len(text) + kinds["W"] + kinds["F"]  # wide and full-width characters take two columns
