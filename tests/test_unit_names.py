"""Unit names as people write them (issue 11 item 5): aliases, short names, spaces and parentheses in
``--unit``; 您是否要找 for a name the register does not know; a workbook of an unknown unit still has all its
problems reported."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lawgov_metrics import read_submissions
from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.register import match_unit

from .cli_data import fill


def _figure_cell(path: Path, field_id: str) -> str:
    """The 汇总表 cell of a field's yearly figure (column E), wherever the catalogue puts its row."""
    import openpyxl

    ws = openpyxl.load_workbook(path)["汇总表"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == field_id)
    return f"E{row}"


REGISTER = """\ufeff单位名称,单位类别,别名,所属区
海口市人民政府,市政府,海口市政府,
海口市龙华区人民政府,区政府,,
海口市司法局,市司法局,,
海口市教育局,市直部门,市教育局,
龙华区司法局,区政府部门,龙华区司法行政局,龙华区
龙华区城市管理局（龙华区综合行政执法局）,区政府部门,,龙华区
中山街道,镇（街道）,龙华区中山街道办事处,龙华区
"""
KINDS = {
    "海口市人民政府": "city_gov",
    "海口市龙华区人民政府": "district_gov",
    "海口市司法局": "justice_bureau",
    "海口市教育局": "city_dept",
    "龙华区司法局": "district_dept",
    "龙华区城市管理局（龙华区综合行政执法局）": "district_dept",
    "中山街道": "town",
}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, [*args])


@pytest.fixture(scope="module")
def folder(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 2024 workbook for each unit of the register above (the shipped catalogue)."""
    root = tmp_path_factory.mktemp("names")
    (root / "units.csv").write_text(REGISTER, encoding="utf-8")
    for i, (unit, kind) in enumerate(KINDS.items()):
        fill(catalogue, root / f"{i}.xlsx", kind, unit, 2024, {"fines_decoupled": "是"})
    return root


def json_units(result: Any) -> set[str]:
    assert result.exit_code == 0, result.output
    return {u["unit"] for u in json.loads(result.stdout)["units"]}


# ---------------------------------------------------------------- the matcher


NAMES = {
    "海口市司法局": "海口市司法局",
    "海口市龙华区人民政府": "海口市龙华区人民政府",
    "龙华区司法局": "龙华区司法局",
    "龙华区司法行政局": "龙华区司法局",
    "中山街道": "中山街道",
    "龙华区中山街道办事处": "中山街道",
    "海口市教育局": "海口市教育局",
}


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("海口市司法局", "海口市司法局"),
        (" 海口市　司法局 ", "海口市司法局"),  # spaces, full-width ones too
        ("龙华区司法行政局", "龙华区司法局"),  # an alias
        ("教育局", "海口市教育局"),  # a short name: the end of one name only
        ("龙华区", "海口市龙华区人民政府"),  # a short name without 人民政府
        ("中山街道办事处", "中山街道"),  # part of an alias
    ],
)
def test_a_name_alias_or_unambiguous_short_name_finds_its_unit(written: str, unit: str) -> None:
    assert match_unit(written, NAMES).unit == unit


def test_an_ambiguous_short_name_lists_the_candidates() -> None:
    found = match_unit("司法局", NAMES)
    assert found.unit is None
    assert found.candidates == ("海口市司法局", "龙华区司法局")


def test_an_unknown_name_gets_the_closest_names_only() -> None:
    assert match_unit("海口市司法句", NAMES).suggestions == ("海口市司法局",)
    assert match_unit("海口市不存在局", NAMES) == match_unit("海口市不存在局", {})  # nothing close: nothing
    assert match_unit("局", NAMES).candidates == ()  # one character is no short name


# ---------------------------------------------------------------- --unit of score and explain


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("海口市 司法局", "海口市司法局"),
        ("龙华区", "海口市龙华区人民政府"),
        ("龙华区司法行政局", "龙华区司法局"),
        ("教育局", "海口市教育局"),
        ("龙华区城市管理局 (龙华区综合行政执法局)", "龙华区城市管理局（龙华区综合行政执法局）"),
    ],
)
def test_score_unit_takes_names_as_people_write_them(folder: Path, written: str, unit: str) -> None:
    assert json_units(run("score", str(folder), "--unit", written, "--format", "json")) == {unit}


def test_score_unit_ambiguous_lists_the_candidates(folder: Path) -> None:
    result = run("score", str(folder), "--unit", "司法局")
    assert result.exit_code == 2
    assert "单位「司法局」不明确，可能是：海口市司法局、龙华区司法局；请写出单位全称或别名" in result.output


def test_score_unit_unknown_says_did_you_mean(folder: Path) -> None:
    result = run("score", str(folder), "--unit", "海口市司法句")
    assert result.exit_code == 2
    assert "评估结果中没有单位「海口市司法句」；您是否要找：海口市司法局？" in result.output


def test_explain_unit_takes_a_short_name(folder: Path) -> None:
    result = run(
        "explain",
        str(folder),
        "--unit",
        "龙华区",
        "--indicator",
        "enforcement_funds_decoupled",
        "--year",
        "2024",
    )
    assert result.exit_code == 0, result.output
    assert "海口市龙华区人民政府" in result.output


def test_explain_unit_ambiguous_or_unknown_is_a_usage_error(folder: Path) -> None:
    args = ["--indicator", "enforcement_funds_decoupled", "--year", "2024"]
    ambiguous = run("explain", str(folder), "--unit", "司法局", *args)
    assert ambiguous.exit_code == 2 and "可能是：海口市司法局、龙华区司法局" in ambiguous.output
    unknown = run("explain", str(folder), "--unit", "海口市教育句", *args)
    assert unknown.exit_code == 2 and "您是否要找：海口市教育局？" in unknown.output


# ---------------------------------------------------------------- 您是否要找 in submissions


def issues_of(result: Any) -> list[dict[str, Any]]:
    return list(json.loads(result.stdout)["issues"])


def test_unknown_unit_in_a_workbook_or_a_long_table_gets_a_suggestion(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    (tmp_path / "units.csv").write_text(REGISTER, encoding="utf-8")
    fill(catalogue, tmp_path / "a.xlsx", "city_dept", "海口市教育句", 2024, {"fines_decoupled": "是"})
    (tmp_path / "long.csv").write_text(
        "单位,年度,字段,数值\n海口市司法句,2024,fines_decoupled,是\n海口市不存在局,2024,fines_decoupled,是\n",
        encoding="utf-8",
    )
    (tmp_path / "学法与培训活动台账.csv").write_text(
        "单位,日期,活动类型,主题\n海口市司法句,2024-03-01,中心组学法,宪法\n", encoding="utf-8"
    )
    unknown = [
        i for i in issues_of(run("check", str(tmp_path), "--format", "json")) if i["code"] == "unit-unknown"
    ]
    got = {(Path(i["file"]).name, i["sheet"], i["cell"]): i["message"] for i in unknown}
    assert got == {
        ("a.xlsx", "汇总表", "B2"): "单位「海口市教育句」不在单位名册中；请使用名册中的单位全称或别名；"
        "您是否要找：海口市教育局？",
        ("long.csv", "", "A2"): "单位「海口市司法句」不在单位名册中，此行未计入；您是否要找：海口市司法局？",
        ("long.csv", "", "A3"): "单位「海口市不存在局」不在单位名册中，此行未计入",
        ("学法与培训活动台账.csv", "", "A2"): "单位「海口市司法句」不在单位名册中，1 行未计入；"
        "您是否要找：海口市司法局？",
    }


# ---------------------------------------------------------------- an unknown unit hides nothing else


def test_unknown_unit_does_not_hide_the_files_other_problems(catalogue: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(REGISTER, encoding="utf-8")
    fill(
        catalogue,
        tmp_path / "x.xlsx",
        "city_dept",
        "海口市不存在局",
        2024,
        {"legal_review_staff": -2, "fines_decoupled": "是"},
        {"学法与培训活动台账": [[dt.date(2024, 3, 1), "普法宣传活动", "宪法宣传周", "市教育局", 30]]},
    )
    result = run("check", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    got = {(i["code"], i["sheet"], i["cell"], i["unit"]) for i in issues_of(result)}
    assert got == {
        ("unit-unknown", "汇总表", "B2", ""),
        ("value-negative", "汇总表", _figure_cell(tmp_path / "x.xlsx", "legal_review_staff"), ""),
        ("value-choice", "学法与培训活动台账", "B2", ""),  # 活动类型
    }
    # checked, never placed: nothing of the file is scored under any unit
    submission = read_submissions([tmp_path], catalogue)
    assert submission.values.empty and not submission.ledgers and submission.units.empty


def test_unreadable_year_checks_the_figures_without_making_up_year_problems(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """With 填报年度 unreadable, a report date is checked in its own year: no 早于/晚于 the year is made up."""
    (tmp_path / "units.csv").write_text(REGISTER, encoding="utf-8")
    fill(
        catalogue,
        tmp_path / "y.xlsx",
        "city_dept",
        "海口市教育局",
        2024,
        {"enforcement_stats_report_date": dt.date(2025, 1, 20), "major_enforcement_decisions": "若干"},
    )
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "y.xlsx")
    wb["汇总表"]["B3"] = "2024年度上半年"
    wb.save(tmp_path / "y.xlsx")
    result = run("check", str(tmp_path), "--format", "json")
    got = {(i["code"], i["sheet"], i["cell"]) for i in issues_of(result)}
    decisions = _figure_cell(tmp_path / "y.xlsx", "major_enforcement_decisions")
    assert got == {("year-invalid", "汇总表", "B3"), ("value-type", "汇总表", decisions)}
    assert read_submissions([tmp_path], catalogue).values.empty
