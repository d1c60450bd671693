"""A reported figure's provenance as the unit gave it — 来源, 统计截止日, 备注 — read and checked.

Long tables may carry the three as optional columns (``layout.LONG_REMARK_ALIASES``), the template has a
备注 cell per field row (``layout.COL_REMARK``). Texts are kept as the unit wrote them (trimmed; not NFKC: a
note's full-width ``：`` stays) and cut at ``layout.REMARK_MAX_CHARS`` characters, ending in ``…（已截断）``
(a warning says so); a number or date typed there reads as text ("12", "2024-12-31"). An unreadable
统计截止日 is an error at its cell, and the figure still counts. Nothing else is done to the texts here: the
renderers make them safe for a terminal, XML or a spreadsheet cell (a note ``=HYPERLINK(…)`` stays text).

A long table repeats its 来源 and 统计截止日 on every row: each distinct value is read once, and one problem
repeated on many rows is one issue naming its first cell and how many cells share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from lawgov_metrics import layout
from lawgov_metrics.intake.parse.dates import parse_date
from lawgov_metrics.intake.parse.outcomes import Parsed
from lawgov_metrics.intake.parse.text import parse_text
from lawgov_metrics.intake.read.ledger_sheet import is_blank
from lawgov_metrics.issues import Issue, cell_ref

TRUNCATED = "…（已截断）"
# what each remark is called in messages
REMARK_NAMES = {"cited": layout.LONG_CITED, "as_of": layout.LONG_AS_OF, "note": layout.LONG_REMARK}

Read = tuple[str, dt.date | None, str]  # cited, as_of, note: "" and None where not given
NOTHING: Read = ("", None, "")


@dataclass(frozen=True, slots=True)
class Remarks:
    """What a unit wrote beside one figure, and the cells it was in (``""`` where it has no such column)."""

    cited: object = None
    as_of: object = None
    note: object = None
    cells: tuple[str, str, str] = ("", "", "")  # cited, as_of, note


def long_table_remarks(
    grid: pd.DataFrame, columns: list[int | None], first_row: int
) -> Callable[[int], Remarks | None]:
    """Each grid row's 来源, 统计截止日, 备注 (``columns``: theirs, None where absent), taken by column once."""
    present = [(k, c) for k, c in enumerate(columns) if c is not None]
    if not present:
        return lambda r: None
    given: list[list[object]] = [[None] * len(grid) for _ in columns]
    for k, c in present:
        given[k] = [None if is_blank(v) else v for v in grid.iloc[:, c].tolist()]
    letters = ["" if c is None else cell_ref(1, c + 1)[:-1] for c in columns]

    def remarks(r: int) -> Remarks | None:
        cited, as_of, note = given[0][r], given[1][r], given[2][r]
        if cited is None and as_of is None and note is None:
            return None
        line = first_row + r
        cells = tuple(f"{letter}{line}" if letter else "" for letter in letters)
        return Remarks(cited, as_of, note, (cells[0], cells[1], cells[2]))

    return remarks


class Placed(Protocol):
    """A reported figure: where it is, whose it is, and the remarks beside it."""

    @property
    def remarks(self) -> Remarks | None: ...
    @property
    def file(self) -> str: ...
    @property
    def sheet(self) -> str: ...
    @property
    def unit(self) -> str: ...


@dataclass
class _Problem:
    issue: Issue
    count: int = 1


class RemarkReader:
    """Reads the remarks of every figure of a submission, each distinct value once, and collects their
    problems (one issue per file, sheet, remark and value)."""

    def __init__(self) -> None:
        self._texts: dict[tuple[type, object], tuple[str, bool]] = {}
        self._dates: dict[tuple[type, object, bool], Parsed[dt.date]] = {}
        self._problems: dict[tuple[str, str, str, str], _Problem] = {}
        self._used: set[tuple[str, str, str]] = set()  # file, sheet, cell of remarks that went with a figure
        self._unused: dict[tuple[str, str, str], tuple[str, str]] = {}  # … of those that did not: unit, text

    def read(self, figure: Placed, date1904: bool) -> Read:
        """The figure's (cited, as_of, note); problems are kept for :meth:`issues`."""
        remarks = figure.remarks
        if remarks is None:
            return NOTHING
        file, sheet, unit = figure.file, figure.sheet, figure.unit
        cited = self._text(remarks.cited, "cited", remarks.cells[0], file, sheet, unit)
        note = self._text(remarks.note, "note", remarks.cells[2], file, sheet, unit)
        as_of = self._date(remarks.as_of, remarks.cells[1], file, sheet, unit, date1904)
        for cell, given in zip(remarks.cells, (cited, as_of, note), strict=True):
            if given:
                self._used.add((file, sheet, cell))
        return cited, as_of, note

    def unused(self, figure: Placed, what: str) -> None:
        """Remarks beside a blank figure (``what`` names it): reported unless the same cell went with another
        figure (a template's 备注 serves every period of its row)."""
        remarks = figure.remarks
        if remarks is None:
            return
        file, sheet, unit = figure.file, figure.sheet, figure.unit
        for cell, value in zip(remarks.cells, (remarks.cited, remarks.as_of, remarks.note), strict=True):
            if value is not None and str(value).strip():
                self._unused.setdefault((file, sheet, cell), (unit, what))

    def issues(self) -> list[Issue]:
        out = []
        for problem in self._problems.values():
            issue = problem.issue
            if problem.count > 1:
                issue = Issue(
                    issue.code,
                    f"{issue.message}（同样的内容共 {problem.count} 处，此处为第一处）",
                    file=issue.file,
                    sheet=issue.sheet,
                    cell=issue.cell,
                    column=issue.column,
                    value=issue.value,
                    unit=issue.unit,
                )
            out.append(issue)
        for (file, sheet, cell), (unit, what) in self._unused.items():
            if (file, sheet, cell) not in self._used:
                out.append(
                    Issue(
                        "remark-unused",
                        f"{what}没有填写数值，旁边的来源、统计截止日或备注无处可附，未计入",
                        file=file,
                        sheet=sheet,
                        cell=cell,
                        unit=unit,
                    )
                )
        return out

    def _text(self, value: object, which: str, cell: str, file: str, sheet: str, unit: str) -> str:
        if value is None:
            return ""
        key = (type(value), value)
        read = self._texts.get(key)
        if read is None:
            text = value.strip() if isinstance(value, str) else (parse_text(value).value or "")
            cut = len(text) > layout.REMARK_MAX_CHARS
            read = self._texts[key] = (text[: layout.REMARK_MAX_CHARS] + TRUNCATED if cut else text, cut)
        text, cut = read
        if cut:
            name = REMARK_NAMES[which]
            self._problem(
                (file, sheet, which, text),
                Issue(
                    "text-truncated",
                    f"「{name}」超过 {layout.REMARK_MAX_CHARS} 字，只保留前 {layout.REMARK_MAX_CHARS} 字",
                    file=file,
                    sheet=sheet,
                    cell=cell,
                    column=name,
                    value=text[:100],
                    unit=unit,
                ),
            )
        return text

    def _date(
        self, value: object, cell: str, file: str, sheet: str, unit: str, date1904: bool
    ) -> dt.date | None:
        if value is None:
            return None
        key = (type(value), value, date1904)
        parsed = self._dates.get(key)
        if parsed is None:
            parsed = self._dates[key] = parse_date(value, date1904=date1904)
        if parsed.error is not None:
            name = REMARK_NAMES["as_of"]
            self._problem(
                (file, sheet, "as_of", str(value)),
                Issue(
                    parsed.code or "value-type",
                    f"「{name}」{parsed.error}（应为日期，如 2024-12-31）；该项数值照常计入",
                    file=file,
                    sheet=sheet,
                    cell=cell,
                    column=name,
                    value=str(value)[:100],
                    unit=unit,
                ),
            )
        return parsed.value

    def _problem(self, key: tuple[str, str, str, str], issue: Issue) -> None:
        found = self._problems.get(key)
        if found is None:
            self._problems[key] = _Problem(issue)
        else:
            found.count += 1
