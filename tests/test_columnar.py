"""Big ledgers read by column must give exactly what the cell-by-cell reader gives.

Every case reads the same files twice — once by column (the threshold lowered so that even small sheets
take that path), once cell by cell — and compares the parsed ledgers, the figures and every issue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lawgov_metrics.catalogue import load_catalogue
from lawgov_metrics.intake.read import columnar
from lawgov_metrics.intake.read import submissions as read
from lawgov_metrics.intake.read.submissions import read_submissions
from lawgov_metrics.intake.read.view import WorkbookView
from lawgov_metrics.intake.read.xlsx_head import sheet_head
from lawgov_metrics.submission import Submission

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "samples" / "haikou" / "units.csv"
HEADER = ["单位", "培训日期", "执法证号", "培训内容", "培训类型", "学时"]


@pytest.fixture(scope="module")
def cat():  # type: ignore[no-untyped-def]
    return load_catalogue()


def both_ways(cat, paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Submission, Submission]:  # type: ignore[no-untyped-def]
    """(by column, cell by cell) for the same inputs."""
    monkeypatch.setattr(columnar, "BIG_SHEET_ROWS", 1)
    by_column = read_submissions(paths, cat, register=UNITS)
    with monkeypatch.context() as m:
        m.setattr(WorkbookView, "table", lambda self, sheet: None)
        m.setattr(read, "_read_columns", lambda *args: False)
        by_cell = read_submissions(paths, cat, register=UNITS)
    return by_column, by_cell


def assert_same(a: Submission, b: Submission) -> None:
    assert a.issues == b.issues
    assert set(a.ledgers) == set(b.ledgers)
    for ledger_id in a.ledgers:
        pd.testing.assert_frame_equal(a.ledgers[ledger_id], b.ledgers[ledger_id])
    pd.testing.assert_frame_equal(a.values, b.values)


def test_flawed_samples_read_the_same_by_column(cat, monkeypatch: pytest.MonkeyPatch) -> None:
    """Error cells, formulas without results, duplicates, unknown units, hidden sheets, bad values."""
    a, b = both_ways(cat, [REPO / "samples" / "flawed"], monkeypatch)
    assert_same(a, b)
    assert len(a.issues) >= 15  # most of the 19 planted mistakes are found while reading


def test_a_sample_year_reads_the_same_by_column(cat, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = both_ways(cat, [REPO / "samples" / "haikou" / "2024"], monkeypatch)
    assert_same(a, b)
    assert sum(len(f) for f in a.ledgers.values()) > 5_000


def _ledger_workbook(path: Path, rows: list[list[object]], *, top: int = 1, left: int = 1) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "行政执法人员培训台账"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(top + r, left + c, value)
    book.save(path)
    return path


RECORDS: list[list[object]] = [
    ["海口市司法局", dt.datetime(2024, 3, 1), "460100000001", "行政复议法", "网络培训", 3],
    ["海口市司法局", dt.datetime(2024, 3, 2), "460100000002", "行政处罚法", "本单位业务培训", 4.5],
    [None, None, None, None, None, None],  # a blank row: not a record, not reported
    ["海口市司法局", dt.datetime(2024, 3, 3), "460100000003", "行政许可法", "其他", 250],  # over the maximum
    ["美兰区人民政府", dt.datetime(2024, 3, 4), "460100000004", "民法典", "网络培训", 2],
    ["不存在的局", dt.datetime(2024, 3, 5), "460100000005", "民法典", "网络培训", 2],  # not in the register
    ["海口市司法局", dt.datetime(2024, 3, 1), "460100000001", "行政复议法", "网络培训", 3],  # a duplicate
    ["海口市司法局", dt.datetime(2024, 3, 6), None, "宪法", "网络培训", 1],  # a required cell empty
    ["  合计", None, None, None, None, 15.5],  # a footer row: left out and reported
    ["注：学时按实际填写", None, None, None, None, None],
]


def test_title_offset_blank_footer_and_bad_cells(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _ledger_workbook(
        tmp_path / "台账.xlsx", [["2024年执法培训台账"], [], HEADER, *RECORDS], top=2, left=3
    )
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    codes = sorted({i.code for i in a.issues})
    assert codes == [
        "record-duplicate",
        "row-skipped",
        "unit-unknown",
        "value-out-of-range",
        "value-required",
    ]
    skipped = [i for i in a.issues if i.code == "row-skipped"]
    assert [(i.row, i.value) for i in skipped] == [(13, "合计"), (14, "注：学时按实际填写")]
    bad = next(i for i in a.issues if i.code == "value-out-of-range")
    assert bad.cell == "H8"  # 学时 is column H once the table starts at C; record 4 sits on row 8


def test_a_column_mixing_numbers_and_text_is_read_cell_by_cell(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        HEADER,
        *RECORDS[:2],
        ["海口市司法局", dt.datetime(2024, 3, 7), "460100000009", "宪法", "其他", "三"],
    ]
    path = _ledger_workbook(tmp_path / "混合.xlsx", rows)
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    assert [i.code for i in a.issues] == ["value-type"]


def _csv_text(rows: list[list[object]]) -> str:
    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.date().isoformat()
        return str(v)

    return "\n".join(",".join(cell(v) for v in row) for row in rows) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_ledger_with_title_and_footer(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    rows = [["2024年执法培训台账", "", "", "", "", ""], HEADER, *[r for r in RECORDS if any(r)]]
    path = tmp_path / "行政执法人员培训台账.csv"
    path.write_bytes(_csv_text(rows).encode(encoding))
    assert columnar.csv_table(path.read_bytes(), encoding) is not None  # the columnar path is taken
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    # 9 filled rows: 2 footers skipped, the unknown unit's record and the duplicate left out
    assert len(a.ledgers["enforcement_training"]) == 5


def test_csv_with_a_blank_line_falls_back_to_the_grid(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _csv_text([HEADER, RECORDS[0]]) + "\n" + _csv_text([RECORDS[1]])
    path = tmp_path / "行政执法人员培训台账.csv"
    path.write_text(text, encoding="utf-8")
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    assert a.ledgers["enforcement_training"]["_row"].tolist() == [2, 4]


def test_parquet_typed_columns(cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [r for r in RECORDS if any(r)][:7]
    table = pa.table(
        {
            "单位": pa.array([r[0] for r in records]).dictionary_encode(),
            "培训日期": pa.array([r[1].date() if r[1] else None for r in records], pa.date32()),  # type: ignore[union-attr]
            "执法证号": pa.array([r[2] for r in records], pa.string()),
            "培训内容": pa.array([r[3] for r in records], pa.large_string()),
            "培训类型": pa.array([r[4] for r in records]),
            "学时": pa.array([None if r[5] is None else int(float(r[5])) for r in records], pa.int32()),  # type: ignore[arg-type]
        }
    )
    path = tmp_path / "行政执法人员培训台账.parquet"
    pq.write_table(table, path)
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    assert a.ledgers["enforcement_training"]["hours"].tolist()[:2] == [3.0, 4.0]


def test_sheet_head_matches_the_cells(tmp_path: Path) -> None:
    """Shared and inline strings, numbers, booleans; positions from A1 whatever the first used cell."""
    path = _ledger_workbook(
        tmp_path / "head.xlsx", [["标题"], [], [*HEADER, True], RECORDS[0]], top=3, left=2
    )
    book = openpyxl.load_workbook(path)
    part = "xl/worksheets/sheet1.xml"
    head = sheet_head(path, part, 12)
    assert head[2][1] == "标题"
    assert head[4][1:8] == [*HEADER, True]
    assert head[5][1] == "海口市司法局" and head[5][6] == 3.0
    assert len(head) == 6 and all(v is None for v in head[0])
    assert book.active.max_row == 6


def test_sheet_head_refuses_a_dtd_wherever_it_is(tmp_path: Path) -> None:
    """Only files the safety scan cleared come here; a DTD is refused all the same, even behind a comment
    longer than the first chunk read."""
    import zipfile

    from lawgov_metrics.intake.read import xlsx_head

    body = (
        '<?xml version="1.0"?><!--' + "x" * (3 * xlsx_head.CHUNK) + '--><!DOCTYPE w [<!ENTITY a "aaaa">]>'
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    path = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/worksheets/sheet1.xml", body)
    with pytest.raises(ValueError, match="DTD"):
        sheet_head(path, "xl/worksheets/sheet1.xml", 12)


def test_a_1904_date_system_workbook_reads_the_same_by_column(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "行政执法人员培训台账"
    for row in [HEADER, *RECORDS[:2]]:
        sheet.append(row)
    path = tmp_path / "1904.xlsx"
    book.save(path)
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    assert a.ledgers["enforcement_training"]["trained_on"].dt.date.astype(str).tolist() == [
        "2024-03-01",
        "2024-03-02",
    ]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_csv_with_other_line_endings(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    rows = [["2024年执法培训台账", "", "", "", "", ""], HEADER, *[r for r in RECORDS if any(r)][:4]]
    path = tmp_path / "行政执法人员培训台账.csv"
    path.write_bytes(_csv_text(rows).replace("\n", newline).encode("utf-8-sig"))
    table = columnar.csv_table(path.read_bytes(), "utf-8-sig")
    assert table is not None and table.body(1) is not None  # read by column, not by the grid reader
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    assert a.ledgers["enforcement_training"]["_row"].tolist() == [3, 4, 5, 6]


def test_csv_with_a_unicode_line_separator_in_a_cell(
    cat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """U+2028 ends a line for str.splitlines, not for CSV: the header is still found where it is."""
    rows = [["2024年\u2028执法培训台账", "", "", "", "", ""], HEADER, *[r for r in RECORDS if any(r)][:2]]
    path = tmp_path / "行政执法人员培训台账.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    table = columnar.csv_table(path.read_bytes(), "utf-8-sig")
    assert table is not None and table.body(1) is not None
    a, b = both_ways(cat, [path], monkeypatch)
    assert_same(a, b)
    assert a.ledgers["enforcement_training"]["_row"].tolist() == [3, 4]
