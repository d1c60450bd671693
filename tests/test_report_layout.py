"""Reports that read well (issue 14, item 5): every sheet set up to print, 总览 coloured by grade, grade
colours on the bar chart, 趋势 as small multiples, the 数值 column one meaning per indicator kind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart

from lawgov_metrics.render.xlsx import write_xlsx
from lawgov_metrics.render.xlsx_notes import DAYS, YES_NO, grade_colours

from .sample_assessment import sample_assessment

GENERATED = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("layout") / "report.xlsx"
    write_xlsx(sample_assessment(), path, inputs=["submissions/"], generated_at=GENERATED)
    return openpyxl.load_workbook(path)


def _rows(ws: Any) -> list[dict[str, Any]]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2)]


def test_every_sheet_prints_landscape_a4_one_page_wide_with_the_header_repeated(report: Any) -> None:
    assert report.sheetnames == ["总览", "指标明细", "章节得分", "趋势", "数据问题", "说明"]
    for ws in report:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title  # 1 wide, as many down
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.oddHeader.left.text == ws.title
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_overview_rows_are_coloured_by_grade(report: Any) -> None:
    ws = report["总览"]
    rules = [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]
    got = [(sqref, rule.type, rule.formula, rule.dxf.fill.bgColor.rgb) for sqref, rule in rules]
    assert got == [
        ("A2:I15", "expression", ['$I2="优秀"'], "FFC6EFCE"),
        ("A2:I15", "expression", ['$I2="良好"'], "FFDDEBF7"),
        ("A2:I15", "expression", ['$I2="合格"'], "FFFFEB9C"),
        ("A2:I15", "expression", ['$I2="不合格"'], "FFFFC7CE"),
        ("A2:I15", "expression", ['$I2="未报送"'], "FFD9D9D9"),
    ]


def test_bar_chart_colours_each_unit_by_its_grade_and_names_the_cut_offs(report: Any) -> None:
    ws = report["总览"]
    (chart,) = ws._charts
    assert isinstance(chart, BarChart)
    assert chart.title.tx.rich.p[0].r[0].t == "2024年 各单位得分率（优秀 ≥90%、良好 ≥80%、合格 ≥60%）"
    grades_2024 = [r["等次"].value for r in _rows(ws) if r["年度"].value == 2024]
    assert grades_2024 == ["良好", "不合格", "优秀", "合格", "不合格", "不合格", "不合格"]
    strong = {"优秀": "63BE7B", "良好": "5B9BD5", "合格": "FFC000", "不合格": "F8696B"}
    colours = [p.graphicalProperties.solidFill.srgbClr for p in chart.series[0].dPt]
    assert colours == [strong[g] for g in grades_2024]


def test_grade_colours_run_from_green_to_red_whatever_the_number_of_grades() -> None:
    assert grade_colours(["优秀", "良好", "合格", "不合格"]) == {
        "优秀": "C6EFCE",
        "良好": "DDEBF7",
        "合格": "FFEB9C",
        "不合格": "FFC7CE",
    }
    assert grade_colours(["达标", "不达标"]) == {"达标": "C6EFCE", "不达标": "FFC7CE"}
    assert grade_colours(["全部"]) == {"全部": "C6EFCE"}


def test_trend_is_one_chart_per_unit_kind(report: Any) -> None:
    ws = report["趋势"]
    kinds = [r["类别"].value for r in _rows(ws)]
    assert kinds == ["区政府", "区政府", "市直部门（市司法局）", "市直部门", "市直部门"]
    charts = ws._charts
    assert all(isinstance(c, LineChart) for c in charts)
    titles = [c.title.tx.rich.p[0].r[0].t for c in charts]
    assert titles == ["行政诉讼案件败诉率逐年降低 · 区政府", "行政诉讼案件败诉率逐年降低 · 市直部门"]
    assert [len(c.series) for c in charts] == [2, 3]


def test_a_kind_with_many_units_is_split_over_charts_of_ten() -> None:
    from lawgov_metrics.render.xlsx_sheets import TREND_SERIES_MAX, trend_sheet

    assessment = sample_assessment()
    results, scores = assessment.results, assessment.scores
    trend = results[results["indicator"] == "litigation_loss_rate_trend"]
    ecology = trend[trend["unit"] == "海口市生态环境局"]
    ecology_scores = scores[scores["unit"] == "海口市生态环境局"]
    names = [f"市直部门{i:02d}" for i in range(20)]
    import dataclasses

    import pandas as pd

    bigger = dataclasses.replace(
        assessment,
        results=pd.concat([results, *(ecology.assign(unit=n) for n in names)], ignore_index=True),
        scores=pd.concat([scores, *(ecology_scores.assign(unit=n) for n in names)], ignore_index=True),
    )
    built = trend_sheet(bigger)
    assert built is not None
    _, blocks = built
    sizes = [(title, last - first + 1) for title, first, last in blocks]
    assert sizes == [
        ("行政诉讼案件败诉率逐年降低 · 区政府", 2),
        ("行政诉讼案件败诉率逐年降低 · 市直部门（1/3）", TREND_SERIES_MAX),
        ("行政诉讼案件败诉率逐年降低 · 市直部门（2/3）", TREND_SERIES_MAX),
        ("行政诉讼案件败诉率逐年降低 · 市直部门（3/3）", 3),
    ]


def test_the_value_column_has_one_meaning_per_indicator_kind(report: Any) -> None:
    rows = _rows(report["指标明细"])
    formats: dict[str, set[str]] = {}
    for r in rows:
        if r["数值"].value is not None:
            formats.setdefault(r["指标标识"].value, set()).add(r["数值"].number_format)
    assert formats["enforcement_stats_annual_report"] == {DAYS}  # deadline: days late (+) or early (-)
    assert formats["enforcement_funds_decoupled"] == {YES_NO}  # yes/no: 1 是, 0 否
    assert formats["leadership_study_sessions"] == {"0"}  # count
    assert formats["normative_doc_filing_rate"] == {"0.0%"}  # ratio
    assert formats["enforcement_training_hours"] == {"0.0%"}  # per person: the share meeting the minimum
    assert DAYS == '"逾期"0"天";"提前"0"天";"按期（当日）"' and YES_NO == '"是";"是";"否"'


def test_the_value_column_explains_itself(report: Any) -> None:
    header = report["指标明细"]["H1"]
    assert header.value == "数值"
    assert header.comment.text.startswith("数值按指标类型：比率、人均、累计、时长——百分比；次数——次数；")
    notes = [(r[0].value, r[1].value) for r in report["说明"].iter_rows()]
    start = next(i for i, (label, _) in enumerate(notes) if label == "数值")
    assert notes[start][1] == "比率类指标：比率（分子 ÷ 分母，或填报的比率），百分比"
    assert ("时限报送类指标：报送日期与期限相差的天数：显示为“逾期 N 天”“提前 N 天”或“按期（当日）”") in [
        text for _, text in notes[start:]
    ]


def test_grades_in_the_notes_carry_their_colours(report: Any) -> None:
    cells = [r[1] for r in report["说明"].iter_rows() if "得分率 ≥" in str(r[1].value)]
    assert [(c.value, c.fill.fgColor.rgb) for c in cells] == [
        ("优秀：得分率 ≥ 90%", "FFC6EFCE"),
        ("良好：得分率 ≥ 80%，< 90%", "FFDDEBF7"),
        ("合格：得分率 ≥ 60%，< 80%", "FFFFEB9C"),
        ("不合格：得分率 ≥ 0%，< 60%", "FFFFC7CE"),
    ]


def test_formula_like_text_is_stored_as_written_with_the_quote_prefix_style(
    report: Any, tmp_path: Path
) -> None:
    cell = next(r["单位"] for r in _rows(report["总览"]) if "HYPERLINK" in str(r["单位"].value))
    assert cell.value == '=HYPERLINK("http://example.com","x")' and cell.data_type == "s"
    assert cell.quotePrefix is True
    plain = _rows(report["总览"])[0]["单位"]
    assert plain.quotePrefix is False  # only where it is needed


def test_the_print_area_is_the_table_and_the_charts_beside_it(report: Any) -> None:
    areas = {ws.title: ws.print_area for ws in report}
    # 单位 … 说明 (14 of 17 columns), 90 results: 方案原文, 数据来源 and 填报备注 (60 characters each) are read
    # on the screen; printed, they would shrink the page to 40%
    assert areas["指标明细"] == "'指标明细'!$A$1:$N$91"
    assert areas["数据问题"] == "'数据问题'!$A$1:$J$4"
    # 总览: 16 columns, then the 18 cm bar chart from column R (11 columns of 64 px), 7.5 cm high
    assert areas["总览"] == "'总览'!$A$1:$AC$17"
    # 趋势: 6 columns, two 15 cm charts side by side from column H, 8 cm high
    assert areas["趋势"] == "'趋势'!$A$1:$AA$18"
