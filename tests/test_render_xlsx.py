"""The Excel report: sheets, headers, number formats, charts, safety of submission text, atomic write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.chart import BarChart, LineChart

from lawgov_metrics.render.safe_text import EXCEL_CELL_LIMIT, TRUNCATED
from lawgov_metrics.render.xlsx import write_xlsx
from lawgov_metrics.results import Assessment

from .sample_assessment import FORMULA_UNIT, JUSTICE, LONGHUA, sample_assessment

GENERATED = dt.datetime(2025, 6, 30, 9, 30)
INPUTS = ["submissions/2023/", "submissions/2024/"]

HEADERS = {
    "总览": [
        "单位",
        "类别",
        "年度",
        "得分",
        "满分",
        "得分率",
        "覆盖率",
        "排名",
        "等次",
        "达标",
        "未达标",
        "缺数据",
        "不适用",
        "未到期",
        "数据有误",
        "未公开",
    ],
    "指标明细": [
        "单位",
        "类别",
        "年度",
        "章",
        "条款",
        "指标标识",
        "指标",
        "数值",
        "显示值",
        "目标",
        "状态",
        "得分",
        "满分",
        "说明",
        "方案原文",
        "数据来源",
        "填报备注",
    ],
    "章节得分": [
        "单位",
        "类别",
        "年度",
        "第二章",
        "第三章",
        "第四章",
        "第五章",
        "第六章",
        "第七章",
        "第八章",
        "第九章",
        "第十章",
        "合计",
    ],
    "趋势": ["指标标识", "指标", "类别", "单位", "2023年", "2024年"],
    "数据问题": ["严重程度", "代码", "说明", "文件", "工作表", "单元格", "行", "列", "值", "单位"],
    "说明": ["项目", "内容"],
}


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return sample_assessment()


@pytest.fixture(scope="module")
def report(assessment: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "2024-report.xlsx"
    write_xlsx(assessment, path, inputs=INPUTS, generated_at=GENERATED)
    return path


@pytest.fixture(scope="module")
def workbook(report: Path) -> Any:
    return openpyxl.load_workbook(report)


def _rows(ws: Any) -> list[dict[str, Any]]:
    """Data rows as {header: cell}."""
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2)]


def test_sheets_in_order(workbook: Any) -> None:
    assert workbook.sheetnames == list(HEADERS)


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_headers(workbook: Any, sheet: str) -> None:
    assert [c.value for c in workbook[sheet][1]] == HEADERS[sheet]


def test_overview_rows_are_numbers_with_percent_rates(workbook: Any, assessment: Assessment) -> None:
    rows = _rows(workbook["总览"])
    assert len(rows) == len(assessment.scores)
    for row in rows:
        assert row["得分率"].data_type == "n"
        assert isinstance(row["得分率"].value, int | float)
        assert row["得分率"].number_format == "0.0%"
        assert isinstance(row["得分"].value, int | float)
        assert isinstance(row["年度"].value, int)
    first = rows[0]
    assert (first["单位"].value, first["类别"].value, first["年度"].value) == (LONGHUA, "区政府", 2023)
    assert first["得分率"].value == pytest.approx(12.2 / 13.2)
    assert (first["排名"].value, first["等次"].value, first["达标"].value) == (1, "优秀", 8)
    justice = next(r for r in rows if r["单位"].value == JUSTICE)
    assert justice["类别"].value == "市直部门（市司法局）"


def test_overview_has_a_bar_chart_of_the_latest_year(workbook: Any) -> None:
    ws = workbook["总览"]
    charts = ws._charts
    assert len(charts) == 1
    assert isinstance(charts[0], BarChart)
    ref = charts[0].series[0].val.numRef.f
    years = {ws[f"C{r}"].value for r in range(_first_row(ref), _last_row(ref) + 1)}
    assert years == {2024}
    assert "$F$" in ref


def _first_row(ref: str) -> int:
    return int(ref.split(":")[0].rsplit("$", 1)[1])


def _last_row(ref: str) -> int:
    return int(ref.split(":")[1].rsplit("$", 1)[1])


def test_details_sheet(workbook: Any, assessment: Assessment) -> None:
    ws = workbook["指标明细"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:Q{len(assessment.results) + 1}"
    rows = _rows(ws)
    assert len(rows) == len(assessment.results)
    filing = next(
        r
        for r in rows
        if r["单位"].value == LONGHUA
        and r["年度"].value == 2023
        and r["指标标识"].value == "normative_doc_filing_rate"
    )
    assert filing["数值"].value == 1 and filing["数值"].data_type == "n"
    assert filing["数值"].number_format == "0.0%"
    assert filing["显示值"].value == "100%（12/12）"
    assert filing["状态"].value == "达标"
    assert filing["方案原文"].value == "确保行政规范性文件报备率、审查率达 100%"
    assert "制发行政规范性文件件数=12" in filing["数据来源"].value
    fills = {r["状态"].value: r["状态"].fill.fgColor.rgb for r in rows}
    assert fills["达标"].endswith("C6EFCE")
    assert fills["未达标"].endswith("FFC7CE")
    assert fills["缺数据"].endswith("FFD8A8")
    assert fills["数据有误"].endswith("C00000")
    assert fills["不适用"].endswith("D9D9D9")
    assert fills["未到期"].endswith("D9D9D9")
    counts = [
        r["数值"] for r in rows if r["指标标识"].value == "leadership_study_sessions" and r["数值"].value
    ]
    assert counts and all(c.number_format == "0" for c in counts)  # a count kind's 数值: a whole count


def test_chapter_sheet_has_rates_and_a_colour_scale(workbook: Any) -> None:
    ws = workbook["章节得分"]
    rows = _rows(ws)
    longhua = rows[0]
    assert longhua["单位"].value == LONGHUA
    assert longhua["第三章"].value == 1 and longhua["第三章"].number_format == "0.0%"
    assert longhua["第二章"].value is None
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    assert [rule.type for rule in rules] == ["colorScale"]


def test_trend_sheet_has_values_and_a_line_chart(workbook: Any) -> None:
    ws = workbook["趋势"]
    rows = _rows(ws)
    longhua = next(r for r in rows if r["单位"].value == LONGHUA)
    assert longhua["2023年"].value == pytest.approx(0.15)
    assert longhua["2024年"].value == pytest.approx(0.08)
    assert longhua["2024年"].number_format == "0.0%"
    # one chart per unit kind (small multiples), a line per unit of the kind
    assert [type(c) for c in ws._charts] == [LineChart, LineChart]
    assert [len(c.series) for c in ws._charts] == [2, 3]


def test_no_trend_sheet_for_a_single_year(tmp_path: Path) -> None:
    path = tmp_path / "one-year.xlsx"
    write_xlsx(sample_assessment(years=(2024,)), path, inputs=INPUTS, generated_at=GENERATED)
    assert "趋势" not in openpyxl.load_workbook(path).sheetnames


def test_issues_sheet(workbook: Any, assessment: Assessment) -> None:
    rows = _rows(workbook["数据问题"])
    assert len(rows) == len(assessment.issues_list)
    first = rows[0]
    assert [c.value for c in first.values()] == [
        "错误",
        "value-type",
        "「办理的人大建议政协提案件数」应为数字，填写的是“十二”",
        "龙华区.xlsx",
        "汇总表",
        "D12",
        12,
        "数值",
        "十二",
        LONGHUA,
    ]


def test_notes_sheet(workbook: Any, assessment: Assessment) -> None:
    rows = [(r[0].value, r[1].value) for r in workbook["说明"].iter_rows(min_row=2)]
    items = {}
    for key, value in rows:
        items.setdefault(key, value)
    assert items["指标目录版本"] == "2021-2025.1"
    assert items["指标目录 SHA-256"] == assessment.catalogue.sha256
    assert items["方案"] == "海口市法治政府建设实施方案（2021—2025年）"
    assert items["生成时间"] == "2025-06-30 09:30:00"
    assert items["等次"] == "优秀：得分率 ≥ 90%"
    assert "不适用" in items["计分规则"] or any("不适用" in str(v) for k, v in rows if k is None)
    values = [v for _, v in rows]
    assert all(i in values for i in INPUTS)
    assert all(f in values for f in assessment.files)


def test_column_widths_fit_chinese_text(workbook: Any) -> None:
    ws = workbook["总览"]
    assert ws.column_dimensions["A"].width >= 2 * len("海口市龙华区人民政府")
    assert ws.column_dimensions["A"].width <= 40


def test_formula_like_unit_name_stays_text(workbook: Any) -> None:
    for sheet in ("总览", "指标明细", "章节得分", "数据问题"):
        cells = [c for row in workbook[sheet].iter_rows() for c in row if "HYPERLINK" in str(c.value)]
        assert cells, sheet
        for cell in cells:
            assert cell.data_type == "s"
            assert cell.value == FORMULA_UNIT  # as written: no apostrophe inside the value
            assert cell.quotePrefix is True  # Excel's "'" typed before it: shown and edited as text


def test_no_formula_or_error_cell_anywhere(workbook: Any) -> None:
    for ws in workbook:
        types = {c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
        assert types <= {"s", "n"}, ws.title
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    if cell.value.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠")):
                        assert cell.quotePrefix is True, cell.coordinate


def test_error_like_value_stays_a_string(workbook: Any) -> None:
    values = [r["值"] for r in _rows(workbook["数据问题"])]
    na = next(c for c in values if c.value == "#N/A")
    assert na.data_type == "s"


def test_the_file_holds_no_formula_error_cell_or_link(report: Path) -> None:
    """Read the sheets' XML itself, not a library's view of it."""
    with zipfile.ZipFile(report) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(HEADERS)
        for name in sheets:
            xml = package.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
            assert 't="e"' not in xml, name
            assert "<hyperlink" not in xml, name
        relations = [name for name in package.namelist() if name.startswith("xl/worksheets/_rels/")]
        assert all("/hyperlink" not in package.read(name).decode("utf-8") for name in relations)


def test_text_that_looks_like_a_number_a_link_or_an_escape_stays_as_written(
    assessment: Assessment, tmp_path: Path
) -> None:
    path = tmp_path / "lookalikes.xlsx"
    for note in ("0012", "1e5", "http://example.com/a", "_x0041_", "TRUE"):
        write_xlsx(_with_note(assessment, LONGHUA, note), path, inputs=INPUTS, generated_at=GENERATED)
        cells = [
            r["说明"] for r in _rows(openpyxl.load_workbook(path)["指标明细"]) if r["单位"].value == LONGHUA
        ]
        assert cells, note
        assert all(c.value == note and c.data_type == "s" and c.hyperlink is None for c in cells), note


def test_nan_and_infinity_leave_cells_empty(assessment: Assessment, tmp_path: Path) -> None:
    results = assessment.results.copy()
    longhua = results["unit"] == LONGHUA
    results.loc[longhua, "value"] = math.inf
    results.loc[longhua, "points"] = -math.inf
    results.loc[longhua, "max_points"] = math.nan
    scores = assessment.scores.copy()
    scores.loc[scores["unit"] == LONGHUA, "rate"] = math.inf
    path = tmp_path / "inf.xlsx"
    write_xlsx(
        dataclasses.replace(assessment, results=results, scores=scores),
        path,
        inputs=INPUTS,
        generated_at=GENERATED,
    )
    workbook = openpyxl.load_workbook(path)
    details = [r for r in _rows(workbook["指标明细"]) if r["单位"].value == LONGHUA]
    assert details
    assert all(r[h].value is None for r in details for h in ("数值", "得分", "满分"))
    overview = [r for r in _rows(workbook["总览"]) if r["单位"].value == LONGHUA]
    assert overview and all(r["得分率"].value is None for r in overview)


def _with_note(assessment: Assessment, unit: str, note: str) -> Assessment:
    results = assessment.results.copy()
    results.loc[results["unit"] == unit, "note"] = note
    return dataclasses.replace(assessment, results=results)


def test_control_characters_are_replaced_not_fatal(assessment: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "bell.xlsx"
    write_xlsx(_with_note(assessment, LONGHUA, "响铃\x07说明"), path, inputs=INPUTS, generated_at=GENERATED)
    notes = {
        r["说明"].value for r in _rows(openpyxl.load_workbook(path)["指标明细"]) if r["单位"].value == LONGHUA
    }
    assert notes == {"响铃\ufffd说明"}


def test_overlong_text_is_capped(assessment: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    write_xlsx(_with_note(assessment, LONGHUA, "长" * 40_000), path, inputs=INPUTS, generated_at=GENERATED)
    notes = [
        r["说明"].value for r in _rows(openpyxl.load_workbook(path)["指标明细"]) if r["单位"].value == LONGHUA
    ]
    assert notes
    assert all(len(n) == EXCEL_CELL_LIMIT and n.endswith(TRUNCATED) for n in notes)


def test_write_replaces_an_existing_report_whole(assessment: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"an older report, much longer than nothing" * 1000)
    write_xlsx(assessment, path, inputs=INPUTS, generated_at=GENERATED)
    assert openpyxl.load_workbook(path).sheetnames == list(HEADERS)
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary file left


def test_failed_write_leaves_the_old_report_and_no_temp_file(
    assessment: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"old")
    close = xlsxwriter.Workbook.close

    def broken_close(self: Any) -> None:
        close(self)
        self.filename.truncate(100)  # half built (in memory since issue 13), disk full
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken_close)
    with pytest.raises(OSError, match="disk full"):
        write_xlsx(assessment, path, inputs=INPUTS, generated_at=GENERATED)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
