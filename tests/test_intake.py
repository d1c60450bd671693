"""Reading submissions: templates filled by script, long tables, ledger files, and the problems they carry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.render.template import build_template

from .cli_data import fill, summary_cell

FIXTURES = Path(__file__).parent / "fixtures"
UNITS = FIXTURES / "units.csv"


@pytest.fixture(scope="module")
def cat():  # type: ignore[no-untyped-def]
    return load_catalogue(FIXTURES / "minimal_catalogue.yaml")


def issue_codes(sub) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(i.code, i.sheet, i.cell) for i in sub.issues]


def test_filled_template_round_trips(cat, tmp_path: Path) -> None:
    path = fill(
        cat,
        tmp_path / "司法局.xlsx",
        kind="justice_bureau",
        unit="海口市司法局",
        year=2024,
        values={
            "normative_docs_issued": 20,
            "normative_docs_filed": "19件",
            "fines_decoupled": "是",
            "enforcement_stats_report_date": dt.date(2025, 1, 20),
            "suggestions_handled": "１２０",
            "suggestions_satisfied": 118,
        },
        ledgers={
            "学法与培训活动台账": [
                [dt.date(2024, 3, 1), "中心组学法", "宪法"],
                [dt.date(2024, 9, 1), "案卷评查", "下半年评查"],
            ]
        },
    )
    sub = read_submissions([path], cat, register=UNITS)
    errors = [i for i in sub.issues if i.severity == "error"]
    assert errors == []
    values = sub.values.set_index("field")
    assert values.loc["normative_docs_filed", "value"] == 19
    assert values.loc["suggestions_handled", "value"] == 120
    assert values.loc["fines_decoupled", "value"] == 1.0
    assert values.loc["enforcement_stats_report_date", "date"] == pd.Timestamp("2025-01-20")
    assert values.loc["normative_docs_issued", "source"].endswith("司法局.xlsx › 汇总表 › E7")
    study = sub.ledgers["study_activities"]
    assert list(study["activity_type"]) == ["中心组学法", "案卷评查"]
    assert list(study["half"]) == ["H1", "H2"]
    assert list(study["_row"]) == [2, 3]
    assert set(sub.units["unit"]) == {"海口市司法局"}
    assert ("study_activities", "海口市司法局", 2024) in set(map(tuple, sub.coverage.to_numpy().tolist()))


def test_unit_alias_and_spaces_resolve(cat, tmp_path: Path) -> None:
    path = fill(
        cat,
        tmp_path / "a.xlsx",
        kind="city_dept",
        unit="  教育局　",
        year=2024,
        values={"normative_docs_issued": 3},
    )
    sub = read_submissions([path], cat, register=UNITS)
    assert set(sub.values["unit"]) == {"海口市教育局"}


def test_catalogue_kind_alias_names_the_one_unit_of_that_kind(cat, tmp_path: Path) -> None:
    path = fill(
        cat,
        tmp_path / "a.xlsx",
        kind="justice_bureau",
        unit="市司法局",
        year=2024,
        values={"normative_docs_issued": 3},
    )
    sub = read_submissions([path], cat, register=UNITS)
    assert set(sub.values["unit"]) == {"海口市司法局"}


def test_problems_in_a_summary_are_all_reported_with_cells(cat, tmp_path: Path) -> None:
    path = fill(
        cat,
        tmp_path / "bad.xlsx",
        kind="city_dept",
        unit="海口市教育局",
        year=2024,
        values={
            "normative_docs_issued": 10,
            "normative_docs_filed": 12,  # part > whole
            "suggestions_handled": -3,  # negative count
            "suggestions_satisfied": "若干",  # not a number
            "fines_decoupled": "也许",  # not yes/no
        },
    )
    sub = read_submissions([path], cat, register=UNITS)
    found = {(i.code, i.cell) for i in sub.issues}
    ws = build_template(cat, kind="city_dept", unit="x", year=2024)["汇总表"]
    assert ("part-exceeds-whole", summary_cell(ws, "normative_docs_filed").coordinate) in found
    assert ("value-negative", summary_cell(ws, "suggestions_handled").coordinate) in found
    assert ("value-type", summary_cell(ws, "suggestions_satisfied").coordinate) in found
    assert ("value-type", summary_cell(ws, "fines_decoupled").coordinate) in found
    invalid = set(map(tuple, sub.invalid[["field"]].to_numpy().tolist()))
    assert {
        ("normative_docs_filed",),
        ("suggestions_handled",),
        ("suggestions_satisfied",),
        ("fines_decoupled",),
    } <= invalid


def test_unknown_and_missing_unit(cat, tmp_path: Path) -> None:
    a = fill(
        cat,
        tmp_path / "a.xlsx",
        kind="city_dept",
        unit="海口市不存在局",
        year=2024,
        values={"normative_docs_issued": 1},
    )
    b = fill(
        cat, tmp_path / "b.xlsx", kind="city_dept", unit=None, year=2024, values={"normative_docs_issued": 1}
    )
    sub = read_submissions([a, b], cat, register=UNITS)
    assert ("unit-unknown", "汇总表", "B2") in issue_codes(sub)
    assert ("unit-missing", "汇总表", "B2") in issue_codes(sub)
    assert sub.values.empty


def test_same_figure_twice_with_different_values_is_a_conflict(cat, tmp_path: Path) -> None:
    a = fill(
        cat,
        tmp_path / "a.xlsx",
        kind="city_dept",
        unit="海口市教育局",
        year=2024,
        values={"normative_docs_issued": 5},
    )
    b = fill(
        cat,
        tmp_path / "b.xlsx",
        kind="city_dept",
        unit="海口市教育局",
        year=2024,
        values={"normative_docs_issued": 6},
    )
    sub = read_submissions([a, b], cat, register=UNITS)
    conflicts = [i for i in sub.issues if i.code == "value-conflict"]
    assert len(conflicts) == 1 and "5" in conflicts[0].message and conflicts[0].value == "6"
    assert "normative_docs_issued" in set(sub.invalid["field"])


def test_long_table_csv_in_gb18030(cat, tmp_path: Path) -> None:
    text = (
        "单位,年度,字段,数值,期间\n"
        '秀英区,2024,制发行政规范性文件件数,"1,234",\n'
        "秀英区人民政府,２０２４年,normative_docs_filed,1234件,全年\n"
        "秀英区,2024,case_review_half,1,上半年\n"
        "秀英区,2024,case_review_half,0,H2\n"
        "秀英区,2024,不存在的字段,3,\n"
        "合计,,,2469,\n"
    )
    path = tmp_path / "long.csv"
    path.write_bytes(text.encode("gb18030"))
    sub = read_submissions([path], cat, register=UNITS)
    got = {(r.field, r.period): r.value for r in sub.values.itertuples()}
    assert got == {
        ("normative_docs_issued", "Y"): 1234,
        ("normative_docs_filed", "Y"): 1234,
        ("case_review_half", "H1"): 1,
        ("case_review_half", "H2"): 0,
    }
    assert ("field-unknown", "", "C6") in issue_codes(sub)
    assert [i.row for i in sub.issues if i.code == "row-skipped"] == [7]


def test_ledger_csv_with_title_row_merged_like_header_and_footer(cat, tmp_path: Path) -> None:
    text = (
        "2024年行政诉讼案件台账,,,\n"
        "单位,案号,审结日期,审理结果\n"
        "秀英区,(2024)琼01行初1号,2024-03-01,败诉\n"
        "秀英区,(2024)琼01行初2号,2024年5月1日,胜诉\n"
        "秀英区,(2024)琼01行初2号,2024年5月1日,胜诉\n"
        "秀英区,(2024)琼01行初3号,,胜诉\n"
        "合计,3,,\n"
    )
    path = tmp_path / "行政诉讼案件台账.csv"
    path.write_text(text, encoding="utf-8")
    sub = read_submissions([path], cat, register=UNITS)
    cases = sub.ledgers["litigation_cases"]
    assert list(cases["case_no"]) == ["(2024)琼01行初1号", "(2024)琼01行初2号"]
    codes = [(i.code, i.row) for i in sub.issues]
    assert ("record-duplicate", 5) in codes
    assert ("value-required", 6) in codes  # the date decides the year: a record without it is reported
    assert ("row-skipped", 7) in codes


def test_missing_path_is_an_issue_and_others_go_on(cat, tmp_path: Path) -> None:
    good = fill(
        cat,
        tmp_path / "a.xlsx",
        kind="city_dept",
        unit="海口市教育局",
        year=2024,
        values={"normative_docs_issued": 5},
    )
    sub = read_submissions([tmp_path / "nope.xlsx", good], cat, register=UNITS)
    assert [i.code for i in sub.issues if i.severity == "error"] == ["file-not-found"]
    assert len(sub.values) == 1


def test_input_files_are_not_modified(cat, tmp_path: Path) -> None:
    path = fill(
        cat,
        tmp_path / "a.xlsx",
        kind="city_dept",
        unit="海口市教育局",
        year=2024,
        values={"normative_docs_issued": 5},
    )
    before = path.read_bytes(), path.stat().st_mtime_ns
    read_submissions([tmp_path], cat, register=UNITS)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_parquet_long_table_and_parquet_ledger(cat, tmp_path: Path) -> None:
    pd.DataFrame(
        {
            "单位": ["秀英区", "秀英区"],
            "年度": [2024, 2024],
            "字段": ["normative_docs_issued", "制发行政规范性文件件数"],
            "数值": [7, 7],
        }
    ).to_parquet(tmp_path / "long.parquet")
    pd.DataFrame(
        {
            "单位": ["秀英区", "秀英区"],
            "案号": ["(2024)琼01行初1号", "(2024)琼01行初2号"],
            "审结日期": pd.to_datetime(["2024-03-01", "2024-08-01"]),
            "审理结果": ["败诉", "撤诉"],
        }
    ).to_parquet(tmp_path / "行政诉讼案件台账.parquet")
    sub = read_submissions([tmp_path], cat, register=UNITS)
    assert [i for i in sub.issues if i.severity == "error"] == []
    assert sub.values[["unit", "field", "value"]].values.tolist() == [
        ["秀英区人民政府", "normative_docs_issued", 7.0]
    ]
    cases = sub.ledgers["litigation_cases"]
    assert list(cases["outcome"]) == ["败诉", "撤诉"] and list(cases["half"]) == ["H1", "H2"]
    assert ("litigation_cases", "秀英区人民政府", 2024) in set(map(tuple, sub.coverage.to_numpy().tolist()))


def test_long_table_sheet_in_a_workbook_with_title_row(cat, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "导出数据"
    ws.append(["2024年各单位填报汇总（系统导出）"])
    ws.append(["单位名称", "年份", "指标项", "值", "周期"])
    ws.append(["海口市教育局", "2024年", "案卷评查", "", ""])  # a blank value is not a figure
    ws.append(["海口市教育局", 2024, "case_review_half", 1, "下半年"])
    ws.append(["海口市教育局", 2024, "case_review_half", 2, "全年"])  # a half-year field has no 全年
    path = tmp_path / "export.xlsx"
    wb.save(path)
    sub = read_submissions([path], cat, register=UNITS)
    assert sub.values[["field", "period", "value"]].values.tolist() == [["case_review_half", "H2", 1.0]]
    assert [(i.code, i.cell) for i in sub.issues if i.severity == "error"] == [
        ("field-unknown", "C3"),
        ("period-invalid", "E5"),
    ]
