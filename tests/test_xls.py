"""Legacy .xls workbooks (Excel 97-2003) are read through calamine, bounded like an .xlsx: a filled template
saved as .xls scores exactly as the .xlsx does; a sheet over the bounds is refused alone; a damaged file is
one Chinese issue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lawgov_metrics import evaluate, read_submissions
from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.intake.guard.limits import ReadLimits, UnreadableFile
from lawgov_metrics.intake.read.xls import open_xls
from tests.hostile.make_corpus import ole_file

from .cli_data import FIXTURES, fill

xlwt = pytest.importorskip("xlwt")  # test extra: writes BIFF8, the format clerks' old Excel saves
MINIMAL = FIXTURES / "minimal_catalogue.yaml"
AS_OF = dt.date(2026, 11, 27)


def save_as_xls(source: Path, target: Path) -> Path:
    """An .xlsx copied cell by cell into an .xls (values, dates as dates, hidden sheets hidden)."""
    book = openpyxl.load_workbook(source)
    out = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    time_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM")
    for ws in book.worksheets:
        sheet = out.add_sheet(ws.title)
        if ws.sheet_state != "visible":
            sheet.visibility = 1
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or (isinstance(value, str) and value.startswith("=")):
                    continue
                if cell.data_type == "e":  # an error value (#DIV/0!), kept as one
                    sheet.row(cell.row - 1).set_cell_error(cell.column - 1, value)
                elif isinstance(value, dt.datetime):
                    sheet.write(cell.row - 1, cell.column - 1, value, time_style)
                elif isinstance(value, dt.date):
                    sheet.write(cell.row - 1, cell.column - 1, value, date_style)
                else:
                    sheet.write(cell.row - 1, cell.column - 1, value)
    out.save(str(target))
    return target


@pytest.fixture(scope="module")
def justice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("xls")
    shutil.copy(FIXTURES / "units.csv", folder / "units.csv")
    xlsx = fill(
        load_catalogue(MINIMAL),
        folder / "司法局-2024.xlsx",
        "justice_bureau",
        "海口市司法局",
        2024,
        {
            "normative_docs_issued": 20,
            "normative_docs_filed": 19,
            "enforcement_stats_report_date": dt.date(2025, 1, 20),
            "suggestions_handled": 40,
            "suggestions_satisfied": 39,
        },
        {"学法与培训活动台账": [[dt.date(2024, m, 10), "中心组学法", f"第{m}月"] for m in (1, 4, 7, 10)]},
    )
    return xlsx, save_as_xls(xlsx, folder / "司法局-2024.xls")


def _scored(path: Path) -> list[tuple[str, str, object, object]]:
    catalogue = load_catalogue(MINIMAL)
    submission = read_submissions([path], catalogue, register=path.parent / "units.csv")
    results = evaluate(catalogue, submission, [2024], as_of=AS_OF).results
    return sorted(
        (str(r["indicator"]), str(r["status"]), r["display"], r["points"]) for r in results.to_dict("records")
    )


def test_an_xls_scores_as_the_same_xlsx(justice: tuple[Path, Path]) -> None:
    xlsx, xls = justice
    from_xls = _scored(xls)
    assert from_xls == _scored(xlsx)
    by_id = {indicator: (status, display, points) for indicator, status, display, points in from_xls}
    assert by_id["normative_doc_filing_rate"] == ("not_met", "95%（19/20）", 0.0)  # 19/20 < 100%


def test_an_xls_has_no_issue_the_xlsx_has_not(justice: tuple[Path, Path]) -> None:
    xlsx, xls = justice
    catalogue = load_catalogue(MINIMAL)

    def codes(path: Path) -> list[tuple[str, str, str]]:
        issues = read_submissions([path], catalogue, register=path.parent / "units.csv").issues
        return sorted((i.code, i.sheet, i.cell) for i in issues)

    assert codes(xls) == codes(xlsx)


def test_a_renamed_xls_is_read_for_what_it_is(justice: tuple[Path, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "司法局.xlsx"
    shutil.copy(justice[1], renamed)
    shutil.copy(FIXTURES / "units.csv", tmp_path / "units.csv")
    assert _scored(renamed) == _scored(justice[0])


def test_a_sheet_over_the_bounds_is_refused_alone(justice: tuple[Path, Path]) -> None:
    limits = dataclasses.replace(ReadLimits(), max_rows=10)
    view = open_xls(justice[1], "司法局-2024.xls", limits)
    try:
        problems = {s.name: s.problem for s in view._info.sheets if s.problem is not None}
        summary = view._info.sheet("汇总表")
        assert "汇总表" in problems
        assert problems["汇总表"].code == "sheet-too-large"
        assert problems["汇总表"].message == (
            f"工作表“汇总表”的范围为 {summary.max_row:,} 行 × {summary.max_column:,} 列，"
            "超过上限 10 行 × 200 列（20,000,000 个单元格）"
        )
        with pytest.raises(UnreadableFile):
            view.rows("汇总表")
        small = [s for s in view._info.sheets if s.max_row <= 10 and s.kind == "worksheet"]
        assert small and all(s.problem is None for s in small)
    finally:
        view.close()


@pytest.mark.parametrize("damage", ["empty stream", "cut in half"])
def test_a_damaged_xls_is_one_chinese_issue(justice: tuple[Path, Path], tmp_path: Path, damage: str) -> None:
    path = tmp_path / "坏的.xls"
    if damage == "empty stream":  # an OLE directory naming a workbook stream that holds nothing
        path.write_bytes(ole_file(["Workbook"]))
    else:
        data = justice[1].read_bytes()
        path.write_bytes(data[: len(data) // 2])
    submission = read_submissions([path], load_catalogue(MINIMAL), register=FIXTURES / "units.csv")
    assert [(i.code, i.message, i.file) for i in submission.issues] == [
        (
            "file-corrupt",
            "旧版 Excel（.xls）工作簿已损坏，无法解析；请在 Excel 中打开后另存为 .xlsx 再提交",
            str(path),
        )
    ]


def test_an_encrypted_workbook_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "加密.xls"
    path.write_bytes(ole_file(["EncryptionInfo", "EncryptedPackage"]))
    submission = read_submissions([path], load_catalogue(MINIMAL), register=FIXTURES / "units.csv")
    assert [(i.code, i.file) for i in submission.issues] == [("file-encrypted", str(path))]


def test_a_register_saved_as_xls_is_read(justice: tuple[Path, Path], tmp_path: Path) -> None:
    """The units register as an old Excel file: the same units and results as the CSV register (a title-less
    sheet, the header in row 1), with a hidden first sheet skipped for the first visible one."""
    import csv

    book = xlwt.Workbook()
    book.add_sheet("说明").write(0, 0, "填表说明")
    book.get_sheet(0).visibility = 1  # hidden
    sheet = book.add_sheet("单位名册")
    with (FIXTURES / "units.csv").open(encoding="utf-8-sig") as source:
        for r, row in enumerate(csv.reader(source)):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.save(str(tmp_path / "units.xls"))
    shutil.copy(justice[1], tmp_path / "司法局-2024.xls")
    catalogue = load_catalogue(MINIMAL)
    from_xls = read_submissions([tmp_path / "司法局-2024.xls"], catalogue, register=tmp_path / "units.xls")
    assert [i.code for i in from_xls.issues] == []
    assert _scored(justice[1]) == sorted(
        (str(r["indicator"]), str(r["status"]), r["display"], r["points"])
        for r in evaluate(catalogue, from_xls, [2024], as_of=AS_OF).results.to_dict("records")
    )
    from lawgov_metrics.intake.read.register import load_register

    (xls_register, xls_issues), (csv_register, _) = (
        load_register(path, catalogue) for path in (tmp_path / "units.xls", FIXTURES / "units.csv")
    )
    assert xls_issues == []
    assert xls_register.names == csv_register.names
    pd.testing.assert_frame_equal(xls_register.units, csv_register.units)


def test_an_error_value_in_an_xls_is_an_error_not_a_blank(tmp_path: Path) -> None:
    """#DIV/0! typed where a count belongs: 数据有误 with the cell named, as in the .xlsx it was saved from
    (calamine alone reads it as a blank, which would make it 缺数据)."""
    shutil.copy(FIXTURES / "units.csv", tmp_path / "units.csv")
    values = {"normative_docs_issued": 20, "normative_docs_filed": "#DIV/0!"}
    xlsx = fill(
        load_catalogue(MINIMAL), tmp_path / "司法局.xlsx", "justice_bureau", "海口市司法局", 2024, values
    )
    xls = save_as_xls(xlsx, tmp_path / "司法局.xls")
    xlsx.unlink()
    by_id = {indicator: status for indicator, status, _, _ in _scored(xls)}
    assert by_id["normative_doc_filing_rate"] == "invalid"
    catalogue = load_catalogue(MINIMAL)
    issues = read_submissions([xls], catalogue, register=tmp_path / "units.csv").issues
    errors = [(i.code, i.sheet) for i in issues if "#DIV/0!" in i.message]
    assert errors == [("value-error-cell", "汇总表")]
