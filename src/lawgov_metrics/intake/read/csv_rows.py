"""A CSV file as a grid of cells, where a broken line costs that row and never the file.

pandas' C reader gives up on a whole file at the first line with more cells than the first line ("Error
tokenizing data"), and the sniffer took one NUL byte for a binary file: a clerk lost every record for one
stray comma. Here the rows come from the standard library's csv reader (C), ragged rows kept as they are;
then three kinds of line are reported (file and line, in Chinese) and blanked, so that the other rows are
read as usual and the row numbers of every later issue still hold:

- a line holding a NUL byte (the file is damaged there);
- a line the csv module cannot read (a cell over 131,072 characters: a quote never closed);
- a line with text to the right of its table's last header name (:func:`drop_broken_rows`, called once the
  header is found): most often a number or a phrase with an unquoted comma, which shifts every value after
  it into the wrong column — read, it would put wrong figures in the right places.

Row numbers are records, as for every CSV issue (and as Excel numbers the rows of a CSV it opens): the same as
line numbers unless a quoted cell holds a line break. A large file is read by column instead
(:func:`~lawgov_metrics.intake.read.columnar.csv_table`), with the same rules and messages.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.models import Ledger
from lawgov_metrics.intake.read.ledger_sheet import HEADER_SCAN_ROWS, SheetSource, is_blank, read_header
from lawgov_metrics.issues import Issue

REPORTED_LINES = 20  # broken lines reported one by one per file; the rest in one summary issue

NUL_LINE = "此行含有空字符（NUL 字节，文件在此处可能已损坏），整行未读取"
UNREADABLE_LINE = "此行无法按 CSV 格式读取（单元格超过 131072 个字符，常见原因：引号没有配对），整行未读取"
EXTRA_CELLS = "此行比表头多出 {n} 个单元格（常见原因：数值或文字中有未加引号的英文逗号，后面的数值因此错位），整行未读取"


def csv_grid(data: bytes, encoding: str, file: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Every record of a CSV file as a grid row (row 0 is the first record; "" → None), and the lines that
    could not be read, each reported and left blank."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text)
    rows: list[list[str | None]] = []
    broken: list[tuple[int, str, str]] = []  # (row number, message, what the line held)
    nul = b"\x00" in data
    shared: dict[str, str | None] = {"": None}  # one object per distinct text: a ledger repeats its values
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            rows.append([])
            broken.append((len(rows), UNREADABLE_LINE, ""))
            continue
        if nul and any("\x00" in cell for cell in row):
            rows.append([])
            broken.append((len(rows), NUL_LINE, ",".join(row).replace("\x00", "")))
            continue
        rows.append([shared[cell] if cell in shared else shared.setdefault(cell, cell) for cell in row])
    width = max(map(len, rows), default=0)
    padded = [row if len(row) == width else row + [None] * (width - len(row)) for row in rows]
    return pd.DataFrame(padded, dtype=object), line_issues(broken, file)


def drop_broken_rows(grid: pd.DataFrame, header_row: int | None, file: str) -> list[Issue]:
    """Blank and report each row below the header (grid row ``header_row``) with a cell filled to the right
    of the header's last name. Changes ``grid`` in place."""
    if header_row is None:
        return []
    names = grid.iloc[header_row]
    width = max((c + 1 for c, name in enumerate(names) if not is_blank(name)), default=0)
    if width == 0 or width >= grid.shape[1]:
        return []
    beyond = grid.iloc[header_row + 1 :, width:]
    candidates = np.flatnonzero(beyond.notna().to_numpy().any(axis=1))
    broken: list[tuple[int, str, str]] = []
    for i in candidates.tolist():
        extra = [v for v in beyond.iloc[i] if not is_blank(v)]
        if not extra:
            continue
        r = header_row + 1 + i
        line = ",".join("" if is_blank(v) else str(v) for v in grid.iloc[r])
        grid.iloc[r] = None
        broken.append((r + 1, EXTRA_CELLS.format(n=len(extra)), line.rstrip(",")))
    return line_issues(broken, file)


def ledger_header_row(grid: pd.DataFrame, ledger: Ledger, file: str) -> int | None:
    """The grid row of ``ledger``'s header, as the ledger reader will find it (its issues are the reader's)."""
    head = grid.iloc[:HEADER_SCAN_ROWS].astype(object)
    located, _ = read_header(
        head.where(head.notna(), None).to_numpy().tolist(), ledger, SheetSource(file, "")
    )
    return None if located is None else located[0]


def extra_cells(text: str, named: int) -> int:
    """How many filled cells one CSV line has to the right of the first ``named`` columns."""
    cells = next(csv.reader(io.StringIO(text, newline="")), [])
    return sum(1 for cell in cells[named:] if cell.strip())


def line_issues(broken: list[tuple[int, str, str]], file: str) -> list[Issue]:
    """(row, message, what the line held) → issues: the first :data:`REPORTED_LINES` one by one, then one."""
    issues = [
        Issue("row-broken", message, file=file, row=row, value=held[:100])
        for row, message, held in broken[:REPORTED_LINES]
    ]
    if len(broken) > REPORTED_LINES:
        rest = [str(row) for row, _, _ in broken[REPORTED_LINES:]]
        shown = "、".join(rest[:50]) + ("…" if len(rest) > 50 else "")
        issues.append(
            Issue(
                "row-broken",
                f"另有 {len(rest)} 行同样无法读取，整行未读取（第 {shown} 行）",
                file=file,
                row=broken[REPORTED_LINES][0],
            )
        )
    return issues
