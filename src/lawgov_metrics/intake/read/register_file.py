"""The units register's file, read through the guard like any submission.

A register is an input like any other: ``--units units.xlsx`` of 5 KB with one cell at XFD1048576 made
calamine abort the whole process (an allocation failure in Rust), a UTF-16 CSV came out as GB18030 mojibake,
a line with an extra cell shifted the columns silently. A UTF-16 text with its byte-order mark (Excel's
“Unicode 文本”, tab-separated) is read as what it is. So the bytes are sniffed
(:func:`~lawgov_metrics.intake.guard.safety.sniff`: what the file is, whatever its extension), a workbook is
inspected before calamine reads it (:func:`~lawgov_metrics.intake.guard.safety.inspect_xlsx`,
:func:`~lawgov_metrics.intake.guard.safety.read_sheet_grid`), and a CSV is read line by line
(:mod:`lawgov_metrics.intake.read.csv_rows`): a broken line is reported and the others are read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd

from lawgov_metrics.intake.guard.limits import ReadLimits
from lawgov_metrics.intake.guard.safety import UnreadableFile, inspect_xlsx, read_sheet_grid
from lawgov_metrics.intake.guard.sniff import csv_encoding
from lawgov_metrics.intake.read.csv_rows import csv_grid, drop_broken_rows
from lawgov_metrics.intake.read.ledger_sheet import is_blank
from lawgov_metrics.intake.read.xls import open_xls, sniff_or_legacy
from lawgov_metrics.issues import Issue


def read_register_table(path: Path) -> tuple[pd.DataFrame, int, list[Issue]]:
    """The register as text: a frame whose columns are its header (the first row that is not blank) and whose
    cells are text ("" for a blank), the 1-based row of that header, and the lines that could not be read.
    Raises :class:`~lawgov_metrics.intake.guard.safety.UnreadableFile` for a file that cannot be read safely."""
    label = str(path)
    issues: list[Issue] = []
    utf16 = _utf16_as_utf8(path)
    kind = "csv" if utf16 is not None else sniff_or_legacy(path)
    if kind == "xls":  # Excel 97-2003, through calamine under the same bounds
        view = open_xls(path, label)
        try:
            visible = [name for name, state in view.sheets if state == "visible"]
            if not view.sheets:
                raise UnreadableFile("header-missing", "单位名册工作簿中没有工作表")
            grid = view.grid(visible[0] if visible else view.sheets[0][0])
        finally:
            view.close()
        grid = grid.where(grid.map(lambda v: not is_blank(v)), None) if grid.size else grid
    elif kind == "xlsx":
        info = inspect_xlsx(path)
        sheets = [s for s in info.sheets if s.kind == "worksheet"]
        sheet = next((s for s in sheets if s.visible), sheets[0] if sheets else None)
        if sheet is None:
            raise UnreadableFile("header-missing", "单位名册工作簿中没有工作表")
        grid = read_sheet_grid(path, sheet.name, info)
        grid = grid.where(grid.map(lambda v: not is_blank(v)), None) if grid.size else grid
    elif kind == "csv":
        data = utf16 if utf16 is not None else path.read_bytes()
        encoding = csv_encoding(data)
        if encoding is None:
            raise UnreadableFile("file-encoding", "无法识别的文本编码（应为 UTF-8 或 GB18030/GBK）")
        grid, issues = csv_grid(data, encoding, label)
    else:
        raise UnreadableFile("file-unsupported", "单位名册应为 CSV 文件或 Excel 工作簿（.xlsx、.xls）")
    filled = np.flatnonzero(grid.notna().to_numpy().any(axis=1)) if grid.size else np.array([], dtype=int)
    if not len(filled):
        return pd.DataFrame(), 1, issues
    header_row = int(filled[0])
    if kind == "csv":
        issues = sorted([*issues, *drop_broken_rows(grid, header_row, label)], key=lambda i: i.row or 0)
    names: list[str] = []
    for c, value in enumerate(grid.iloc[header_row]):
        name = _text(value) or f"_{c}"
        names.append(name if name not in names else f"{name}.{names.count(name)}")
    body = [[_text(v) for v in row] for row in grid.iloc[header_row + 1 :].itertuples(index=False)]
    return pd.DataFrame(body, columns=names, dtype=object), header_row + 1, issues


def _utf16_as_utf8(path: Path) -> bytes | None:
    """A register saved as UTF-16 with its byte-order mark (Excel's “Unicode 文本”: tab-separated; or a CSV) as
    UTF-8 CSV bytes; None for any other file. Without a mark UTF-16 is not guessed (sniff reports it)."""
    with path.open("rb") as stream:
        head = stream.read(2)
    if head not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None
    limit = ReadLimits().max_file_bytes
    if path.stat().st_size > limit:
        raise UnreadableFile("file-too-large", f"文件超过 {limit // (1024 * 1024)} MB 的上限")
    try:
        text = path.read_bytes().decode("utf-16")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "file-encoding", "文件以 UTF-16 编码标记开头，但内容无法按 UTF-16 读取；请另存为 UTF-8 编码的 CSV"
        ) from None
    first = text.lstrip("\ufeff").partition("\n")[0]
    if "\t" in first and "," not in first:  # Excel's Unicode text: tabs between cells
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(
            csv.reader(io.StringIO(text, newline=""), delimiter="\t")
        )
        text = out.getvalue()
    return text.encode("utf-8")


def _text(value: object) -> str:
    """A cell as the register's text: numbers without a spurious ``.0``, dates as ISO, blanks as ""."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()
