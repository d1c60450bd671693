"""Ledger sheets and files → typed record frames, every bad cell reported, no row dropped silently.

A ledger may sit under a title row, with merged header cells, and with 合计/注 rows below the data: the
header row is found by matching the ledger's column names; footer rows are skipped *and reported*.
Columns are parsed vectorised (one pass per column, never per row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Ledger, LedgerColumn
from lawgov_metrics.intake import normalise as nz
from lawgov_metrics.intake.layout import FOOTER_MARKERS, LEDGER_UNIT_COLUMN
from lawgov_metrics.intake.view import FLAG_TEXTS
from lawgov_metrics.issues import Issue, cell_ref

HEADER_SCAN_ROWS = 12
ISSUES_PER_COLUMN = 20  # beyond this, one summary issue per column and problem


@dataclass
class SheetSource:
    file: str
    sheet: str  # "" for CSV/Parquet
    unit: str | None = None  # the workbook's unit (templates); None → a 单位 column is required
    year: int | None = None  # the workbook's year (templates), for date-out-of-year warnings
    date1904: bool = False
    first_row: int = 1  # Excel row number of the grid's first row


@dataclass
class LedgerRead:
    frame: pd.DataFrame  # column ids + unit, year, half, quarter, _file, _sheet, _row, _invalid
    issues: list[Issue] = field(default_factory=list)


def _label(text: object) -> str:
    return nz.normalise_unit_name(str(text)) if text is not None and not _is_blank(text) else ""


def _is_blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def column_names(column: LedgerColumn) -> set[str]:
    return {_label(n) for n in (column.name, column.id, *column.aliases)}


def locate_header(grid: pd.DataFrame, names: dict[str, set[str]]) -> tuple[int, dict[str, int]] | None:
    """(grid row of the header, column id → grid column) for the row matching most column names.

    A blank header cell takes the label above it (a header merged across two rows keeps its text in the
    top cell), so a two-row header with a group title above the real names is read by its lower row.
    """
    best: tuple[int, dict[str, int]] | None = None
    scan = min(len(grid), HEADER_SCAN_ROWS)
    labels = grid.iloc[:scan].map(_label) if scan else grid.iloc[:0]
    for r in range(scan):
        row = labels.iloc[r]
        above = labels.iloc[r - 1] if r > 0 else None
        found: dict[str, int] = {}
        for c, text in enumerate(row):
            text = text or (above.iloc[c] if above is not None else "")
            for column_id, accepted in names.items():
                if text in accepted and column_id not in found:
                    found[column_id] = c
                    break
        if found and (best is None or len(found) > len(best[1])):
            best = (r, found)
    return best


def read_ledger_grid(
    grid: pd.DataFrame,
    ledger: Ledger,
    source: SheetSource,
    resolve_unit: Callable[[str], str | None],
    flagged: Mapping[tuple[int, int], tuple[str, str]] | None = None,
) -> LedgerRead:
    """Parse one ledger sheet given as a grid of raw cell values (grid row 0 = Excel row ``first_row``)."""
    issues: list[Issue] = []
    names = {c.id: column_names(c) for c in ledger.columns}
    names["_unit"] = {_label(LEDGER_UNIT_COLUMN), "单位名称", "填报单位", "unit"}
    located = locate_header(grid, names)
    if located is None or len(set(located[1]) - {"_unit"}) == 0:
        issues.append(
            Issue(
                "header-missing",
                f"《{ledger.name}》前 {HEADER_SCAN_ROWS} 行中找不到表头（应包含：{'、'.join(c.name for c in ledger.columns)}）",
                file=source.file,
                sheet=source.sheet,
            )
        )
        return LedgerRead(_empty_frame(ledger), issues)
    header_row, positions = located
    excel_header = source.first_row + header_row
    used = set(positions.values())
    for c, text in enumerate(grid.iloc[header_row]):
        if c not in used and not _is_blank(text):
            issues.append(
                Issue(
                    "column-unknown",
                    f"未知的列「{text}」，未读取",
                    file=source.file,
                    sheet=source.sheet,
                    cell=cell_ref(excel_header, c + 1),
                    value=str(text),
                )
            )
    missing = [c for c in ledger.columns if c.required and c.id not in positions]
    for column in missing:
        issues.append(
            Issue(
                "column-missing",
                f"《{ledger.name}》缺少必需的列「{column.name}」",
                file=source.file,
                sheet=source.sheet,
                row=excel_header,
            )
        )
    body = grid.iloc[header_row + 1 :]
    excel_rows = pd.Series(np.arange(len(body)) + excel_header + 1, index=body.index)
    # blank rows are not records; footer rows (合计、注 …) are skipped and reported
    nonblank = ~body.map(_is_blank).all(axis=1)
    first_text = body.apply(_first_text, axis=1) if len(body) else pd.Series(dtype="str")
    footer = nonblank & first_text.str.startswith(FOOTER_MARKERS) if len(body) else nonblank
    for r in excel_rows[footer]:
        issues.append(
            Issue(
                "row-skipped",
                "合计、注释等非记录行，未计入",
                file=source.file,
                sheet=source.sheet,
                row=int(r),
                value=str(first_text[excel_rows == r].iloc[0])[:40],
            )
        )
    body, excel_rows = body[nonblank & ~footer], excel_rows[nonblank & ~footer]
    frame = pd.DataFrame(index=body.index)
    bad = pd.Series(False, index=body.index)
    for column in ledger.columns:
        if column.id not in positions:
            frame[column.id] = _missing_column(column, len(body), body.index)
            continue
        col = positions[column.id]
        raw = body.iloc[:, col]
        parsed = parse_column(column, raw, source.date1904)
        values, errors = parsed.values, parsed.error
        if column.required or column.id == ledger.period_column:  # a record without its date has no year
            errors = errors.where(~parsed.blank, "必填项为空")
        errors = _bounds(column, values, errors)
        for (r, c), (_, reason) in (flagged or {}).items():
            if c == col and r < len(grid) and grid.index[r] in errors.index:
                errors.loc[grid.index[r]] = (
                    reason  # an error value or an uncomputed formula: never read as blank
                )
        flagged_cells = errors.notna()
        bad |= flagged_cells
        issues += _cell_issues(
            errors[flagged_cells],
            raw[flagged_cells],
            excel_rows[flagged_cells],
            col + 1,
            column,
            ledger,
            source,
        )
        frame[column.id] = values
    frame["_row"] = excel_rows.astype("int64")
    frame["_file"], frame["_sheet"] = source.file, source.sheet
    # the unit: the workbook's, or a 单位 column resolved through the register
    if source.unit is not None:
        frame["unit"] = source.unit
    elif "_unit" in positions:
        raw_units = body.iloc[:, positions["_unit"]].astype("str")
        distinct = {name: resolve_unit(name) for name in raw_units.unique()}
        frame["unit"] = raw_units.map(distinct)
        unknown = frame["unit"].isna()
        for name in raw_units[unknown].unique():
            first = excel_rows[unknown & (raw_units == name)].iloc[0]
            count = int((unknown & (raw_units == name)).sum())
            issues.append(
                Issue(
                    "unit-unknown",
                    f"单位「{name}」不在单位名册中，{count} 行未计入",
                    file=source.file,
                    sheet=source.sheet,
                    cell=cell_ref(int(first), positions["_unit"] + 1),
                    value=str(name),
                )
            )
        bad |= unknown
    else:
        issues.append(
            Issue(
                "unit-missing",
                f"《{ledger.name}》没有“单位”列，无法确定记录所属单位",
                file=source.file,
                sheet=source.sheet,
            )
        )
        frame["unit"] = None
        bad[:] = True
    frame["_invalid"] = bad.to_numpy()
    frame = _place(frame, ledger)
    if source.year is not None:
        outside = frame["year"].notna() & (frame["year"] != source.year)
        period_def = ledger.column(ledger.period_column)
        assert period_def is not None
        period_col = positions.get(ledger.period_column)
        for r, y in zip(frame.loc[outside, "_row"], frame.loc[outside, "year"], strict=True):
            issues.append(
                Issue(
                    "date-out-of-year",
                    f"「{period_def.name}」为 {int(y)} 年，不在填报年度 {source.year} 年内（按实际日期计入 {int(y)} 年）",
                    file=source.file,
                    sheet=source.sheet,
                    cell=cell_ref(int(r), period_col + 1) if period_col is not None else "",
                    row=int(r),
                )
            )
    return LedgerRead(frame.reset_index(drop=True), issues)


def parse_column(column: LedgerColumn, raw: pd.Series, date1904: bool) -> nz.ParsedColumn:
    match column.type:
        case "text":
            return nz.parse_text_series(raw)
        case "id":
            return nz.parse_identifier_series(raw)
        case "int":
            return nz.parse_count_series(raw)
        case "number":
            return nz.parse_number_series(raw)
        case "date":
            return nz.parse_date_series(raw, date1904=date1904)
        case "datetime":
            return nz.parse_datetime_series(raw, date1904=date1904)
        case "bool":
            parsed = nz.parse_bool_series(raw)
            as_float = parsed.values.map({True: 1.0, False: 0.0}).astype("float64")
            return nz.ParsedColumn(as_float, parsed.error, parsed.blank)
        case "choice":
            return nz.parse_choice_series(raw, column.choices)
    raise AssertionError(column.type)  # pragma: no cover


def _bounds(column: LedgerColumn, values: pd.Series, errors: pd.Series) -> pd.Series:
    if column.type not in ("int", "number") or (column.min is None and column.max is None):
        return errors
    numbers = pd.to_numeric(values, errors="coerce")
    if column.min is not None:
        errors = errors.where(~(numbers < column.min), f"应不小于 {column.min:g}")
    if column.max is not None:
        errors = errors.where(~(numbers > column.max), f"应不大于 {column.max:g}")
    return errors


def _code_of(reason: str) -> str:
    for code, text in FLAG_TEXTS.items():
        if reason.startswith(text):
            return code
    if reason == "必填项为空":
        return "value-required"
    if reason.startswith(("应不小于", "应不大于")):
        return "value-out-of-range"
    return nz.REASON_CODES.get(reason, "value-type")


def _cell_issues(
    errors: pd.Series,
    raw: pd.Series,
    rows: pd.Series,
    col: int,
    column: LedgerColumn,
    ledger: Ledger,
    source: SheetSource,
) -> list[Issue]:
    """One issue per bad cell, up to a cap per column and problem; then one issue counting the rest."""
    issues: list[Issue] = []
    counts: dict[str, int] = {}
    for reason, value, row in zip(errors, raw, rows, strict=True):
        code = _code_of(str(reason))
        counts[code] = counts.get(code, 0) + 1
        if counts[code] <= ISSUES_PER_COLUMN:
            choices = f"（可选：{'、'.join(column.choices)}）" if code == "value-choice" else ""
            issues.append(
                Issue(
                    code,
                    f"《{ledger.name}》「{column.name}」{reason}{choices}",
                    file=source.file,
                    sheet=source.sheet,
                    cell=cell_ref(int(row), col),
                    row=int(row),
                    column=column.name,
                    value=_shown(value),
                    unit=source.unit or "",
                )
            )
    for code, count in counts.items():
        if count > ISSUES_PER_COLUMN:
            issues.append(
                Issue(
                    code,
                    f"《{ledger.name}》「{column.name}」另有 {count - ISSUES_PER_COLUMN} 个单元格有同样的问题",
                    file=source.file,
                    sheet=source.sheet,
                    column=column.name,
                )
            )
    return issues


def _shown(value: object) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)[:100]


def _first_text(row: pd.Series) -> str:
    for value in row:
        if not _is_blank(value):
            return str(value).strip()
    return ""


def _missing_column(column: LedgerColumn, n: int, index: pd.Index) -> pd.Series:
    if column.type in ("date", "datetime"):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if column.type in ("int", "number", "bool"):
        return pd.Series(np.nan, index=index, dtype="float64")
    return pd.Series(pd.NA, index=index, dtype="str")


def _place(frame: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:
    from lawgov_metrics.submission import assign_periods

    for column in ledger.columns:
        if column.type in ("date", "datetime"):
            frame[column.id] = pd.to_datetime(frame[column.id])
        elif column.type in ("int", "number", "bool"):
            frame[column.id] = pd.to_numeric(frame[column.id], errors="coerce").astype("float64")
    placed = assign_periods(frame, ledger.period_column)
    return placed


def _empty_frame(ledger: Ledger) -> pd.DataFrame:
    frame = pd.DataFrame({c.id: _missing_column(c, 0, pd.RangeIndex(0)) for c in ledger.columns})
    frame["_row"] = pd.Series(dtype="int64")
    frame["_file"] = pd.Series(dtype="str")
    frame["_sheet"] = pd.Series(dtype="str")
    frame["unit"] = pd.Series(dtype="str")
    frame["_invalid"] = pd.Series(dtype="bool")
    return _place(frame, ledger)


def mark_duplicates(frame: pd.DataFrame, ledger: Ledger) -> tuple[pd.DataFrame, list[Issue]]:
    """The same record twice (same unit and key columns): later copies are reported and left out."""
    if not ledger.key or frame.empty:
        return frame, []
    subset = ["unit", *ledger.key]
    valid_keys = frame[subset].notna().all(axis=1)
    dup = frame.duplicated(subset=subset, keep="first") & valid_keys
    issues = []
    if dup.any():
        first_rows = (
            frame[valid_keys & ~dup]
            .drop_duplicates(subset=subset)
            .set_index(subset)[["_file", "_sheet", "_row"]]
        )
        key_names = "、".join(ledger.column(k).name for k in ledger.key if ledger.column(k) is not None)  # type: ignore[union-attr]
        records = frame.loc[dup, [*subset, "_file", "_sheet", "_row"]].head(ISSUES_PER_COLUMN * 5)
        for record in records.to_dict("records"):
            original = first_rows.loc[tuple(record[k] for k in subset)]
            where = (
                f"{original['_sheet']} 第 {int(original['_row'])} 行"
                if original["_file"] == record["_file"]
                else f"{original['_file']} › {original['_sheet']} 第 {int(original['_row'])} 行"
            )
            issues.append(
                Issue(
                    "record-duplicate",
                    f"《{ledger.name}》记录重复（{key_names}与 {where} 相同），重复的一条未计入",
                    file=str(record["_file"]),
                    sheet=str(record["_sheet"]),
                    row=int(record["_row"]),
                    unit=str(record["unit"]),
                )
            )
        if int(dup.sum()) > ISSUES_PER_COLUMN * 5:
            issues.append(
                Issue(
                    "record-duplicate",
                    f"《{ledger.name}》另有 {int(dup.sum()) - ISSUES_PER_COLUMN * 5} 条重复记录未计入",
                )
            )
    return frame[~dup].reset_index(drop=True), issues


def concat_ledgers(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [p for p in parts if len(p)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
