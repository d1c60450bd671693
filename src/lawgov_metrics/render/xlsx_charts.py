"""The Excel report's charts, colours and print setup, drawn by xlsxwriter on sheets :mod:`~lawgov_metrics.
render.xlsx` has written: 总览's bars coloured by grade and its rows coloured by grade (conditional
formats, so a re-sorted table keeps them), 章节得分's colour scale, 趋势's small multiples (one chart per
indicator and unit kind, at most :data:`~lawgov_metrics.render.xlsx_sheets.TREND_SERIES_MAX` lines each,
two charts a row), and every sheet set up to print: A4 landscape, one page wide, the header row repeated,
page numbers in Chinese.
"""

from __future__ import annotations

from typing import Any

from lawgov_metrics.render.xlsx_rows import SheetData
from lawgov_metrics.results import NOT_SUBMITTED

CM_PX = 96 / 2.54  # chart sizes are given in cm; xlsxwriter takes pixels at 96 dpi
ROW_PX, COLUMN_PX = 20, 64  # the default row height and column width, in pixels
SCALE_COLOURS = ("#F8696B", "#FFEB84", "#63BE7B")  # red → yellow → green
# a grade's cell fill (pale, under black text) → its bar's colour (strong enough to see on white)
BAR_COLOURS = {"C6EFCE": "#63BE7B", "DDEBF7": "#5B9BD5", "FFEB9C": "#FFC000", "FFC7CE": "#F8696B"}
NOT_GRADED = "D9D9D9"  # 未报送: grey
TREND_CHART_CM = (15.0, 8.0)  # width, height of one small multiple
TREND_CHART_ROWS = 17  # rows between two rows of trend charts (8 cm at the default row height, and a gap)
A4 = 9  # xlsxwriter's paper code


def print_setup(ws: Any, title: str, last_row: int, last_col: int) -> None:
    """A4 landscape, fitted to one page wide (as many pages down as it takes), the header row printed on
    every page, the sheet's name above and 第 N 页，共 M 页 below, gridlines printed. The print area is the
    table (0-based ``last_row``, ``last_col``): a long text running on past the last column would otherwise
    widen the printed page and shrink the table to nothing."""
    ws.print_area(0, 0, max(last_row, 1), last_col)
    ws.set_paper(A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.set_header(f'&L&"-,Bold"{title.replace("&", "&&")}&R&D')
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.hide_gridlines(0)  # 0: shown on screen and printed


def grade_formats(
    workbook: Any, ws: Any, overview: SheetData, grades: tuple[tuple[str, float, str], ...]
) -> None:
    """Each row of 总览, from 单位 to 等次, filled with its grade's colour (未报送 grey)."""
    headers = [column.header for column in overview.columns]
    if not overview.rows or "等次" not in headers:
        return
    from xlsxwriter.utility import xl_col_to_name

    grade_col = headers.index("等次")
    letter = xl_col_to_name(grade_col)
    fills = [(name, colour) for name, _, colour in grades] + [(NOT_SUBMITTED, NOT_GRADED)]
    for name, colour in fills:
        quoted = name.replace('"', '""')
        ws.conditional_format(
            1,
            0,
            len(overview.rows),
            grade_col,
            {
                "type": "formula",
                "criteria": f'=${letter}2="{quoted}"',
                "format": workbook.add_format({"bg_color": f"#{colour}"}),
            },
        )


def bar_chart(
    workbook: Any, ws: Any, overview: SheetData, year: int, grades: tuple[tuple[str, float, str], ...]
) -> None:
    """得分率 of the year's units, first unit at the top as in the table, beside the table; each bar in its
    grade's colour, the grades' cut-offs in the title and a gridline every 10%."""
    headers = [column.header for column in overview.columns]
    year_col, rate_col, grade_col = headers.index("年度"), headers.index("得分率"), headers.index("等次")
    rows = [i for i, row in enumerate(overview.rows, start=1) if row[year_col] == year]
    if not rows:
        return
    first, last = min(rows), max(rows)  # the overview is sorted by year first: one block
    colour = {name: BAR_COLOURS.get(fill, f"#{fill}") for name, _, fill in grades}
    points = [
        {"fill": {"color": colour.get(overview.rows[r - 1][grade_col], f"#{NOT_GRADED}")}}
        for r in range(first, last + 1)
    ]
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "categories": [overview.title, first, 0, last, 0],
            "values": [overview.title, first, rate_col, last, rate_col],
            "points": points,
            "gap": 40,
        }
    )
    bands = "、".join(f"{name} ≥{rate:.0%}" for name, rate, _ in grades if rate > 0)
    chart.set_title({"name": f"{year}年 各单位得分率（{bands}）", "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    # a bar chart's value axis is its x axis
    chart.set_x_axis(
        {"num_format": "0%", "min": 0, "max": 1, "major_unit": 0.1, "major_gridlines": {"visible": True}}
    )
    chart.set_y_axis({"reverse": True})
    height = max(7.5, min(60.0, 0.6 * (last - first + 1) + 3))
    size = (round(18 * CM_PX), round(height * CM_PX))
    chart.set_size({"width": size[0], "height": size[1]})
    ws.insert_chart(1, len(overview.columns) + 1, chart)
    _print_with_chart(ws, len(overview.rows), len(overview.columns) + 1, 1, size)


def line_charts(workbook: Any, ws: Any, trend: SheetData, blocks: list[tuple[str, int, int]]) -> None:
    """One small chart per block (an indicator and a unit kind): a line per unit over the years (the
    columns after 单位), two charts a row beside the table."""
    headers = [column.header for column in trend.columns]
    unit_col = headers.index("单位")
    first_year, last_year = unit_col + 1, len(trend.columns) - 1
    width, height = (round(cm * CM_PX) for cm in TREND_CHART_CM)
    for n, (title, first, last) in enumerate(blocks):
        chart = workbook.add_chart({"type": "line"})
        for row in range(first - 1, last):  # the blocks' rows are 1-based spreadsheet rows
            chart.add_series(
                {
                    "name": [trend.title, row, unit_col],
                    "categories": [trend.title, 0, first_year, 0, last_year],
                    "values": [trend.title, row, first_year, row, last_year],
                    "marker": {"type": "circle", "size": 4},
                }
            )
        chart.set_title({"name": title, "name_font": {"size": 10}})
        chart.set_y_axis({"num_format": "0%"})  # each its own scale: a 2% 败诉率 would be flat on 0–100%
        chart.set_legend({"position": "right", "font": {"size": 8}})
        chart.set_size({"width": width, "height": height})
        ws.insert_chart(
            1 + (n // 2) * TREND_CHART_ROWS,
            len(trend.columns) + 1,
            chart,
            {"x_offset": (n % 2) * (width + 10), "object_position": 3},
        )
    if blocks:
        across = 2 if len(blocks) > 1 else 1
        top = 1 + (len(blocks) - 1) // 2 * TREND_CHART_ROWS
        _print_with_chart(ws, len(trend.rows), len(trend.columns) + 1, top, (across * (width + 10), height))


def _print_with_chart(ws: Any, rows: int, chart_col: int, chart_row: int, size: tuple[int, int]) -> None:
    """The print area widened to the charts beside the table (charts outside it are not printed)."""
    right = chart_col + -(-size[0] // COLUMN_PX)
    bottom = chart_row + -(-size[1] // ROW_PX)
    ws.print_area(0, 0, max(rows, bottom), right)


def colour_scale(ws: Any, sheet: SheetData, pass_rate: float) -> None:
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
