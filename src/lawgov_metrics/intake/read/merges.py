"""Merged cells among a ledger's records, named: Excel keeps a merged range's value in its top-left cell
only, so the reader sees the other cells as blank. A merged title or header above the records is fine
(the header search copes with it); a merge that reaches a record row is reported, once per range, with
the range, the rows and the cell that holds the value, and the rows are read as they are (never filled
in by guess).

The ranges come from the guard's scan of the sheet XML (``<mergeCell ref="A3:A5"/>``), so the check
costs no second read of the sheet.
"""

from __future__ import annotations

import re

import numpy as np

from lawgov_metrics.intake.read.ledger_sheet import RawLedger
from lawgov_metrics.intake.read.view import WorkbookView
from lawgov_metrics.issues import Issue

MERGES_REPORTED = 20  # per sheet; beyond, one issue counting the rest
_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?")


def _rows_of(ref: str) -> tuple[str, str, int, int] | None:
    """``A3:B5`` → ("A3", "A3:B5", 3, 5); None for a reference that is not a cell range."""
    found = _REF.fullmatch(ref.strip().upper())
    if found is None:
        return None
    first_col, first_row, last_col, last_row = found.groups()
    top, bottom = int(first_row), int(last_row or first_row)
    shown = f"{first_col}{top}:{last_col or first_col}{bottom}"
    return f"{first_col}{top}", shown, min(top, bottom), max(top, bottom)


def merged_ranges(view: WorkbookView, sheet: str) -> tuple[str, ...]:
    info = view._info.sheet(sheet) if view._info is not None else None
    return tuple(info.merged_ranges) if info is not None else ()


def merged_record_issues(view: WorkbookView, sheet: str, raw: RawLedger | None) -> list[Issue]:
    """One ``ledger-merged-cells`` issue per merged range reaching a record row of the ledger ``raw``."""
    ranges = merged_ranges(view, sheet)
    if raw is None or not ranges or not len(raw.rows):
        return []
    rows = np.sort(np.asarray(raw.rows, dtype=np.int64))
    found = []
    for ref in ranges:
        parsed = _rows_of(ref)
        if parsed is None:
            continue
        first, shown, top, bottom = parsed
        at = int(np.searchsorted(rows, top))
        if at < len(rows) and rows[at] <= bottom:
            found.append((first, shown, top, bottom))
    issues = []
    for first, shown, top, bottom in found[:MERGES_REPORTED]:
        span = f"第 {top}—{bottom} 行" if bottom > top else f"第 {top} 行"
        issues.append(
            Issue(
                "ledger-merged-cells",
                f"{shown} 是合并单元格（{span}）：Excel 只在左上角 {first} 保存内容，其余单元格按空白读取；"
                "请取消合并，并在每行、每列分别填写",
                file=raw.source.file,
                sheet=raw.source.sheet,
                cell=shown,
                row=top,
            )
        )
    if len(found) > MERGES_REPORTED:
        rest = "、".join(shown for _, shown, _, _ in found[MERGES_REPORTED : MERGES_REPORTED + 5])
        issues.append(
            Issue(
                "ledger-merged-cells",
                f"另有 {len(found) - MERGES_REPORTED} 处合并单元格（{rest} 等），均按空白读取其余单元格；"
                "请取消合并后逐行填写",
                file=raw.source.file,
                sheet=raw.source.sheet,
            )
        )
    return issues
