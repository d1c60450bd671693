"""A template a unit can live with (issue 14, item 4): ledger rows inserted and deleted, 填报单位 from the
register, dates within sensible years, rows tall enough for wrapped notes, merged ledger cells named, one
resolver for every ``--kind`` spelling, ``template --year``/``--unit`` checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from lawgov_metrics import layout
from lawgov_metrics.catalogue.applicability import resolve_kind
from lawgov_metrics.cli import app
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.intake.read.template_units import template_units
from lawgov_metrics.render.template import build_template

REPO = Path(__file__).resolve().parents[1]
HAIKOU_UNITS = REPO / "samples" / "haikou" / "units.csv"
STUDY = "学法与培训活动台账"
runner = CliRunner()


def _serial(day: dt.date) -> str:
    return str((day - dt.date(1899, 12, 30)).days)


def _validations(ws: Any) -> dict[str, Any]:
    """First cell of each validation's range → the validation."""
    return {str(dv.sqref).split()[0].split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def _study_rows() -> list[list[Any]]:
    return [[dt.date(2024, 3, 1), "中心组学法", f"第{i}次学法", "办公室", 20 + i, None] for i in range(1, 6)]


def _filled(catalogue: Any, path: Path, rows: list[list[Any]]) -> Path:
    wb = build_template(catalogue, kind="city_dept", unit="海口市教育局", year=2024)
    for row in rows:
        wb[STUDY].append(row)
    wb.save(path)
    return path


def _study(catalogue: Any, path: Path) -> Any:
    sub = read_submissions([path], catalogue, register=HAIKOU_UNITS)
    return sub, sub.ledgers["study_activities"]


# ---------------------------------------------------------------- ledger rows


def test_ledger_sheets_allow_inserting_and_deleting_rows_the_rest_stays_protected(catalogue: Any) -> None:
    wb = build_template(catalogue, kind="city_dept")
    ledger = wb[STUDY]
    assert ledger.protection.sheet is True
    assert ledger.protection.insertRows is False and ledger.protection.deleteRows is False  # False = allowed
    assert ledger["A1"].protection.locked  # the header stays locked
    # Excel deletes a protected row only when no cell of it is locked: the columns right of the ledger too
    width = len(catalogue.ledgers_by_id["study_activities"].columns)
    rest = [d for d in ledger.column_dimensions.values() if d.min == width + 1]
    assert rest and rest[0].max == 16_384 and rest[0].protection.locked is False
    summary = wb[layout.SUMMARY_SHEET]
    assert summary.protection.insertRows is True and summary.protection.deleteRows is True  # forbidden


def test_rows_deleted_and_inserted_in_a_ledger_are_read(catalogue: Any, tmp_path: Path) -> None:
    path = _filled(catalogue, tmp_path / "教育局.xlsx", _study_rows())
    wb = load_workbook(path)
    ws = wb[STUDY]
    ws.delete_rows(3, 2)  # the 2nd and 3rd records gone
    ws.insert_rows(2)  # a new first record above the others
    for col, value in enumerate([dt.date(2024, 1, 5), "会前学法", "插入的学法", "法规科", 9], start=1):
        ws.cell(2, col, value)
    wb.save(path)
    sub, study = _study(catalogue, path)
    assert [i for i in sub.issues if i.severity == "error"] == []
    assert list(study["title"]) == ["插入的学法", "第1次学法", "第4次学法", "第5次学法"]
    assert list(study["_row"]) == [2, 3, 4, 5]


def test_ledger_validations_cover_the_whole_column(catalogue: Any) -> None:
    ws = build_template(catalogue, kind="city_dept")[STUDY]
    ranges = {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert "A2:A1048576" in ranges and "B2:B1048576" in ranges


# ---------------------------------------------------------------- dates, row heights


def test_dates_are_limited_to_the_years_around_the_plan(catalogue: Any) -> None:
    wb = build_template(catalogue, kind="city_dept")
    dv = _validations(wb[STUDY])["A2"]
    assert (dv.type, dv.formula1, dv.formula2) == (
        "date",
        _serial(dt.date(2016, 1, 1)),
        _serial(dt.date(2026, 12, 31)),
    )
    assert "2016-01-01 至 2026-12-31" in dv.prompt
    summary = wb[layout.SUMMARY_SHEET]
    row = next(
        r for r in range(7, summary.max_row + 1) if summary.cell(r, 1).value == "annual_report_submitted_on"
    )
    dates = [dv for dv in summary.data_validations.dataValidation if f"E{row}" in str(dv.sqref).split()]
    assert [(d.formula1, d.formula2) for d in dates] == [
        (_serial(dt.date(2016, 1, 1)), _serial(dt.date(2026, 12, 31)))
    ]


def test_rows_with_wrapped_notes_are_tall_enough(catalogue: Any) -> None:
    ws = build_template(catalogue, kind="city_dept")[layout.SUMMARY_SHEET]
    headers = {ws.cell(6, c).value: c for c in range(1, ws.max_column + 1)}
    note_col = headers[layout.COL_NOTE]
    width = ws.column_dimensions[ws.cell(6, note_col).column_letter].width
    checked = 0
    for r in range(7, ws.max_row + 1):
        note = str(ws.cell(r, note_col).value or "")
        wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in note)
        lines = -(-wide // int(width - 2))
        if lines > 1:
            assert ws.row_dimensions[r].height == 15 * lines + 3, (r, note)
            checked += 1
    assert checked >= 5


# ---------------------------------------------------------------- 填报单位 from the register


def test_unit_drop_down_lists_the_registers_units_of_the_kind(catalogue: Any) -> None:
    chosen = template_units(catalogue, "镇街", None, HAIKOU_UNITS)
    assert chosen.kind == "town" and len(chosen.names) == 24 and chosen.names[:2] == ("秀英街道", "海秀街道")
    dv = _validations(
        build_template(catalogue, kind=chosen.kind, unit_names=chosen.names)[layout.SUMMARY_SHEET]
    )["B2"]
    assert dv.type == "list" and dv.errorStyle == "warning"  # a unit new to the register may still be typed
    assert dv.formula1 == f'"{",".join(chosen.names)}"'


def test_a_long_unit_list_goes_to_the_hidden_sheet(catalogue: Any) -> None:
    chosen = template_units(catalogue, "市直部门", None, HAIKOU_UNITS)
    wb = build_template(catalogue, kind=chosen.kind, unit_names=chosen.names)
    assert _validations(wb[layout.SUMMARY_SHEET])["B2"].formula1 == "'_lists'!$A$2:$A$33"  # 32 units
    lists = wb["_lists"]
    assert lists.sheet_state == "veryHidden"
    assert [lists.cell(r, 1).value for r in (1, 2, 33)] == [
        "填报单位",
        "海口市发展和改革委员会",
        "海口市住房保障和房产管理局",
    ]


def test_a_named_agency_within_a_kind_is_in_its_drop_down(catalogue: Any) -> None:
    chosen = template_units(catalogue, "市直部门", None, HAIKOU_UNITS)
    assert "海口市司法局" in chosen.names and len(chosen.names) == 32


def test_unit_uses_its_register_kind_and_properties(catalogue: Any) -> None:
    chosen = template_units(catalogue, None, "信访局", HAIKOU_UNITS)
    assert (chosen.kind, chosen.unit, chosen.properties) == ("city_dept", "海口市信访局", frozenset())
    wb = build_template(catalogue, kind=chosen.kind, unit=chosen.unit, properties=chosen.properties)
    assert "行政执法人员名册" not in wb.sheetnames  # not an enforcement unit: no enforcement ledgers
    assert "行政执法人员名册" in build_template(catalogue, kind="city_dept").sheetnames
    assert template_units(catalogue, "市直部门", "海口市司法局", HAIKOU_UNITS).kind == "justice_bureau"


# ---------------------------------------------------------------- --kind spellings


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("town", "town"),
        ("TOWN", "town"),
        ("镇（街道）", "town"),
        ("镇(街道)", "town"),
        (" 镇 ( 街道 ) ", "town"),
        ("镇", "town"),
        ("街道", "town"),
        ("镇街", "town"),
        ("司法局", "justice_bureau"),
        ("海口市司法局", "justice_bureau"),
        ("执法局", "enforcement_bureau"),
        ("市场监督管理局", "market_bureau"),
        ("区直部门", "district_dept"),
        ("City_Dept", "city_dept"),
    ],
)
def test_kind_spellings(catalogue: Any, written: str, expected: str) -> None:
    assert resolve_kind(catalogue, written).id == expected


def test_kind_ambiguous_or_unknown_is_refused_in_chinese(catalogue: Any) -> None:
    with pytest.raises(ValueError) as ambiguous:
        resolve_kind(catalogue, "政府")
    assert str(ambiguous.value) == "单位类别「政府」不明确，可能是：市政府、区政府；请写出类别全称"
    with pytest.raises(ValueError) as unknown:
        resolve_kind(catalogue, "应急局")
    assert str(unknown.value).startswith(
        "未知的单位类别「应急局」；您是否要找：市应急管理局？可选：city_gov（市政府）、"
    )


def test_register_kind_column_takes_the_same_spellings(catalogue: Any, tmp_path: Path) -> None:
    register = tmp_path / "units.csv"
    register.write_text("单位名称,单位类别\n长流镇,镇街\n海口市司法局,司法局\n", encoding="utf-8")
    chosen = template_units(catalogue, None, "长流镇", register)
    assert (chosen.kind, chosen.names) == ("town", ("长流镇",))
    assert template_units(catalogue, None, "司法局", register).kind == "justice_bureau"


# ---------------------------------------------------------------- the template command


def test_template_year_outside_the_plan_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", "-o", str(out), "--year", "2030"])
    assert result.exit_code == 2
    assert "年度 2030 不在规划期 2021—2025 内" in result.output
    assert not out.exists()


def test_template_unknown_unit_is_refused_with_suggestions(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(
        app, ["template", "-o", str(out), "--unit", "海口市司法厅", "--units", str(HAIKOU_UNITS)]
    )
    assert result.exit_code == 2
    assert "单位名册中没有单位「海口市司法厅」；您是否要找：海口市司法局？" in result.output
    assert not out.exists()


def test_template_unit_contradicting_kind_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(
        app,
        ["template", "-o", str(out), "--unit", "司法局", "--kind", "区政府", "--units", str(HAIKOU_UNITS)],
    )
    assert result.exit_code == 2
    assert "在单位名册中属于“市司法局”，与 --kind 区政府 不符" in result.output


def test_template_unit_fills_the_full_name_and_kind(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    result = runner.invoke(
        app, ["template", "-o", str(out), "--unit", "秀英区", "--year", "2024", "--units", str(HAIKOU_UNITS)]
    )
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)[layout.SUMMARY_SHEET]
    assert (ws["B2"].value, ws["B3"].value, ws["B4"].value) == ("秀英区人民政府", 2024, "区政府")
    dv = _validations(ws)["B2"]
    assert dv.formula1 == '"秀英区人民政府,龙华区人民政府,琼山区人民政府,美兰区人民政府"'


# ---------------------------------------------------------------- merged cells in a ledger


def test_merged_cells_among_records_are_named(catalogue: Any, tmp_path: Path) -> None:
    path = _filled(catalogue, tmp_path / "教育局.xlsx", _study_rows())
    wb = load_workbook(path)
    ws = wb[STUDY]
    ws.merge_cells("D3:D5")  # 组织单位 written once for three records
    wb.save(path)
    sub, study = _study(catalogue, path)
    merged = [i for i in sub.issues if i.code == "ledger-merged-cells"]
    assert [(i.file, i.sheet, i.cell, i.row, i.severity) for i in merged] == [
        (str(path), STUDY, "D3:D5", 3, "error")
    ]
    assert merged[0].message == (
        "D3:D5 是合并单元格（第 3—5 行）：Excel 只在左上角 D3 保存内容，其余单元格按空白读取；"
        "请取消合并，并在每行、每列分别填写"
    )
    assert len(study) == 5  # no record dropped
    assert study["organizer"].tolist()[1] == "办公室" and study["organizer"].iloc[2:4].isna().all()


def test_a_merged_title_above_the_header_is_fine(catalogue: Any, tmp_path: Path) -> None:
    path = _filled(catalogue, tmp_path / "教育局.xlsx", _study_rows())
    wb = load_workbook(path)
    ws = wb[STUDY]
    ws.insert_rows(1)
    ws["A1"] = "2024年学法与培训活动台账"
    ws.merge_cells("A1:F1")
    wb.save(path)
    sub, study = _study(catalogue, path)
    assert [i for i in sub.issues if i.code == "ledger-merged-cells"] == []
    assert len(study) == 5


def test_a_formula_like_unit_name_stays_text_in_the_template(catalogue: Any, tmp_path: Path) -> None:
    names = ('=HYPERLINK("http://example.com","x")', "-1单位", *(f"海口市第{i}单位" for i in range(30)))
    path = tmp_path / "t.xlsx"
    build_template(catalogue, kind="city_dept", unit=names[0], unit_names=names).save(path)
    wb = load_workbook(path)
    unit = wb[layout.SUMMARY_SHEET]["B2"]
    assert (unit.value, unit.data_type, unit.quotePrefix) == (names[0], "s", True)
    lists = wb["_lists"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in (lists["A2"], lists["A3"], lists["A4"])] == [
        (names[0], "s", True),
        ("-1单位", "s", True),
        ("海口市第0单位", "s", False),
    ]
