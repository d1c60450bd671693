"""The terminal report fits 80 columns, has no colour codes off a terminal, and shows the right rows."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from rich.cells import cell_len
from rich.console import Console

from lawgov_metrics.render.terminal import (
    render_terminal,
    score_view,
    short_names,
)
from lawgov_metrics.render.terminal_check import render_check_terminal
from lawgov_metrics.results import Assessment

from .sample_assessment import (
    ECOLOGY,
    FORMULA_UNIT,
    JUSTICE,
    LONGHUA,
    sample_assessment,
    sample_check_report,
    with_unit_renamed,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return sample_assessment()


def _plain(draw, width: int = 80) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=width, record=True, force_terminal=False, file=io.StringIO())
    draw(console)
    return console.export_text()


def _widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def test_report_fits_80_columns(assessment: Assessment) -> None:
    text = _plain(lambda c: render_terminal(assessment, c))
    assert _widest(text) <= 80
    assert "全市未达标最多的指标" in text
    assert "各章得分率" in text


def test_drill_down_fits_80_columns(assessment: Assessment) -> None:
    for unit in (JUSTICE, FORMULA_UNIT, LONGHUA):
        assert _widest(_plain(lambda c, u=unit: render_terminal(assessment, c, unit=u))) <= 80


def test_check_report_fits_80_columns() -> None:
    report = sample_check_report()
    text = _plain(lambda c: render_check_terminal(report, c))
    assert _widest(text) <= 80
    assert "检查未通过" in text
    assert "D12" in text


def test_header_names_plan_catalogue_files_and_problems(assessment: Assessment) -> None:
    text = _plain(lambda c: render_terminal(assessment, c))
    head = text.splitlines()[:4]
    assert head[0] == "海口市法治政府建设实施方案（2021—2025年）"
    assert "2021-2025.1" in head[1]
    assert assessment.catalogue.sha256[:12] in head[1]
    assert assessment.catalogue.sha256[:13] not in head[1]
    assert "读取文件 6 个" in head[1]
    assert head[2] == "数据问题：2 个错误 / 1 个警告"


def test_no_escape_codes_when_not_a_terminal(assessment: Assessment) -> None:
    console = Console(width=80, file=io.StringIO(), force_terminal=False)
    render_terminal(assessment, console)
    render_terminal(assessment, console, unit=LONGHUA)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in output


def test_no_colour_codes_with_no_color(assessment: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    console = Console(width=80, file=io.StringIO(), force_terminal=True)
    render_terminal(assessment, console, unit=LONGHUA)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert not COLOUR_SGR.search(output)


def test_status_words_are_coloured_on_a_colour_terminal(assessment: Assessment) -> None:
    console = Console(width=80, file=io.StringIO(), force_terminal=True, color_system="standard")
    render_terminal(assessment, console, unit=ECOLOGY)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[32m达标" in output  # green
    assert "\x1b[31m未达标" in output  # red


def test_rankings_follow_the_ranks_within_each_kind(assessment: Assessment) -> None:
    view = score_view(assessment)
    assert [s.year for s in view.sections] == [2023, 2024]
    tables = {(t.year, t.group): t for s in view.sections for t in s.rankings}
    assert list(tables) == [
        (2023, "区政府"),
        (2023, "市直部门"),
        (2023, "镇（街道）"),
        (2024, "区政府"),
        (2024, "市直部门"),
        (2024, "镇（街道）"),
    ]
    depts = tables[(2024, "市直部门")]
    # 市司法局 is a named agency ranked within 市直部门; names are shortened for display only
    assert [(r.rank, r.unit, r.rate, r.grade) for r in depts.rows] == [
        ("1", "司法局", "93.4%", "优秀"),
        ("2", "生态环境局", "77.0%", "合格"),
        ("3", FORMULA_UNIT, "18.9%", "不合格"),
    ]
    first = depts.rows[0]
    assert (first.points, first.max_points, first.coverage, first.not_met, first.no_data) == (
        "11.4",
        "12.2",
        "100%",
        1,
        0,
    )
    text = _plain(lambda c: render_terminal(assessment, c))
    block = text[text.index("2024年 市直部门 排名") :]
    assert block.index("司法局") < block.index("生态环境局") < block.index("=HYPERLINK")


def test_most_failed_indicators(assessment: Assessment) -> None:
    failing = score_view(assessment).sections[1].failing
    assert len(failing) <= 10
    top = failing[0]
    # counts per status: 未达标, 缺数据, 数据有误, 未公开
    assert (top.clause, top.name, top.counts, top.total) == (
        "十七",
        "行政执法人员年度培训学时",
        (2, 3, 0, 0),
        5,
    )
    assert [r.not_met for r in failing] == sorted((r.not_met for r in failing), reverse=True)
    assert all(r.not_met > 0 for r in failing)  # never an indicator nobody failed to meet


def test_most_failed_never_lists_an_indicator_with_no_not_met(assessment: Assessment) -> None:
    """An indicator that is only 缺数据 somewhere is not "未达标最多"."""
    results = assessment.results.copy()
    top = score_view(assessment).sections[1].failing[0].indicator
    results.loc[(results["indicator"] == top) & (results["status"] == "not_met"), "status"] = "missing"
    view = score_view(replace(assessment, results=results))
    assert top not in {r.indicator for section in view.sections for r in section.failing}
    assert all(r.not_met > 0 for section in view.sections for r in section.failing)


def test_chapter_matrix_has_every_chapter(assessment: Assessment) -> None:
    matrix = score_view(assessment).sections[0].chapters
    assert matrix.chapters == ("二", "三", "四", "五", "六", "七", "八", "九", "十")
    rows = dict(matrix.rows)
    assert rows["龙华区"] == ("-", "100%", "-", "100%", "0%", "100%", "100%", "-", "100%")


def test_drill_down_lists_each_indicator_per_year(assessment: Assessment) -> None:
    view = score_view(assessment, unit=JUSTICE)
    # two years scored: the latest in full, every year as one line of 得分率 (12.2/12.2, 11.4/12.2 = 93.4%)
    assert [y.year for y in view.drill] == [2024]
    assert [(r.year, r.points, r.max_points, r.rate, r.rank, r.grade) for r in view.by_year] == [
        (2023, "12.2", "12.2", "100.0%", "1", "优秀"),
        (2024, "11.4", "12.2", "93.4%", "1", "优秀"),
    ]
    year = view.drill[0]
    assert year.summary == "得分 11.4/12.2 · 得分率 93.4% · 覆盖率 100% · 排名 1 · 优秀"
    rows = {row.name: row for row in year.rows}
    assert len(rows) == 9
    assert rows["人大政协意见建议办理满意度"] == type(year.rows[0])(
        clause="二十五",
        name="人大政协意见建议办理满意度",
        display="94.4%（17/18）",
        target="≥ 95%",
        status="not_met",
        points="1.2/2",
        note="",
    )
    rotation = rows["5年内全市行政执法人员轮训2次"]
    assert (rotation.status, rotation.points) == ("not_yet_due", "0/0")
    text = _plain(lambda c: render_terminal(assessment, c, unit=JUSTICE))
    assert "海口市司法局 2024年" in text
    assert "海口市司法局 2023年" not in text
    assert "海口市司法局 历年得分率" in text
    assert re.search(r"2023 +12\.2 +12\.2 +100\.0% +100% +1 +优秀", text)
    assert "未到期" in text


def test_unknown_unit_is_refused(assessment: Assessment) -> None:
    with pytest.raises(ValueError, match="没有单位"):
        render_terminal(assessment, Console(file=io.StringIO()), unit="不存在的单位")


def test_unit_names_are_neither_markup_nor_escape_sequences(assessment: Assessment) -> None:
    hostile = "[red]注入[/red]\x1b[2J"
    renamed = with_unit_renamed(assessment, FORMULA_UNIT, hostile)
    console = Console(width=80, file=io.StringIO(), force_terminal=True, color_system="standard")
    render_terminal(renamed, console)
    render_terminal(renamed, console, unit=hostile)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[red]注入[/red]" in output
    assert "\x1b[2J" not in output


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["海口市龙华区人民政府", "海口市司法局"], ["龙华区", "司法局"]),
        (["海口市人民政府"], ["海口市人民政府"]),
        (["龙华区城西镇"], ["龙华区城西镇"]),
        (["海口市龙华区人民政府", "龙华区"], ["海口市龙华区人民政府", "龙华区"]),  # would collide
    ],
)
def test_short_names(names: list[str], expected: list[str]) -> None:
    shortened = short_names(names)
    assert [shortened[n] for n in names] == expected
