"""The Excel report of ``score``: the rows of :mod:`~lawgov_metrics.render.xlsx_sheets`, drawn by xlsxwriter.

Sheets: 总览 (bar chart) · 指标明细 · 章节得分 (colour scale) · 趋势 (line charts; more than one year
only) · 数据问题 · 说明.

- numbers are stored as numbers (得分率 as a fraction formatted ``0.0%``), never as text, and only when
  finite: NaN and ±inf leave the cell empty;
- every text cell goes through :func:`~lawgov_metrics.render.safe_text.safe_cell_text` and is written
  with ``write_string``, never ``write`` (which guesses formulas, numbers and URLs from text); the
  workbook's own ``strings_to_*`` guesses are off as well. So a unit named ``=HYPERLINK(…)`` or a value
  ``#N/A`` stays text;
- the file is written to a temporary file beside the target, then renamed over it (``os.replace``); the
  zip is built in memory first, so a full disk fails one plain write (a zip left half-written on disk would
  try to finish itself when collected and print a traceback).

xlsxwriter rather than openpyxl (which stays for templates and for reading): it writes the sample's
report about three times faster. xlsxwriter is imported inside the functions: ``lawgov-metrics --help``
must not pay for it.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lawgov_metrics.render.numbers import finite_number
from lawgov_metrics.render.safe_text import safe_cell_text
from lawgov_metrics.render.xlsx_sheets import (
    DARK_FILLS,
    FILLS,
    HEADER_FILL,
    ReportData,
    SheetData,
    Styled,
    build_report,
)

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
DIGIT_PX = 7  # a column width unit: one digit of the default font (Calibri 11), in pixels
CM_PX = 96 / 2.54  # chart sizes are given in cm, as before; xlsxwriter takes pixels at 96 dpi
SCALE_COLOURS = ("#F8696B", "#FFEB84", "#63BE7B")  # red → yellow → green
TREND_CHART_ROWS = 20  # line charts are stacked this many rows apart


class _Drawer:
    """Writes :class:`SheetData` into worksheets, with one shared format per (number format, fill)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.header = workbook.add_format(
            {"bold": True, "bg_color": f"#{HEADER_FILL}", "valign": "vcenter", "text_wrap": True}
        )
        self._formats: dict[tuple[str | None, str | None], Any] = {}
        self._texts: dict[str, str] = {}  # the report repeats names and quotes thousands of times

    def format(self, number_format: str | None, fill: str | None) -> Any:
        """The shared format for a number format and a fill id of :data:`FILLS` (None: no format)."""
        if number_format is None and fill not in FILLS:
            return None
        key = (number_format, fill)
        if key not in self._formats:
            properties: dict[str, Any] = {}
            if number_format is not None:
                properties["num_format"] = number_format
            if fill in FILLS:
                properties["bg_color"] = f"#{FILLS[fill]}"
                if fill in DARK_FILLS:
                    properties |= {"font_color": "#FFFFFF", "bold": True}
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def text(self, value: Any) -> str:
        if type(value) is not str:
            return safe_cell_text(value)
        safe = self._texts.get(value)
        if safe is None:
            safe = self._texts[value] = safe_cell_text(value)
        return safe

    def sheet(self, data: SheetData) -> Any:
        ws = self.workbook.add_worksheet(data.title)
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
        self._write_rows(ws, data)
        return ws

    def _write_rows(self, ws: Any, data: SheetData) -> None:
        """The rows below the header: ~150k cells for the sample, so a plain value costs a type test and
        one write; only a :class:`Styled` value looks up its own format."""
        is_text = [column.type == "text" for column in data.columns]
        is_int = [column.type == "int" for column in data.columns]
        number_formats = [column.cell_format for column in data.columns]
        plain_formats = [self.format(number_format, None) for number_format in number_formats]
        texts, text = self._texts, self.text
        write_string, write_number, isfinite = ws.write_string, ws.write_number, math.isfinite
        for row_number, row in enumerate(data.rows, start=1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                styled = None
                if type(value) is Styled:
                    styled, value = value, value.value
                    if value is None:
                        continue
                if is_text[col] or isinstance(value, str):
                    cell_format = self.format(None, styled.fill) if styled else None
                    write_string(row_number, col, texts.get(value) or text(value), cell_format)
                    continue
                if type(value) is float:
                    if not isfinite(value):
                        continue
                elif type(value) is not int:
                    value = finite_number(value)  # another kind of number (numpy, bool …), or nothing
                    if value is None:
                        continue
                if styled is None:
                    cell_format = plain_formats[col]
                else:
                    cell_format = self.format(styled.number_format or number_formats[col], styled.fill)
                write_number(row_number, col, int(value) if is_int[col] else value, cell_format)


def _bar_chart(workbook: Any, ws: Any, overview: SheetData, year: int) -> None:
    """得分率 of the year's units, first unit at the top as in the table, beside the table."""
    headers = [column.header for column in overview.columns]
    year_col, rate_col = headers.index("年度"), headers.index("得分率")
    rows = [i for i, row in enumerate(overview.rows, start=1) if row[year_col] == year]
    if not rows:
        return
    first, last = min(rows), max(rows)  # the overview is sorted by year first: one block
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "categories": [overview.title, first, 0, last, 0],
            "values": [overview.title, first, rate_col, last, rate_col],
        }
    )
    chart.set_title({"name": f"{year}年 各单位得分率"})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})  # a bar chart's value axis is its x axis
    chart.set_y_axis({"reverse": True})
    height = max(7.5, min(60.0, 0.6 * (last - first + 1) + 3))
    chart.set_size({"width": round(18 * CM_PX), "height": round(height * CM_PX)})
    ws.insert_chart(1, len(overview.columns) + 1, chart)


def _line_charts(workbook: Any, ws: Any, trend: SheetData, blocks: list[tuple[str, int, int]]) -> None:
    """One chart per trend indicator: a line per unit over the years (the columns after 单位)."""
    first_year, last_year = 3, len(trend.columns) - 1
    for n, (name, first, last) in enumerate(blocks):
        chart = workbook.add_chart({"type": "line"})
        for row in range(first - 1, last):  # the blocks' rows are 1-based spreadsheet rows
            chart.add_series(
                {
                    "name": [trend.title, row, 2],
                    "categories": [trend.title, 0, first_year, 0, last_year],
                    "values": [trend.title, row, first_year, row, last_year],
                }
            )
        chart.set_title({"name": name})
        chart.set_y_axis({"num_format": "0%"})
        chart.set_size({"width": round(18 * CM_PX), "height": round(9 * CM_PX)})
        ws.insert_chart(1 + n * TREND_CHART_ROWS, len(trend.columns) + 1, chart)


def _colour_scale(ws: Any, sheet: SheetData, pass_rate: float) -> None:
    """Chapter rates from red (0) through yellow (the lowest passing grade) to green (100%)."""
    if not sheet.rows:
        return
    low, middle, high = SCALE_COLOURS
    ws.conditional_format(
        1,
        3,
        len(sheet.rows),
        len(sheet.columns) - 1,
        {
            "type": "3_color_scale",
            "min_type": "num",
            "min_value": 0,
            "min_color": low,
            "mid_type": "num",
            "mid_value": pass_rate,
            "mid_color": middle,
            "max_type": "num",
            "max_value": 1,
            "max_color": high,
        },
    )


def _draw(report: ReportData, path: Path, generated_at: dt.datetime) -> None:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties({"created": generated_at.astimezone(dt.UTC).replace(tzinfo=None)})
    drawer = _Drawer(workbook)
    overview = drawer.sheet(report.overview)
    if report.chart_year is not None:
        _bar_chart(workbook, overview, report.overview, report.chart_year)
    drawer.sheet(report.details)
    _colour_scale(drawer.sheet(report.chapters), report.chapters, report.pass_rate)
    if report.trend is not None:
        _line_charts(workbook, drawer.sheet(report.trend), report.trend, report.trend_blocks)
    drawer.sheet(report.issues)
    drawer.sheet(report.notes)
    workbook.close()
    with path.open("wb") as stream:
        stream.write(buffer.getbuffer())


def write_xlsx(
    assessment: Assessment, path: str | os.PathLike[str], *, inputs: Iterable[str], generated_at: dt.datetime
) -> None:
    """Write the Excel report to ``path`` atomically (a temporary file beside it, then ``os.replace``):
    a reader never sees half a report, and a report already at ``path`` is replaced whole."""
    target = Path(path).resolve()
    temp = _new_temp_file(target)
    try:
        with _collector_paused():
            _draw(build_report(assessment, [str(i) for i in inputs], generated_at), temp, generated_at)
        with suppress(FileNotFoundError):  # keep an existing report's permissions
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, then restored as it was. xlsxwriter keeps a small record
    per cell alive until the file is closed (~130k for the sample): the collector's passes over them find
    nothing and cost ~15% of the write. They become garbage together with the closed workbook, and the
    collector's next pass frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
