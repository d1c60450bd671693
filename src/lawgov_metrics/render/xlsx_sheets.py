"""What each sheet of the Excel report holds: columns, rows in order, cell formats and fills.

Plain data (:class:`SheetData` per sheet, :class:`ReportData` for the report), built from an
:class:`~lawgov_metrics.results.Assessment` and drawn by :mod:`lawgov_metrics.render.xlsx`; nothing here
knows the spreadsheet library. Values are ``None`` (an empty cell), ``str`` (text, made safe when it is
written), ``int``/``float`` (numbers) or :class:`Styled` (a value with its own number format or fill).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from lawgov_metrics.render.numbers import finite_number
from lawgov_metrics.results import NOT_SUBMITTED, REMARK_LABELS, STATUS_LABELS, remark_text

if TYPE_CHECKING:
    import pandas as pd

    from lawgov_metrics.catalogue import Catalogue
    from lawgov_metrics.results import Assessment

CellType = Literal["text", "int", "number", "percent"]
PERCENT = "0.0%"
POINTS = "0.0#"  # 得分 and other plain numbers: 87.6, 136.31
PERCENT_KINDS = frozenset({"ratio", "per_person", "cumulative", "duration", "trend"})
FILLS: dict[str, str] = {  # Styled.fill → background colour (RGB hex): a status id, or severity:<id>
    "met": "C6EFCE",  # green
    "not_met": "FFC7CE",  # red
    "missing": "FFD8A8",  # orange
    "invalid": "C00000",  # dark red, drawn with white bold text
    "not_applicable": "D9D9D9",  # grey
    "not_yet_due": "D9D9D9",
    "severity:error": "FFC7CE",
    "severity:warning": "FFD8A8",
}
DARK_FILLS = frozenset({"invalid"})
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
HEADER_FILL = "DDEBF7"
WIDTH_SAMPLE = 2_000  # rows looked at when fitting a column's width
DETAIL_TEXTS = (
    "unit",
    "kind",
    "chapter",
    "clause",
    "indicator",
    "name",
    "display",
    "target",
    "status",
    "note",
    "inputs",
)


# ---------------------------------------------------------------- row models


@dataclass(frozen=True)
class Column:
    header: str
    type: CellType = "text"
    max_width: int = 40
    number_format: str | None = None  # default for the column's numbers

    @property
    def cell_format(self) -> str | None:
        """The number format of the column's numbers that carry none of their own."""
        return self.number_format or (PERCENT if self.type == "percent" else None)


class Styled(NamedTuple):  # thousands per report: a tuple costs half a frozen dataclass
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
        """The 1-based spreadsheet row of the last data row (the header is row 1)."""
        return len(self.rows) + 1

    def column_widths(self) -> list[int]:
        """Each column's width in characters: its header or its widest value among the first rows
        (a CJK character counts two), plus a margin, within 6 and the column's ``max_width``."""
        sample = self.rows[:WIDTH_SAMPLE]
        widths = []
        for i, column in enumerate(self.columns):
            widest = _display_width(column.header)
            for value in {row[i] for row in sample}:  # few distinct values: names and quotes repeat
                if widest + 2 >= column.max_width:
                    break
                widest = max(widest, _display_width(value))
            widths.append(max(6, min(column.max_width, widest + 2)))
        return widths


def _display_width(value: Any) -> int:
    if isinstance(value, Styled):
        value = value.value
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    text = str(value)[:200]
    if text.isascii():
        return len(text)
    kinds = Counter(map(unicodedata.east_asian_width, text))
    return len(text) + kinds["W"] + kinds["F"]  # wide and full-width characters take two columns


def _texts(column: pd.Series) -> list[Any]:
    """A column's values, blanks (None, NaN, "") as None."""
    values = column.tolist()
    for i in (column.isna() | column.eq("")).to_numpy().nonzero()[0]:
        values[i] = None
    return values


def _finite(column: pd.Series) -> list[float | None]:
    """A numeric column as :func:`finite` numbers, in one pass."""
    import pandas as pd

    numbers = pd.to_numeric(column, errors="coerce").astype("float64").tolist()
    return [number if math.isfinite(number) else None for number in numbers]


def _ints(column: pd.Series) -> list[int]:
    return [int(value) for value in column.tolist()]


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
        Column("覆盖率", "percent"),
        Column("排名", "int"),
        Column("等次"),
        *(Column(label, "int") for label in STATUS_LABELS.values()),
    )
    sheet = SheetData("总览", columns)
    for r in _score_order(assessment):
        submitted = bool(r["submitted"])
        sheet.rows.append(
            [
                r["unit"],
                _kind_label(assessment.catalogue, str(r["kind"])),
                int(r["year"]),
                finite_number(r["points"]) if submitted else None,
                finite_number(r["max_points"]) if submitted else None,
                finite_number(r["rate"]),
                finite_number(r["coverage"]),
                _int(r["rank"]),
                (r["grade"] or None) if submitted else NOT_SUBMITTED,
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
        Column("填报备注", max_width=60),
    )
    sheet = SheetData("指标明细", columns, freeze="B2")
    results = assessment.results
    text = {name: _texts(results[name]) for name in DETAIL_TEXTS}
    number = {name: _finite(results[name]) for name in ("value", "points", "max_points")}
    years = _ints(results["year"])
    kinds = {kind.id: _kind_label(catalogue, kind.id) for kind in catalogue.unit_kinds}
    percent = {ind.id for ind in catalogue.indicators if ind.kind in PERCENT_KINDS and not _counted(ind)}
    quotes = {ind.id: ind.quote for ind in catalogue.indicators}
    statuses = {status: Styled(label, fill=status) for status, label in STATUS_LABELS.items()}
    indicators = text["indicator"]
    remarks = _remarks_by_result(assessment.provenance)
    rows = zip(
        text["unit"],
        [kinds.get(kind, kind) for kind in text["kind"]],
        years,
        text["chapter"],
        text["clause"],
        indicators,
        text["name"],
        [
            Styled(value, number_format=PERCENT) if ind in percent and value is not None else value
            for ind, value in zip(indicators, number["value"], strict=True)
        ],
        text["display"],
        text["target"],
        [statuses.get(status) or Styled(status, fill=status) for status in text["status"]],
        number["points"],
        number["max_points"],
        text["note"],
        [quotes.get(ind) for ind in indicators],
        text["inputs"],
        [remarks.get(key) for key in zip(text["unit"], years, indicators, strict=True)],
        strict=True,
    )
    position = {(str(r["unit"]), int(r["year"])): i for i, r in enumerate(_score_order(assessment))}
    indicator_order = {ind.id: i for i, ind in enumerate(catalogue.indicators)}
    keys = [
        (year, position.get((unit, year), len(position)), indicator_order.get(ind, len(indicator_order)))
        for unit, year, ind in zip(text["unit"], years, indicators, strict=True)
    ]
    unsorted = [list(row) for row in rows]
    sheet.rows = [unsorted[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]
    return sheet


def _remarks_by_result(provenance: pd.DataFrame) -> dict[tuple[Any, int, Any], str]:
    """(unit, year, indicator) → 「输入（来源：…；统计截止日：…；备注：…）；…」 for the inputs the unit
    annotated; the few annotated rows are picked out by column first."""
    if not len(provenance) or not set(REMARK_LABELS) <= set(provenance.columns):
        return {}
    given = provenance["cited"].fillna("").ne("") | provenance["as_of"].notna()
    given |= provenance["note"].fillna("").ne("")
    out: dict[tuple[Any, int, Any], str] = {}
    for r in provenance[given].to_dict("records"):
        key = (r["unit"], int(r["year"]), r["indicator"])
        said = f"{r['input']}（{remark_text(r)}）"
        out[key] = f"{out[key]}；{said}" if key in out else said
    return out


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


def _counted(ind: object) -> bool:
    """A trend on one count (``field``: 人员数量), whose value is a number, not a percent."""
    return getattr(ind, "kind", "") == "trend" and getattr(ind, "field", None) is not None


def trend_sheet(assessment: Assessment) -> tuple[SheetData, list[tuple[str, int, int]]] | None:
    """Trend indicators' values per unit per year, and (indicator name, first row, last row) per
    indicator block for the charts; ``None`` with one year or no trend indicator."""
    years = list(assessment.years)
    catalogue = assessment.catalogue
    # ratio trends: the sheet's columns are percents (a headcount trend is in 指标明细 with its count)
    trend_ids = [ind.id for ind in catalogue.indicators if ind.kind == "trend" and not _counted(ind)]
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
    pass_rate: float  # the lowest passing grade's 得分率: the yellow middle of 章节得分's colour scale

    @property
    def sheets(self) -> list[SheetData]:
        """The sheets in the workbook's order."""
        shown = [self.overview, self.details, self.chapters, self.trend, self.issues, self.notes]
        return [sheet for sheet in shown if sheet is not None]


def build_report(assessment: Assessment, inputs: Sequence[str], generated_at: dt.datetime) -> ReportData:
    trend = trend_sheet(assessment)
    passing = [grade.min_rate for grade in assessment.catalogue.grades if grade.min_rate > 0]
    return ReportData(
        overview=overview_sheet(assessment),
        details=details_sheet(assessment),
        chapters=chapters_sheet(assessment),
        trend=trend[0] if trend else None,
        trend_blocks=trend[1] if trend else [],
        issues=issues_sheet(assessment),
        notes=notes_sheet(assessment, inputs, generated_at),
        chart_year=max(assessment.years) if assessment.years else None,
        pass_rate=min(passing) if passing else 0.5,
    )
