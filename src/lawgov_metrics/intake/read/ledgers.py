"""Raw ledger rows → typed record frames, every bad cell reported, no row dropped silently.

Columns are parsed vectorised (one pass per column, never per row); each record is placed in its year,
half-year and quarter; duplicates are marked. The rows come from :mod:`lawgov_metrics.intake.read.ledger_sheet`
(sheets) or :mod:`lawgov_metrics.intake.read.columnar` (big sheets, CSV, Parquet).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from lawgov_metrics.catalogue.models import Ledger, LedgerColumn
from lawgov_metrics.intake.parse.booleans import parse_bool_series
from lawgov_metrics.intake.parse.choices import parse_choice_series
from lawgov_metrics.intake.parse.cleaning import str_column
from lawgov_metrics.intake.parse.dates import parse_date_series, parse_datetime_series
from lawgov_metrics.intake.parse.identifiers import parse_identifier_series
from lawgov_metrics.intake.parse.numbers import parse_count_series, parse_number_series
from lawgov_metrics.intake.parse.outcomes import REASON_CODES, ParsedColumn
from lawgov_metrics.intake.parse.text import parse_text_series
from lawgov_metrics.intake.read.ledger_sheet import (
    ISSUES_PER_COLUMN,
    Cells,
    RawLedger,
    is_blank,
)
from lawgov_metrics.intake.read.view import FLAG_TEXTS
from lawgov_metrics.issues import Issue, cell_ref


def parse_ledger(
    ledger: Ledger, raws: list[RawLedger], resolve_unit: Callable[[str], str | None]
) -> tuple[pd.DataFrame, list[Issue]]:
    """Every record of a ledger from every sheet and file, parsed column by column (vectorised)."""
    raws = [r for r in raws if len(r.rows)]
    if not raws:
        return _empty_frame(ledger), []
    issues: list[Issue] = []
    sizes = [len(r.rows) for r in raws]
    src = np.repeat(np.arange(len(raws)), sizes)
    frame = pd.DataFrame(
        {
            "_src": src,
            "_row": np.concatenate([np.asarray(r.rows, dtype="int64") for r in raws]),
            "_file": _repeat([r.source.file for r in raws], sizes),
            "_sheet": _repeat([r.source.sheet for r in raws], sizes),
        }
    )
    date1904 = np.repeat([r.source.date1904 for r in raws], sizes)
    bad = np.zeros(len(frame), dtype=bool)
    flag_map: dict[tuple[int, str], str] = {}
    offset = 0
    for raw, size in zip(raws, sizes, strict=True):
        for index, cid, reason in raw.flags:
            flag_map[(offset + index, cid)] = reason
        offset += size
    for column in ledger.columns:
        values_raw = _concat_column(raws, column.id, sizes)
        if values_raw is None:
            frame[column.id] = _missing_column(column, len(frame), frame.index)
            continue
        cells = values_raw
        parsed = _parse_split(column, cells, date1904)
        errors = parsed.error.copy()
        if column.required or column.id == ledger.period_column:  # a record without its date has no year
            errors = errors.where(~parsed.blank, "必填项为空")
        errors = _bounds(column, parsed.values, errors)
        for (i, cid), reason in flag_map.items():
            if cid == column.id:
                errors.iat[i] = reason  # an error value or an uncomputed formula: never read as blank
        flagged_cells = errors.notna().to_numpy()
        bad |= flagged_cells
        if flagged_cells.any():
            issues += _cell_issues(
                errors[flagged_cells], cells[flagged_cells], frame[flagged_cells], column, ledger, raws
            )
        frame[column.id] = parsed.values
    frame["unit"], unit_bad, unit_issues = _units(ledger, raws, sizes, frame, resolve_unit)
    issues += unit_issues
    frame["_invalid"] = bad | unit_bad
    if ledger.key:  # where a duplicate record is pointed at: its first key column
        frame["_keycol"] = np.repeat([r.positions.get(ledger.key[0], -1) for r in raws], sizes)
    frame = _place(frame, ledger)
    issues += _outside_year(ledger, raws, frame)
    return frame.drop(columns="_src"), issues


def _repeat(names: list[str], sizes: list[int]) -> pd.Series:
    """Each part's file or sheet name for each of its records, built in Arrow: no Python string per record."""
    categories = sorted(set(names))
    code = {name: i for i, name in enumerate(categories)}
    codes = np.repeat(np.array([code[n] for n in names], dtype=np.int32), sizes)
    return str_column(pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(categories)))


def _concat_column(raws: list[RawLedger], column_id: str, sizes: list[int]) -> pd.Series | None:
    """One column over every part: typed when every part is a typed column (big sheets, CSV, Parquet)
    of one dtype, else raw cells as objects."""
    if not any(column_id in r.columns for r in raws):
        return None
    found = [r.columns.get(column_id) for r in raws]
    typed = [v for v in found if isinstance(v, pd.Series)]
    if len(typed) == len(found) and len({str(v.dtype) for v in typed}) == 1:
        return typed[0].reset_index(drop=True) if len(typed) == 1 else pd.concat(typed, ignore_index=True)
    if not typed:  # small sheets' cells, in lists: chained into one object array, no per-part copy
        chained = chain.from_iterable(
            repeat(None, size) if values is None else values
            for values, size in zip(found, sizes, strict=True)
        )
        return pd.Series(np.fromiter(chained, dtype=object, count=sum(sizes)), dtype=object)
    parts = []
    for values, size in zip(found, sizes, strict=True):
        part = np.empty(size, dtype=object)
        if values is not None:
            part[:] = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
        parts.append(part)
    return pd.Series(parts[0] if len(parts) == 1 else np.concatenate(parts), dtype=object)


def _parse_split(column: LedgerColumn, raw: pd.Series, date1904: np.ndarray) -> ParsedColumn:
    """Parse a column; rows from 1904-date-system workbooks are parsed apart (rare: one more pass)."""
    if column.type not in ("date", "datetime") or not date1904.any():
        return parse_column(column, raw, False)
    if date1904.all():
        return parse_column(column, raw, True)
    a, b = parse_column(column, raw[~date1904], False), parse_column(column, raw[date1904], True)
    return ParsedColumn(
        pd.concat([a.values, b.values]).sort_index(),
        pd.concat([a.error, b.error]).sort_index(),
        pd.concat([a.blank, b.blank]).sort_index(),
    )


def _units(
    ledger: Ledger,
    raws: list[RawLedger],
    sizes: list[int],
    frame: pd.DataFrame,
    resolve_unit: Callable[[str], str | None],
) -> tuple[pd.Series, np.ndarray, list[Issue]]:
    """The unit of each record: its workbook's, or its 单位 cell resolved through the register."""
    issues: list[Issue] = []
    given = np.repeat(np.array([r.source.unit for r in raws], dtype=object), sizes)
    units = pd.Series(given, index=frame.index, dtype=object)
    bad = np.zeros(len(frame), dtype=bool)
    for k, raw in enumerate(raws):
        if raw.source.unit is not None:
            continue
        rows = frame.index[frame["_src"] == k]
        if "_unit" not in raw.columns:
            issues.append(
                Issue(
                    "unit-missing",
                    f"《{ledger.name}》没有“单位”列，无法确定记录所属单位，{len(rows)} 行未计入",
                    file=raw.source.file,
                    sheet=raw.source.sheet,
                )
            )
            bad[rows] = True
            continue
        names = _unit_names(raw.columns["_unit"], rows)
        resolved = {name: resolve_unit(name) if name else None for name in names.cat.categories}
        units.loc[rows] = names.map(resolved).astype(object).to_numpy()
        for name in [n for n, u in resolved.items() if u is None]:
            hit = names == name
            first = int(frame.loc[hit[hit].index[0], "_row"])
            issues.append(
                Issue(
                    "unit-missing" if not name else "unit-unknown",
                    f"单位「{name}」不在单位名册中，{int(hit.sum())} 行未计入"
                    if name
                    else f"{int(hit.sum())} 行没有填写单位，未计入",
                    file=raw.source.file,
                    sheet=raw.source.sheet,
                    cell=cell_ref(first, raw.positions["_unit"] + 1),
                    value=name,
                )
            )
            bad[hit[hit].index] = True
    return units, bad, issues


def _unit_names(cells: Cells, index: pd.Index) -> pd.Series:
    """The 单位 cells as text ("" for a blank), each distinct cell read once (60 units over 1M rows)."""
    column = (
        cells if isinstance(cells, pd.Series) else pd.Series(np.asarray(cells, dtype=object), dtype=object)
    )
    codes, uniques = pd.factorize(column)
    names = ["" if is_blank(v) else str(v) for v in uniques]
    position = {name: i for i, name in enumerate(dict.fromkeys([*names, ""]))}
    categories = list(position)
    lookup = np.array([position[n] for n in names] + [position[""]], dtype=np.int64)
    named = pd.Categorical.from_codes(
        lookup[codes], categories=pd.Index(categories)
    ).remove_unused_categories()
    return pd.Series(named, index=index)


def _outside_year(ledger: Ledger, raws: list[RawLedger], frame: pd.DataFrame) -> list[Issue]:
    """A record dated outside its workbook's year is counted in its own year, with a warning."""
    years = [r.source.year for r in raws]
    if all(year is None for year in years):  # standalone files: no workbook year to be outside of
        return []
    by_part = np.array([np.nan if y is None else y for y in years], dtype=np.float64)
    expected = by_part[frame["_src"].to_numpy()]
    got = frame["year"].to_numpy(dtype=np.float64, na_value=np.nan)
    outside = ~np.isnan(expected) & ~np.isnan(got) & (got != expected)
    if not outside.any():
        return []
    period_def = ledger.column(ledger.period_column)
    assert period_def is not None
    issues = []
    for record in frame.loc[outside, ["_src", "_row", "year"]].head(ISSUES_PER_COLUMN * 5).to_dict("records"):
        raw = raws[int(record["_src"])]
        col = raw.positions.get(ledger.period_column)
        year = int(record["year"])
        issues.append(
            Issue(
                "date-out-of-year",
                f"「{period_def.name}」为 {year} 年，不在填报年度 {raw.source.year} 年内（按实际日期计入 {year} 年）",
                file=raw.source.file,
                sheet=raw.source.sheet,
                cell=cell_ref(int(record["_row"]), col + 1) if col is not None else "",
                row=int(record["_row"]),
                unit=raw.source.unit or "",
            )
        )
    return issues


def parse_column(column: LedgerColumn, raw: pd.Series, date1904: bool) -> ParsedColumn:
    match column.type:
        case "text":
            return parse_text_series(raw)
        case "id":
            return parse_identifier_series(raw)
        case "int":
            return parse_count_series(raw)
        case "number":
            return parse_number_series(raw)
        case "date":
            return parse_date_series(raw, date1904=date1904)
        case "datetime":
            return parse_datetime_series(raw, date1904=date1904)
        case "bool":
            parsed = parse_bool_series(raw, column.name)
            as_float = parsed.values.map({True: 1.0, False: 0.0}).astype("float64")
            return ParsedColumn(as_float, parsed.error, parsed.blank)
        case "choice":
            return parse_choice_series(raw, column.choices)
    raise AssertionError(column.type)  # pragma: no cover


def _bounds(column: LedgerColumn, values: pd.Series, errors: pd.Series) -> pd.Series:
    if column.type not in ("int", "number") or (column.min is None and column.max is None):
        return errors
    # float64, not the nullable Int64 of whole-number columns: a blank is NaN (never out of range), not NA
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
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
    return REASON_CODES.get(reason, "value-type")


def _cell_issues(
    errors: pd.Series,
    raw: pd.Series,
    where: pd.DataFrame,
    column: LedgerColumn,
    ledger: Ledger,
    raws: list[RawLedger],
) -> list[Issue]:
    """One issue per bad cell, up to a cap per sheet, column and problem; then one issue counting the rest."""
    issues: list[Issue] = []
    counts: dict[tuple[int, str], int] = {}
    for reason, value, src, row in zip(errors, raw, where["_src"], where["_row"], strict=True):
        code = _code_of(str(reason))
        key = (int(src), code)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > ISSUES_PER_COLUMN:
            continue
        source = raws[int(src)].source
        col = raws[int(src)].positions[column.id]
        choices = f"（可选：{'、'.join(column.choices)}）" if code == "value-choice" else ""
        issues.append(
            Issue(
                code,
                f"《{ledger.name}》「{column.name}」{reason}{choices}",
                file=source.file,
                sheet=source.sheet,
                cell=cell_ref(int(row), col + 1),
                row=int(row),
                column=column.name,
                value=_shown(value),
                unit=source.unit or "",
            )
        )
    for (src, code), count in counts.items():
        if count > ISSUES_PER_COLUMN:
            source = raws[src].source
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
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)[:100]


def _missing_column(column: LedgerColumn, n: int, index: pd.Index) -> pd.Series:
    if column.type in ("date", "datetime"):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if column.type in ("int", "number", "bool"):
        return pd.Series(np.nan, index=index, dtype="float64")
    return pd.Series(pd.NA, index=index, dtype="str")


def _place(frame: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:

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
    valid_keys, dup = _repeated_keys(frame, subset)
    issues = []
    if dup.any():
        first_rows = (
            frame[valid_keys & ~dup]
            .drop_duplicates(subset=subset)
            .set_index(subset)[["_file", "_sheet", "_row"]]
        )
        key_names = "、".join(ledger.column(k).name for k in ledger.key if ledger.column(k) is not None)  # type: ignore[union-attr]
        records = frame.loc[dup, [*subset, "_file", "_sheet", "_row", "_keycol"]].head(ISSUES_PER_COLUMN * 5)
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
                    cell=cell_ref(int(record["_row"]), int(record["_keycol"]) + 1)
                    if record["_keycol"] >= 0
                    else "",
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
        frame = frame[~dup]
    return frame.drop(columns="_keycol", errors="ignore").reset_index(drop=True), issues


def _repeated_keys(frame: pd.DataFrame, subset: list[str]) -> tuple[pd.Series, pd.Series]:
    """(records whose key columns are all filled, records repeating an earlier one's key), by integer codes:
    each column factorized once (a blank is -1, as ``notna`` sees it) and the codes folded into one, so the
    repeat test hashes one int64 column instead of comparing rows (DataFrame.duplicated) over 1M records."""
    n = len(frame)
    valid = np.ones(n, dtype=bool)
    key, span = np.zeros(n, dtype=np.int64), 1  # key < span
    for name in subset:
        codes, uniques = pd.factorize(frame[name])
        valid &= codes >= 0
        if span * (len(uniques) + 1) >= 1 << 62:  # renumber the keys so far (< n) before int64 overflows
            key, seen = pd.factorize(key)
            span = len(seen)
        key = key * (len(uniques) + 1) + (codes + 1)
        span *= len(uniques) + 1
    repeated = pd.Series(key).duplicated(keep="first").to_numpy() & valid
    return pd.Series(valid, index=frame.index), pd.Series(repeated, index=frame.index)


def assign_periods(frame: pd.DataFrame, period_column: str) -> pd.DataFrame:
    """Place each ledger record in its year, half-year and quarter from its period date column (vectorised)."""
    when = pd.to_datetime(frame[period_column])
    month = when.dt.month.to_numpy(dtype="float64", na_value=float("nan"))
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is left as it was
    out["year"] = when.dt.year.astype("Int64")
    out["half"] = _labels(month, ["H1", "H2"], 6, frame.index)
    out["quarter"] = _labels(month, ["Q1", "Q2", "Q3", "Q4"], 3, frame.index)
    return out


def _labels(month: Any, names: list[str], months: int, index: pd.Index) -> pd.Series:
    """The period label of each month (missing where the month is), built in Arrow, not one str per row."""
    missing = np.isnan(month)
    codes = pa.array(((np.nan_to_num(month, nan=1.0) - 1) // months).astype(np.int32), mask=missing)
    return str_column(pa.DictionaryArray.from_arrays(codes, pa.array(names)), index)
