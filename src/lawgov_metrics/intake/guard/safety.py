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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from lawgov_metrics.issues import ISSUE_CODES, Issue

if TYPE_CHECKING:
    import pandas as pd

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

MB = 1 << 20
T = TypeVar("T")

SheetState = Literal["visible", "hidden", "veryHidden"]
SheetKind = Literal["worksheet", "chartsheet", "dialogsheet"]


class UnreadableFile(Exception):
    """A file (or one sheet of it) that cannot be read safely; becomes exactly one issue.

    ``code`` is an issue code of :data:`lawgov_metrics.issues.ISSUE_CODES`; ``message`` is Chinese and names
    the reason (and the sheet and cell when there is one).
    """

    def __init__(self, code: str, message: str, *, sheet: str = "", cell: str = "") -> None:
        if code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.sheet = sheet
        self.cell = cell

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses the sandbox's process boundary by pickle; keyword-only fields must survive.
        return (_rebuild_unreadable, (self.code, self.message, self.sheet, self.cell))

    def to_issue(self, file: str = "") -> Issue:
        return Issue(self.code, self.message, file=file, sheet=self.sheet, cell=self.cell)


def _rebuild_unreadable(code: str, message: str, sheet: str, cell: str) -> UnreadableFile:
    return UnreadableFile(code, message, sheet=sheet, cell=cell)


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Every bound the intake enforces; override with ``dataclasses.replace(ReadLimits(), ...)``.

    The defaults let an honest 1,000,000-row ledger through (its sheet XML is 350–460 MB unpacked) and stop
    what would make a parser exhaust memory or hang.
    """

    max_file_bytes: int = 512 * MB  # the file on disk
    max_unpacked_bytes: int = 1024 * MB  # all zip entries together, as really inflated
    max_compression_ratio: float = 200.0  # unpacked : packed, per entry and in total ...
    ratio_floor_bytes: int = 8 * MB  # ... only once the unpacked size is above this
    max_zip_entries: int = 10_000
    max_xml_part_bytes: int = 32 * MB  # workbook.xml and .rels, parsed whole (by expat, a DTD refused)
    max_token_bytes: int = 10 * MB  # one XML tag or text run (an attribute can be 64 MB)
    max_rows: int = 1_100_000  # per sheet, counting from row 1
    max_columns: int = 200  # per sheet, counting from column A
    max_cells: int = 20_000_000  # rows × columns of the used range: what the parser allocates (~2.8 GB)
    sparse_floor_cells: int = 1_000_000  # a range larger than this ...
    min_density: float = 0.01  # ... must have at least this share of its cells filled
    max_shared_strings: int = 5_000_000  # uniqueCount of sharedStrings.xml
    max_sheets: int = 1_000
    max_flagged_cells: int = 100_000  # error values + formulas without a value, per sheet
    time_limit_s: float = 60.0  # inspecting one file; also the sandbox's wall-time limit
    memory_limit_bytes: int = 2048 * MB  # address space of a sandbox worker


@dataclass(frozen=True, slots=True, eq=False)
class SheetInfo:
    """One sheet as the scan saw it. Rows and columns of cells are 0-based grid positions (0 = row 1 / A)."""

    name: str
    state: SheetState
    kind: SheetKind
    part: str  # zip entry of the sheet XML
    xml_bytes: int = 0  # unpacked size of the sheet XML
    max_row: int = 0  # 1-based: last row with a <c> element (0 = no cells)
    max_column: int = 0  # 1-based: last column with a <c> element
    cell_count: int = 0  # <c> elements, filled or not
    error_cells: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "#DIV/0!"
    formula_cells: tuple[tuple[int, int], ...] = ()  # formulas without a cached value
    merged_ranges: tuple[str, ...] = ()  # "A1:C1"
    problem: UnreadableFile | None = None  # the sheet cannot be read safely: read_sheet_grid raises this

    @property
    def visible(self) -> bool:
        return self.state == "visible"


@dataclass(frozen=True, slots=True, eq=False)
class WorkbookInfo:
    """What :func:`inspect_xlsx` found; pass it to :func:`read_sheet_grid`."""

    path: Path
    date1904: bool
    sheets: tuple[SheetInfo, ...]
    unpacked_bytes: int = 0
    shared_strings: int = 0  # declared uniqueCount (0 when there is no table)
    scan_seconds: float = 0.0
    limits: ReadLimits = field(default_factory=ReadLimits)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> SheetInfo:
        for info in self.sheets:
            if info.name == name:
                return info
        raise UnreadableFile("sheet-unknown", f"工作簿中没有名为“{name}”的工作表", sheet=name)


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
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            sheet = workbook.get_sheet_by_name(sheet_name)
            rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise UnreadableFile(
            "file-corrupt", f"工作表“{sheet_name}”无法解析：{exc}", sheet=sheet_name
        ) from None
    except (OSError, ValueError) as exc:
        raise UnreadableFile("file-corrupt", f"无法读取文件：{exc}", sheet=sheet_name) from None
    return rows


def run_sandboxed(
    func: Callable[..., T], *args: Any, limits: ReadLimits | None = None, what: str = "读取文件"
) -> T:
    """``func(*args)`` in a forked worker process with :attr:`ReadLimits.memory_limit_bytes` of address
    space and :attr:`ReadLimits.time_limit_s` of wall time. A crash (even an abort inside a Rust or C
    library), MemoryError or timeout becomes :class:`UnreadableFile`; the result must pickle."""
    from lawgov_metrics.intake.guard.sandbox import run_in_worker

    return run_in_worker(func, args, limits or ReadLimits(), what)
