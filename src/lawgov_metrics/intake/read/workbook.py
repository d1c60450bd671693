"""One workbook → reported figures, ledger records and issues.

A filled template (汇总表 + ledger sheets, one unit and year) is the normal case; any workbook may also
carry long tables (单位, 年度, 字段, 数值[, 期间]) or ledger sheets named after a ledger with a 单位 column.
Cell values come from :mod:`lawgov_metrics.intake.guard.safety` (checked before any parser sees them); error
cells and formulas without a cached value are flagged there, since a parser shows both as blanks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from lawgov_metrics import layout
from lawgov_metrics.catalogue.models import Catalogue, FieldDef, Ledger
from lawgov_metrics.intake.guard.safety import UnreadableFile
from lawgov_metrics.intake.parse.periods import parse_period, parse_year
from lawgov_metrics.intake.read.held import HELD_UNIT, HELD_YEAR, Held, held_issues
from lawgov_metrics.intake.read.ledger_sheet import (
    RawLedger,
    SheetSource,
    extract_ledger,
    is_blank,
    loose_label,
)
from lawgov_metrics.intake.read.remarks import Remarks, long_table_remarks
from lawgov_metrics.intake.read.values import RawValue
from lawgov_metrics.intake.read.view import WorkbookView
from lawgov_metrics.issues import Issue, cell_ref

INTERNAL_SHEETS = {layout.META_SHEET, layout.GUIDE_SHEET, "_lists"}


@dataclass
class FileRead:
    """Everything read from one input file."""

    file: str
    raws: list[RawValue] = field(default_factory=list)
    ledgers: dict[str, list[RawLedger]] = field(default_factory=dict)
    coverage: list[tuple[str, str, int]] = field(default_factory=list)  # ledger, unit, year
    invalid: list[tuple[str, int, str]] = field(default_factory=list)  # unit, year, field already reported
    issues: list[Issue] = field(default_factory=list)
    units: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    date1904: bool = False


_LOOKUPS: dict[int, tuple[Catalogue, dict[str, FieldDef], dict[str, str]]] = {}


def _lookups(catalogue: Catalogue) -> tuple[dict[str, FieldDef], dict[str, str]]:
    """Fields and ledgers by id, Chinese name or alias (normalised), built once per catalogue."""
    cached = _LOOKUPS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        fields: dict[str, FieldDef] = {}
        for f in catalogue.fields:
            for name in (f.id, f.name, *f.aliases):
                fields.setdefault(loose_label(name), f)
        ledgers = {}
        for ledger in catalogue.ledgers:
            for name in (ledger.id, ledger.name, ledger.name.removesuffix("台账")):
                ledgers[loose_label(name)] = ledger.id
        cached = _LOOKUPS[id(catalogue)] = (catalogue, fields, ledgers)
    return cached[1], cached[2]


def field_lookup(catalogue: Catalogue) -> dict[str, FieldDef]:
    return _lookups(catalogue)[0]


def ledger_lookup(catalogue: Catalogue) -> dict[str, str]:
    return _lookups(catalogue)[1]


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
            out.issues += issues
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
                        f"未知的字段「{key!s}」",
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


def looks_like_long_table(grid: pd.DataFrame) -> bool:
    return _long_header(grid) is not None


def _long_header(grid: pd.DataFrame) -> tuple[int, dict[str, int]] | None:
    aliases = {**layout.LONG_ALIASES, **layout.LONG_REMARK_ALIASES}
    names = {key: {loose_label(a) for a in accepted} for key, accepted in aliases.items()}
    for r in range(min(HEADER_ROWS, len(grid))):
        found: dict[str, int] = {}
        for c, value in enumerate(grid.iloc[r]):
            label = loose_label(value)
            for key, accepted in names.items():
                if label in accepted and key not in found:
                    found[key] = c
        if {layout.LONG_UNIT, layout.LONG_YEAR, layout.LONG_FIELD, layout.LONG_VALUE} <= set(found):
            return r, found
    return None


HEADER_ROWS = 12


def read_long_table(
    grid: pd.DataFrame,
    catalogue: Catalogue,
    resolve_unit: Callable[[str], str | None],
    out: FileRead,
    *,
    sheet: str = "",
    first_row: int = 1,
) -> None:
    """单位, 年度, 字段, 数值[, 期间] rows → reported figures. ``first_row``: Excel/CSV line of grid row 0."""
    located = _long_header(grid)
    if located is None:
        out.issues.append(
            Issue(
                "header-missing",
                "找不到长表表头（应包含：单位、年度、字段、数值，可选：期间、来源、统计截止日、备注）",
                file=out.file,
                sheet=sheet,
            )
        )
        return
    header_row, cols = located
    _unknown_long_columns(grid, header_row, cols, out, sheet, first_row)
    remarks_of = long_table_remarks(grid, [cols.get(k) for k in layout.LONG_REMARK_ALIASES], first_row)
    fields = field_lookup(catalogue)
    units: dict[str, str | None] = {}
    for r in range(header_row + 1, len(grid)):
        row = grid.iloc[r]
        if all(is_blank(v) for v in row):
            continue
        line = first_row + r

        def skip(
            code: str,
            message: str,
            key: str | None = None,
            unit: str = "",
            line: int = line,
            row: pd.Series = row,
        ) -> None:
            """Report this row as not used, pointing at the cell of ``key`` when there is one."""
            value = "" if key is None or is_blank(row.iloc[cols[key]]) else str(row.iloc[cols[key]])
            cell = cell_ref(line, cols[key] + 1) if key is not None else ""
            out.issues.append(
                Issue(
                    code,
                    f"{message}，此行未计入",
                    file=out.file,
                    sheet=sheet,
                    cell=cell,
                    row=line,
                    value=value[:100],
                    unit=unit,
                )
            )

        def cell(key: str, row: pd.Series = row) -> object:
            return row.iloc[cols[key]]

        first_text = next((str(v).strip() for v in row if not is_blank(v)), "")
        if first_text.startswith(layout.FOOTER_MARKERS):
            out.issues.append(
                Issue(
                    "row-skipped",
                    "合计、注释等非记录行，未计入",
                    file=out.file,
                    sheet=sheet,
                    row=line,
                    value=first_text[:40],
                )
            )
            continue
        if is_blank(cell(layout.LONG_UNIT)):
            skip("unit-missing", "此行没有单位", layout.LONG_UNIT)
            continue
        name = str(cell(layout.LONG_UNIT))
        if name not in units:
            units[name] = resolve_unit(name)
        unit = units[name]
        if unit is None:
            skip("unit-unknown", f"单位「{name}」不在单位名册中", layout.LONG_UNIT)
            continue
        parsed_year = parse_year(cell(layout.LONG_YEAR))
        if parsed_year.value is None:
            code = "year-missing" if parsed_year.blank else "year-invalid"
            skip(code, f"年度{parsed_year.error or '未填写'}", layout.LONG_YEAR, unit)
            continue
        year = parsed_year.value
        field = fields.get(loose_label(cell(layout.LONG_FIELD)))
        if field is None:
            skip("field-unknown", f"未知的字段「{cell(layout.LONG_FIELD)!s}」", layout.LONG_FIELD, unit)
            continue
        period = "Y"
        if layout.LONG_PERIOD in cols and not is_blank(cell(layout.LONG_PERIOD)):
            parsed_period = parse_period(cell(layout.LONG_PERIOD), year=year)
            if parsed_period.value is None:
                skip("period-invalid", f"期间{parsed_period.error}", layout.LONG_PERIOD, unit)
                continue
            period = parsed_period.value
        if period not in layout.GRANULARITY_PERIODS[field.period]:
            wanted = "、".join(layout.PERIOD_COLUMNS[p] for p in layout.GRANULARITY_PERIODS[field.period])
            given = layout.PERIOD_COLUMNS.get(period, period)
            key = layout.LONG_PERIOD if layout.LONG_PERIOD in cols else None
            skip("period-invalid", f"「{field.name}」按{wanted}填报，不能填“{given}”", key, unit)
            continue
        ref = cell_ref(line, cols[layout.LONG_VALUE] + 1)
        value = cell(layout.LONG_VALUE)
        out.raws.append(RawValue(unit, year, period, field.id, value, out.file, sheet, ref, remarks_of(r)))
        out.units.add(unit)
        out.years.add(year)


def _unknown_long_columns(
    grid: pd.DataFrame, header_row: int, cols: dict[str, int], out: FileRead, sheet: str, first_row: int
) -> None:
    """A long table's columns that are none of its known ones are reported, never ignored silently: a named
    one by its header, an unnamed one when anything is written below it."""
    used = set(cols.values())
    line = first_row + header_row
    for c, label in enumerate(grid.iloc[header_row].tolist()):
        if c in used:
            continue
        if not is_blank(label):
            message = f"长表中未知的列「{label}」，未读取"
        elif any(not is_blank(v) for v in grid.iloc[header_row + 1 :, c].dropna().tolist()):
            message = f"长表第 {cell_ref(1, c + 1)[:-1]} 列没有列名，其内容未读取"
        else:
            continue
        known = "（可识别的列：单位、年度、字段、数值、期间、来源、统计截止日、备注）"
        value = "" if is_blank(label) else str(label)[:100]
        ref = cell_ref(line, c + 1)
        out.issues.append(
            Issue("column-unknown", message + known, file=out.file, sheet=sheet, cell=ref, value=value)
        )
