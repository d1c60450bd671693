"""The Excel report of ``score``: the rows of :mod:`~lawgov_metrics.render.xlsx_sheets`, drawn by xlsxwriter.

Sheets: 总览 (rows and bars coloured by grade) · 指标明细 · 章节得分 (colour scale) · 趋势 (small
multiples: a line chart per indicator and unit kind; more than one year only) · 数据问题 · 说明. Charts,
colours and the print setup every sheet gets (A4 landscape, one page wide, header row repeated) are
:mod:`lawgov_metrics.render.xlsx_charts`.

- numbers are stored as numbers (得分率 as a fraction formatted ``0.0%``), never as text, and only when
  finite: NaN and ±inf leave the cell empty;
- every text cell goes through :func:`~lawgov_metrics.render.safe_text.safe_cell_text` and is written
  with ``write_string``, never ``write`` (which guesses formulas, numbers and URLs from text); the
  workbook's own ``strings_to_*`` guesses are off as well. So a unit named ``=HYPERLINK(…)`` or a value
  ``#N/A`` stays text; a text a spreadsheet would take for a formula also gets the quote-prefix style
  (what Excel does for a “'” typed before it), its value exactly as written;
- the file is written to a temporary file beside the target, then renamed over it (``os.replace``); the
  zip is built in memory first, so a full disk fails one plain write (a zip left half-written on disk would
  try to finish itself when collected and print a traceback);
- the sheets no chart reads (指标明细 and its continuations, 章节得分, 数据问题) have their rows planned
  column by column and written into the zip by :mod:`~lawgov_metrics.render.xlsx_fast`, byte for byte
  what xlsxwriter writes cell by cell (``_PLANNED_ROWS = False`` writes them that way: the tests compare);
  10^4 units' report: 23 s instead of 43 s, 0.8 GB instead of 1.6 GB;
- a text shaped like xlsxwriter's rich-string XML (``<r>…</r>``) is written as one run of plain text:
  xlsxwriter copies such a string into the file unescaped.

xlsxwriter rather than openpyxl (which stays for templates and for reading): it writes the sample's
report about three times faster. xlsxwriter is imported inside the functions: ``lawgov-metrics --help``
must not pay for it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from lawgov_metrics.render.numbers import finite_number
from lawgov_metrics.render.safe_text import EXCEL_CELL_LIMIT, is_formula_like, safe_cell_text
from lawgov_metrics.render.xlsx_charts import bar_chart, colour_scale, grade_formats, line_charts, print_setup
from lawgov_metrics.render.xlsx_rows import DARK_FILLS, FILLS, HEADER_FILL, Cell, SheetData, Styled
from lawgov_metrics.render.xlsx_sheets import ReportData, build_report
from lawgov_metrics.results import collector_paused

if TYPE_CHECKING:
    from lawgov_metrics.results import Assessment

WORKBOOK_OPTIONS = {
    # Belt and braces: text is only ever written with write_string, which guesses nothing anyway.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,  # a NaN that slipped through is an error here, not a #NUM! in the file
    "in_memory": True,  # the XML parts are zipped from memory: no scratch files in the system temp folder
}
EXCEL_MAX_DATA_ROWS = 1_048_575  # a worksheet's rows, less the header
DIGIT_PX = 7  # a column width unit: one digit of the default font (Calibri 11), in pixels
_PLANNED_ROWS = True  # False: the big sheets cell by cell through xlsxwriter too (tests compare the bytes)


class _Drawer:
    """Writes :class:`SheetData` into worksheets, with one shared format per (number format, fill)."""

    def __init__(
        self, workbook: Any, grades: Iterable[tuple[str, float, str]] = (), *, planned: bool = True
    ) -> None:
        self.workbook = workbook
        self.planned = planned  # False: every sheet cell by cell (the tests compare the two ways)
        self.fills = FILLS | {f"grade:{name}": colour for name, _, colour in grades}
        self.header = workbook.add_format(
            {"bold": True, "bg_color": f"#{HEADER_FILL}", "valign": "vcenter", "text_wrap": True}
        )
        self._formats: dict[tuple[str | None, str | None, bool], Any] = {}
        self._texts: dict[str, str] = {}  # the report repeats names and quotes thousands of times
        self._quoted: set[str] = set()  # safe texts a spreadsheet would read as a formula

    def format(self, number_format: str | None, fill: str | None, quoted: bool = False) -> Any:
        """The shared format for a number format, a fill id of :data:`FILLS` (or ``grade:<name>``) and the
        quote-prefix style of a formula-like text (None: no format)."""
        if number_format is None and fill not in self.fills and not quoted:
            return None
        key = (number_format, fill, quoted)
        if key not in self._formats:
            properties: dict[str, Any] = {"quote_prefix": True} if quoted else {}
            if number_format is not None:
                properties["num_format"] = number_format
            if fill in self.fills:
                properties["bg_color"] = f"#{self.fills[fill]}"
                if fill in DARK_FILLS:
                    properties |= {"font_color": "#FFFFFF", "bold": True}
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def text(self, value: Any) -> str:
        """The cell text of a value; one a spreadsheet would take for a formula is noted in ``_quoted`` and
        written with the quote-prefix style, as it is (no apostrophe inside the value)."""
        if type(value) is not str:
            safe = _as_plain_text(safe_cell_text(value))
        else:
            safe = self._texts.get(value)  # type: ignore[assignment]
            if safe is None:
                safe = self._texts[value] = _as_plain_text(safe_cell_text(value))
        if is_formula_like(safe):
            self._quoted.add(safe)
        return safe

    def sheet(self, data: SheetData, *, planned: bool = False) -> Any:
        """Draw a sheet; ``planned``: its rows go the column-wise way of :mod:`.xlsx_fast` (only for a sheet
        no chart reads: a chart caches the cells it shows from xlsxwriter's own record of them)."""
        worksheet_class = None
        if planned and self.planned and data.rectangular:
            from lawgov_metrics.render.xlsx_fast import SplicedWorksheet

            worksheet_class = SplicedWorksheet
        ws = self.workbook.add_worksheet(data.title, worksheet_class)
        columns = data.columns
        for index, width in enumerate(data.column_widths()):
            # in pixels, so the file stores exactly `width` characters (set_column adds a cell margin)
            ws.set_column_pixels(index, index, width * DIGIT_PX)
        if data.freeze:
            ws.freeze_panes(data.freeze)
        if data.autofilter and data.rows:
            ws.autofilter(0, 0, len(data.rows), len(columns) - 1)
        for col, column in enumerate(columns):
            ws.write_string(0, col, self.text(column.header), self.header)
            if column.note:
                ws.write_comment(0, col, column.note, {"x_scale": 2, "y_scale": 2.5})
        if worksheet_class is not None:
            from lawgov_metrics.render.xlsx_fast import plan_rows

            plan_rows(self, ws, data)
        else:
            self._write_rows(ws, data)
        print_setup(ws, data.title, len(data.rows), (data.printed_columns or len(columns)) - 1)
        return ws

    def cell(self, value: Any, is_text: bool, is_int: bool, number_format: str | None) -> Cell | None:
        """The cell a row's value makes in its column, or None for no cell: (text?, the safe text or the
        number, the key of its format for :meth:`format`, None for none). The one set of rules both ways of
        writing a sheet follow: :meth:`_write_rows`, cell by cell, and :mod:`.xlsx_fast`, once per distinct
        value. A plain value costs a type test; only a :class:`Styled` one looks up its own format."""
        if value is None:
            return None
        styled = None
        if type(value) is Styled:
            styled, value = value, value.value
            if value is None:
                return None
        fill = styled.fill if styled else None
        if is_text or isinstance(value, str):
            safe = self._texts.get(value) or self.text(value)
            if safe in self._quoted:  # rare: a set look-up for the common case
                return True, safe, (None, fill, True)
            return True, safe, ((None, fill, False) if styled else None)
        if type(value) is float:
            if not math.isfinite(value):
                return None
        elif type(value) is not int:
            value = finite_number(value)  # another kind of number (numpy, bool …), or nothing
            if value is None:
                return None
        shown = number_format if styled is None else styled.number_format or number_format
        return False, int(value) if is_int else value, (shown, fill, False)

    def _write_rows(self, ws: Any, data: SheetData) -> None:
        """The rows below the header, cell by cell through xlsxwriter, each value's cell by :meth:`cell`."""
        columns = [(c.type == "text", c.type == "int", c.cell_format) for c in data.columns]
        for _, _, number_format in columns:  # the plain formats first, in column order (their numbering)
            self.format(number_format, None)
        cell, formats, write_string, write_number = self.cell, self.format, ws.write_string, ws.write_number
        for row_number, row in enumerate(data.rows, start=1):
            for col, value in enumerate(row):
                made = None if value is None else cell(value, *columns[col])
                if made is not None:
                    is_text, written, key = made
                    cell_format = None if key is None else formats(*key)
                    (write_string if is_text else write_number)(row_number, col, written, cell_format)


def _as_plain_text(text: str) -> str:
    """A text xlsxwriter would take for rich-string XML (it starts with ``<r>`` and ends with ``</r>``: copied
    into sharedStrings.xml unescaped, so ``<r>a & b</r>`` made a corrupt file) as one run of plain text,
    escaped: the cell shows the text as written."""
    if not (text.startswith("<r>") and text.endswith("</r>")):
        return text
    whole, limit = text, EXCEL_CELL_LIMIT
    while True:  # the run's tags and escapes count towards xlsxwriter's 32,767 characters
        run = f'<r><t xml:space="preserve">{xml_escape(text)}</t></r>'
        size = len(run.encode("utf-16-le")) // 2
        if size <= EXCEL_CELL_LIMIT:
            return run
        limit = limit * (EXCEL_CELL_LIMIT - 64) // size  # shrunk in proportion: fits within a few rounds
        text = safe_cell_text(whole, limit)


def _draw(report: ReportData, path: Path, generated_at: dt.datetime, *, planned: bool = True) -> None:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    if planned:
        from lawgov_metrics.render.xlsx_fast import PlannedWorkbook

        workbook = PlannedWorkbook(buffer, WORKBOOK_OPTIONS)
    else:
        workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties({"created": generated_at.astimezone(dt.UTC).replace(tzinfo=None)})
    from lawgov_metrics.output_paths import REPORT_PROPERTY

    workbook.set_custom_property(REPORT_PROPERTY, "score")  # a folder read skips the tool's own reports
    drawer = _Drawer(workbook, report.grades, planned=planned)
    overview = drawer.sheet(report.overview)
    grade_formats(workbook, overview, report.overview, report.grades)
    if report.chart_year is not None:
        bar_chart(workbook, overview, report.overview, report.chart_year, report.grades)
    for part in sheet_parts(report.details):
        drawer.sheet(part, planned=True)
    colour_scale(drawer.sheet(report.chapters, planned=True), report.chapters, report.pass_rate)
    if report.trend is not None:
        line_charts(workbook, drawer.sheet(report.trend), report.trend, report.trend_blocks)
    for part in sheet_parts(report.issues):
        drawer.sheet(part, planned=True)
    drawer.sheet(report.notes)
    workbook.close()
    written = workbook.zipped if planned else buffer  # planned: zipped by close, as xlsxwriter zips
    with path.open("wb") as stream:
        stream.write(written.getbuffer())


def sheet_parts(data: SheetData) -> list[SheetData]:
    """A sheet, or, past Excel's 1,048,576 rows (10^4 units' five years of 指标明细), the sheet and its
    continuations 「指标明细（续1）」…, each with the header: xlsxwriter would drop the rows past the limit
    without a word (its write returns -1)."""
    limit = EXCEL_MAX_DATA_ROWS
    if len(data.rows) <= limit:
        return [data]
    return [
        replace(
            data, title=data.title if n == 0 else f"{data.title}（续{n}）", rows=data.rows[at : at + limit]
        )
        for n, at in enumerate(range(0, len(data.rows), limit))
    ]


def write_xlsx(
    assessment: Assessment, path: str | os.PathLike[str], *, inputs: Iterable[str], generated_at: dt.datetime
) -> None:
    """Write the Excel report to ``path`` atomically (a temporary file beside it, then ``os.replace``):
    a reader never sees half a report, and a report already at ``path`` is replaced whole."""
    target = Path(path).resolve()
    temp = _new_temp_file(target)
    try:
        # xlsxwriter keeps a small record per cell alive until the file is closed (~130k for the sample): the
        # collector's passes over them find nothing and cost ~15% of the write
        with collector_paused():
            report = build_report(assessment, [str(i) for i in inputs], generated_at)
            _draw(report, temp, generated_at, planned=_PLANNED_ROWS)
        with suppress(FileNotFoundError):  # keep an existing report's permissions
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _new_temp_file(target: Path) -> Path:
    """An empty, new file beside ``target`` (same file system, so the rename is atomic); created with
    0666 & ~umask like any other new file, unlike mkstemp's 0600."""
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"无法在 {target.parent} 中创建临时文件")
