"""Sheets whose cells carry no ``r`` reference are positioned by counting, vectorised (``sheet_count.py``),
exactly as the tag-by-tag scan (and calamine) positions them — and a big one is no longer a minute's work.

The regression of issue 13 item 5: a workbook of 10,000,000 cells without ``r`` took 68 s in the exact scan
and ended in a timeout. It is now scanned by counting; a sheet whose shape only the exact scan can read is
refused at once when its XML is too big for that scan, with a Chinese message saying how to fix it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawgov_metrics.intake.guard import xlsx_scan
from lawgov_metrics.intake.guard.container import Budget, PartReader, ZipContainer
from lawgov_metrics.intake.guard.safety import ReadLimits, inspect_xlsx
from lawgov_metrics.intake.guard.sheet_count import CountScan
from lawgov_metrics.intake.guard.sheet_scan import ExactScan, Fallback, SheetProblem, SheetScan
from lawgov_metrics.intake.guard.zip_directory import FileBytes
from tests.hostile.make_corpus import MAIN_NS, repeated, sheet_xml, write_raw_zip, write_xlsx, xlsx_entries

SMALL_CHUNKS = ReadLimits(max_token_bytes=200_000)  # 64 KB buffers: every boundary case comes up


def scans(path: Path, limits: ReadLimits) -> tuple[SheetScan | None, SheetScan | None]:
    """The counting scan (None where it leaves the sheet to the exact scan) and the exact scan of sheet 1
    (None where it refuses the sheet)."""
    with FileBytes(path, limits) as source:
        container = ZipContainer(source, limits)
        reader = PartReader(container, Budget(limits))
        part = container.parts["xl/worksheets/sheet1.xml"]
        try:
            counted: SheetScan | None = CountScan("S", limits).run(reader, part)
        except Fallback:
            counted = None
        try:
            exact: SheetScan | None = ExactScan("S", limits).run(reader, part)
        except SheetProblem:
            exact = None
    return counted, exact


def seen(scan: SheetScan) -> tuple[object, ...]:
    return (
        scan.cells,
        scan.max_row,
        scan.max_col,
        scan.row_ref,
        scan.col_ref,
        scan.errors,
        sorted(scan.formulas),
        scan.merged,
    )


CELL_BODIES = {
    "number": ("<{p}v>7</{p}v>", ""),
    "text": ("<{p}is><{p}t>{pad}</{p}t></{p}is>", ' t="inlineStr"'),
    "error": ("<{p}v>#N/A</{p}v>", ' t="e"'),
    "formula": ("<{p}f>1+1</{p}f><{p}v/>", ""),
    "formula-cached": ("<{p}f>1+1</{p}f><{p}v>2</{p}v>", ""),
    "formula-empty-text": ("<{p}f>A1</{p}f><{p}v></{p}v>", ' t="str"'),
    "blank": ("", ' s="1"'),
}
cell = st.tuples(
    st.sampled_from(sorted(CELL_BODIES)), st.sampled_from(["none", "ref", "far"]), st.integers(0, 300)
)
row = st.tuples(st.sampled_from(["none", "r", "jump", "self-closed"]), st.lists(cell, max_size=12))


def sheet(rows: list[tuple[str, list[tuple[str, str, int]]]], prefix: str) -> str:
    """Rows and cells, with or without ``r`` (a ``far`` cell names a column to the right, a ``jump`` row a
    number further down), self-closed rows, and every kind of cell body."""
    p = f"{prefix}:" if prefix else ""
    out, number = [], 0
    for how, cells in rows:
        number += 1 if how != "jump" else 40
        attrs = f' r="{number}"' if how in ("r", "jump", "self-closed") else ""
        if how == "self-closed":
            out.append(f'<{p}row{attrs} spans="1:2"/>')
            continue
        parts, col = [], 0
        for kind, ref, pad in cells:
            col += 1 if ref != "far" else 5
            letters = ""
            c = col
            while c:
                c, rem = divmod(c - 1, 26)
                letters = chr(65 + rem) + letters
            r = f' r="{letters}{number}"' if ref != "none" else ""
            body, t = CELL_BODIES[kind]
            body = body.format(p=p, pad="文" * pad)
            parts.append(f"<{p}c{r}{t}>{body}</{p}c>" if body else f"<{p}c{r}{t}/>")
        out.append(f"<{p}row{attrs}>{''.join(parts)}</{p}row>")
    merged = f'<{p}mergeCells count="1"><{p}mergeCell ref="A1:B1"/></{p}mergeCells>'
    ns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        f'<?xml version="1.0"?><{p}worksheet {ns}><{p}sheetData>{"".join(out)}</{p}sheetData>'
        f"{merged}</{p}worksheet>"
    )


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=60), prefix=st.sampled_from(["", "x"]))
def test_counting_places_every_cell_where_the_exact_scan_does(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, list[tuple[str, str, int]]]], prefix: str
) -> None:
    path = write_xlsx(tmp_path_factory.mktemp("count") / "b.xlsx", [("S", "visible", sheet(rows, prefix))])
    for limits in (SMALL_CHUNKS, ReadLimits()):
        counted, exact = scans(path, limits)
        assert counted is not None and exact is not None
        assert seen(counted) == seen(exact)


def test_a_long_sheet_without_references_crosses_many_buffers_exactly(tmp_path: Path) -> None:
    rows = [
        ("none" if i % 7 else "r", [("number", "none", 0)] * (i % 5) + [("error", "none", 0)])
        for i in range(9000)
    ]
    rows[4000] = ("self-closed", [])
    path = write_xlsx(tmp_path / "long.xlsx", [("S", "visible", sheet(rows, ""))])
    counted, exact = scans(path, SMALL_CHUNKS)
    assert counted is not None and exact is not None
    assert seen(counted) == seen(exact)
    assert (exact.max_row, exact.max_col, len(exact.errors)) == (9000, 5, 8999)  # row 4001 is self-closed


@pytest.mark.parametrize(
    "rows",
    [
        "<row><c><v>1</v></c><!-- <c><v>2</v></c> --></row>",  # markup in a comment
        "<row><c><row/><v>1</v></c></row>",  # a row inside a cell
        "<row><c><v>1</v><c><v>2</v></c></c></row>",  # a cell inside a cell
        '<row><c x="<"><v>1</v></c></row>',  # '<' inside a value
        "<row r='2'><c><v>1</v></c></row>",  # a row number in single quotes
        '<row spans="1:2" r="2"><c><v>1</v></c></row>',  # r not first
        '<row><c t="n" r="B1"><v>1</v></c></row>',  # r not first
        '<row r="0"><c><v>1</v></c></row>',  # no row 0
    ],
)
def test_what_counting_cannot_vouch_for_goes_to_the_exact_scan(tmp_path: Path, rows: str) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", [("S", "visible", sheet_xml(rows))])
    counted, _ = scans(path, ReadLimits())
    assert counted is None


def no_ref_book(path: Path, rows: int, cols: int, *, head: str = "") -> Path:
    """``rows`` × ``cols`` cells ``<c><v>1</v></c>`` without any r, deflated without being built."""
    start = sheet_xml("").split("<sheetData>")[0].encode() + b"<sheetData>" + head.encode()
    unit = b"<row>" + b"<c><v>1</v></c>" * cols + b"</row>"
    return write_raw_zip(path, xlsx_entries(repeated(start, unit, rows, b"</sheetData></worksheet>")))


def test_ten_million_cells_without_references_are_scanned_by_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 5: 50,000 rows × 200 columns (144 MB of XML, 2.4 MB on disk), no r anywhere."""
    exact_runs: list[str] = []
    monkeypatch.setattr(xlsx_scan._ExactScan, "run", lambda self, *a: exact_runs.append(self.sheet))
    info = inspect_xlsx(no_ref_book(tmp_path / "big.xlsx", 50_000, 200)).sheet("Sheet1")
    assert (info.problem, info.max_row, info.max_column, info.cell_count) == (None, 50_000, 200, 10_000_000)
    assert exact_runs == []


def test_a_big_sheet_only_the_exact_scan_could_read_is_refused_at_once(tmp_path: Path) -> None:
    path = no_ref_book(tmp_path / "odd.xlsx", 10_000, 200, head="<!-- a comment -->")  # 28.7 MB of XML
    problem = inspect_xlsx(path, replace(ReadLimits(), max_exact_scan_bytes=8 << 20)).sheet("Sheet1").problem
    assert problem is not None
    assert problem.code == "sheet-too-large"
    assert problem.message == (
        "工作表“Sheet1”的 XML 写法不常见（如含注释、单元格引用不规范或标记不配对），且解压后达 28.7 MB，"
        "超过逐个标记检查的上限 8.0 MB；请用 Excel 或 WPS 打开后另存为 .xlsx 再提交"
    )
    small = no_ref_book(tmp_path / "small.xlsx", 20, 200, head="<!-- a comment -->")
    assert inspect_xlsx(small).sheet("Sheet1").max_column == 200  # under the bound: the exact scan reads it


def test_check_of_ten_million_cells_without_references_says_what_the_sheet_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole ``check`` of the same workbook: the sheet is named as neither ledger nor long table from its
    first rows, never read whole (the full read of 10M cells was ~9 s and 860 MB), and no traceback."""
    import json
    import subprocess
    import sys

    from lawgov_metrics.intake.read.view import WorkbookView

    path = no_ref_book(tmp_path / "big.xlsx", 50_000, 200)
    run = subprocess.run(
        [sys.executable, "-m", "lawgov_metrics", "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    found = [(i["code"], i["sheet"], i["message"]) for i in json.loads(run.stdout)["issues"]]
    assert found == [
        ("file-empty", "", "文件中没有读到任何数据（既无汇总数值，也无台账记录）"),
        ("sheet-unknown", "Sheet1", "工作表“Sheet1”既不是台账也不是长表，未读取"),
    ]
    # in process: the sheet's cells are never all read
    from lawgov_metrics import load_catalogue, read_submissions

    full_reads: list[str] = []
    monkeypatch.setattr(WorkbookView, "_read", lambda self, sheet: full_reads.append(sheet) or [])
    read_submissions([path], load_catalogue())
    assert full_reads == []


def test_a_far_empty_cell_in_a_sheet_too_big_for_the_exact_scan_is_judged_by_the_fast_extent(
    tmp_path: Path,
) -> None:
    """The fast extent counts every ``<c>``, filled or not; only the exact scan can tell that the far cell is
    empty. Under the exact scan's size bound it does; over it, the fast extent (an upper bound) decides."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 200))
    rows += '<row r="1100005"><c r="A1100005" s="1"/></row>'
    path = write_xlsx(tmp_path / "far.xlsx", [("S", "visible", sheet_xml(rows))])
    assert inspect_xlsx(path).sheet("S").problem is None  # the exact scan: nothing is written that far
    bounded = replace(ReadLimits(), max_exact_scan_bytes=1024)
    problem = inspect_xlsx(path, bounded).sheet("S").problem
    assert problem is not None
    assert (problem.code, problem.cell) == ("sheet-too-large", "A1100005")
    assert problem.message == "工作表“S”在 A1100005 有单元格，范围超过 1100000 行 × 200 列的安全上限"
