"""The safe reading layer, piece by piece: sniffing, limits, the sheet scan (fast and exact) and the sandbox.

The end-to-end corpus is in ``test_hostile_files.py``; here each rule is pinned in-process, with files too
small to hurt. Anything that would make calamine abort is only ever given to it inside the sandbox.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawgov_metrics.intake.guard.safety import (
    ReadLimits,
    UnreadableFile,
    inspect_xlsx,
    read_sheet_grid,
    run_sandboxed,
    sniff,
)
from lawgov_metrics.issues import cell_ref
from tests.hostile.make_corpus import MAIN_NS, ole_file, sheet_xml, workbook_xml, write_xlsx

SMALL_CHUNKS = ReadLimits(max_token_bytes=200_000)  # 64 KB buffers: tag boundaries fall everywhere


def book(
    tmp_path: Path, rows: str, *, head: str = "", tail: str = "", name: str = "s.xlsx", **kw: object
) -> Path:
    return write_xlsx(tmp_path / name, [("S", "visible", sheet_xml(rows, head=head, tail=tail))], **kw)  # type: ignore[arg-type]


def raw_book(tmp_path: Path, xml: str, name: str = "raw.xlsx") -> Path:
    return write_xlsx(tmp_path / name, [("S", "visible", xml)])


def problem(path: Path, limits: ReadLimits | None = None) -> UnreadableFile:
    info = inspect_xlsx(path, limits)
    found = info.sheet("S").problem
    assert found is not None, "expected the sheet to be refused"
    return found


# ----------------------------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("单位,人数\n市司法局,7\n".encode(), "csv"),
        ("\ufeff单位,人数\n".encode(), "csv"),
        ("单位,人数\n市司法局,7\n".encode("gb18030"), "csv"),
        (b"PAR1\x00\x00PAR1", "parquet"),
    ],
)
def test_sniff_tells_tables_by_their_bytes(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    assert sniff(path) == kind


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        ("单位\t人数\n".encode("utf-16"), "file-encoding", "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file-not-workbook", "无法识别"),
        (b"  \n<!DOCTYPE html><html><body>", "file-not-workbook", "HTML"),
        (b"<table><tr><td>1</td></tr></table>", "file-not-workbook", "HTML"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related", "file-not-workbook", "HTML"),
        (b"<!-- exported -->\n<HTML><body><table>", "file-not-workbook", "HTML"),
        (b'<?xml version="1.0"?><root/>', "file-not-workbook", "XML"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file-legacy-xls", "97-2003"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le"),
            "file-encrypted",
            "密码",
        ),
    ],
)
def test_sniff_refuses_what_is_not_a_workbook(tmp_path: Path, content: bytes, code: str, says: str) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        sniff(path)
    assert caught.value.code == code
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("names", "code", "says"),
    [
        (["word/document.xml"], "file-not-workbook", "Word"),
        (["ppt/presentation.xml"], "file-not-workbook", "PowerPoint"),
        (["xl/workbook.bin"], "file-unsupported", "xlsb"),
        (["mimetype", "content.xml"], "file-unsupported", "OpenDocument"),
        (["readme.txt"], "file-not-workbook", "ZIP"),
    ],
)
def test_sniff_reads_the_zip_directory(tmp_path: Path, names: list[str], code: str, says: str) -> None:
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.writestr(name, "x")
    with pytest.raises(UnreadableFile) as caught:
        sniff(path)
    assert (caught.value.code, says in caught.value.message) == (code, True)


def test_sniff_walks_the_ole_directory(tmp_path: Path) -> None:
    path = tmp_path / "book.xls"
    path.write_bytes(ole_file(["Workbook"]))
    with pytest.raises(UnreadableFile, match="97-2003") as caught:
        sniff(path)
    assert caught.value.code == "file-legacy-xls"
    path.write_bytes(ole_file(["EncryptionInfo", "EncryptedPackage"]))
    with pytest.raises(UnreadableFile) as caught:
        sniff(path)
    assert caught.value.code == "file-encrypted"


def test_sniff_checks_size_and_existence(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        sniff(tmp_path / "missing.xlsx")
    assert caught.value.code == "file-not-found"
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 100)
    with pytest.raises(UnreadableFile) as caught:
        sniff(path, ReadLimits(max_file_bytes=100))
    assert caught.value.code == "file-too-large"


def test_zip_entry_count_is_checked_before_the_directory_is_parsed(tmp_path: Path) -> None:
    path = book(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row>')
    with pytest.raises(UnreadableFile, match="5 个条目") as caught:
        inspect_xlsx(path, ReadLimits(max_zip_entries=3))
    assert caught.value.code == "file-too-large"


# ------------------------------------------------------------------------------------ the error type


def test_unreadable_file_carries_a_known_code_and_survives_pickling() -> None:
    with pytest.raises(ValueError, match="unknown issue code"):
        UnreadableFile("no-such-code", "x")
    err = UnreadableFile("sheet-too-large", "太大", sheet="台账", cell="XFD1")
    back = pickle.loads(pickle.dumps(err))
    assert (back.code, back.message, back.sheet, back.cell, str(back)) == (
        "sheet-too-large",
        "太大",
        "台账",
        "XFD1",
        "太大",
    )
    issue = err.to_issue("a.xlsx")
    assert (issue.code, issue.file, issue.sheet, issue.cell, issue.severity) == (
        "sheet-too-large",
        "a.xlsx",
        "台账",
        "XFD1",
        "error",
    )


def test_limits_are_frozen_and_overridable() -> None:
    limits = ReadLimits()
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_rows = 5  # type: ignore[misc]
    assert dataclasses.replace(limits, max_rows=5).max_rows == 5
    assert (limits.max_rows, limits.max_columns, limits.max_zip_entries) == (1_100_000, 200, 10_000)


# -------------------------------------------------------------------------------------- sheet extents


FAR = "XFD1048576"


@pytest.mark.parametrize(
    "evasion",
    [
        f'<c r="{FAR}"><v>2</v></c>',  # plain
        f'<c t="n" r="{FAR}"><v>2</v></c>',  # r not first
        f'<c\nr="{FAR}"><v>2</v></c>',  # a newline after the name
        f'<c r = "{FAR}"><v>2</v></c>',  # spaces around '='
        f"<c r='{FAR}'><v>2</v></c>",  # single quotes
        f'<c r="{FAR.lower()}"><v>2</v></c>',  # lower case (calamine accepts it)
        f'<x:c r="{FAR}"><x:v>2</x:v></x:c>',  # a prefix, not even declared
        f'<c r="A1" r="{FAR}"><v>2</v></c>',  # a repeated attribute: calamine takes the last
        f'<c r="A1"r="{FAR}"><v>2</v></c>',  # ... even without whitespace before it
        f'<c r="A1"\nr\n=\n"{FAR}"><v>2</v></c>',  # ... or with line breaks around '='
        f'<c r="A1" x=">" r="{FAR}"><v>2</v></c>',  # a '>' inside a quoted value does not end the tag
    ],
)
def test_a_far_cell_is_found_however_it_is_written(tmp_path: Path, evasion: str) -> None:
    rows = f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">{evasion}</row>'
    found = problem(book(tmp_path, rows))
    assert found.code in ("sheet-too-large", "file-corrupt")
    assert found.code == "file-corrupt" or "XFD1048576" in found.message.upper()


@pytest.mark.parametrize(
    "evasion",
    [
        f'<c r="{FAR}"><v>2</v></c>',  # unprefixed in a prefixed sheet
        f'<y:c r="{FAR}"><y:v>2</y:v></y:c>',  # another prefix
        f'<x:c r="A1" r="{FAR}"><x:v>2</x:v></x:c>',  # the sheet's own prefix, a second r
        f'<x:c t="n" r="{FAR}"><x:v>2</x:v></x:c>',  # r not first
        f'<x:c r="{FAR}"><x:v>2</x:v></x:c>',  # plain
    ],
)
def test_a_far_cell_is_found_in_a_prefixed_sheet(tmp_path: Path, evasion: str) -> None:
    rows = f'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row><x:row r="1048576">{evasion}</x:row>'
    xml = f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'
    found = problem(raw_book(tmp_path, xml))
    assert found.code == "sheet-too-large"
    assert FAR in found.message


def test_cells_without_references_are_counted_as_calamine_counts_them(tmp_path: Path) -> None:
    rows = '<row r="1">' + "<c><v>1</v></c>" * 201 + "</row>"
    found = problem(book(tmp_path, rows))
    assert found.code == "sheet-too-large"
    assert found.cell == "GS1"  # column 201
    rows = '<row r="3"><c r="GQ3"><v>1</v></c><c><v>2</v></c></row>'  # GQ = 199, then 200
    info = inspect_xlsx(book(tmp_path, rows, name="ok.xlsx")).sheet("S")
    assert (info.problem, info.max_row, info.max_column) == (None, 3, 200)


def test_a_row_attribute_alone_can_place_a_cell_far_down(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2000000"><c><v>2</v></c></row>'
    found = problem(book(tmp_path, rows))
    assert found.code == "sheet-too-large"
    assert "A2000000" in found.message


def test_formatted_empty_cells_far_away_do_not_count(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="IU1" s="3"/></row><row r="500000"><c r="IU500000" s="3"/></row>'
    info = inspect_xlsx(book(tmp_path, rows)).sheet("S")
    assert info.problem is None
    assert (info.max_row, info.max_column) == (500_000, 255)  # every <c> element, filled or not
    assert read_sheet_grid(tmp_path / "s.xlsx", "S").shape == (1, 1)


def test_row_and_column_limits_can_be_tightened(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="C{r}"><v>1</v></c></row>' for r in range(1, 51)
    )
    path = book(tmp_path, rows)
    assert inspect_xlsx(path).sheet("S").problem is None
    tight = problem(path, ReadLimits(max_rows=10))
    assert (tight.code, tight.cell) == ("sheet-too-large", "A50")
    assert "10 行 × 200 列" in tight.message
    narrow = problem(path, ReadLimits(max_columns=2))
    assert narrow.cell == "C1"
    assert problem(path, ReadLimits(max_cells=99)).code == "sheet-too-large"


def test_too_many_flags_or_merges_stop_the_scan(tmp_path: Path) -> None:
    formulas = "".join(f'<row r="{r}"><c r="A{r}"><f>1+1</f></c></row>' for r in range(1, 301))
    found = problem(book(tmp_path, formulas), ReadLimits(max_flagged_cells=200))
    assert (found.code, found.cell) == ("value-formula", "A1")
    assert "个公式没有计算结果" in found.message  # counted up to where the scan stopped
    merges = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(1, 301))
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    found = problem(
        book(tmp_path, rows, tail=f"<mergeCells>{merges}</mergeCells>", name="m.xlsx"),
        ReadLimits(max_flagged_cells=200),
    )
    assert "合并单元格" in found.message


def test_a_sparse_range_is_refused_but_a_dense_one_is_not(tmp_path: Path) -> None:
    dense = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(1, 2001))
    limits = ReadLimits(sparse_floor_cells=1000)
    assert inspect_xlsx(book(tmp_path, dense), limits).sheet("S").problem is None
    sparse = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2000"><c r="B2000"><v>1</v></c></row>'
    found = problem(book(tmp_path, sparse, name="sparse.xlsx"), limits)
    assert "只有 2 个单元格有内容" in found.message


def test_one_long_token_is_refused_and_named(tmp_path: Path) -> None:
    long_attr = f'<row r="1"><c r="B7" x="{"a" * 300_000}"><v>1</v></c></row>'
    found = problem(book(tmp_path, long_attr), SMALL_CHUNKS)
    assert (found.code, found.cell) == ("file-too-large", "B7")
    long_text = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"字" * 100_000}</t></is></c></row>'
    assert problem(book(tmp_path, long_text, name="t.xlsx"), SMALL_CHUNKS).code == "file-too-large"
    fits = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"a" * 150_000}</t></is></c></row>'
    assert inspect_xlsx(book(tmp_path, fits, name="fits.xlsx"), SMALL_CHUNKS).sheet("S").problem is None


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ('<row r="1"><c><row r="2"/><v>1</v></c></row>', "嵌套"),  # cells without r: the exact scan
        ('<row r="1"><c><v>1</c></v></c></row>', "值内部结束"),
        ('<row r="1"><c x="<"><v>1</v></c></row>', "无法解析"),
        ('<row r="1"><c r="A1:B2"><v>1</v></c></row>', "引用"),
        ('<row r="1"><c><v>1</v></c></row><!DOCTYPE x>', "声明"),
        ('<row r="1"><c><v>1</v></c><!-- never closed', "注释"),
    ],
)
def test_an_ill_formed_sheet_is_refused_rather_than_guessed(tmp_path: Path, rows: str, says: str) -> None:
    found = problem(book(tmp_path, rows))
    assert found.code == "file-corrupt"
    assert says in found.message


def test_each_speed_is_used_where_it_should_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lawgov_metrics.intake.guard import xlsx_scan

    exact_runs: list[str] = []
    real = xlsx_scan._ExactScan.run

    def counting(self: xlsx_scan._ExactScan, *args: object) -> object:
        exact_runs.append(self.sheet)
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(xlsx_scan._ExactScan, "run", counting)
    canonical = render([(1, 1, "number", 0), (2, 3, "text", 5)])
    inspect_xlsx(raw_book(tmp_path, canonical, "a.xlsx"))
    inspect_xlsx(raw_book(tmp_path, render([(1, 1, "number", 0)], prefix="x"), "b.xlsx"))
    assert exact_runs == []
    inspect_xlsx(raw_book(tmp_path, render([(1, 1, "number", 0)], refs=False), "c.xlsx"))
    assert exact_runs == []  # cells without r: counted, vectorised (sheet_count.py)
    commented = render([(1, 1, "number", 0)], refs=False).replace("<sheetData>", "<sheetData><!-- x -->")
    inspect_xlsx(raw_book(tmp_path, commented, "d.xlsx"))
    assert exact_runs == ["S"]


def test_a_late_fallback_does_not_count_the_sheet_twice(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 60_000))
    rows += '<row r="60000"><c><v>1</v></c></row>'  # the exact scan takes over at the very end
    path = book(tmp_path, rows)
    size = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    limits = ReadLimits(max_unpacked_bytes=size + 100_000, max_token_bytes=200_000)
    assert inspect_xlsx(path, limits).sheet("S").problem is None


def test_markup_in_comments_does_not_move_cells(tmp_path: Path) -> None:
    rows = '<row r="1"><c><v>1</v></c><!-- </row><row r="1"> --><c><v>2</v></c><![CDATA[</row>]]><c><v>3</v></c></row>'
    info = inspect_xlsx(book(tmp_path, rows)).sheet("S")
    assert (info.problem, info.max_row, info.max_column) == (None, 1, 3)


def test_a_dtd_in_a_sheet_is_refused(tmp_path: Path) -> None:
    xml = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "b">]>' + sheet_xml("").split("?>", 1)[1]
    found = problem(raw_book(tmp_path, xml))
    assert found.code == "file-corrupt"
    assert "DTD" in found.message


# -------------------------------------------------------------------------- fast and exact scans agree

cell_kinds = st.sampled_from(
    ["number", "text", "error", "formula", "formula-cached", "formula-empty-text", "blank"]
)
layouts = st.lists(
    st.tuples(st.integers(1, 400), st.integers(1, 30), cell_kinds, st.integers(0, 60)),
    min_size=1,
    max_size=600,
    unique_by=lambda t: (t[0], t[1]),
)


def render(cells: list[tuple[int, int, str, int]], *, prefix: str = "", refs: bool = True) -> str:
    """Cells as sheet XML, canonical (fast scan) or prefixed with references dropped where implied."""
    p = f"{prefix}:" if prefix else ""
    by_row: dict[int, list[tuple[int, str, int]]] = {}
    for row, col, kind, pad in sorted(cells):
        by_row.setdefault(row, []).append((col, kind, pad))
    out = []
    for row, items in by_row.items():
        parts, last = [], 0
        for col, kind, pad in items:
            ref = "" if not refs and col == last + 1 else f' r="{cell_ref(row, col)}"'
            last = col
            body = {
                "number": (f"<{p}v>{col}</{p}v>", ""),
                "text": (f"<{p}is><{p}t>{'文' * pad}</{p}t></{p}is>", ' t="inlineStr"'),
                "error": (f"<{p}v>#DIV/0!</{p}v>", ' t="e"'),
                "formula": (f"<{p}f>1+{pad}</{p}f><{p}v/>", ""),
                "formula-cached": (f"<{p}f>1+{pad}</{p}f><{p}v>{pad}</{p}v>", ""),
                "formula-empty-text": (f'<{p}f>IF(A1="","",1)</{p}f><{p}v></{p}v>', ' t="str"'),
                "blank": ("", ' s="1"'),
            }[kind]
            parts.append(f"<{p}c{ref}{body[1]}>{body[0]}</{p}c>" if body[0] else f"<{p}c{ref}{body[1]}/>")
        out.append(f'<{p}row r="{row}">{"".join(parts)}</{p}row>')
    merged = f'<{p}mergeCells count="1"><{p}mergeCell ref="A1:B1"/></{p}mergeCells>'
    ns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return f'<?xml version="1.0"?><{p}worksheet {ns}><{p}sheetData>{"".join(out)}</{p}sheetData>{merged}</{p}worksheet>'


def summary(path: Path, limits: ReadLimits) -> tuple[object, ...]:
    s = inspect_xlsx(path, limits).sheet("S")
    return (
        s.problem,
        s.max_row,
        s.max_column,
        s.cell_count,
        dict(s.error_cells),
        sorted(s.formula_cells),
        s.merged_ranges,
    )


@settings(max_examples=25, deadline=None)
@given(cells=layouts)
def test_fast_and_exact_scans_agree_across_chunk_boundaries(
    tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[int, int, str, int]]
) -> None:
    tmp = tmp_path_factory.mktemp("agree")
    fast = summary(raw_book(tmp, render(cells), "fast.xlsx"), SMALL_CHUNKS)
    prefixed = summary(raw_book(tmp, render(cells, prefix="x"), "prefixed.xlsx"), SMALL_CHUNKS)
    exact = summary(raw_book(tmp, render(cells, prefix="x", refs=False), "exact.xlsx"), SMALL_CHUNKS)
    whole = summary(raw_book(tmp, render(cells), "whole.xlsx"), ReadLimits())
    assert fast == prefixed == exact == whole
    expected_errors = {(r - 1, c - 1): "#DIV/0!" for r, c, kind, _ in cells if kind == "error"}
    assert fast[4] == expected_errors
    assert fast[5] == sorted((r - 1, c - 1) for r, c, kind, _ in cells if kind == "formula")
    assert (fast[1], fast[2]) == (max(r for r, *_ in cells), max(c for _, c, *_ in cells))


@settings(max_examples=10, deadline=None)
@given(cells=layouts)
def test_grid_positions_match_the_scan(
    tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[int, int, str, int]]
) -> None:
    path = raw_book(tmp_path_factory.mktemp("grid"), render(cells))
    info = inspect_xlsx(path)
    grid = read_sheet_grid(path, "S", info)
    kinds = ("number", "text", "error", "formula-cached", "formula-empty-text")  # what calamine shows
    filled = [(r, c, kind) for r, c, kind, _ in cells if kind in kinds]
    if not filled:
        assert grid.size == 0 or (grid == "").all().all()
        return
    assert grid.shape == (max(r for r, *_ in filled), max(c for _, c, _ in filled))
    for r, c, kind in filled:
        value = grid.iat[r - 1, c - 1]
        if kind == "number":
            assert value == c
        elif kind == "error":
            assert value == "" and (r - 1, c - 1) in info.sheet("S").error_cells


# ------------------------------------------------------------------------------- shared strings, parts


def test_every_sst_tag_is_checked_even_deep_inside(tmp_path: Path) -> None:
    items = "".join(f"<si><t>{i}</t></si>" for i in range(20_000))
    sst = f'<sst xmlns="{MAIN_NS}" uniqueCount="20000">{items}<x:sst uniqueCount = \'4294967295\'/></sst>'
    path = book(
        tmp_path, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', extra=[("xl/sharedStrings.xml", sst)]
    )
    with pytest.raises(UnreadableFile, match="4,294,967,295") as caught:
        inspect_xlsx(path, SMALL_CHUNKS)
    assert caught.value.code == "file-too-large"
    honest = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="20000">{items}</sst>'
    ok = book(
        tmp_path,
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        name="ok.xlsx",
        extra=[("xl/sharedStrings.xml", honest)],
    )
    assert inspect_xlsx(ok).shared_strings == 20_000


@pytest.mark.parametrize(
    ("workbook", "code", "says"),
    [
        (workbook_xml([("A", "visible"), ("A", "visible")]), "file-corrupt", "两个名为“A”"),
        (workbook_xml([("A", "shown")]), "file-corrupt", "shown"),
        (workbook_xml([]), "file-corrupt", "没有任何工作表"),
    ],
)
def test_workbook_structure_is_checked(tmp_path: Path, workbook: str, code: str, says: str) -> None:
    one = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    path = write_xlsx(tmp_path / "b.xlsx", [("A", "visible", one), ("B", "visible", one)], workbook=workbook)
    with pytest.raises(UnreadableFile) as caught:
        inspect_xlsx(path)
    assert (caught.value.code, says in caught.value.message) == (code, True)


def test_a_macro_sheet_makes_the_workbook_unreadable_for_calamine(tmp_path: Path) -> None:
    path = book(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row>')
    rels = (
        zipfile.ZipFile(path)
        .read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace("worksheets/", "macrosheets/")
    )
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "m.xlsm", "w") as dst:
        for item in src.infolist():
            data = (
                rels.encode()
                if item.filename.endswith(".rels") and "workbook" in item.filename
                else src.read(item)
            )
            dst.writestr(item.filename.replace("worksheets/", "macrosheets/"), data)
    with pytest.raises(UnreadableFile, match="宏表") as caught:
        inspect_xlsx(tmp_path / "m.xlsm")
    assert caught.value.code == "file-unsupported"


def test_the_time_limit_stops_an_inspection(tmp_path: Path) -> None:
    path = book(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row>')
    with pytest.raises(UnreadableFile) as caught:
        inspect_xlsx(path, ReadLimits(time_limit_s=0))
    assert caught.value.code == "file-timeout"


# ----------------------------------------------------------------------------------------- reading


def test_read_sheet_grid_by_name(tmp_path: Path) -> None:
    path = book(tmp_path, '<row r="2"><c r="B2" t="inlineStr"><is><t>NA</t></is></c></row>')
    grid = read_sheet_grid(path, "S")  # inspects first when not given the info
    assert grid.shape == (2, 2)
    assert grid.iat[1, 1] == "NA"
    assert all(dtype.kind == "O" for dtype in grid.dtypes)
    with pytest.raises(UnreadableFile) as caught:
        read_sheet_grid(path, "Sheet1")
    assert (caught.value.code, caught.value.sheet) == ("sheet-unknown", "Sheet1")


def test_a_refused_sheet_raises_and_the_others_stay_readable(tmp_path: Path) -> None:
    far = sheet_xml(
        f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="{FAR}"><v>2</v></c></row>'
    )
    fine = sheet_xml('<row r="1"><c r="A1"><v>5</v></c></row>')
    path = write_xlsx(tmp_path / "two.xlsx", [("坏", "visible", far), ("好", "visible", fine)])
    info = inspect_xlsx(path)
    with pytest.raises(UnreadableFile) as caught:
        read_sheet_grid(path, "坏", info)
    assert (caught.value.code, caught.value.sheet, caught.value.cell) == ("sheet-too-large", "坏", FAR)
    assert read_sheet_grid(path, "好", info).iat[0, 0] == 5


# ------------------------------------------------------------------------------------------ sandbox


def _add(a: int, b: int) -> int:
    return a + b


def _raise_unreadable() -> None:
    raise UnreadableFile("file-corrupt", "坏了", sheet="S")


def _raise_other() -> None:
    raise RuntimeError("boom")


def _allocate(n: int) -> int:
    return len(bytearray(n))


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _calamine_rows(path: str) -> int:
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(path).get_sheet_by_name("S").to_python())


def test_sandbox_returns_results_and_passes_unreadable_through() -> None:
    assert run_sandboxed(_add, 2, 3) == 5
    with pytest.raises(UnreadableFile) as caught:
        run_sandboxed(_raise_unreadable)
    assert (caught.value.code, caught.value.sheet) == ("file-corrupt", "S")
    with pytest.raises(UnreadableFile, match="RuntimeError: boom"):
        run_sandboxed(_raise_other, what="解析")


def test_sandbox_caps_memory() -> None:
    limits = ReadLimits(memory_limit_bytes=256 << 20)
    with pytest.raises(UnreadableFile, match="256 MB") as caught:
        run_sandboxed(_allocate, 1 << 30, limits=limits)
    assert caught.value.code == "file-too-large"
    assert run_sandboxed(_allocate, 1 << 20, limits=limits) == 1 << 20


def test_sandbox_kills_a_hang() -> None:
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        run_sandboxed(_sleep, 30, limits=ReadLimits(time_limit_s=0.5))
    assert caught.value.code == "file-timeout"
    assert time.monotonic() - started < 5


def test_sandbox_survives_an_abort() -> None:
    with pytest.raises(UnreadableFile) as caught:
        run_sandboxed(os.abort)
    assert caught.value.code == "file-too-large"


def test_sandbox_contains_calamine_on_a_file_the_scan_refuses(tmp_path: Path) -> None:
    path = book(
        tmp_path, f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="{FAR}"><v>2</v></c></row>'
    )
    assert inspect_xlsx(path).sheet("S").problem is not None  # the scan refuses it in-process ...
    with pytest.raises(UnreadableFile) as caught:  # ... and calamine on it dies only in the worker
        run_sandboxed(_calamine_rows, str(path), limits=ReadLimits(memory_limit_bytes=1 << 30))
    assert caught.value.code == "file-too-large"
