"""A workbook as the reader sees it: sheet names and states, the 1904 flag, cell grids by sheet name,
and the cells a parser cannot show (error values, formulas without a cached value), flagged per sheet.

Opening goes through :mod:`lawgov_metrics.intake.safety` first, so no parser sees a file that could
exhaust memory or hang; an unreadable file raises :class:`~lawgov_metrics.intake.safety.UnreadableFile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

FLAG_TEXTS = {"value-error-cell": "单元格为错误值", "value-formula": "公式没有计算结果"}

Flags = dict[tuple[int, int], tuple[str, str]]  # (grid row, grid col) → (issue code, Chinese reason)


@dataclass
class WorkbookView:
    path: Path
    label: str
    sheets: list[tuple[str, str]]  # (name, "visible" | "hidden" | "veryHidden")
    date1904: bool = False
    flags: dict[str, Flags] = field(default_factory=dict)
    _info: Any = None
    _grids: dict[str, pd.DataFrame] = field(default_factory=dict)

    def grid(self, sheet: str) -> pd.DataFrame:
        """Raw cell values, object dtype; grid row 0 / column 0 are Excel's row 1 / column A."""
        if sheet not in self._grids:
            from lawgov_metrics.intake.safety import read_sheet_grid

            self._grids[sheet] = read_sheet_grid(self.path, sheet, self._info)
        return self._grids[sheet]

    def flagged(self, sheet: str) -> Flags:
        return self.flags.get(sheet, {})


def open_workbook(path: Path, label: str) -> WorkbookView:
    from lawgov_metrics.intake.safety import inspect_xlsx

    info = inspect_xlsx(path)
    flags: dict[str, Flags] = {}
    for sheet in info.sheets:
        marks: Flags = {}
        for (row, col), value in sheet.error_cells.items():
            marks[(row, col)] = ("value-error-cell", f"{FLAG_TEXTS['value-error-cell']} {value}")
        for row, col in sheet.formula_cells:
            marks[(row, col)] = ("value-formula", FLAG_TEXTS["value-formula"])
        if marks:
            flags[sheet.name] = marks
    return WorkbookView(
        path=path,
        label=label,
        sheets=[(s.name, s.state) for s in info.sheets],
        date1904=info.date1904,
        flags=flags,
        _info=info,
    )
