"""The scan's quick paths agree with the ones they stand in for.

- a workbook's small sheets scanned together (``sheet_fast.scan_small_parts``) find what the streaming scan
  finds for each sheet alone, on every sample, flawed and hostile workbook and on generated ones;
- the zip directory read by hand is the one :mod:`zipfile` reads;
- the workbook XML read by expat refuses a DTD and names broken XML;
- a streamed entry comes in full buffers and is the entry's bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawgov_metrics.intake.guard import xlsx_scan
from lawgov_metrics.intake.guard.container import (
    Budget,
    PartReader,
    ZipContainer,
    ZipPart,
)
from lawgov_metrics.intake.guard.safety import ReadLimits, UnreadableFile, inspect_xlsx
from lawgov_metrics.intake.guard.sheet_fast import FastScan, scan_small_parts
from lawgov_metrics.intake.guard.sheet_scan import Fallback, SheetProblem, SheetScan
from lawgov_metrics.intake.guard.zip_directory import FileBytes, read_zip_directory
from tests.hostile.make_corpus import MAIN_NS, build_corpus, write_xlsx
from tests.test_safety import SMALL_CHUNKS, layouts, render

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


def workbooks(corpus: dict[str, Path]) -> list[Path]:
    return sorted(SAMPLES.rglob("*.xlsx")) + sorted(corpus.values())


def found(scan: SheetScan) -> tuple[object, ...]:
    return scan.cells, scan.max_row, scan.max_col, scan.errors, scan.formulas, scan.merged


def sheet_parts(path: Path, limits: ReadLimits) -> Iterator[tuple[PartReader, list[tuple[str, ZipPart]]]]:
    """The workbook's sheet parts, as the scan sees them; nothing for a file refused before its sheets."""
    try:
        with FileBytes(path, limits) as source:
            container = ZipContainer(source, limits)
            reader = PartReader(container, Budget(limits))
            parts = [p for p in container.parts.values() if "sheets/" in p.name and p.name.endswith(".xml")]
            yield reader, [(p.name, p) for p in parts]
    except UnreadableFile:
        return


def test_small_sheets_together_find_what_each_sheet_alone_finds(corpus: dict[str, Path]) -> None:
    batched = 0
    for path in workbooks(corpus):
        for limits in (ReadLimits(), SMALL_CHUNKS):
            chunk = FastScan("", limits).chunk
            for reader, named in sheet_parts(path, limits):
                small = [(name, part) for name, part in named if part.size <= chunk and reader.small(part)]
                try:
                    datas = [(name, reader.inflate(part)) for name, part in small]
                except UnreadableFile:
                    continue
                for (name, part), together in zip(small, scan_small_parts(datas, limits), strict=True):
                    try:
                        alone = FastScan(name, limits).run(reader, part)
                    except Fallback:
                        assert together is None, (
                            f"{path.name} {name}: the batch vouched for a sheet the stream refuses"
                        )
                        continue
                    except (SheetProblem, UnreadableFile):  # refused when streamed: the batch left it too
                        assert together is None, f"{path.name} {name}"
                        continue
                    if together is None:  # past a limit: the stream names it
                        continue
                    batched += 1
                    assert found(together) == found(alone), f"{path.name} {name}"
    assert batched > 3_000  # the samples' sheets are scanned together


def test_every_sample_sheet_is_scanned_together() -> None:
    for path in sorted(SAMPLES.rglob("*.xlsx")):
        limits = ReadLimits()
        for reader, named in sheet_parts(path, limits):
            datas = [(name, reader.inflate(part)) for name, part in named]
            missed = [
                n for (n, _), s in zip(datas, scan_small_parts(datas, limits), strict=True) if s is None
            ]
            sizes = {n: len(d) for n, d in datas}
            assert all(sizes[n] > FastScan("", limits).chunk for n in missed), (path.name, missed)


odd_sheets = st.sampled_from(
    [
        "",  # canonical
        "prefixed",
        "no-refs",
        "second-r",
        "far-cell",
        "comment",
    ]
)


def variant(cells: list[tuple[int, int, str, int]], how: str) -> str:
    if how == "prefixed":
        return render(cells, prefix="x")
    if how == "no-refs":
        return render(cells, prefix="x", refs=False)
    xml = render(cells)
    if how == "second-r":
        return xml.replace('<c r="A1"', '<c r="A1" r="XFD1048576"', 1)
    if how == "far-cell":
        return xml.replace(
            "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )
    if how == "comment":
        return xml.replace("<sheetData>", '<sheetData><!-- <c r="XFD1"><v>1</v></c> -->', 1)
    return xml


def summary(path: Path, limits: ReadLimits) -> list[tuple[object, ...]]:
    info = inspect_xlsx(path, limits)
    return [
        (
            s.name,
            None if s.problem is None else (s.problem.code, s.problem.message, s.problem.cell),
            s.max_row,
            s.max_column,
            s.cell_count,
            dict(s.error_cells),
            s.formula_cells,
            s.merged_ranges,
        )
        for s in info.sheets
    ]


@settings(max_examples=20, deadline=None)
@given(sheets=st.lists(st.tuples(layouts, odd_sheets), min_size=1, max_size=4))
def test_a_workbook_scanned_together_or_sheet_by_sheet_reads_the_same(
    tmp_path_factory: pytest.TempPathFactory, sheets: list[tuple[list[tuple[int, int, str, int]], str]]
) -> None:
    path = write_xlsx(
        tmp_path_factory.mktemp("together") / "book.xlsx",
        [(f"S{i}", "visible", variant(cells, how)) for i, (cells, how) in enumerate(sheets)],
    )
    for limits in (ReadLimits(), SMALL_CHUNKS):
        together = summary(path, limits)
        real = xlsx_scan.scan_small_parts
        xlsx_scan.scan_small_parts = lambda parts, limits: [None] * len(parts)  # type: ignore[assignment]
        try:
            alone = summary(path, limits)
        finally:
            xlsx_scan.scan_small_parts = real
        assert together == alone


# ------------------------------------------------------------------------------------------ container


def test_the_zip_directory_read_by_hand_is_zipfiles(corpus: dict[str, Path]) -> None:
    limits = ReadLimits()
    checked = 0
    for path in workbooks(corpus):
        try:
            with zipfile.ZipFile(path) as archive:
                expected = [
                    (i.filename, i.flag_bits, i.compress_type, i.compress_size, i.file_size, i.header_offset)
                    for i in archive.infolist()
                ]
        except (zipfile.BadZipFile, OSError):
            continue
        try:
            with FileBytes(path, limits) as source:
                got = [tuple(entry) for entry in read_zip_directory(source, limits).entries]
        except UnreadableFile:
            continue  # refused for its count or size before any entry is read
        assert got == expected, path.name
        checked += 1
    assert checked > 300


def test_a_directory_with_more_entries_than_it_declares_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(20):
            archive.writestr(f"x{i}.xml", "<a/>")
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (2).to_bytes(2, "little") * 2  # the end record claims 2 entries
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile) as caught, FileBytes(path, ReadLimits(max_zip_entries=10)) as source:
        read_zip_directory(source, ReadLimits(max_zip_entries=10))
    assert caught.value.code == "file-too-large"


def test_a_streamed_entry_comes_in_full_buffers(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 10007}</v></c></row>' for r in range(1, 80_000))
    path = write_xlsx(
        tmp_path / "big.xlsx",
        [("S", "visible", f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>')],
    )
    limits = ReadLimits()
    with FileBytes(path, limits) as source:
        container = ZipContainer(source, limits)
        part = container.find("xl/worksheets/sheet1.xml")
        assert part is not None
        pieces = list(container.stream(part, Budget(limits), chunk=256 * 1024))
    assert b"".join(pieces) == zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert all(len(p) == 256 * 1024 for p in pieces[:-1]) and 0 < len(pieces[-1]) <= 256 * 1024


# ---------------------------------------------------------------------------------------- workbook XML


@pytest.mark.parametrize(
    ("workbook", "says"),
    [
        ('<?xml version="1.0"?><!DOCTYPE workbook SYSTEM "http://example.com/x.dtd"><workbook/>', "DTD"),
        (f'<workbook xmlns="{MAIN_NS}"><sheets><sheet name="A"</sheets></workbook>', "不是有效的 XML"),
        (f'<workbook xmlns="{MAIN_NS}"><sheets><sheet name="&lol;"/></sheets></workbook>', "不是有效的 XML"),
    ],
)
def test_the_workbook_xml_is_refused_when_it_declares_a_dtd_or_is_broken(
    tmp_path: Path, workbook: str, says: str
) -> None:
    one = f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    path = write_xlsx(tmp_path / "b.xlsx", [("A", "visible", one)], workbook=workbook)
    with pytest.raises(UnreadableFile) as caught:
        inspect_xlsx(path)
    assert caught.value.code == "file-corrupt"
    assert says in caught.value.message and "xl/workbook.xml" in caught.value.message
