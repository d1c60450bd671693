"""The safe way into a submitted file: look at its bytes, check the workbook before any parser does, then read.

Units send workbooks; some are broken and a few are hostile. Both Excel engines fail badly on files that
are tiny on disk: calamine aborts the whole Python process (an allocation failure in Rust cannot be caught)
on a cell at XFD1048576, a stray cell at row 100,000,000 or a shared-string table claiming 4,294,967,295
entries; openpyxl spends minutes on one 64 MB attribute; both inflate zip bombs. So:

1. :func:`sniff` decides what a file is from its bytes (never the extension);
2. :func:`inspect_xlsx` checks the zip container and stream-scans the XML parts calamine will read, with
   every size, count and time bounded (:class:`ReadLimits`), and records what a parser hides: error values,
   formulas without a cached value, merged ranges, hidden sheets, the 1904 date system;
3. :func:`read_sheet_grid` reads one sheet by name with python-calamine, which is safe in-process once the
   scan has passed it; :func:`run_sandboxed` runs anything else that may still blow up in a worker process
   with a memory cap and a wall-time limit.

Every unreadable file or sheet becomes one :class:`UnreadableFile` with an issue code and a Chinese message
naming the reason precisely; nothing hangs, nothing exhausts memory, no traceback reaches the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lawgov_metrics.intake.guard.limits import ReadLimits, SheetInfo, UnreadableFile, WorkbookInfo
from lawgov_metrics.issues import os_error_text

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

__all__ = [
    "ReadLimits",
    "SheetInfo",
    "UnreadableFile",
    "WorkbookInfo",
    "inspect_xlsx",
    "read_sheet_grid",
    "run_sandboxed",
    "sniff",
]


def sniff(path: str | Path, limits: ReadLimits | None = None) -> str:
    """What the file really is, from its bytes: ``"xlsx"`` (also .xlsm), ``"csv"`` or ``"parquet"``.

    Raises :class:`UnreadableFile` for everything else: file-encrypted (a password-protected workbook),
    file-legacy-xls (Excel 97-2003 or WPS .et), file-not-workbook (HTML or XML "xls" exports, other
    documents, unknown bytes), file-unsupported (.xlsb, .ods), file-corrupt (empty, truncated),
    file-too-large (over :attr:`ReadLimits.max_file_bytes` or too many zip entries).
    """
    from lawgov_metrics.intake.guard.sniff import sniff_file

    return sniff_file(Path(path), limits or ReadLimits())


def inspect_xlsx(path: str | Path, limits: ReadLimits | None = None) -> WorkbookInfo:
    """Check an .xlsx/.xlsm before any parser touches it; raise :class:`UnreadableFile` if the file as a
    whole cannot be read safely. A sheet that cannot be read safely gets :attr:`SheetInfo.problem` instead,
    so the other sheets stay readable."""
    from lawgov_metrics.intake.guard.xlsx_scan import scan_workbook

    return scan_workbook(Path(path), limits or ReadLimits())


def read_sheet_grid(path: str | Path, sheet_name: str, info: WorkbookInfo | None = None) -> pd.DataFrame:
    """The cell values of one sheet, by name, as an object-dtype grid at true Excel positions: grid row 0 is
    Excel row 1 and column 0 is column A, whatever the first used cell.

    Values are as stored: str (text such as "NA", "None" or "#N/A" stays text), float, int, bool,
    datetime/date/time/timedelta for date-formatted cells; "" for blanks. Error values and formulas without
    a cached value also come back as "" — :attr:`SheetInfo.error_cells` and :attr:`SheetInfo.formula_cells`
    say which they are. Raw serial numbers follow :attr:`WorkbookInfo.date1904`.

    ``info`` comes from :func:`inspect_xlsx`; without it the file is inspected first. Raises
    :class:`UnreadableFile` for an unknown sheet, a sheet the scan refused, or a parser failure.
    """
    import pandas as pd

    path = Path(path)
    if info is None:
        info = inspect_xlsx(path)
    sheet = info.sheet(sheet_name)
    if sheet.problem is not None:
        raise sheet.problem
    if sheet.kind != "worksheet":
        return pd.DataFrame(dtype=object)
    rows = _calamine_rows(path, sheet_name)
    grid = pd.DataFrame(rows, dtype=object)
    if grid.shape[0] and not grid.shape[1]:
        grid = pd.DataFrame(dtype=object)
    return grid


def _calamine_rows(path: Path, sheet_name: str) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    with calamine_errors(sheet_name), CalamineWorkbook.from_path(str(path)) as workbook:
        rows: list[list[Any]] = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    return rows


@contextmanager
def calamine_errors(sheet_name: str) -> Iterator[None]:
    """Reading ``sheet_name`` through calamine: its failures (in English) become one Chinese
    :class:`UnreadableFile` for that sheet."""
    from python_calamine import CalamineError

    try:
        yield
    except (CalamineError, ValueError):  # calamine's own words are English
        raise UnreadableFile(
            "file-corrupt",
            f"工作表“{sheet_name}”内容已损坏，无法解析；请在 Excel 中打开后另存为 .xlsx 再提交",
            sheet=sheet_name,
        ) from None
    except OSError as exc:
        raise UnreadableFile(
            "file-corrupt", f"无法读取文件：{os_error_text(exc)}", sheet=sheet_name
        ) from None


def run_sandboxed(
    func: Callable[..., T], *args: Any, limits: ReadLimits | None = None, what: str = "读取文件"
) -> T:
    """``func(*args)`` in a forked worker process with :attr:`ReadLimits.memory_limit_bytes` of address
    space and :attr:`ReadLimits.time_limit_s` of wall time. A crash (even an abort inside a Rust or C
    library), MemoryError or timeout becomes :class:`UnreadableFile`; the result must pickle."""
    from lawgov_metrics.intake.guard.sandbox import run_in_worker

    return run_in_worker(func, args, limits or ReadLimits(), what)
