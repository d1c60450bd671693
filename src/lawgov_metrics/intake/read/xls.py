"""A legacy .xls workbook (Excel 97-2003 or WPS .et: BIFF in an OLE container) read through calamine, bounded.

The guard tells a legacy workbook from an encrypted one or another OLE document (``sniff`` says
``file-legacy-xls``) and caps its size on disk. Here the workbook is opened by calamine from its bytes (a
renamed file is read for what it is) and every sheet's range is checked against the same
:class:`~lawgov_metrics.intake.guard.limits.ReadLimits` (sheets, rows, columns, cells) before any cell reaches
the reader; a sheet over a bound is refused alone, as in an .xlsx. BIFF itself caps a sheet at 65,536 rows ×
256 columns, so calamine's own allocation is bounded by the format. calamine reads an error value (#DIV/0!)
as a blank cell, so :func:`error_flags` finds them with xlrd and flags them as in an .xlsx (数据有误); a formula
without a cached value still reads as a blank cell: 缺数据, never a figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lawgov_metrics.intake.guard.limits import (
    ReadLimits,
    SheetInfo,
    SheetKind,
    SheetState,
    UnreadableFile,
    WorkbookInfo,
)
from lawgov_metrics.intake.read.view import FLAG_TEXTS, Flags, WorkbookView

LEGACY_KIND = "file-legacy-xls"  # the guard's word for a workbook this module reads
_DAMAGED = "旧版 Excel（.xls）工作簿已损坏，无法解析；请在 Excel 中打开后另存为 .xlsx 再提交"


def sniff_or_legacy(path: Path) -> str:
    """What the guard says the file is; a legacy .xls, which it names but does not open, is ``"xls"``."""
    from lawgov_metrics.intake.guard.safety import sniff

    try:
        return sniff(path)
    except UnreadableFile as exc:
        if exc.code == LEGACY_KIND:
            return "xls"
        raise


def open_xls(path: Path, label: str, limits: ReadLimits | None = None) -> WorkbookView:
    """The workbook as the reader sees it; raises :class:`UnreadableFile` when calamine cannot parse it or it
    has more sheets than the limits allow."""
    from python_calamine import CalamineError, CalamineWorkbook

    limits = limits or ReadLimits()
    try:
        with path.open("rb") as source:
            book = CalamineWorkbook.from_filelike(source)
        metadata = book.sheets_metadata
        if not metadata:  # a workbook stream with no sheet in it: BIFF that calamine could not follow
            raise UnreadableFile("file-corrupt", _DAMAGED)
        if len(metadata) > limits.max_sheets:
            raise UnreadableFile(
                "file-too-large", f"工作簿有 {len(metadata)} 个工作表，超过上限 {limits.max_sheets}"
            )
        sheets = tuple(_sheet(book, meta, limits) for meta in metadata)
    except (CalamineError, ValueError):  # calamine's own words are English
        raise UnreadableFile("file-corrupt", _DAMAGED) from None
    info = WorkbookInfo(path=path, date1904=False, sheets=sheets, limits=limits)
    return WorkbookView(
        path=path,
        label=label,
        sheets=[(s.name, s.state) for s in sheets],
        flags=error_flags(path, sheets),
        _info=info,
        _book=book,  # already open: the view reads its sheets from it
    )


ERROR_SCAN_CELLS = 2_000_000  # a sheet's cells: xlrd holds a Python object per cell while it looks


def error_flags(path: Path, sheets: tuple[SheetInfo, ...]) -> dict[str, Flags]:
    """Each sheet's error cells (#DIV/0!, #N/A …), flagged as in an .xlsx so that they read as 数据有误, not
    as blanks: calamine reads an .xls error as an empty cell, xlrd (the .xls reader) keeps it. Only sheets
    within the bounds and of at most :data:`ERROR_SCAN_CELLS` cells are looked at, one at a time; a file xlrd
    cannot follow is left to calamine's reading (no flags, no failure)."""
    wanted = [
        s.name
        for s in sheets
        if s.kind == "worksheet" and s.problem is None and 0 < s.cell_count <= ERROR_SCAN_CELLS
    ]
    if not wanted:
        return {}
    import xlrd  # type: ignore[import-untyped]

    flags: dict[str, Flags] = {}
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=_Quiet())
    except Exception:  # xlrd raises many kinds for a file calamine could read: no flags
        return {}
    try:
        for name in wanted:
            try:
                sheet = book.sheet_by_name(name)
            except Exception:  # one sheet xlrd cannot follow: no flags for it
                continue
            marks: Flags = {}
            for row in range(sheet.nrows):
                types = sheet.row_types(row)
                if xlrd.XL_CELL_ERROR not in types:
                    continue
                values = sheet.row_values(row)
                for col, kind in enumerate(types):
                    if kind == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(values[col], "#错误")
                        marks[(row, col)] = ("value-error-cell", f"{FLAG_TEXTS['value-error-cell']} {text}")
            if marks:
                flags[name] = marks
            book.unload_sheet(name)
    finally:
        book.release_resources()
    return flags


class _Quiet:
    """xlrd's log: its warnings are in English and for developers, not for the clerk."""

    def write(self, _: str) -> int:
        return 0


def _sheet(book: Any, meta: Any, limits: ReadLimits) -> SheetInfo:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    state: SheetState = "visible"
    if meta.visible == SheetVisibleEnum.Hidden:
        state = "hidden"
    elif meta.visible == SheetVisibleEnum.VeryHidden:
        state = "veryHidden"
    kind: SheetKind = "worksheet" if meta.typ == SheetTypeEnum.WorkSheet else "chartsheet"
    if kind != "worksheet":
        return SheetInfo(name=meta.name, state=state, kind=kind, part="")
    sheet = book.get_sheet_by_name(meta.name)
    rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end is not None else (0, 0)
    problem = None
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        problem = UnreadableFile(
            "sheet-too-large",
            f"工作表“{meta.name}”的范围为 {rows:,} 行 × {columns:,} 列，超过上限 "
            f"{limits.max_rows:,} 行 × {limits.max_columns:,} 列（{limits.max_cells:,} 个单元格）",
            sheet=meta.name,
        )
    return SheetInfo(
        name=meta.name,
        state=state,
        kind=kind,
        part="",
        max_row=rows,
        max_column=columns,
        cell_count=rows * columns,
        problem=problem,
    )
