"""Long tables (单位, 年度, 字段, 数值[, 期间, 来源, 统计截止日, 备注]) → reported figures, from a sheet or a
CSV/Parquet file. The grid is turned into Python rows once: a pandas ``iloc`` per row and cell cost about
90 µs a row."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from lawgov_metrics import layout
from lawgov_metrics.catalogue.models import Catalogue
from lawgov_metrics.intake.parse.periods import parse_period, parse_year
from lawgov_metrics.intake.read.file_read import FileRead, field_lookup, unknown_field
from lawgov_metrics.intake.read.ledger_sheet import is_blank, loose_label
from lawgov_metrics.intake.read.remarks import long_table_remarks
from lawgov_metrics.intake.read.values import RawValue
from lawgov_metrics.issues import Issue, cell_ref


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
    rows: list[list[object]] = grid.to_numpy(dtype=object).tolist()
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        if all(is_blank(v) for v in row):
            continue
        line = first_row + r

        def skip(
            code: str,
            message: str,
            key: str | None = None,
            unit: str = "",
            line: int = line,
            row: Sequence[object] = row,
        ) -> None:
            """Report this row as not used, pointing at the cell of ``key`` when there is one."""
            value = "" if key is None or is_blank(row[cols[key]]) else str(row[cols[key]])
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

        def cell(key: str, row: Sequence[object] = row) -> object:
            return row[cols[key]]

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
            skip("field-unknown", unknown_field(catalogue, cell(layout.LONG_FIELD)), layout.LONG_FIELD, unit)
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
