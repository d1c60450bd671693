"""The Excel report of ``score``: rows first (:class:`SheetData`), then one streaming openpyxl workbook.

Sheets: 总览 · 指标明细 · 章节得分 · 趋势 (more than one year only) · 数据问题 · 说明.

- numbers are stored as numbers (得分率 as a fraction formatted ``0.0%``), never as text;
- every text cell goes through :func:`~lawgov_metrics.render.safe_text.safe_cell_text` and is a string
  cell (type forced wherever openpyxl would infer otherwise), so a unit named ``=HYPERLINK(…)`` or a
  value ``#N/A`` stays text;
- the file is written to a temporary file beside the target, then renamed over it (``os.replace``).

openpyxl is imported inside the functions: ``lawgov-metrics --help`` must not pay for it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lawgov_metrics.render import finite_number
from lawgov_metrics.render.safe_text import safe_cell_text
from lawgov_metrics.results import STATUS_LABELS

if TYPE_CHECKING:
    from lawgov_metrics.catalogue import Catalogue
    from lawgov_metrics.results import Assessment

CellType = Literal["text", "int", "number", "percent"]
PERCENT = "0.0%"
POINTS = "0.0#"  # 得分 and other plain numbers: 87.6, 136.31
PERCENT_KINDS = frozenset({"ratio", "per_person", "cumulative", "duration", "trend"})
STATUS_FILLS: dict[str, str] = {  # background, ARGB-less hex
    "met": "C6EFCE",  # green
    "not_met": "FFC7CE",  # red
    "missing": "FFD8A8",  # orange
    "invalid": "C00000",  # dark red (white text)
    "not_applicable": "D9D9D9",  # grey
    "not_yet_due": "D9D9D9",
}
SEVERITY_FILLS = {"error": "FFC7CE", "warning": "FFD8A8"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
HEADER_FILL = "DDEBF7"
WIDTH_SAMPLE = 2_000  # rows looked at when fitting a column's width
SCALE_COLOURS = ("F8696B", "FFEB84", "63BE7B")  # red → yellow → green


# ---------------------------------------------------------------- row models


@dataclass(frozen=True)
class Column:
    header: str
    type: CellType = "text"
    max_width: int = 40
    number_format: str | None = None  # default for the column's numbers


@dataclass(frozen=True)
class Styled:
    """A value with a cell-specific number format and/or fill (fill: the status or severity id)."""

    value: Any
    number_format: str | None = None
    fill: str | None = None


@dataclass
class SheetData:
    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]] = field(default_factory=list)
    freeze: str | None = "A2"
    autofilter: bool = True

    @property
    def last_row(self) -> int:
        return len(self.rows) + 1


def _column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _int(value: Any) -> int | None:
    number = finite_number(value)
    return None if number is None else int(number)


def _kind_label(catalogue: Catalogue, kind: str) -> str:
    """The unit's kind; a named agency also shows the kind it is ranked within: 市直部门（市司法局）."""
    own = catalogue.kinds_by_id.get(kind)
    if own is None:
        return kind
    if own.within and own.within in catalogue.kinds_by_id:
        return f"{catalogue.kinds_by_id[own.within].name}（{own.name}）"
    return own.name


def _score_order(assessment: Assessment) -> list[dict[Any, Any]]:
    """Scores by year, kind in catalogue order, rank, unit (presentation order only)."""
    order = {kind.id: i for i, kind in enumerate(assessment.catalogue.unit_kinds)}
    records: list[dict[Any, Any]] = assessment.scores.to_dict("records")
    return sorted(
        records,
        key=lambda r: (
            int(r["year"]),
            order.get(str(r["group"]), len(order)),
            finite_number(r["rank"]) if finite_number(r["rank"]) is not None else float("inf"),
            str(r["unit"]),
        ),
    )


# ---------------------------------------------------------------- building the sheets


def overview_sheet(assessment: Assessment) -> SheetData:
    columns = (
        Column("单位"),
        Column("类别", max_width=24),
        Column("年度", "int"),
        Column("得分", "number", number_format=POINTS),
        Column("满分", "number", number_format=POINTS),
        Column("得分率", "percent"),
        Column("排名", "int"),
        Column("等次"),
        *(Column(label, "int") for label in STATUS_LABELS.values()),
    )
    sheet = SheetData("总览", columns)
    for r in _score_order(assessment):
        sheet.rows.append(
            [
                r["unit"],
                _kind_label(assessment.catalogue, str(r["kind"])),
                int(r["year"]),
                finite_number(r["points"]),
                finite_number(r["max_points"]),
                finite_number(r["rate"]),
                _int(r["rank"]),
                r["grade"] or None,
                *(int(r[status]) for status in STATUS_LABELS),
            ]
        )
    return sheet


def details_sheet(assessment: Assessment) -> SheetData:
    catalogue = assessment.catalogue
    columns = (
        Column("单位"),
        Column("类别", max_width=24),
        Column("年度", "int"),
        Column("章", max_width=6),
        Column("条款", max_width=10),
        Column("指标标识", max_width=36),
        Column("指标", max_width=40),
        Column("数值", "number"),
        Column("显示值", max_width=30),
        Column("目标", max_width=30),
        Column("状态", max_width=10),
        Column("得分", "number", number_format=POINTS),
        Column("满分", "number", number_format=POINTS),
        Column("说明", max_width=40),
        Column("方案原文", max_width=60),
        Column("数据来源", max_width=60),
    )
    sheet = SheetData("指标明细", columns, freeze="B2")
    position = {(str(r["unit"]), int(r["year"])): i for i, r in enumerate(_score_order(assessment))}
    indicator_order = {ind.id: i for i, ind in enumerate(catalogue.indicators)}
    records = sorted(
        assessment.results.to_dict("records"),
        key=lambda r: (
            int(r["year"]),
            position.get((str(r["unit"]), int(r["year"])), len(position)),
            indicator_order.get(str(r["indicator"]), len(indicator_order)),
        ),
    )
    kinds = {kind.id: _kind_label(catalogue, kind.id) for kind in catalogue.unit_kinds}
    for r in records:
        ind = catalogue.indicators_by_id.get(str(r["indicator"]))
        status = str(r["status"])
        value_format = PERCENT if ind is not None and ind.kind in PERCENT_KINDS else None
        sheet.rows.append(
            [
                r["unit"],
                kinds.get(str(r["kind"]), str(r["kind"])),
                int(r["year"]),
                r["chapter"],
                r["clause"],
                r["indicator"],
                r["name"],
                Styled(finite_number(r["value"]), number_format=value_format),
                r["display"] or None,
                r["target"] or None,
                Styled(STATUS_LABELS.get(status, status), fill=status),
                finite_number(r["points"]),
                finite_number(r["max_points"]),
                r["note"] or None,
                ind.quote if ind is not None else None,
                r["inputs"] or None,
            ]
        )
    return sheet


def chapters_sheet(assessment: Assessment) -> SheetData:
    chapters = assessment.catalogue.chapters
    columns = (
        Column("单位"),
        Column("类别", max_width=24),
        Column("年度", "int"),
        *(Column(f"第{c.id}章", "percent") for c in chapters),
        Column("合计", "percent"),
    )
    sheet = SheetData("章节得分", columns, freeze="D2")
    frame = assessment.chapters
    rates = {
        (str(u), int(y), str(c)): finite_number(r)
        for u, y, c, r in zip(frame["unit"], frame["year"], frame["chapter"], frame["rate"], strict=True)
    }
    for r in _score_order(assessment):
        unit, year = str(r["unit"]), int(r["year"])
        sheet.rows.append(
            [
                r["unit"],
                _kind_label(assessment.catalogue, str(r["kind"])),
                year,
                *(rates.get((unit, year, c.id)) for c in chapters),
                finite_number(r["rate"]),
            ]
        )
    return sheet


def trend_sheet(assessment: Assessment) -> tuple[SheetData, list[tuple[str, int, int]]] | None:
    """Trend indicators' values per unit per year, and (indicator name, first row, last row) per
    indicator block for the charts; ``None`` with one year or no trend indicator."""
    years = list(assessment.years)
    catalogue = assessment.catalogue
    trend_ids = [ind.id for ind in catalogue.indicators if ind.kind == "trend"]
    results = assessment.results
    results = results[results["indicator"].isin(trend_ids)]
    if len(years) < 2 or results.empty:
        return None
    columns = (
        Column("指标标识", max_width=36),
        Column("指标", max_width=30),
        Column("单位"),
        *(Column(f"{year}年", "percent") for year in years),
    )
    sheet = SheetData("趋势", columns, freeze="D2")
    values = {
        (str(i), str(u), int(y)): finite_number(v)
        for i, u, y, v in zip(
            results["indicator"], results["unit"], results["year"], results["value"], strict=True
        )
    }
    unit_order = list(dict.fromkeys(str(r["unit"]) for r in _score_order(assessment)))
    blocks = []
    for indicator in trend_ids:
        units = [u for u in unit_order if any((indicator, u, y) in values for y in years)]
        if not units:
            continue
        first = sheet.last_row + 1
        name = catalogue.indicators_by_id[indicator].name
        for unit in units:
            sheet.rows.append([indicator, name, unit, *(values.get((indicator, unit, y)) for y in years)])
        blocks.append((name, first, sheet.last_row))
    return sheet, blocks


def issues_sheet(assessment: Assessment) -> SheetData:
    columns = (
        Column("严重程度", max_width=8),
        Column("代码", max_width=24),
        Column("说明", max_width=60),
        Column("文件", max_width=40),
        Column("工作表", max_width=24),
        Column("单元格", max_width=10),
        Column("行", "int"),
        Column("列", max_width=20),
        Column("值", max_width=30),
        Column("单位"),
    )
    sheet = SheetData("数据问题", columns)
    for issue in assessment.issues_list:
        sheet.rows.append(
            [
                Styled(SEVERITY_LABELS[issue.severity], fill=f"severity:{issue.severity}"),
                issue.code,
                issue.message,
                issue.file or None,
                issue.sheet or None,
                issue.cell or None,
                issue.row,
                issue.column or None,
                issue.value or None,
                issue.unit or None,
            ]
        )
    return sheet


SCORING_WORDS = (
    "每项指标按指标目录规定的分值和计分规则计分：达标得满分（全有全无）；按完成比例得分；分档得分；"
    "或按缺少次数扣分、累计扣分不超过上限。",
    "状态为“不适用”“未到期”的指标不计入满分；“缺数据”“数据有误”的指标得 0 分，并计入满分。",
    "得分率 = 得分 ÷ 满分（可得满分）。各章得分率按同样方法在章内计算。",
    "排名在同一类别、同一年度内按得分率从高到低进行，得分率相同名次相同；"
    "具名机关（如市司法局）在其所属一般类别（如市直部门）内排名。",
    "等次按得分率划分，见下表。",
)


def notes_sheet(assessment: Assessment, inputs: Sequence[str], generated_at: dt.datetime) -> SheetData:
    catalogue = assessment.catalogue
    plan = catalogue.plan
    sheet = SheetData("说明", (Column("项目", max_width=16), Column("内容", max_width=100)), autofilter=False)
    rows: list[list[Any]] = [
        ["方案", plan.title],
        ["印发机关", plan.issuer],
        ["规划期", f"{plan.period.start}—{plan.period.end}年"],
        ["指标目录版本", catalogue.version],
        ["指标目录 SHA-256", catalogue.sha256 or "（未记录）"],
        ["评估年度", "、".join(str(y) for y in assessment.years)],
        ["生成时间", generated_at.isoformat(sep=" ", timespec="seconds")],
        ["截止日期判断日", assessment.as_of.isoformat() if assessment.as_of else "（未记录）"],
        ["单位数", int(assessment.scores["unit"].nunique()) if len(assessment.scores) else 0],
        ["指标结果数", len(assessment.results)],
        [
            "数据问题",
            f"{assessment.error_count} 个错误，{len(assessment.issues_list) - assessment.error_count} 个警告",
        ],
    ]
    rows += [["计分规则" if i == 0 else None, text] for i, text in enumerate(SCORING_WORDS)]
    grades = list(catalogue.grades)
    for i, grade in enumerate(grades):
        upper = f"，< {grades[i - 1].min_rate:.0%}" if i > 0 else ""
        rows.append(["等次" if i == 0 else None, f"{grade.name}：得分率 ≥ {grade.min_rate:.0%}{upper}"])
    for i, (status, label) in enumerate(STATUS_LABELS.items()):
        rows.append(["状态" if i == 0 else None, Styled(label, fill=status)])
    for i, chapter in enumerate(catalogue.chapters):
        rows.append(["章节" if i == 0 else None, f"第{chapter.id}章 {chapter.title}"])
    rows += [["输入" if i == 0 else None, item] for i, item in enumerate(inputs or ["（未记录）"])]
    rows += [
        ["读取的文件" if i == 0 else None, item] for i, item in enumerate(assessment.files or ("（无）",))
    ]
    sheet.rows = rows
    return sheet


# ---------------------------------------------------------------- drawing


def _display_width(value: Any) -> int:
    if isinstance(value, Styled):
        value = value.value
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:200])


class _Writer:
    """Turns :class:`SheetData` into a write-only worksheet with shared, pre-built styles."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        self.workbook = Workbook(write_only=True)
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.header_alignment = Alignment(vertical="center", wrap_text=True)
        self.fills = {key: PatternFill("solid", fgColor=colour) for key, colour in STATUS_FILLS.items()}
        self.fills |= {f"severity:{k}": PatternFill("solid", fgColor=c) for k, c in SEVERITY_FILLS.items()}
        self.light_font = Font(color="FFFFFF", bold=True)  # on the dark red of 数据有误

    def text_cell(self, ws: Any, value: Any) -> Any:
        """A cell forced to the string type: never a formula, never an error value like ``#N/A``."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=safe_cell_text(value))
        cell.data_type = "s"
        return cell

    def _cell(self, ws: Any, value: Any, column: Column) -> Any:
        """What to append for one value: ``None`` (empty), a plain str/number, or a styled cell.

        Speed: a cell object per value costs a third of the write of a large sheet, so an unstyled
        text goes as a plain str — only when openpyxl's type inference can give nothing but a string:
        the neutraliser means it never starts with ``=`` (→ formula), and an error code (→ error cell)
        still gets a forced-string cell. ``tests/test_render_xlsx.py`` checks every text cell reads back
        as type ``s``.
        """
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES

        styled = value if isinstance(value, Styled) else None
        raw = styled.value if styled else value
        if raw is None:
            return None
        fill = self.fills.get(styled.fill) if styled and styled.fill else None
        if column.type == "text" or isinstance(raw, str):
            text = safe_cell_text(raw)
            if fill is None and text not in ERROR_CODES and not text.startswith("="):
                return text
            cell = self.text_cell(ws, text)
        else:
            number = finite_number(raw)
            if number is None:
                return None
            plain = int(number) if column.type == "int" else number
            number_format = (styled.number_format if styled else None) or column.number_format
            if number_format is None and column.type == "percent":
                number_format = PERCENT
            if fill is None and number_format is None:
                return plain
            cell = WriteOnlyCell(ws, value=plain)
            if number_format:
                cell.number_format = number_format
        if fill is not None:
            cell.fill = fill
            if styled is not None and styled.fill == "invalid":
                cell.font = self.light_font
        return cell

    def sheet(self, data: SheetData) -> Any:
        ws = self.workbook.create_sheet(data.title)
        columns = data.columns
        for index, column in enumerate(columns, start=1):
            widest = max(
                [
                    _display_width(column.header),
                    *(_display_width(row[index - 1]) for row in data.rows[:WIDTH_SAMPLE]),
                ]
            )
            ws.column_dimensions[_column_letter(index)].width = max(6, min(column.max_width, widest + 2))
        if data.freeze:
            ws.freeze_panes = data.freeze
        if data.autofilter and data.rows:
            ws.auto_filter.ref = f"A1:{_column_letter(len(columns))}{data.last_row}"
        header = []
        for column in columns:
            cell = self.text_cell(ws, column.header)
            cell.font, cell.fill, cell.alignment = self.header_font, self.header_fill, self.header_alignment
            header.append(cell)
        ws.append(header)
        for row in data.rows:
            ws.append([self._cell(ws, value, column) for value, column in zip(row, columns, strict=True)])
        return ws


def _bar_chart(ws: Any, overview: SheetData, year: int) -> None:
    from openpyxl.chart import BarChart, Reference

    year_column = next(i for i, c in enumerate(overview.columns) if c.header == "年度")
    rate_column = next(i for i, c in enumerate(overview.columns) if c.header == "得分率") + 1
    rows = [i for i, row in enumerate(overview.rows, start=2) if row[year_column] == year]
    if not rows:
        return
    first, last = min(rows), max(rows)  # the overview is sorted by year first: one block
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"{year}年 各单位得分率"
    chart.legend = None
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.scaling.orientation = "maxMin"  # first unit at the top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=rate_column, min_row=first, max_row=last), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.width = 18
    chart.height = max(7.5, min(60.0, 0.6 * (last - first + 1) + 3))
    ws.add_chart(chart, f"{_column_letter(len(overview.columns) + 2)}2")


def _line_charts(ws: Any, trend: SheetData, blocks: list[tuple[str, int, int]], years: int) -> None:
    from openpyxl.chart import LineChart, Reference

    anchor_col = _column_letter(len(trend.columns) + 2)
    for n, (name, first, last) in enumerate(blocks):
        chart = LineChart()
        chart.title = name
        chart.y_axis.number_format = "0%"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.add_data(
            Reference(ws, min_col=3, max_col=3 + years, min_row=first, max_row=last),
            from_rows=True,
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=4, max_col=3 + years, min_row=1, max_row=1))
        chart.width, chart.height = 18, 9
        ws.add_chart(chart, f"{anchor_col}{2 + n * 20}")


def _colour_scale(ws: Any, sheet: SheetData, catalogue: Catalogue) -> None:
    from openpyxl.formatting.rule import ColorScaleRule

    if not sheet.rows:
        return
    passing = [g.min_rate for g in catalogue.grades if g.min_rate > 0]
    middle = min(passing) if passing else 0.5
    cells = f"D2:{_column_letter(len(sheet.columns))}{sheet.last_row}"
    rule = ColorScaleRule(
        start_type="num",
        start_value=0,
        start_color=SCALE_COLOURS[0],
        mid_type="num",
        mid_value=middle,
        mid_color=SCALE_COLOURS[1],
        end_type="num",
        end_value=1,
        end_color=SCALE_COLOURS[2],
    )
    ws.conditional_formatting.add(cells, rule)


@dataclass(frozen=True)
class ReportData:
    """Every sheet's rows, plus where the charts read from."""

    overview: SheetData
    details: SheetData
    chapters: SheetData
    trend: SheetData | None
    trend_blocks: list[tuple[str, int, int]]
    issues: SheetData
    notes: SheetData
    chart_year: int | None  # the latest year: the overview's bar chart


def build_report(assessment: Assessment, inputs: Sequence[str], generated_at: dt.datetime) -> ReportData:
    trend = trend_sheet(assessment)
    return ReportData(
        overview=overview_sheet(assessment),
        details=details_sheet(assessment),
        chapters=chapters_sheet(assessment),
        trend=trend[0] if trend else None,
        trend_blocks=trend[1] if trend else [],
        issues=issues_sheet(assessment),
        notes=notes_sheet(assessment, inputs, generated_at),
        chart_year=max(assessment.years) if assessment.years else None,
    )


def write_xlsx(
    assessment: Assessment, path: str | os.PathLike[str], *, inputs: Iterable[str], generated_at: dt.datetime
) -> None:
    """Write the Excel report to ``path`` atomically (a temporary file beside it, then ``os.replace``):
    a reader never sees half a report, and a report already at ``path`` is replaced whole."""
    report = build_report(assessment, [str(i) for i in inputs], generated_at)
    writer = _Writer()
    overview = writer.sheet(report.overview)
    if report.chart_year is not None:
        _bar_chart(overview, report.overview, report.chart_year)
    writer.sheet(report.details)
    _colour_scale(writer.sheet(report.chapters), report.chapters, assessment.catalogue)
    if report.trend is not None:
        _line_charts(writer.sheet(report.trend), report.trend, report.trend_blocks, len(assessment.years))
    writer.sheet(report.issues)
    writer.sheet(report.notes)
    _save_atomically(writer.workbook, Path(path))


def _save_atomically(workbook: Any, path: Path) -> None:
    target = path.resolve()
    temp = _new_temp_file(target)
    try:
        workbook.save(temp)
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
