"""Provenance travels (issue 11, item 6): the 来源, 统计截止日 and 备注 a unit writes beside a figure — optional
columns of a long table, the 备注 column of the template's 汇总表 — reach ``explain``, the JSON and the Excel
report; an unknown column, an unreadable 统计截止日, a note too long or beside no figure are said, never dropped
silently; and text from a submission never becomes a formula."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from typer.testing import CliRunner

from lawgov_metrics import layout
from lawgov_metrics.catalogue import Catalogue, load_catalogue
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.render.template import build_template

from .cli_data import summary_cell
from .conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "minimal_catalogue.yaml"
UNITS = REPO / "tests" / "fixtures" / "units.csv"
AS_OF = ["--as-of", "2025-06-30"]
JUSTICE = "海口市司法局"
FILING = "normative_doc_filing_rate"  # reads normative_docs_filed ÷ normative_docs_issued
FORMULA_NOTE = '=HYPERLINK("http://example.com","点我")'
runner = CliRunner()


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(FIXTURE)


def _csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _long_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return _csv(
        folder / "汇总长表.csv",
        [
            ["单位", "年度", "字段", "数值", "来源", "统计截止日", "备注"],
            [JUSTICE, 2024, "normative_docs_issued", 20, "市司法局发文登记簿", "2024-12-31", FORMULA_NOTE],
            [JUSTICE, 2024, "normative_docs_filed", 20, "备案审查系统", "2024/12/31", "含 2 件补报\x07"],
        ],
    )


def _run(*args: str) -> Any:
    return runner.invoke(
        app, [*args, "--units", str(UNITS), "-c", str(FIXTURE), *AS_OF], env={"COLUMNS": "250"}
    )


def _explain(path: Path) -> str:
    result = _run("explain", str(path), "--unit", JUSTICE, "--indicator", FILING, "--year", "2024")
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _json(path: Path) -> dict[str, Any]:
    result = _run("score", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads((REPO / "schemas" / "score.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(payload, schema)
    return payload


def _inputs(payload: dict[str, Any], indicator: str = FILING) -> dict[str, dict[str, Any]]:
    (result,) = [r for r in payload["results"] if r["indicator"] == indicator and r["year"] == 2024]
    return {i["input"]: i for i in result["inputs"]}


def _details(path: Path, tmp_path: Path, indicator: str = FILING) -> Any:
    """The 填报备注 cell of the indicator's row in the Excel report's 指标明细."""
    report = tmp_path / "报告.xlsx"
    result = _run("score", str(path), "-o", str(report))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(report)["指标明细"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("指标标识")].value == indicator:
            return row[header.index("填报备注")]
    raise AssertionError(indicator)


# ---------------------------------------------------------------- long tables


def test_long_csv_remarks_reach_explain(tmp_path: Path) -> None:
    out = _explain(_long_csv(tmp_path / "in"))
    for fragment in (
        "填报单位注明",
        "来源：市司法局发文登记簿",
        "统计截止日：2024-12-31",
        "备注：含 2 件补报",
    ):
        assert fragment in out, f"{fragment!r} not in\n{out}"
    assert "\x07" not in out and "=HYPERLINK" in out  # control characters never reach the terminal


def test_long_csv_remarks_reach_json(tmp_path: Path) -> None:
    inputs = _inputs(_json(_long_csv(tmp_path / "in")))
    issued, filed = inputs["制发行政规范性文件件数"], inputs["按规定报备的行政规范性文件件数"]
    assert issued == {
        "input": "制发行政规范性文件件数",
        "display": "20",
        "source": f"{tmp_path / 'in' / '汇总长表.csv'} › D2",
        "cited": "市司法局发文登记簿",
        "as_of": "2024-12-31",
        "note": FORMULA_NOTE,
    }
    assert (filed["cited"], filed["as_of"], filed["note"]) == (
        "备案审查系统",
        "2024-12-31",
        "含 2 件补报\x07",
    )


def test_long_csv_remarks_reach_the_excel_report_as_text(tmp_path: Path) -> None:
    cell = _details(_long_csv(tmp_path / "in"), tmp_path)
    assert cell.data_type == "s"  # a string cell, never a formula
    assert "制发行政规范性文件件数（来源：市司法局发文登记簿；统计截止日：2024-12-31；备注：" in cell.value
    assert FORMULA_NOTE in cell.value
    assert "\x07" not in cell.value and "\ufffd" in cell.value  # XML cannot carry a bell


def test_a_figure_without_remarks_has_none(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _csv(folder / "长表.csv", [["单位", "年度", "字段", "数值"], [JUSTICE, 2024, "normative_docs_issued", 3]])
    inputs = _inputs(_json(folder))
    assert (inputs["制发行政规范性文件件数"]["cited"], inputs["制发行政规范性文件件数"]["note"]) == (
        None,
        None,
    )
    assert _details(folder, tmp_path).value is None


def test_xlsx_long_table_with_other_spellings(tmp_path: Path, cat: Catalogue) -> None:
    path = tmp_path / "长表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门汇总"
    ws.append(["单位", "年度", "字段", "数值", "数据来源", "截止日期", "说明"])
    ws.append(
        [JUSTICE, 2024, "normative_docs_issued", 12, "发文登记", dt.datetime(2024, 12, 31), "口径：本级"]
    )
    ws.append([JUSTICE, 2024, "normative_docs_filed", 12, None, None, None])
    wb.save(path)
    submission = read_submissions([path], cat, register=UNITS)
    assert [i.code for i in submission.issues] == []
    values = submission.values.set_index("field")
    assert values.loc["normative_docs_issued", "cited"] == "发文登记"
    assert values.loc["normative_docs_issued", "as_of"] == dt.datetime(2024, 12, 31)
    assert values.loc["normative_docs_issued", "note"] == "口径：本级"
    assert values.loc["normative_docs_filed", "note"] == ""
    # and through the CLI, from a sheet
    assert "来源：发文登记；统计截止日：2024-12-31；备注：口径：本级" in _explain(path)


def test_unknown_columns_are_reported_not_ignored(tmp_path: Path, cat: Catalogue) -> None:
    path = tmp_path / "长表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门汇总"
    ws.append(["单位", "年度", "字段", "数值", "负责人", None, "备注"])
    ws.append([JUSTICE, 2024, "normative_docs_issued", 12, "张三", "无名列的内容", "本级"])
    ws.append([JUSTICE, 2024, "normative_docs_filed", 12, None, None, None])
    wb.save(path)
    submission = read_submissions([path], cat, register=UNITS)
    unknown = [i for i in submission.issues if i.code == "column-unknown"]
    assert [(i.severity, i.sheet, i.cell, i.value) for i in unknown] == [
        ("warning", "部门汇总", "E1", "负责人"),
        ("warning", "部门汇总", "F1", ""),
    ]
    assert "「负责人」" in unknown[0].message and "F 列没有列名" in unknown[1].message
    assert submission.values.set_index("field").loc["normative_docs_issued", "note"] == "本级"
    # an empty unnamed column (a trailing comma on every line) is nothing to report
    folder = tmp_path / "csv"
    folder.mkdir()
    _csv(
        folder / "长表.csv",
        [["单位", "年度", "字段", "数值", ""], [JUSTICE, 2024, "normative_docs_issued", 3, ""]],
    )
    assert [i.code for i in read_submissions([folder], cat, register=UNITS).issues] == []


def test_unreadable_as_of_names_its_cell_and_the_figure_still_counts(tmp_path: Path, cat: Catalogue) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [["单位", "年度", "字段", "数值", "统计截止日"]]
    rows += [[JUSTICE, 2024, "normative_docs_issued", 12, "2024年底"]]
    rows += [[JUSTICE, 2024, f, 1, "2024年底"] for f in ("normative_docs_filed", "study_sessions_leadership")]
    _csv(folder / "长表.csv", rows)
    submission = read_submissions([folder], cat, register=UNITS)
    (issue,) = submission.issues  # the same value on three rows: one issue, at its first cell
    assert (issue.code, issue.severity, issue.cell, issue.value) == ("value-type", "error", "E2", "2024年底")
    assert "统计截止日" in issue.message and "共 3 处" in issue.message
    assert issue.file.endswith("长表.csv") and issue.unit == JUSTICE
    assert len(submission.values) == 3 and submission.values["as_of"].isna().all()


def test_long_text_is_cut_with_a_warning(tmp_path: Path, cat: Catalogue) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    long_note = "甲" * 600
    _csv(
        folder / "长表.csv",
        [["单位", "年度", "字段", "数值", "备注"], [JUSTICE, 2024, "normative_docs_issued", 3, long_note]],
    )
    submission = read_submissions([folder], cat, register=UNITS)
    (issue,) = submission.issues
    assert (issue.code, issue.severity, issue.cell) == ("text-truncated", "warning", "E2")
    note = submission.values.loc[0, "note"]
    assert note == "甲" * layout.REMARK_MAX_CHARS + "…（已截断）"


def test_a_note_beside_no_figure_is_said(tmp_path: Path, cat: Catalogue) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _csv(
        folder / "长表.csv",
        [
            ["单位", "年度", "字段", "数值", "备注"],
            [JUSTICE, 2024, "normative_docs_issued", "", "待补"],
            [JUSTICE, 2024, "normative_docs_filed", 1, ""],
        ],
    )
    (issue,) = read_submissions([folder], cat, register=UNITS).issues
    assert (issue.code, issue.cell, issue.unit) == ("remark-unused", "E2", JUSTICE)
    assert "制发行政规范性文件件数" in issue.message


def test_a_note_beside_an_answer_joins_the_results_note(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _csv(
        folder / "长表.csv",
        [
            ["单位", "年度", "字段", "数值", "备注"],
            [JUSTICE, 2024, "normative_docs_issued", "不适用", "本年度未承担制发职能"],
            [JUSTICE, 2024, "normative_docs_filed", "不适用", ""],
        ],
    )
    (result,) = [r for r in _json(folder)["results"] if r["indicator"] == FILING]
    assert result["status"] == "not_applicable"
    assert "备注：本年度未承担制发职能" in result["note"]


# ---------------------------------------------------------------- the template's 备注 column


def _filled_template(cat: Catalogue, path: Path, note: str, *, without_remarks: bool = False) -> Path:
    wb = build_template(cat, kind="justice_bureau", unit=JUSTICE, year=2024)
    ws = wb[layout.SUMMARY_SHEET]
    header = {ws.cell(layout.SUMMARY_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    for field, value in (("normative_docs_issued", 20), ("normative_docs_filed", 19)):
        cell = summary_cell(ws, field)
        cell.value = value
        if field == "normative_docs_issued":
            remark = ws.cell(cell.row, header[layout.COL_REMARK])
            remark.value = note
            remark.data_type = "s"  # typed text: openpyxl would write "=…" as a formula
    if without_remarks:  # a template made before the column
        ws.delete_cols(header[layout.COL_REMARK])
    wb.save(path)
    return path


def test_the_template_has_an_open_validated_remark_column(cat: Catalogue) -> None:
    ws = build_template(cat, kind="justice_bureau")[layout.SUMMARY_SHEET]
    header = [c.value for c in ws[layout.SUMMARY_HEADER_ROW]]
    assert header[-2:] == [layout.COL_NOTE, layout.COL_REMARK]
    col = header.index(layout.COL_REMARK) + 1
    cell = ws.cell(layout.SUMMARY_FIRST_DATA_ROW, col)
    assert not cell.protection.locked
    assert cell.fill.fgColor.rgb.endswith("FFF2CC")  # the input fill
    (dv,) = [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]
    assert dv.type == "textLength" and dv.formula1 == str(layout.REMARK_MAX_CHARS) and "来源" in dv.prompt


def test_template_note_reaches_explain_json_and_excel(tmp_path: Path, cat: Catalogue) -> None:
    path = _filled_template(cat, tmp_path / "司法局-2024.xlsx", FORMULA_NOTE)
    assert f"备注：{FORMULA_NOTE}" in _explain(path)
    inputs = _inputs(_json(path))
    assert inputs["制发行政规范性文件件数"]["note"] == FORMULA_NOTE
    assert inputs["制发行政规范性文件件数"]["cited"] is None
    assert inputs["按规定报备的行政规范性文件件数"]["note"] is None
    cell = _details(path, tmp_path)
    assert cell.data_type == "s" and cell.value == f"制发行政规范性文件件数（备注：{FORMULA_NOTE}）"


def test_a_formula_looking_note_is_text_even_where_it_leads_a_cell(tmp_path: Path, cat: Catalogue) -> None:
    """The report's cells start with the input's name; the safe-text path still guards the note itself."""
    from lawgov_metrics.render.safe_text import is_formula_like, safe_cell_text

    assert safe_cell_text(FORMULA_NOTE) == FORMULA_NOTE and is_formula_like(
        FORMULA_NOTE
    )  # quote-prefix style
    path = _filled_template(cat, tmp_path / "司法局-2024.xlsx", FORMULA_NOTE)
    report = tmp_path / "报告.xlsx"
    assert _run("score", str(path), "-o", str(report)).exit_code == 0
    wb = openpyxl.load_workbook(report)
    formulas = [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_templates_made_before_the_remark_column_still_read(tmp_path: Path, cat: Catalogue) -> None:
    path = _filled_template(cat, tmp_path / "司法局-2024.xlsx", "旧模板没有这一列", without_remarks=True)
    submission = read_submissions([path], cat, register=UNITS)
    assert [i.code for i in submission.issues] == []
    assert set(submission.values["field"]) == {"normative_docs_issued", "normative_docs_filed"}
    assert (submission.values["note"] == "").all()


def test_a_template_note_on_a_blank_row_is_said(tmp_path: Path, cat: Catalogue) -> None:
    wb = build_template(cat, kind="justice_bureau", unit=JUSTICE, year=2024)
    ws = wb[layout.SUMMARY_SHEET]
    header = {ws.cell(layout.SUMMARY_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    summary_cell(ws, "normative_docs_filed").value = 1
    row = summary_cell(ws, "normative_docs_issued").row
    ws.cell(row, header[layout.COL_REMARK]).value = "数据待统计局核实"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    issues = [i for i in read_submissions([path], cat, register=UNITS).issues if i.code == "remark-unused"]
    assert [(i.sheet, i.cell) for i in issues] == [
        (layout.SUMMARY_SHEET, ws.cell(row, header[layout.COL_REMARK]).coordinate)
    ]


# ---------------------------------------------------------------- the JSON contract


def test_score_schema_refuses_a_malformed_input(tmp_path: Path) -> None:
    payload = _json(_long_csv(tmp_path / "in"))
    schema = json.loads((REPO / "schemas" / "score.schema.json").read_text(encoding="utf-8"))
    (result,) = [r for r in payload["results"] if r["indicator"] == FILING]
    result["inputs"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, schema)
    del result["inputs"][0]["extra"]
    del result["inputs"][0]["note"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, schema)


def test_a_template_note_that_is_a_formula_without_a_value_is_said(tmp_path: Path, cat: Catalogue) -> None:
    wb = build_template(cat, kind="justice_bureau", unit=JUSTICE, year=2024)
    ws = wb[layout.SUMMARY_SHEET]
    header = {ws.cell(layout.SUMMARY_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    figure = summary_cell(ws, "normative_docs_issued")
    figure.value = 20
    note = ws.cell(figure.row, header[layout.COL_REMARK])
    note.value = '=HYPERLINK("http://example.com","点我")'  # a formula no spreadsheet has calculated
    path = tmp_path / "t.xlsx"
    wb.save(path)
    submission = read_submissions([path], cat, register=UNITS)
    (issue,) = submission.issues
    assert (issue.code, issue.cell) == ("value-formula", note.coordinate)
    assert "制发行政规范性文件件数" in issue.message and "备注" in issue.message
    assert list(submission.values["value"]) == [20.0] and list(submission.values["note"]) == [""]
