"""The submission template: what a clerk gets, cell by cell, as the reader's layout contract says."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ruamel.yaml import YAML

from lawgov_metrics import __version__, layout
from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.catalogue.applicability import (
    fields_for_kind,
    indicators_for_kind,
    ledgers_for_kind,
    resolve_kind,
)
from lawgov_metrics.catalogue.errors import CatalogueError
from lawgov_metrics.catalogue.models import FieldDef
from lawgov_metrics.render import template_rules
from lawgov_metrics.render.template import LISTS_SHEET, build_template, write_template

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_catalogue.yaml"


def _write(catalogue: Catalogue, tmp_path: Path, kind: str, **kw: Any) -> openpyxl.Workbook:
    path = tmp_path / f"{kind}.xlsx"
    write_template(catalogue, path, kind=kind, **kw)
    return openpyxl.load_workbook(path)


def _dv_at(ws: Any, coord: str) -> Any:
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{coord} has {len(found)} validations"
    return found[0]


def _header_cols(ws: Any) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[layout.SUMMARY_HEADER_ROW] if c.value}


def _field_rows(ws: Any) -> dict[str, int]:
    return {ws.cell(row=r, column=1).value: r for r in range(layout.SUMMARY_FIRST_DATA_ROW, ws.max_row + 1)}


def _catalogue_with(edit: Any) -> Catalogue:
    """The minimal fixture catalogue with one edit to its plain data."""
    data = YAML(typ="safe").load(FIXTURE.read_text(encoding="utf-8"))
    edit(data)
    return Catalogue.model_validate(data)


@pytest.fixture(scope="module")
def city_dept(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    return _write(catalogue, tmp_path_factory.mktemp("t"), "city_dept", unit="海口市交通运输局", year=2024)


# ---------------------------------------------------------------- sheets


@pytest.mark.parametrize("kind", ["city_dept", "市司法局", "town"])
def test_sheets_in_order(catalogue: Catalogue, tmp_path: Path, kind: str) -> None:
    wb = _write(catalogue, tmp_path, kind)
    kind_id = resolve_kind(catalogue, kind).id
    ledgers = [ledger.name for ledger in ledgers_for_kind(catalogue, kind_id)]
    hidden = [s for s in wb.sheetnames if s.startswith("_")]
    assert wb.sheetnames == [layout.GUIDE_SHEET, layout.SUMMARY_SHEET, *ledgers, *hidden]
    assert hidden[-1] == layout.META_SHEET and set(hidden) <= {LISTS_SHEET, layout.META_SHEET}
    assert wb.active.title == layout.GUIDE_SHEET
    assert [wb[s].sheet_state for s in hidden] == ["veryHidden"] * len(hidden)
    assert all(ws.protection.sheet for ws in wb.worksheets)


@pytest.mark.parametrize("kind", ["city_dept", "市司法局", "town"])
def test_summary_lists_exactly_the_kinds_fields(catalogue: Catalogue, tmp_path: Path, kind: str) -> None:
    ws = _write(catalogue, tmp_path, kind)[layout.SUMMARY_SHEET]
    kind_id = resolve_kind(catalogue, kind).id
    assert list(_field_rows(ws)) == [f.id for f in fields_for_kind(catalogue, kind_id)]
    assert ws["B4"].value == catalogue.kinds_by_id[kind_id].name


def test_named_agency_by_chinese_name_gets_its_own_and_its_kinds_fields(catalogue: Catalogue) -> None:
    wb = build_template(catalogue, kind="市司法局")
    ids = set(_field_rows(wb[layout.SUMMARY_SHEET]))
    assert {f.id for f in fields_for_kind(catalogue, "city_dept")} <= ids
    assert wb[layout.META_SHEET]["B3"].value == "justice_bureau"


def test_summary_header_block(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    ws = city_dept[layout.SUMMARY_SHEET]
    assert ws["A1"].value == f"{catalogue.plan.title}年度数据填报表"
    assert [ws[f"A{r}"].value for r in (2, 3, 4)] == [layout.UNIT_LABEL, layout.YEAR_LABEL, layout.KIND_LABEL]
    assert dict(layout.HEADER_LABELS) == {layout.UNIT_LABEL: 2, layout.YEAR_LABEL: 3, layout.KIND_LABEL: 4}
    assert ws["B2"].value == "海口市交通运输局"
    assert ws["B3"].value == 2024 and isinstance(ws["B3"].value, int)
    assert ws["B4"].value == "市直部门"
    assert not ws["B2"].protection.locked and not ws["B3"].protection.locked
    assert ws["B4"].protection.locked and ws["A2"].protection.locked
    assert _dv_at(ws, "B3").type == "whole"


def test_summary_header_row(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    ws = city_dept[layout.SUMMARY_SHEET]
    header = [c.value for c in ws[layout.SUMMARY_HEADER_ROW]]
    quarters = any(f.period == "quarter" for f in fields_for_kind(catalogue, "city_dept"))
    periods = ["Y", "H1", "H2"] + (["Q1", "Q2", "Q3", "Q4"] if quarters else [])
    assert header == [
        layout.COL_FIELD_ID,
        layout.COL_FIELD_NAME,
        layout.COL_UNIT,
        layout.COL_CLAUSE,
        *(layout.PERIOD_COLUMNS[p] for p in periods),
        layout.COL_NOTE,
        layout.COL_REMARK,
    ]
    assert all(ws.cell(row=5, column=c).value is None for c in range(1, len(header) + 1))


def test_quarter_columns_only_when_a_field_needs_them(catalogue: Catalogue) -> None:
    cat = _catalogue_with(lambda data: None)
    for c in (cat, catalogue):
        for kind in c.unit_kinds:
            quarters = any(f.period == "quarter" for f in fields_for_kind(c, kind.id))
            ws = build_template(c, kind=kind.id)[layout.SUMMARY_SHEET]
            assert ("一季度" in _header_cols(ws)) is quarters, kind.id


def test_no_prefill_leaves_unit_and_year_blank(catalogue: Catalogue) -> None:
    wb = build_template(catalogue, kind="town")
    assert wb[layout.SUMMARY_SHEET]["B2"].value is None and wb[layout.SUMMARY_SHEET]["B3"].value is None
    meta = {r[0]: r[1] for r in wb[layout.META_SHEET].iter_rows(values_only=True)}
    assert meta["unit"] is None and meta["year"] is None


# ---------------------------------------------------------------- field rows


def test_concrete_fields_of_a_city_department(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    ws = city_dept[layout.SUMMARY_SHEET]
    rows, cols = _field_rows(ws), _header_cols(ws)
    assert {"normative_docs_issued", "case_review_half"} <= set(rows)
    r = rows["normative_docs_issued"]
    assert ws[f"B{r}"].value == "制发行政规范性文件件数" and ws[f"C{r}"].value == "件"
    assert ws[f"D{r}"].value == "（九）"
    year_cell = f"{cols['全年']}{r}"
    assert not ws[year_cell].protection.locked
    assert ws[year_cell].fill.fgColor.rgb.endswith(template_rules.INPUT_FILL)
    assert ws[f"{cols['上半年']}{r}"].protection.locked


def test_half_year_field_opens_both_halves_and_locks_the_year(city_dept: openpyxl.Workbook) -> None:
    ws = city_dept[layout.SUMMARY_SHEET]
    r, cols = _field_rows(ws)["case_review_half"], _header_cols(ws)
    assert not ws[f"{cols['上半年']}{r}"].protection.locked
    assert not ws[f"{cols['下半年']}{r}"].protection.locked
    assert ws[f"{cols['全年']}{r}"].protection.locked
    assert ws[f"{cols['全年']}{r}"].fill.fgColor.rgb.endswith(template_rules.GREY_FILL)
    assert "（二十七）" in ws[f"D{r}"].value
    assert "可由《学法与培训活动台账》汇总" in ws[f"{cols['说明']}{r}"].value
    dv = _dv_at(ws, f"{cols['上半年']}{r}")
    assert f"{cols['下半年']}{r}" in dv.sqref and f"{cols['全年']}{r}" not in dv.sqref


def test_every_input_cell_is_validated_and_nothing_else_is_open(
    city_dept: openpyxl.Workbook, catalogue: Catalogue
) -> None:
    ws = city_dept[layout.SUMMARY_SHEET]
    cols = _header_cols(ws)
    fields = catalogue.fields_by_id
    for field_id, r in _field_rows(ws).items():
        own = layout.GRANULARITY_PERIODS[fields[field_id].period]
        for period, name in layout.PERIOD_COLUMNS.items():
            if name not in cols:
                continue
            cell = ws[f"{cols[name]}{r}"]
            assert cell.protection.locked is (period not in own), cell.coordinate
            if period in own:
                assert _dv_at(ws, cell.coordinate).showErrorMessage
        for name in (layout.COL_FIELD_ID, layout.COL_FIELD_NAME, layout.COL_UNIT, layout.COL_NOTE):
            assert ws[f"{cols[name]}{r}"].protection.locked


def test_validations_by_field_type(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    ws = city_dept[layout.SUMMARY_SHEET]
    cols, fields = _header_cols(ws), catalogue.fields_by_id
    seen = set()
    for field_id, r in _field_rows(ws).items():
        f = fields[field_id]
        col = cols[layout.PERIOD_COLUMNS[layout.GRANULARITY_PERIODS[f.period][0]]]
        dv, cell = _dv_at(ws, f"{col}{r}"), ws[f"{col}{r}"]
        seen.add(f.type)
        if f.type == "count" and f.max is None:
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
            assert cell.number_format == "0"
        elif f.type == "bool":
            assert (dv.type, dv.formula1) == ("list", '"是,否"')
        elif f.type == "date":
            assert dv.type == "date" and dv.operator == "between"
            assert cell.number_format == "yyyy-mm-dd"
        assert dv.errorTitle and dv.error and dv.prompt and dv.promptTitle
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
    assert {"count", "bool", "date"} <= seen


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (dict(type="count", unit="件"), ("whole", "greaterThanOrEqual", "0", None, "0")),
        (dict(type="count", unit="家", min=1, max=40), ("whole", "between", "1", "40", "0")),
        (dict(type="number", unit="万元"), ("decimal", "greaterThanOrEqual", "0", None, "General")),
        (dict(type="hours", unit="学时"), ("decimal", "greaterThanOrEqual", "0", None, "General")),
        (dict(type="percent", unit="%"), ("decimal", "between", "0", "1", "0.0%")),
        (dict(type="date", unit="日期"), ("date", "between", "18264", "73050", "yyyy-mm-dd")),
        (dict(type="bool", unit="是否"), ("list", None, '"是,否"', None, "General")),
    ],
)
def test_field_rule_per_type(field: dict[str, Any], expected: tuple[Any, ...]) -> None:
    rule = template_rules.field_rule(FieldDef(id="x", name="测试项", **field))
    assert (rule.type, rule.operator, rule.formula1, rule.formula2, rule.number_format) == expected
    if field["type"] == "percent":
        assert "95%" in rule.wanted


# ---------------------------------------------------------------- ledgers


def test_ledger_sheets(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    for ledger in ledgers_for_kind(catalogue, "city_dept"):
        ws = city_dept[ledger.name]
        assert [c.value for c in ws[1]] == [c.name for c in ledger.columns]
        assert ws.freeze_panes == "A2"
        for cell, column in zip(ws[1], ledger.columns, strict=True):
            letter = cell.column_letter
            assert cell.protection.locked
            assert f"必填：{'是' if column.required else '否'}" in cell.comment.text
            dim = ws.column_dimensions[letter]
            assert dim.protection.locked is False
            assert dim.width >= 2 * len(column.name)
            dv = _dv_at(ws, f"{letter}2")
            assert f"{letter}1001" in dv.sqref and f"{letter}1" not in dv.sqref
            if column.type in ("id", "text"):
                assert dim.number_format == "@"
            elif column.type == "date":
                assert dv.type == "date" and dim.number_format == "yyyy-mm-dd"
            elif column.type == "bool":
                assert dv.formula1 == '"是,否"'
            elif column.type == "choice":
                assert dv.type == "list" and "、".join(column.choices) in cell.comment.text


def _choice_column(cat: Catalogue) -> tuple[str, str, int]:
    """The first choice column of a city department's ledgers: (ledger id, column id, 1-based index)."""
    for ledger in ledgers_for_kind(cat, "city_dept"):
        for i, column in enumerate(ledger.columns, start=1):
            if column.type == "choice":
                return ledger.id, column.id, i
    raise AssertionError("no choice column")


def test_choice_list_inline(tmp_path: Path) -> None:
    cat = _catalogue_with(lambda data: None)
    ledger_id, column_id, col = _choice_column(cat)
    ledger = cat.ledgers_by_id[ledger_id]
    choices = ledger.column(column_id).choices  # type: ignore[union-attr]
    ws = _write(cat, tmp_path, "city_dept")[ledger.name]
    formula = _dv_at(ws, f"{openpyxl.utils.get_column_letter(col)}2").formula1
    assert formula == '"' + ",".join(choices) + '"'
    assert len(formula) <= template_rules.INLINE_LIST_MAX


def test_long_choice_list_goes_to_a_hidden_sheet(tmp_path: Path) -> None:
    ledger_id, column_id, col = _choice_column(_catalogue_with(lambda data: None))
    long = [f"第{i:02d}类较长的选项名称" for i in range(30)]  # far over Excel's 255 characters

    def lengthen(data: dict[str, Any]) -> None:
        ledger = next(ledger for ledger in data["ledgers"] if ledger["id"] == ledger_id)
        column = next(c for c in ledger["columns"] if c["id"] == column_id)
        column["choices"] = [*column["choices"], *long]

    cat = _catalogue_with(lengthen)
    wb = _write(cat, tmp_path, "city_dept")
    assert wb[LISTS_SHEET].sheet_state == "veryHidden"
    ledger = cat.ledgers_by_id[ledger_id]
    dv = _dv_at(wb[ledger.name], f"{openpyxl.utils.get_column_letter(col)}2")
    assert dv.formula1.startswith(f"'{LISTS_SHEET}'!$")
    values = [row[0].value for row in wb[LISTS_SHEET][dv.formula1.split("!", 1)[1].replace("$", "")]]
    assert values == list(ledger.column(column_id).choices)  # type: ignore[union-attr]
    assert len(dv.prompt) <= 255 and len(dv.error) <= 225


def test_unusable_ledger_name_is_refused() -> None:
    ledger_id = _choice_column(_catalogue_with(lambda data: None))[0]  # any ledger a department keeps

    def rename(data: dict[str, Any]) -> None:
        next(ledger for ledger in data["ledgers"] if ledger["id"] == ledger_id)["name"] = "学法/培训台账"

    # the catalogue itself refuses it now (catalogue validate); the template would refuse it too
    with pytest.raises((ValueError, CatalogueError), match="不能用作工作表名"):
        build_template(_catalogue_with(rename), kind="city_dept")


# ---------------------------------------------------------------- guide, meta, kinds, files


def test_guide(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    text = "\n".join(
        str(v) for row in city_dept[layout.GUIDE_SHEET].iter_rows(values_only=True) for v in row if v
    )
    assert "lawgov-metrics check 文件.xlsx" in text and ".xlsx" in text and "95%" in text
    assert "海口市交通运输局" in text and "2024年" in text
    for ind in indicators_for_kind(catalogue, "city_dept"):
        assert ind.name in text and f"（{ind.clause}）" in text
    for ledger in ledgers_for_kind(catalogue, "city_dept"):
        assert f"《{ledger.name}》" in text


def test_meta(city_dept: openpyxl.Workbook, catalogue: Catalogue) -> None:
    ws = city_dept[layout.META_SHEET]
    assert ws.sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in ws.iter_rows(values_only=True)}
    assert tuple(meta) == layout.META_KEYS
    assert meta["catalogue_sha256"] == catalogue.sha256 and len(catalogue.sha256) == 64
    assert meta["catalogue_version"] == catalogue.version
    assert (meta["kind"], meta["unit"], meta["year"]) == ("city_dept", "海口市交通运输局", 2024)
    assert meta["tool_version"] == __version__
    assert str(meta["generated_at"]).endswith("+00:00")
    assert city_dept.properties.creator == "lawgov-metrics" and city_dept.properties.title


def test_unknown_kind_is_refused_in_chinese(catalogue: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="未知的单位类别「市政府办」") as err:
        write_template(catalogue, tmp_path / "x.xlsx", kind="市政府办")
    assert "city_dept（市直部门）" in str(err.value)
    assert not list(tmp_path.iterdir())


def test_alias_resolves(catalogue: Catalogue) -> None:
    assert resolve_kind(catalogue, "海口市司法局").id == "justice_bureau"
    assert resolve_kind(catalogue, " 镇（街道） ").id == "town"


def test_write_is_atomic_and_replaces(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"old")
    write_template(catalogue, path, kind="town", year=2025)
    assert [p.name for p in tmp_path.iterdir()] == ["模板.xlsx"]
    assert openpyxl.load_workbook(path)[layout.SUMMARY_SHEET]["B3"].value == 2025
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # like any new file, not mkstemp's 0600


def test_failed_write_leaves_the_old_file(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"old")

    def fail(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_template(catalogue, path, kind="town")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["模板.xlsx"]


def test_round_trip_every_kind(catalogue: Catalogue, tmp_path: Path) -> None:
    for kind in catalogue.unit_kinds:
        path = tmp_path / f"{kind.id}.xlsx"
        write_template(catalogue, path, kind=kind.id, unit="某单位", year=2023)
        wb = openpyxl.load_workbook(path)
        assert wb[layout.SUMMARY_SHEET]["B4"].value == kind.name
        assert wb[layout.META_SHEET]["B3"].value == kind.id
