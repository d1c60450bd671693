"""The bundled samples (samples/): present, consistent with the register and the catalogue, reproducible.

Light checks that do not need the reader: files and sheets are where the register says, the flawed copies
differ from their originals only where EXPECTED.yaml says, and the generator writes the same thing again.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from ruamel.yaml import YAML

from lawgov_metrics import layout
from lawgov_metrics.catalogue import Catalogue
from lawgov_metrics.catalogue.applicability import ledgers_for_kind, resolve_kind
from lawgov_metrics.issues import ISSUE_CODES

from .conftest import REPO

SAMPLES = REPO / "samples"
HAIKOU = SAMPLES / "haikou"
FLAWED = SAMPLES / "flawed"
REGENERATE = "请运行 python samples/make_samples.py 重新生成示例"


@pytest.fixture(scope="module")
def gen() -> Any:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def register() -> list[dict[str, str]]:
    raw = (HAIKOU / "units.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "units.csv 应为带 BOM 的 UTF-8，Excel 才能直接打开"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def _values(path: Path) -> dict[str, dict[str, Any]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
        for ws in wb.worksheets
    }


# ---------------------------------------------------------------- register


def test_register_columns_and_kinds(register: list[dict[str, str]], catalogue: Catalogue) -> None:
    assert list(register[0]) == ["单位名称", "单位类别", "别名", "所属区", "行政执法单位"]
    assert {row["行政执法单位"] for row in register} == {"是", "否"}
    assert all(row["行政执法单位"] == "是" for row in register if row["单位类别"] == "镇（街道）")
    kinds = Counter(resolve_kind(catalogue, row["单位类别"]).id for row in register)
    general = Counter(catalogue.general_kind(k) for k in kinds.elements())
    assert kinds["city_gov"] == 1
    assert kinds["district_gov"] == 4
    assert general["city_dept"] >= 30
    assert kinds["town"] >= 20
    for named in (
        "justice_bureau",
        "enforcement_bureau",
        "approval_bureau",
        "emergency_bureau",
        "market_bureau",
        "data_bureau",
    ):
        assert kinds[named] == 1, named


def test_register_names_are_unambiguous(register: list[dict[str, str]]) -> None:
    names = [row["单位名称"] for row in register]
    aliases = [a for row in register for a in row["别名"].split(";") if a]
    assert len(set(names)) == len(names)
    assert len(set(names + aliases)) == len(names) + len(aliases), "别名与其他单位名称或别名重复"


def test_towns_name_their_district(register: list[dict[str, str]]) -> None:
    districts = {row["所属区"] for row in register if row["单位类别"] == "区政府"}
    assert districts == {"秀英区", "龙华区", "琼山区", "美兰区"}
    towns = [row for row in register if row["单位类别"] == "镇（街道）"]
    assert all(row["所属区"] in districts for row in towns)
    assert {row["所属区"] for row in towns} == districts


# ---------------------------------------------------------------- submissions


def test_every_unit_year_has_its_workbook(register: list[dict[str, str]], gen: Any) -> None:
    for year in gen.YEARS:
        expected = {
            f"{row['单位名称']}.xlsx" for row in register if (row["单位名称"], year) not in gen.MISSING_FILES
        }
        found = {p.name for p in (HAIKOU / str(year)).glob("*.xlsx")}
        assert found == expected, f"{year}: {REGENERATE}"
    assert gen.MISSING_FILES, "示例应有个别单位缺报某一年度"


@pytest.mark.parametrize(
    "unit",
    ["海口市人民政府", "龙华区人民政府", "海口市司法局", "海口市行政审批服务局", "海口市统计局", "演丰镇"],
)
def test_workbook_is_the_units_template_filled(
    unit: str, register: list[dict[str, str]], catalogue: Catalogue
) -> None:
    kind = resolve_kind(catalogue, next(r["单位类别"] for r in register if r["单位名称"] == unit))
    wb = openpyxl.load_workbook(HAIKOU / "2024" / f"{unit}.xlsx")
    summary = wb[layout.SUMMARY_SHEET]
    assert (summary["B2"].value, summary["B3"].value, summary["B4"].value) == (unit, 2024, kind.name)
    meta = {row[0]: row[1] for row in wb[layout.META_SHEET].iter_rows(values_only=True)}
    assert meta["catalogue_sha256"] == catalogue.sha256, f"示例由旧版指标目录生成，{REGENERATE}"
    ledgers = ledgers_for_kind(catalogue, kind.id)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == [layout.GUIDE_SHEET, layout.SUMMARY_SHEET, *(led.name for led in ledgers)]
    for ledger in ledgers:
        ws = wb[ledger.name]
        assert [c.value for c in ws[1]] == [c.name for c in ledger.columns]
        assert ws.max_row >= 2 or ledger.id in ("normative_docs", "litigation_cases"), ledger.name
        for column in ledger.columns:
            if column.type == "id":  # ids are text, never numbers that lost digits
                letter = get_column_letter(ledger.columns.index(column) + 1)
                assert all(isinstance(c.value, str) for c in ws[letter][1:] if c.value is not None)


def test_long_table_units_report_2025_only_in_the_csv(gen: Any) -> None:
    rows = list(
        csv.DictReader((HAIKOU / "long" / "2025-部门汇总.csv").read_text(encoding="utf-8").splitlines())
    )
    assert list(rows[0]) == ["单位", "年度", "字段", "数值", "期间"]
    assert {r["单位"] for r in rows} == set(gen.LONG_TABLE_UNITS)
    for unit in gen.LONG_TABLE_UNITS:
        summary = openpyxl.load_workbook(HAIKOU / "2025" / f"{unit}.xlsx")[layout.SUMMARY_SHEET]
        given = [
            c.coordinate
            for row in summary.iter_rows(min_row=layout.SUMMARY_FIRST_DATA_ROW, min_col=5, max_col=11)
            for c in row
            if c.value is not None
            and summary.cell(row=layout.SUMMARY_HEADER_ROW, column=c.column).value
            in layout.PERIOD_COLUMNS.values()
        ]
        assert given == [], f"{unit} 2025 年的汇总数只应在长表中给出"


def test_enterprise_ledger_is_big_and_crosses_national_day() -> None:
    ws = openpyxl.load_workbook(HAIKOU / "2024" / "海口市行政审批服务局.xlsx", read_only=True)[
        "企业开办办件台账"
    ]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert 2000 <= len(rows) <= 5000
    assert any(
        r[2].date().isoformat() == "2024-09-30" and r[3] and r[3].date().isoformat() == "2024-10-08"
        for r in rows
    )


# ---------------------------------------------------------------- flawed


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return YAML(typ="safe").load((FLAWED / "EXPECTED.yaml").read_text(encoding="utf-8"))


def test_expected_lists_every_flawed_file_and_known_codes(expected: dict[str, Any]) -> None:
    listed = {f["file"] for f in expected["files"]}
    assert listed == {p.name for p in FLAWED.iterdir() if p.suffix in (".xlsx", ".csv")}
    for issue in expected["issues"]:
        assert issue["file"] in listed
        assert issue["code"] in ISSUE_CODES, issue["code"]
        assert issue["cell"] == "" or re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]*", issue["cell"])
    for f in expected["files"]:
        assert (FLAWED / f["original"]).resolve().is_file()
        assert f["file"] in {i["file"] for i in expected["issues"]}, f"{f['file']} 没有埋错"
    assert len({i["code"] for i in expected["issues"]}) >= 18


def test_planted_cells_hold_the_mistakes(expected: dict[str, Any]) -> None:
    for issue in expected["issues"]:
        if not issue["file"].endswith(".xlsx") or not issue["cell"]:
            continue
        cell = openpyxl.load_workbook(FLAWED / issue["file"])[issue["sheet"]][issue["cell"]]
        match issue["code"]:
            case "value-negative":
                assert cell.value < 0
            case "value-type":
                assert isinstance(cell.value, str)
            case "value-error-cell":
                assert cell.data_type == "e"
            case "value-formula":
                assert cell.data_type == "f"
            case "value-id-precision":
                assert isinstance(cell.value, float) and cell.value >= 1e15
            case "value-required" | "unit-missing":
                assert cell.value is None
            case _:
                assert cell.value is not None, issue


def test_flawed_copies_differ_from_originals_only_where_planted(expected: dict[str, Any]) -> None:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for issue in expected["issues"]:
        by_file.setdefault(issue["file"], []).append(issue)
    for f in expected["files"]:
        if not f["file"].endswith(".xlsx"):
            continue
        flawed, original = _values(FLAWED / f["file"]), _values((FLAWED / f["original"]).resolve())
        planted = by_file[f["file"]]
        allowed = {(i["sheet"], i["cell"]) for i in planted}
        for i in planted:
            if i["code"] == "record-duplicate":  # the whole repeated row is the mistake
                row = re.sub(r"^[A-Z]+", "", i["cell"])
                allowed |= {(i["sheet"], c) for c in flawed[i["sheet"]] if re.sub(r"^[A-Z]+", "", c) == row}
        hidden = {i["sheet"] for i in planted if i["code"] == "sheet-hidden"}
        assert set(flawed) - hidden == set(original), f["file"]
        for sheet, cells in original.items():
            if sheet in (layout.META_SHEET, layout.GUIDE_SHEET):  # a blank template's header differs there
                continue
            changed = {c for c in set(cells) | set(flawed[sheet]) if cells.get(c) != flawed[sheet].get(c)}
            assert {(sheet, c) for c in changed} <= allowed, (f["file"], sheet, sorted(changed)[:5])


def test_flawed_long_table_is_gb18030(expected: dict[str, Any]) -> None:
    csvs = [f["file"] for f in expected["files"] if f["file"].endswith(".csv")]
    assert csvs
    for name in csvs:
        raw = (FLAWED / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        rows = list(csv.reader(raw.decode("gb18030").splitlines()))
        assert rows[0] == ["单位", "年度", "字段", "数值", "期间"]
        for issue in (i for i in expected["issues"] if i["file"] == name):
            column, row = issue["cell"][0], int(issue["cell"][1:])
            assert rows[row - 1][ord(column) - ord("A")]


# ---------------------------------------------------------------- the generator


def test_generator_is_deterministic_and_samples_are_current(tmp_path: Path, gen: Any) -> None:
    unit, year = "海口市统计局", 2024
    for out in (tmp_path / "a", tmp_path / "b"):
        gen.main(["--out", str(out), "--only", unit, "--years", str(year), "--jobs", "1"])
    a, b = (tmp_path / d / "haikou" / str(year) / f"{unit}.xlsx" for d in ("a", "b"))
    assert a.read_bytes() == b.read_bytes(), "同一环境两次生成的文件应逐字节相同"
    assert (tmp_path / "a" / "haikou" / "units.csv").read_bytes() == (HAIKOU / "units.csv").read_bytes(), (
        REGENERATE
    )
    assert gen.cell_values_digest(a) == gen.cell_values_digest(HAIKOU / str(year) / f"{unit}.xlsx"), (
        REGENERATE
    )
