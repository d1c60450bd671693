"""One workbook → reported figures, ledger records and issues.

A filled template (汇总表 + ledger sheets, one unit and year) is the normal case; any workbook may also
carry long tables (单位, 年度, 字段, 数值[, 期间]) or ledger sheets named after a ledger with a 单位 column.
Cell values come from :mod:`lawgov_metrics.intake.guard.safety` (checked before any parser sees them); error
cells and formulas without a cached value are flagged there, since a parser shows both as blanks.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from lawgov_metrics import layout
from lawgov_metrics.catalogue.models import Catalogue, Ledger
from lawgov_metrics.intake.guard.safety import UnreadableFile
from lawgov_metrics.intake.parse.periods import parse_year
from lawgov_metrics.intake.read.file_read import FileRead, field_lookup, ledger_lookup, unknown_field
from lawgov_metrics.intake.read.held import HELD_UNIT, HELD_YEAR, Held, held_issues
from lawgov_metrics.intake.read.ledger_sheet import (
    RawLedger,
    SheetSource,
    extract_ledger,
    is_blank,
    loose_label,
)
from lawgov_metrics.intake.read.long_table import looks_like_long_table, read_long_table
from lawgov_metrics.intake.read.merges import merged_record_issues
from lawgov_metrics.intake.read.remarks import Remarks
from lawgov_metrics.intake.read.values import RawValue
from lawgov_metrics.intake.read.view import WorkbookView
from lawgov_metrics.issues import Issue, cell_ref

INTERNAL_SHEETS = {layout.META_SHEET, layout.GUIDE_SHEET, "_lists"}
__all__ = ["FileRead", "ledger_lookup", "looks_like_long_table", "read_long_table", "read_workbook"]


def read_workbook(
    view: WorkbookView, catalogue: Catalogue, resolve_unit: Callable[[str], str | None]
) -> FileRead:
    out = FileRead(file=view.label, date1904=view.date1904)
    ledgers = ledger_lookup(catalogue)
    states = dict(view.sheets)
    for name, state in view.sheets:
        if state != "visible" and name not in INTERNAL_SHEETS:
            out.issues.append(
                Issue(
                    "sheet-hidden",
                    f"工作表“{name}”是隐藏的，未读取（如需计入请取消隐藏）",
                    file=view.label,
                    sheet=name,
                )
            )
    meta = _read_meta(view) if layout.META_SHEET in states else {}
    if meta.get("catalogue_sha256") and meta["catalogue_sha256"] != catalogue.sha256:
        out.issues.append(
            Issue(
                "catalogue-outdated",
                f"此文件由指标目录 {meta.get('catalogue_version', '?')} 生成的模板填写，与当前目录 {catalogue.version} 不同；"
                "请核对新增或调整的项目",
                file=view.label,
                sheet=layout.META_SHEET,
            )
        )
    unit, year = None, None
    template = states.get(layout.SUMMARY_SHEET) == "visible"
    # a template whose unit or year is unknown (the issue says why): its figures and ledger sheets are still
    # checked, so the file's other problems are reported too, but held apart — they cannot be placed
    held, held_ledgers = Held(), dict[str, list[RawLedger]]()
    if template:
        first_raw, first_invalid = len(out.raws), len(out.invalid)
        unit, year = _read_summary(view, catalogue, resolve_unit, out)
        if unit is None or year is None:
            held = Held(out.raws[first_raw:], year)
            del out.raws[first_raw:], out.invalid[first_invalid:]
    unplaced = template and (unit is None or year is None)
    for name, state in view.sheets:
        if state != "visible" or name in INTERNAL_SHEETS or name == layout.SUMMARY_SHEET:
            continue
        ledger_id = ledgers.get(loose_label(name))
        if ledger_id is not None:
            ledger = catalogue.ledgers_by_id[ledger_id]
            source = SheetSource(view.label, name, unit=unit, year=year, date1904=view.date1904)
            try:
                raw, issues = _read_ledger_sheet(view, name, ledger, source)
            except UnreadableFile as exc:  # this sheet only; the others stay readable
                out.issues.append(Issue(exc.code, exc.message, file=view.label, sheet=name))
                continue
            out.issues += issues + merged_record_issues(view, name, raw)
            if raw is not None:
                (held_ledgers if unplaced else out.ledgers).setdefault(ledger_id, []).append(raw)
            if unit is not None and year is not None:
                # A sheet with its header alone says nothing, not "zero records": only records supply a
                # ledger. "None happened" is an explicit 0 (or 未发生) in 汇总表.
                if raw is not None and len(raw.rows):
                    out.coverage.append((ledger_id, unit, year))
                out.units.add(unit)
                out.years.add(year)
            continue
        # a big sheet's first rows, from its XML: no long-table header there and something written, no full read
        head = [] if (big := view.table(name)) is None else big.head
        filled = any(not is_blank(v) for row in head for v in row)
        if filled and not looks_like_long_table(pd.DataFrame(head, dtype=object)):
            message = f"工作表“{name}”既不是台账也不是长表，未读取"
            out.issues.append(Issue("sheet-unknown", message, file=view.label, sheet=name))
            continue
        try:
            rows = view.rows(name)
        except UnreadableFile as exc:  # this sheet only; the others stay readable
            out.issues.append(Issue(exc.code, exc.message, file=view.label, sheet=name))
            continue
        if looks_like_long_table(grid := pd.DataFrame(rows, dtype=object)):
            read_long_table(grid, catalogue, resolve_unit, out, sheet=name)
        elif not template or any(not is_blank(v) for row in rows for v in row):
            out.issues.append(
                Issue(
                    "sheet-unknown",
                    f"工作表“{name}”既不是台账也不是长表，未读取",
                    file=view.label,
                    sheet=name,
                )
            )
    if held.values or held_ledgers:
        out.issues += held_issues(catalogue, out.file, view.date1904, held, held_ledgers)
    return out


def _read_ledger_sheet(
    view: WorkbookView, sheet: str, ledger: Ledger, source: SheetSource
) -> tuple[RawLedger | None, list[Issue]]:
    """A ledger sheet: a big one by column when its columns are of one type each, else cell by cell."""
    table = view.table(sheet)
    read = None if table is None else table.ledger(ledger, source, view.flagged(sheet))
    return read if read is not None else extract_ledger(view.rows(sheet), ledger, source, view.flagged(sheet))


def _read_meta(view: WorkbookView) -> dict[str, str]:
    meta = {}
    for row in view.rows(layout.META_SHEET):
        if len(row) >= 2 and not is_blank(row[0]):
            meta[str(row[0]).strip()] = "" if is_blank(row[1]) else str(row[1]).strip()
    return meta


def _at(rows: list[list[object]], r: int, c: int) -> object:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def _find_label(rows: list[list[object]], label: str, max_rows: int = 10) -> tuple[int, int] | None:
    target = loose_label(label)
    for r, row in enumerate(rows[:max_rows]):
        for c, value in enumerate(row[:4]):
            if loose_label(value) == target:
                return r, c
    return None


def _value_right_of(rows: list[list[object]], r: int, c: int) -> tuple[object, int]:
    """The cell right of a label (layout: label in A, value in B); cells further right are hints."""
    return _at(rows, r, c + 1), c + 1


def _read_summary(
    view: WorkbookView, catalogue: Catalogue, resolve_unit: Callable[[str], str | None], out: FileRead
) -> tuple[str | None, int | None]:
    sheet = layout.SUMMARY_SHEET
    grid = view.rows(sheet)
    flagged = view.flagged(sheet)
    unit: str | None = None
    year: int | None = None
    where = _find_label(grid, layout.UNIT_LABEL)
    raw_unit, col = _value_right_of(grid, *where) if where else (None, 1)
    unit_cell = cell_ref((where[0] if where else 1) + 1, col + 1)
    if is_blank(raw_unit):
        out.issues.append(
            Issue(
                "unit-missing", f"“{layout.UNIT_LABEL}”未填写", file=view.label, sheet=sheet, cell=unit_cell
            )
        )
    else:
        unit = resolve_unit(str(raw_unit))
        if unit is None:
            out.issues.append(
                Issue(
                    "unit-unknown",
                    f"单位「{raw_unit}」不在单位名册中；请使用名册中的单位全称或别名",
                    file=view.label,
                    sheet=sheet,
                    cell=unit_cell,
                    value=str(raw_unit),
                )
            )
    where = _find_label(grid, layout.YEAR_LABEL)
    raw_year, col = _value_right_of(grid, *where) if where else (None, 1)
    year_cell = cell_ref((where[0] if where else 2) + 1, col + 1)
    parsed_year = parse_year(raw_year)
    if parsed_year.blank:
        out.issues.append(
            Issue(
                "year-missing", f"“{layout.YEAR_LABEL}”未填写", file=view.label, sheet=sheet, cell=year_cell
            )
        )
    elif parsed_year.error is not None:
        out.issues.append(
            Issue(
                "year-invalid",
                f"“{layout.YEAR_LABEL}”{parsed_year.error}",
                file=view.label,
                sheet=sheet,
                cell=year_cell,
                value=str(raw_year),
            )
        )
    else:
        year = parsed_year.value
        plan = catalogue.plan.period
        if year is not None and not plan.start - 1 <= year <= plan.end:
            out.issues.append(
                Issue(
                    "year-invalid",
                    f"填报年度 {year} 不在规划期 {plan.start}—{plan.end} 年（及上一年基数）内",
                    file=view.label,
                    sheet=sheet,
                    cell=year_cell,
                    value=str(raw_year),
                )
            )
            year = None
    read = unit, year
    if (
        unit is None or year is None
    ):  # the figures are still read and checked, then held apart (read_workbook)
        unit, year = unit or HELD_UNIT, year or HELD_YEAR
    else:
        out.units.add(unit)
        out.years.add(year)
    header = _find_label(grid, layout.COL_FIELD_ID, max_rows=15)
    if header is None:
        out.issues.append(
            Issue(
                "header-missing", f"汇总表中找不到表头“{layout.COL_FIELD_ID}”", file=view.label, sheet=sheet
            )
        )
        return read
    header_row = header[0]
    columns = {loose_label(v): c for c, v in enumerate(grid[header_row]) if not is_blank(v)}
    id_col = columns.get(loose_label(layout.COL_FIELD_ID), 0)
    name_col = columns.get(loose_label(layout.COL_FIELD_NAME), 1)
    period_cols = {
        code: columns[loose_label(label)]
        for code, label in layout.PERIOD_COLUMNS.items()
        if loose_label(label) in columns
    }
    # the clerk's 备注 column; templates made before it have none
    remark_col = next((columns[k] for k in map(loose_label, layout.REMARK_HEADERS) if k in columns), None)
    fields = field_lookup(catalogue)
    for r in range(header_row + 1, len(grid)):
        key = _at(grid, r, id_col) if not is_blank(_at(grid, r, id_col)) else _at(grid, r, name_col)
        if is_blank(key):
            continue
        field = fields.get(loose_label(key))
        excel_row = r + 1
        if field is None:
            if any(not is_blank(_at(grid, r, c)) for c in period_cols.values()):
                out.issues.append(
                    Issue(
                        "field-unknown",
                        unknown_field(catalogue, key),
                        file=view.label,
                        sheet=sheet,
                        cell=cell_ref(excel_row, id_col + 1),
                        value=str(key),
                    )
                )
            continue
        remarks = _summary_remarks(grid, r, remark_col, flagged, out, field.name)
        for period in layout.GRANULARITY_PERIODS[field.period]:
            c = period_cols.get(period)
            if c is None:
                continue
            ref = cell_ref(excel_row, c + 1)
            if (r, c) in flagged:
                code, text = flagged[(r, c)]
                out.issues.append(
                    Issue(code, f"「{field.name}」{text}", file=view.label, sheet=sheet, cell=ref, unit=unit)
                )
                out.invalid.append((unit, year, field.id))
                continue
            out.raws.append(
                RawValue(unit, year, period, field.id, _at(grid, r, c), view.label, sheet, ref, remarks)
            )
    return read


def _summary_remarks(
    grid: list[list[object]],
    r: int,
    c: int | None,
    flagged: dict[tuple[int, int], tuple[str, str]],
    out: FileRead,
    name: str,
) -> Remarks | None:
    """The 备注 of a summary row, which goes with each figure of the row."""
    if c is None:
        return None
    ref = cell_ref(r + 1, c + 1)
    if (r, c) in flagged:  # an error value, a formula without a value: said, not taken as the note
        code, text = flagged[(r, c)]
        out.issues.append(
            Issue(code, f"「{name}」的备注{text}", file=out.file, sheet=layout.SUMMARY_SHEET, cell=ref)
        )
        return None
    return None if is_blank(_at(grid, r, c)) else Remarks(note=_at(grid, r, c), cells=("", "", ref))
