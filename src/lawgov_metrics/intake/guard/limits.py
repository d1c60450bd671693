"""The guard's vocabulary: every bound it enforces (:class:`ReadLimits`), what it found in a workbook
(:class:`WorkbookInfo`, :class:`SheetInfo`) and the one exception an unreadable file becomes
(:class:`UnreadableFile`). Plain data, imported by every scanner; the entry points are in
:mod:`lawgov_metrics.intake.guard.safety`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lawgov_metrics.issues import ISSUE_CODES, Issue

MB = 1 << 20

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
    max_exact_scan_bytes: int = 24 * MB  # a sheet only the tag-by-tag scan can read (~2–3 MB/s)
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
