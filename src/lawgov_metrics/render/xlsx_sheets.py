"""What each sheet of the Excel report holds: columns, rows in order, cell formats and fills.

Plain data (:class:`SheetData` per sheet, :class:`ReportData` for the report), built from an
:class:`~lawgov_metrics.results.Assessment` and drawn by :mod:`lawgov_metrics.render.xlsx`; nothing here
knows the spreadsheet library. Values are ``None`` (an empty cell), ``str`` (text, made safe when it is
written), ``int``/``float`` (numbers) or :class:`Styled` (a value with its own number format or fill).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lawgov_metrics.render.numbers import finite_number
from lawgov_metrics.render.xlsx_notes import (
    VALUE_NOTE,
    counted_trend,
    grade_colours,
    notes_sheet,
    value_format,
)
from lawgov_metrics.render.xlsx_rows import (
    POINTS,
    Column,
    SheetData,
    Styled,
)
from lawgov_metrics.results import NOT_SUBMITTED, REMARK_LABELS, STATUS_LABELS, remark_text

if TYPE_CHECKING:
    import pandas as pd

    from lawgov_metrics.catalogue import Catalogue
    from lawgov_metrics.results import Assessment

SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
TREND_SERIES_MAX = 10  # lines per trend chart: a kind with more units gets several charts
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


def _texts(column: pd.Series) -> list[Any]:
    """A column's values, blanks (None, NaN, "") as None; in a text column, equal texts are one object (10^4
    units repeat each name thousands of times: ~250 MB of copies, each hashed again by the Excel writer)."""
    import numpy as np
    import pandas as pd

    if isinstance(column.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(column)
        shared = np.array([*(text or None for text in uniques.tolist()), None], dtype=object)
        return shared[codes].tolist()  # type: ignore[no-any-return]
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
        Column("数值", "number", note=VALUE_NOTE),
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
    # printed: 单位 … 说明; 方案原文, 数据来源 and 填报备注 (60 characters each) are read on the screen
    printed = [c.header for c in columns].index("说明") + 1
    sheet = SheetData("指标明细", columns, freeze="B2", printed_columns=printed)
    results = assessment.results
    text = {name: _texts(results[name]) for name in DETAIL_TEXTS}
    number = {name: _finite(results[name]) for name in ("value", "points", "max_points")}
    years = _ints(results["year"])
    kinds = {kind.id: _kind_label(catalogue, kind.id) for kind in catalogue.unit_kinds}
    value_formats = {ind.id: value_format(ind) for ind in catalogue.indicators}
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
            Styled(value, number_format=value_formats.get(ind)) if value is not None else None
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


def trend_sheet(assessment: Assessment) -> tuple[SheetData, list[tuple[str, int, int]]] | None:
    """Trend indicators' values per unit per year, one block per indicator and unit kind (the kind a unit is
    ranked within), and (chart title, first row, last row) per chart: one chart per indicator and kind, a
    kind with more than :data:`TREND_SERIES_MAX` units split over several, so no legend lists 37 units;
    ``None`` with one year or no trend indicator."""
    years = list(assessment.years)
    catalogue = assessment.catalogue
    # ratio trends: the sheet's columns are percents (a headcount trend is in 指标明细 with its count)
    trend_ids = [ind.id for ind in catalogue.indicators if ind.kind == "trend" and not counted_trend(ind)]
    results = assessment.results
    results = results[results["indicator"].isin(trend_ids)]
    if len(years) < 2 or results.empty:
        return None
    columns = (
        Column("指标标识", max_width=36),
        Column("指标", max_width=30),
        Column("类别", max_width=24),
        Column("单位"),
        *(Column(f"{year}年", "percent") for year in years),
    )
    sheet = SheetData("趋势", columns, freeze="E2")
    values = {
        (str(i), str(u), int(y)): finite_number(v)
        for i, u, y, v in zip(
            results["indicator"], results["unit"], results["year"], results["value"], strict=True
        )
    }
    kind_of = {str(u): str(k) for u, k in zip(results["unit"], results["kind"], strict=True)}
    unit_order = list(dict.fromkeys(str(r["unit"]) for r in _score_order(assessment)))
    kinds = [k.id for k in catalogue.unit_kinds if not k.within]
    group_of = {u: catalogue.general_kind(k) if k in catalogue.kinds_by_id else k for u, k in kind_of.items()}
    blocks = []
    for indicator in trend_ids:
        name = catalogue.indicators_by_id[indicator].name
        units = [u for u in unit_order if any((indicator, u, y) in values for y in years)]
        for kind in kinds + sorted({group_of[u] for u in units} - set(kinds)):
            members = [u for u in units if group_of[u] == kind]
            label = catalogue.kinds_by_id[kind].name if kind in catalogue.kinds_by_id else kind
            parts = math.ceil(len(members) / TREND_SERIES_MAX)
            for part in range(parts):
                first = sheet.last_row + 1
                for unit in members[part * TREND_SERIES_MAX : (part + 1) * TREND_SERIES_MAX]:
                    shown = _kind_label(catalogue, kind_of[unit])
                    sheet.rows.append(
                        [indicator, name, shown, unit, *(values.get((indicator, unit, y)) for y in years)]
                    )
                title = f"{name} · {label}" + (f"（{part + 1}/{parts}）" if parts > 1 else "")
                blocks.append((title, first, sheet.last_row))
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
    grades: tuple[tuple[str, float, str], ...] = ()  # (name, lowest 得分率, colour), best first

    @property
    def sheets(self) -> list[SheetData]:
        """The sheets in the workbook's order."""
        shown = [self.overview, self.details, self.chapters, self.trend, self.issues, self.notes]
        return [sheet for sheet in shown if sheet is not None]


def build_report(assessment: Assessment, inputs: Sequence[str], generated_at: dt.datetime) -> ReportData:
    trend = trend_sheet(assessment)
    passing = [grade.min_rate for grade in assessment.catalogue.grades if grade.min_rate > 0]
    colours = grade_colours([grade.name for grade in assessment.catalogue.grades])
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
        grades=tuple((g.name, g.min_rate, colours[g.name]) for g in assessment.catalogue.grades),
    )
