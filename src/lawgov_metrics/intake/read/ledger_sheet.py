"""Finding a ledger in a sheet: its header row (matched by the ledger's column names, under a title row,
across merged cells) and the raw rows below it, 合计/注 footer rows skipped *and reported*. The rows are
parsed into typed records by :mod:`lawgov_metrics.intake.read.ledgers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Ledger, LedgerColumn
from lawgov_metrics.intake.parse.names import normalise_unit_name
from lawgov_metrics.issues import Issue, cell_ref
from lawgov_metrics.layout import FOOTER_MARKERS, LEDGER_UNIT_COLUMN

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


def loose_label(text: object) -> str:
    """A header or name compared loosely: no spaces, NFKC, full-width brackets."""
    if type(text) is str:  # the usual case first: "" and spaces come out as ""
        return _label_of(text)
    if text is None or is_blank(text):
        return ""
    return _label_of(str(text))


@lru_cache(maxsize=65536)
def _label_of(text: str) -> str:
    return normalise_unit_name(text)


def _value_label(value: object) -> str:
    """:func:`loose_label` of a cell that is not text (a number, a date: the rows under a header), each
    distinct value labelled once."""
    try:
        return _label_of_value(value)
    except TypeError:  # a value that cannot be a key
        return loose_label(value)


@lru_cache(maxsize=4096, typed=True)  # typed: 1, 1.0 and True are different cells
def _label_of_value(value: object) -> str:
    return loose_label(value)


def is_blank(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def column_names(column: LedgerColumn) -> set[str]:
    return {loose_label(n) for n in (column.name, column.id, *column.aliases)}


def locate_header(
    rows: Sequence[Sequence[object]], names: dict[str, set[str]]
) -> tuple[int, dict[str, int]] | None:
    """(row of the header, column id → column) for the row among the first few matching most column names.

    A blank header cell takes the label above it (a header merged across two rows keeps its text in the
    top cell), so a two-row header with a group title above the real names is read by its lower row.
    """
    best: tuple[int, dict[str, int]] | None = None
    above: list[str] = []
    candidates: dict[str, list[str]] = {}  # label → the column ids accepting it, in the ledger's order
    for column_id, accepted in names.items():
        for label in accepted:
            candidates.setdefault(label, []).append(column_id)
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = [_label_of(v) if type(v) is str else _value_label(v) for v in row]
        found: dict[str, int] = {}
        for c, text in enumerate(labels):
            text = text or (above[c] if c < len(above) else "")
            for column_id in candidates.get(text, ()):
                if column_id not in found:
                    found[column_id] = c
                    break
        if found and (best is None or len(found) > len(best[1])):
            best = (r, found)
        above = labels
    return best


Cells = Sequence[object] | np.ndarray | pd.Series


@dataclass
class RawLedger:
    """One sheet's records before parsing: raw cells by column id, and where each came from."""

    source: SheetSource
    positions: dict[str, int]  # column id (and "_unit") → 0-based column of the sheet
    columns: Mapping[str, Cells]  # column id → raw cell values (or a typed column), one per record
    rows: Sequence[int] | np.ndarray  # Excel row of each record
    flags: list[tuple[int, str, str]] = field(default_factory=list)  # (record, column id, reason)


@lru_cache(maxsize=256)
def _names(ledger: Ledger) -> dict[str, set[str]]:
    names = {c.id: column_names(c) for c in ledger.columns}
    names["_unit"] = {loose_label(LEDGER_UNIT_COLUMN), "单位名称", "填报单位", "unit"}
    return names


def read_header(
    rows: Sequence[Sequence[object]], ledger: Ledger, source: SheetSource
) -> tuple[tuple[int, dict[str, int]] | None, list[Issue]]:
    """The header among the first rows: (its row in ``rows``, column id → column), with the issues it raises
    (no header; a column the ledger does not know; a required column missing)."""
    issues: list[Issue] = []
    located = locate_header(rows, _names(ledger))
    if located is None or len(set(located[1]) - {"_unit"}) == 0:
        issues.append(
            Issue(
                "header-missing",
                f"《{ledger.name}》前 {HEADER_SCAN_ROWS} 行中找不到表头（应包含：{'、'.join(c.name for c in ledger.columns)}）",
                file=source.file,
                sheet=source.sheet,
            )
        )
        return None, issues
    header_row, positions = located
    excel_header = source.first_row + header_row
    used = set(positions.values())
    for c, text in enumerate(rows[header_row]):
        if c not in used and not is_blank(text):
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
    for column in ledger.columns:
        if column.required and column.id not in positions:
            issues.append(
                Issue(
                    "column-missing",
                    f"《{ledger.name}》缺少必需的列「{column.name}」",
                    file=source.file,
                    sheet=source.sheet,
                    row=excel_header,
                )
            )
    return located, issues


def extract_ledger(
    rows: list[list[object]],
    ledger: Ledger,
    source: SheetSource,
    flagged: Mapping[tuple[int, int], tuple[str, str]] | None = None,
) -> tuple[RawLedger | None, list[Issue]]:
    """Find the header, skip blank rows, skip *and report* 合计/注 rows, and keep every record's raw cells.

    Plain Python over the sheet's rows: a workbook holds many small ledger sheets, and the typed parsing
    happens once per ledger over all of them (:func:`parse_ledger`). Big sheets and files are read by
    column instead (:mod:`lawgov_metrics.intake.read.columnar`), with the same rules.
    """
    located, issues = read_header(rows, ledger, source)
    if located is None:
        return None, issues
    header_row, positions = located
    by_column = {c: cid for cid, c in positions.items()}
    marks = {(r, c): reason for (r, c), (_, reason) in (flagged or {}).items() if c in by_column}
    widest = max(positions.values())
    kept: list[Sequence[object]] = []
    record_rows: list[int] = []
    flags: list[tuple[int, str, str]] = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        first = row[0] if row else None
        if type(first) is str:  # the usual record starts with a filled cell: its number, text or date
            unsure = not first or first.isspace()
        elif type(first) is float:
            unsure = first != first  # NaN
        else:
            unsure = type(first) not in PLAIN_NUMBER
        if unsure:
            first = _first_filled(row)
            if first is None and not (marks and any((r, c) in marks for c in by_column)):
                continue  # a blank row is not a record
        excel_row = source.first_row + r
        if isinstance(first, str) and first.strip().startswith(FOOTER_MARKERS):
            issues.append(footer_issue(source, excel_row, first))
            continue
        if marks:
            index = len(record_rows)
            flags += [(index, cid, marks[(r, c)]) for cid, c in positions.items() if (r, c) in marks]
        record_rows.append(excel_row)
        kept.append(row)
    columns: dict[str, Sequence[object]]
    if min(map(len, kept), default=widest + 1) > widest:  # every record reaches the last column: transpose
        by_position = list(zip(*kept, strict=False)) if kept else [()] * (widest + 1)
        columns = {cid: by_position[c] for cid, c in positions.items()}
    else:  # a short row (a CSV line, a hand-made grid): its missing cells are None
        columns = {cid: [row[c] if c < len(row) else None for row in kept] for cid, c in positions.items()}
    return RawLedger(source, positions, columns, record_rows, flags), issues


PLAIN_NUMBER = {int, bool, dt.datetime, dt.date, dt.time, dt.timedelta}  # never blank


def _first_filled(row: Sequence[object]) -> object:
    """The first cell of a row that is not blank, or None (calamine shows an empty cell as "")."""
    for value in row:
        if type(value) is str:
            if value.strip():
                return value
        elif value is not None and not is_blank(value):
            return value
    return None


def footer_issue(source: SheetSource, excel_row: int, first: str) -> Issue:
    return Issue(
        "row-skipped",
        "合计、注释等非记录行，未计入",
        file=source.file,
        sheet=source.sheet,
        row=excel_row,
        value=first.strip()[:40],
    )
