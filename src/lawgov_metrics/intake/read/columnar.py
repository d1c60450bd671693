"""Big ledgers by column: the rules of :func:`~lawgov_metrics.intake.read.ledgers.extract_ledger`, vectorised.

A ledger of hundreds of thousands of rows — a big worksheet, a CSV or a Parquet file — is not walked row by
row. Its first rows (:data:`~lawgov_metrics.intake.read.ledgers.HEADER_SCAN_ROWS`) are read as values to find
the header, exactly as for a small sheet; the records below it arrive as typed columns (Arrow strings,
float64, datetime64). Blank rows are left out, 合计/注 rows are left out *and reported*, and the cells a
parser cannot show (error values, formulas without a result) are flagged, as on the row-by-row path. The
result is the same :class:`~lawgov_metrics.intake.read.ledgers.RawLedger`, holding typed columns, so the
normalisers parse each column in one pass without a Python object per cell.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.catalogue.models import Ledger
from lawgov_metrics.intake.parse.cleaning import is_text_dtype, str_column
from lawgov_metrics.intake.read.csv_rows import EXTRA_CELLS, NUL_LINE, extra_cells, line_issues
from lawgov_metrics.intake.read.ledger_sheet import (
    HEADER_SCAN_ROWS,
    RawLedger,
    SheetSource,
    footer_issue,
    is_blank,
    read_header,
)
from lawgov_metrics.issues import Issue
from lawgov_metrics.layout import FOOTER_MARKERS

BIG_SHEET_ROWS = 5_000  # from this many rows on, a worksheet is read by column
SHOWN_LINES = 1_000  # broken CSV lines whose text is kept for the report


@dataclass
class Body:
    """The rows below a header, by grid column (0-based, as in the head); row 0 is the row under the header.

    A CSV body may leave lines out (blank ones, and broken ones it reports): ``offsets`` then gives each row's
    place below the header (0 = the row under it), and ``broken`` the lines left out as (place, message, text).
    """

    columns: dict[int, pd.Series]
    length: int
    offsets: np.ndarray | None = None
    broken: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Table:
    """A big sheet or a CSV/Parquet file: its first rows as values, and how to get every row below a header by
    column."""

    head: list[list[object]]
    body: Callable[[int], Body | None]  # header row in head → the rows below it; None: read it cell by cell

    def ledger(
        self,
        ledger: Ledger,
        source: SheetSource,
        flagged: Mapping[tuple[int, int], tuple[str, str]] | None = None,
    ) -> tuple[RawLedger | None, list[Issue]] | None:
        """The ledger's records and the issues found, as :func:`~lawgov_metrics.intake.read.ledgers.extract_ledger`
        gives them; None when the rows cannot be had by column, so the caller reads them cell by cell."""
        header, issues = read_header(self.head, ledger, source)
        if header is None:
            return None, issues
        body = self.body(header[0])
        if body is None:
            return None
        raw, more = extract_columns(body, header, source, flagged)
        first_data = source.first_row + header[0] + 1
        broken = [(first_data + place, message, text) for place, message, text in body.broken]
        return raw, issues + line_issues(broken, source.file) + more


def extract_columns(
    body: Body,
    header: tuple[int, dict[str, int]],
    source: SheetSource,
    flagged: Mapping[tuple[int, int], tuple[str, str]] | None = None,
) -> tuple[RawLedger, list[Issue]]:
    """Records of a ledger whose header is known (see :func:`~lawgov_metrics.intake.read.ledgers.read_header`).

    ``flagged`` holds grid positions as in the head: (row, column), 0-based from ``source.first_row``.
    """
    header_row, positions = header
    n = body.length
    undecided = np.ones(n, dtype=bool)  # no non-blank cell seen yet, left to right
    footer = np.zeros(n, dtype=bool)
    first_text: dict[int, str] = {}
    for c in sorted(body.columns):
        todo = np.flatnonzero(undecided)
        if not len(todo):
            break
        column = body.columns[c]
        part = column if len(todo) == n else column.take(todo)
        filled, starts = _filled_and_footer(part)
        for i in todo[starts].tolist():
            first_text[i] = str(column.iat[i])
            footer[i] = True
        undecided[todo[filled]] = False
    by_column = {c: cid for cid, c in positions.items()}
    marks: dict[tuple[int, str], str] = {}
    for (r, c), (_, reason) in (flagged or {}).items():
        i = r - header_row - 1
        if c in by_column and 0 <= i < n:
            marks[(i, by_column[c])] = reason
            undecided[i] = False  # a row whose only content is an error cell is still a record
    keep = ~undecided & ~footer
    places = body.offsets if body.offsets is not None else np.arange(n)
    first_data = source.first_row + header_row + 1
    issues = [
        footer_issue(source, first_data + int(places[i]), first_text[i])
        for i in np.flatnonzero(footer).tolist()
    ]
    kept = np.flatnonzero(keep)
    columns: dict[str, pd.Series] = {}
    for cid, c in positions.items():
        values = body.columns.get(c)
        if values is None:  # a header cell over an empty column
            values = pd.Series(pd.array([None] * n, dtype="str"))
        columns[cid] = values.take(kept).reset_index(drop=True) if len(kept) < n else values
    record = np.cumsum(keep) - 1
    flags = [(int(record[i]), cid, reason) for (i, cid), reason in marks.items() if keep[i]]
    return RawLedger(source, positions, columns, first_data + places[kept], flags), issues


_FOOTER_PATTERN = "^(" + "|".join(FOOTER_MARKERS) + ")"
_FOOTER_FIRST = pa.array(sorted({m[0] for m in FOOTER_MARKERS}))


def _filled_and_footer(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which cells hold something (not blank), and which hold text starting with a 合计/注 marker."""
    n = len(series)
    if is_text_dtype(series.dtype):
        arr = pa.array(series.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        text = pc.utf8_trim_whitespace(arr)
        filled = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
        starts = np.zeros(n, dtype=bool)
        maybe = pc.is_in(pc.utf8_slice_codeunits(text, 0, 1), value_set=_FOOTER_FIRST)
        candidates = np.flatnonzero(pc.fill_null(maybe, False).to_numpy(zero_copy_only=False))
        if len(candidates):  # few: the pattern runs on them only
            hits = pc.match_substring_regex(text.take(pa.array(candidates)), _FOOTER_PATTERN)
            starts[candidates] = pc.fill_null(hits, False).to_numpy(zero_copy_only=False)
        return filled, starts
    if series.dtype != object:
        return series.notna().to_numpy(dtype=bool), np.zeros(n, dtype=bool)
    cells = series.to_numpy()
    filled = np.fromiter((not is_blank(v) for v in cells), dtype=bool, count=n)
    starts = np.fromiter(
        (isinstance(v, str) and v.strip().startswith(FOOTER_MARKERS) for v in cells), dtype=bool, count=n
    )
    return filled, starts


def head_rows(columns: Sequence[pd.Series], rows: int) -> list[list[object]]:
    """The first ``rows`` rows of some columns as Python values (None for a blank cell)."""
    out: list[list[object]] = []
    for r in range(min(rows, min((len(c) for c in columns), default=0))):
        out.append([None if is_blank(c.iat[r]) else c.iat[r] for c in columns])
    return out


# ---------------------------------------------------------------- CSV and Parquet


def csv_table(data: bytes, encoding: str) -> Table | None:
    """A CSV file whose header rows hold no line breaks inside quotes; None → read it as a grid instead."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0
    prefix = codecs.getincrementaldecoder(encoding)().decode(data[: 1 << 16], final=len(data) <= 1 << 16)
    lines = io.StringIO(prefix, newline="").readlines()  # split at \r, \n and \r\n only, as csv does
    if len(data) > 1 << 16 and lines:
        lines = lines[:-1]  # the last line may be cut short
    reader = csv.reader(lines[:HEADER_SCAN_ROWS])
    head: list[list[object]] = [[cell if cell.strip() else None for cell in row] for row in reader]
    if reader.line_num != len(head) or any("\x00" in str(cell) for row in head for cell in row):
        return None  # a quoted line break (rows are not lines) or a NUL byte in the first rows

    def body(header_row: int) -> Body | None:
        above = "".join(lines[: header_row + 1])
        offset = bom + len(above.encode(codec))
        if data[bom:offset].decode(codec, errors="replace") != above:  # bytes and text disagree: be exact
            return None
        width = max((len(row) for row in head), default=0)
        named = max((c + 1 for c, name in enumerate(head[header_row]) if name is not None), default=0)
        return _csv_body(data, offset, "utf8" if encoding == "utf-8-sig" else encoding, width, named)

    return Table(head, body)


def _csv_body(data: bytes, offset: int, encoding: str, width: int, named: int) -> Body | None:
    """The lines from byte ``offset`` on (those below a header) through Arrow's CSV reader, ``width`` columns
    of text. Blank lines are left out; a line with text right of the header's ``named`` columns, or with a NUL
    byte, is left out and kept in :attr:`Body.broken` (the grid reader's rules,
    :mod:`lawgov_metrics.intake.read.csv_rows`). Any other ragged line (too few cells, blank extra cells):
    None, and the grid reader reads the file."""
    import pyarrow.csv as pacsv  # here: a run that reads only workbooks need not load the CSV reader

    names = [str(i) for i in range(width)]
    # record number (1-based, as Arrow counts them) → (message, what the line held); message "" for a blank line
    left_out: dict[int, tuple[str, str]] = {}
    unnumbered = False

    def on_invalid(row: Any) -> str:
        nonlocal unnumbered
        text = row.text or ""
        if row.number is None:  # a parallel read does not number rows: read again in one thread
            unnumbered = True
            return "skip"
        if not text.strip():
            left_out[row.number] = ("", "")
            return "skip"
        extra = extra_cells(text, named) if row.actual_columns > row.expected_columns else 0
        if extra:
            left_out[row.number] = (EXTRA_CELLS.format(n=extra), text)
            return "skip"
        return "error"

    def read(use_threads: bool) -> pa.Table:
        left_out.clear()
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[offset:]),  # no copy of the file's bytes
            read_options=pacsv.ReadOptions(column_names=names, encoding=encoding, use_threads=use_threads),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = read(use_threads=True)
        if unnumbered:
            table = read(use_threads=False)
    except (pa.ArrowInvalid, ValueError):  # ragged lines the grid reader pads
        return None
    bad = np.zeros(table.num_rows, dtype=bool)
    why: dict[int, str] = {}
    has_nul = data.find(b"\x00", offset) >= 0
    for i in range(width):
        column = table.column(i)
        if i >= named:  # text right of the header's last name
            hits = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(column), ""), False)
            bad |= hits.to_numpy(zero_copy_only=False)
        if has_nul:
            nul = pc.fill_null(pc.match_substring(column, "\x00"), False).to_numpy(zero_copy_only=False)
            why.update(dict.fromkeys(np.flatnonzero(nul & ~bad).tolist(), NUL_LINE))
            bad |= nul
    total = table.num_rows + len(left_out)
    places = np.delete(np.arange(total), np.array(sorted(left_out), dtype=np.int64) - 1)
    broken = [(n - 1, message, text) for n, (message, text) in sorted(left_out.items()) if message]
    for k, i in enumerate(np.flatnonzero(bad).tolist()):
        if k >= SHOWN_LINES:  # past those shown one by one, the row number is all a report needs
            broken.append((int(places[i]), why.get(i, EXTRA_CELLS.format(n="若干")), ""))
            continue
        row = [str(table.column(c)[i].as_py()) for c in range(width)]
        message = why.get(i) or EXTRA_CELLS.format(n=sum(1 for v in row[named:] if v.strip()))
        broken.append((int(places[i]), message, ",".join(row).replace("\x00", "").rstrip(",")))
    if bad.any():
        table, places = table.filter(pa.array(~bad)), places[~bad]
    broken.sort()
    columns = {i: arrow_series(table.column(i)) for i in range(width)}
    return Body(columns, table.num_rows, places if len(places) != total else None, broken)


def parquet_table(path: Path) -> Table:
    """A Parquet file: its column names are its first row, its columns keep their types."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = [arrow_series(table.column(i)) for i in range(table.num_columns)]
    head = [list(table.column_names), *head_rows(columns, HEADER_SCAN_ROWS - 1)]

    def body(header_row: int) -> Body:
        rows = {i: c.iloc[header_row:].reset_index(drop=True) for i, c in enumerate(columns)}
        return Body(rows, table.num_rows - header_row)

    return Table(head, body)


def arrow_series(column: pa.ChunkedArray | pa.Array) -> pd.Series:
    """An Arrow column as pandas without a Python object per cell (dates as datetime64, text as pandas' own
    Arrow-backed ``str``)."""
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return str_column(column)
    if pa.types.is_date(kind):
        column = column.cast(pa.timestamp("ms"))
    elif pa.types.is_decimal(kind):
        column = column.cast(pa.float64())
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return pd.Series(column.to_pandas(), dtype=np.float64)
    if pa.types.is_timestamp(column.type) or pa.types.is_boolean(kind):
        return pd.Series(column.to_pandas())
    return pd.Series(column.to_pandas(), dtype=object)
