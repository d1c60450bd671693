"""The big sheets' rows written column-wise (render/xlsx_fast.py) give the very bytes of the cell-by-cell
way through xlsxwriter (``_PLANNED_ROWS = False``): on the three sample folders, on crafted rows (formula-like
texts, fills, blanks, ints and floats, signed zeros, XML-special and control characters, CJK), across
chunk boundaries and on the continuation sheets past the row limit."""

from __future__ import annotations

import datetime as dt
import gc
import io
import math
import random
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from xlsxwriter.packager import Packager

from lawgov_metrics import evaluate, load_catalogue, read_submissions
from lawgov_metrics.render import xlsx, xlsx_fast
from lawgov_metrics.render.xlsx_rows import POINTS, Column, SheetData, Styled
from lawgov_metrics.results import Assessment
from tests.sample_assessment import sample_assessment

REPO = Path(__file__).resolve().parents[1]
GENERATED = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.UTC)


def _report(assessment: Assessment, tmp_path: Path, planned: bool, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setattr(xlsx, "_PLANNED_ROWS", planned)
    path = tmp_path / f"report-{planned}.xlsx"
    xlsx.write_xlsx(assessment, path, inputs=["submissions/"], generated_at=GENERATED)
    return path.read_bytes()


def _differing_parts(a: bytes, b: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        assert za.namelist() == zb.namelist()
        return [name for name in za.namelist() if za.read(name) != zb.read(name)]


def _assert_same_bytes(planned: bytes, cell_by_cell: bytes) -> None:
    assert _differing_parts(planned, cell_by_cell) == []
    assert planned == cell_by_cell  # the zip too: entry order, dates, compression


@pytest.fixture(scope="module")
def flawed_assessment() -> Assessment:
    catalogue = load_catalogue()
    submission = read_submissions(
        [REPO / "samples" / "flawed"], catalogue, register=REPO / "samples" / "haikou" / "units.csv"
    )
    return evaluate(catalogue, submission, as_of=dt.date(2026, 6, 30))


@pytest.fixture(scope="module")
def real_shape_assessment() -> Assessment:
    catalogue = load_catalogue()
    folder = REPO / "samples" / "real-shape"
    return evaluate(catalogue, read_submissions([folder], catalogue, register=folder / "units.csv"))


def test_the_haikou_report_is_byte_identical(
    sample_assessment_2021_2025: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment = sample_assessment_2021_2025
    planned = _report(assessment, tmp_path, True, monkeypatch)
    _assert_same_bytes(planned, _report(assessment, tmp_path, False, monkeypatch))
    details = openpyxl.load_workbook(io.BytesIO(planned), read_only=True)["指标明细"]
    assert details.max_row == len(assessment.results) + 1  # the rows are there (21k for 5 years)


def test_the_flawed_and_real_shape_reports_are_byte_identical(
    flawed_assessment: Assessment,
    real_shape_assessment: Assessment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for assessment in (flawed_assessment, real_shape_assessment):
        assert assessment.issues_list  # 数据问题 has rows: it goes the planned way too
        planned = _report(assessment, tmp_path, True, monkeypatch)
        _assert_same_bytes(planned, _report(assessment, tmp_path, False, monkeypatch))


def test_chunks_of_sixteen_rows_and_continuations_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk boundaries cut the sample into dozens of chunks (spans blocks straddle none: 16 rows each),
    and the row limit cuts 指标明细 into three sheets: still the same bytes."""
    assessment = sample_assessment()
    monkeypatch.setattr(xlsx, "EXCEL_MAX_DATA_ROWS", len(assessment.results) // 3 + 1)
    monkeypatch.setattr(xlsx_fast, "CHUNK_ROWS", 16)
    planned = _report(assessment, tmp_path, True, monkeypatch)
    _assert_same_bytes(planned, _report(assessment, tmp_path, False, monkeypatch))
    names = openpyxl.load_workbook(io.BytesIO(planned), read_only=True).sheetnames
    assert names[1:4] == ["指标明细", "指标明细（续1）", "指标明细（续2）"]


def test_the_big_sheets_are_not_written_cell_by_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_cell: list[str] = []
    slow = xlsx._Drawer._write_rows

    def recorded(self: Any, ws: Any, data: SheetData) -> None:
        by_cell.append(data.title)
        slow(self, ws, data)

    monkeypatch.setattr(xlsx._Drawer, "_write_rows", recorded)
    _report(sample_assessment(), tmp_path, True, monkeypatch)
    assert by_cell == ["总览", "趋势", "说明"]  # the charted sheets and the notes; not 指标明细 … 数据问题


# ---------------------------------------------------------------- crafted rows

COLUMNS = (
    Column("文本"),
    Column("整数", "int"),
    Column("数值", "number"),
    Column("得分", "number", number_format=POINTS),
    Column("比率", "percent"),
    Column("状态", max_width=10),
    Column("备注"),
)
TEXTS = [
    "=1+1",
    "@x",
    "+x",
    "-x",
    "＝全角",
    " =前导空格",
    "\t=制表符",
    '=HYPERLINK("http://example.com","x")',
    "#N/A",
    "普通文本",
    "",
    "& < > \" '",
    "<r><t>富文本</t></r>",
    "响铃\x07与\x00空字符",
    "_x0041_ 与 _x005F_",
    " 前后空格 ",
    "换行\n第二行",
    "\ufffe\uffff",
    "长" * 40_000,
]
NUMBERS: list[Any] = [
    0,
    0.0,
    -0.0,
    1,
    1.0,
    True,
    False,
    -7,
    2.5,
    -2.5,
    0.1 + 0.2,
    1e20,
    1.5e-7,
    123_456_789_012_345_678,
    np.float64(-0.0),
    np.float64(3.25),
    np.int64(42),
    Decimal("1.10"),
    math.nan,
    math.inf,
    -math.inf,
    None,
]
BLANKS: list[Any] = [None, math.nan, pd.NA, pd.NaT]


def _pool(column: int) -> list[Any]:
    if column in (0, 6):  # text columns: texts, and numbers and blanks that become texts
        return TEXTS + NUMBERS + BLANKS
    if column == 5:
        fills = ["met", "not_met", "invalid", "unknown-fill"]
        values = [*TEXTS[:6], "达标", None, 1, 1.0, True, -0.0, 0.0]  # numbers in a text column are texts
        return [Styled(value, fill=fill) for value in values for fill in fills] + [None]
    styled = [Styled(n, number_format="0.000") for n in NUMBERS[:8]] + [Styled(-0.0, fill="met")]
    texts = ["文本在数值列", "=1", Styled("=文本", fill="met"), Styled("文本", number_format="0.0")]
    return NUMBERS + BLANKS + styled + texts


def _crafted_rows(count: int, seed: int) -> list[list[Any]]:
    rng = random.Random(seed)
    pools = [_pool(c) for c in range(len(COLUMNS))]
    rows = [[rng.choice(pool) for pool in pools] for _ in range(count)]
    for at in (5, 17, 40, 41):  # rows without a cell, and rows whose cells start late or end early
        rows[at] = [None] * len(COLUMNS)
    rows[50] = [None, None, None, None, None, None, "只有备注"]
    rows[51] = [math.nan, None, math.inf, None, None, None, None]
    rows[-1] = [None] * len(COLUMNS)  # the last row has no cell: the dimension ends before it
    return rows


def _drawn(sheets: list[SheetData], planned: bool) -> bytes:
    buffer = io.BytesIO()
    options = xlsx.WORKBOOK_OPTIONS
    workbook = xlsx_fast.PlannedWorkbook(buffer, options) if planned else xlsxwriter.Workbook(buffer, options)
    workbook.set_properties({"created": dt.datetime(2026, 6, 30)})
    drawer = xlsx._Drawer(workbook, planned=planned)
    for sheet in sheets:
        drawer.sheet(sheet, planned=True)
    workbook.close()
    return (workbook.package if planned else buffer).getvalue()


@pytest.mark.parametrize("chunk_rows", [16, 64, 1 << 15])
def test_crafted_rows_write_the_same_bytes(chunk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_fast, "CHUNK_ROWS", chunk_rows)
    sheets = [
        SheetData("甲", COLUMNS, _crafted_rows(300, seed=1)),
        SheetData("乙", COLUMNS, _crafted_rows(120, seed=2), freeze="B2"),  # strings shared with 甲
    ]
    planned = _drawn(sheets, planned=True)
    _assert_same_bytes(planned, _drawn(sheets, planned=False))


def test_crafted_cells_read_back_as_written() -> None:
    """What the bytes hold, read back: a formula-like text stays text with the quote prefix; -0.0 is a
    number; NaN and ±inf in a number column and None anywhere leave no cell; NaN in a text column is ""."""
    rows = [
        ["=1+1", 3, -0.0, 2.5, 0.25, Styled("=x", fill="invalid"), None],
        [math.nan, None, math.inf, None, None, Styled("达标", fill="met"), "响铃\x07"],
        ["普通", 7.9, 1e20, None, None, None, "& < >"],
    ]
    book = openpyxl.load_workbook(io.BytesIO(_drawn([SheetData("甲", COLUMNS, rows)], planned=True)))
    sheet = book["甲"]
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert sheet["B2"].value == 3 and sheet["C2"].value == 0 and sheet["D2"].number_format == POINTS
    assert sheet["E2"].number_format == "0.0%"
    assert (
        sheet["F2"].value == "=x" and sheet["F2"].quotePrefix and sheet["F2"].fill.fgColor.rgb == "FFC00000"
    )
    assert sheet["F2"].font.color.rgb == "FFFFFFFF" and sheet["F2"].font.bold
    assert sheet["G2"].value is None
    assert sheet["A3"].value == "" and sheet["A3"].data_type == "s"  # a NaN in a text column
    assert sheet["C3"].value is None and sheet["B3"].value is None  # inf, None: no cell
    assert sheet["F3"].fill.fgColor.rgb == "FFC6EFCE" and not sheet["F3"].quotePrefix
    assert sheet["G3"].value == "响铃\ufffd"
    assert sheet["B4"].value == 7  # an int column truncates, as int() does
    assert sheet["C4"].value == 1e20 and sheet["G4"].value == "& < >"
    assert sheet.max_row == 4 and sheet.max_column == len(COLUMNS)


def test_a_text_shaped_like_rich_string_xml_stays_that_text() -> None:
    """xlsxwriter copies a string that starts with <r> and ends with </r> into sharedStrings.xml as XML, unescaped:
    ``<r>a & b</r>`` from a submission made a file no reader could open. It is written as one run of plain text."""
    texts = ["<r>a & b</r>", "<r><t>x</t></r>", "<r> 前后 </r>", "<r>" + "&" * 20_000 + "</r>"]
    rows = [[text, None, None, None, None, None, None] for text in texts]
    for planned in (True, False):
        sheet = openpyxl.load_workbook(io.BytesIO(_drawn([SheetData("甲", COLUMNS, rows)], planned)))["甲"]
        assert [sheet.cell(row, 1).value for row in (2, 3, 4)] == texts[:3]
        long = sheet["A5"].value
        assert long.startswith("<r>&&&") and long.endswith("…（已截断）")  # cut to fit 32,767 characters
        assert len(f'<r><t xml:space="preserve">{long.replace("&", "&amp;")}</t></r>') <= 32_767


def test_rows_are_made_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sheet's XML never exists whole: each piece handed to the zip holds at most CHUNK_ROWS rows."""
    monkeypatch.setattr(xlsx_fast, "CHUNK_ROWS", 64)
    pieces: list[bytes] = []
    making = xlsx_fast.RowsPlan.xml_chunks

    def recorded(self: xlsx_fast.RowsPlan) -> Any:
        for piece in making(self):
            pieces.append(piece)
            yield piece

    monkeypatch.setattr(xlsx_fast.RowsPlan, "xml_chunks", recorded)
    rows = _crafted_rows(300, seed=3)
    planned = _drawn([SheetData("甲", COLUMNS, rows)], planned=True)
    filled = sum(any(value is not None for value in row) for row in rows)  # rows without a cell are left out
    # rows 5, 17, 40 and 41 (chunk 1) and the last (chunk 5, 44 rows) have no cell
    assert [piece.count(b"<row ") for piece in pieces] == [64 - 4, 64, 64, 64, 44 - 1]
    assert sum(piece.count(b"<row ") for piece in pieces) == filled
    assert b"".join(pieces) in zipfile.ZipFile(io.BytesIO(planned)).read("xl/worksheets/sheet1.xml")


def _fail_in_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: xlsx_fast.RowsPlan) -> Any:
        yield b"<row"
        raise MemoryError

    monkeypatch.setattr(xlsx_fast.RowsPlan, "xml_chunks", failing)


def _fail_in_xlsxwriter(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(Packager, "_write_styles_file", failing)


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fail", [_fail_in_rows, _fail_in_xlsxwriter])
def test_a_failure_while_zipping_leaves_no_report(
    fail: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error on the zipping thread or in xlsxwriter's packaging reaches the caller: no report, no temporary
    file, the old report kept, and no half-written zip left to finish itself (with a traceback) when
    collected."""
    fail(monkeypatch)
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"the old report")
    with pytest.raises(MemoryError):
        xlsx.write_xlsx(sample_assessment(), path, inputs=[], generated_at=GENERATED)
    gc.collect()
    assert path.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
