"""A workbook as the reader sees it: sheet names and states, the 1904 flag, cell grids by sheet name,
and the cells a parser cannot show (error values, formulas without a cached value), flagged per sheet.

Opening goes through :mod:`lawgov_metrics.intake.guard.safety` first, so no parser sees a file that could
exhaust memory or hang; an unreadable file raises :class:`~lawgov_metrics.intake.guard.safety.UnreadableFile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from lawgov_metrics.intake.read.columnar import Body, Table

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
    _book: Any = None
    _excel: Any = None  # fastexcel's reader, for big sheets
    _rows: dict[str, list[list[Any]]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list[Any]]:
        """Raw cell values as rows; row 0 / column 0 are Excel's row 1 / column A. Blanks are ""."""
        if sheet not in self._rows:
            self._rows[sheet] = self._read(sheet)
        return self._rows[sheet]

    def grid(self, sheet: str) -> pd.DataFrame:
        return pd.DataFrame(self.rows(sheet), dtype=object)

    def _read(self, sheet: str) -> list[list[Any]]:
        """One sheet through calamine, the workbook opened once per file; only sheets the scan cleared."""
        from python_calamine import CalamineWorkbook

        from lawgov_metrics.intake.guard.safety import calamine_errors

        info = self._info.sheet(sheet)
        if info.problem is not None:
            raise info.problem
        if info.kind != "worksheet":
            return []
        with calamine_errors(sheet):
            if self._book is None:
                self._book = CalamineWorkbook.from_path(str(self.path))
            rows: list[list[Any]] = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return rows

    def table(self, sheet: str) -> Table | None:
        """A big worksheet by column (see :mod:`lawgov_metrics.intake.read.columnar`): its first rows from the
        XML, and the rows below a header as typed columns through fastexcel. None for a small sheet, which
        :meth:`rows` reads faster."""
        import zipfile

        from lawgov_metrics.intake.read.columnar import BIG_SHEET_ROWS, Table
        from lawgov_metrics.intake.read.ledger_sheet import HEADER_SCAN_ROWS
        from lawgov_metrics.intake.read.xlsx_head import sheet_head

        info = self._info.sheet(sheet)
        if info.problem is not None or info.kind != "worksheet" or info.max_row < BIG_SHEET_ROWS:
            return None
        try:
            head = sheet_head(self.path, info.part, HEADER_SCAN_ROWS)
        except (
            OSError,
            ValueError,
            KeyError,
            SyntaxError,
            zipfile.BadZipFile,
        ):  # cell by cell, which says why
            return None
        return Table(head, lambda header_row: self._body(sheet, header_row))

    def _body(self, sheet: str, header_row: int) -> Body | None:
        """The rows under the header as Arrow columns; None when a column mixes types (say numbers and text),
        which only the cell-by-cell reader keeps exact."""
        import logging

        import fastexcel

        from lawgov_metrics.intake.read.columnar import Body, arrow_series

        logging.getLogger("fastexcel").setLevel(logging.ERROR)  # "falling back to string" for an empty column
        try:
            if self._excel is None:  # opened once per file: its shared strings are parsed once for all sheets
                self._excel = fastexcel.read_excel(str(self.path))
            loaded = self._excel.load_sheet(
                sheet,
                header_row=header_row,
                schema_sample_rows=None,  # a type guessed from the first rows would blank later cells
                dtype_coercion="strict",
            )
            positions = [c.absolute_index for c in loaded.selected_columns]
            batch = loaded.to_arrow()
        except Exception:
            return None
        series = {p: arrow_series(batch.column(i)) for i, p in enumerate(positions)}
        return Body(series, batch.num_rows)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None
        self._excel = None
        self._rows.clear()

    def flagged(self, sheet: str) -> Flags:
        return self.flags.get(sheet, {})


def open_workbook(path: Path, label: str) -> WorkbookView:
    from lawgov_metrics.intake.guard.safety import inspect_xlsx

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
