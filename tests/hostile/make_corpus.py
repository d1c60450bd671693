"""Build the hostile and malformed workbook corpus into a directory (never committed: it is generated).

    python tests/hostile/make_corpus.py OUT_DIR

or ``build_corpus(path) -> {name: Path}`` from a test. Every file is small on disk; the bombs are made by
repeating pre-compressed deflate blocks, so nothing large is ever held in memory or written out.

Hostile: XML entity bombs (workbook.xml, sharedStrings.xml), zip bombs (honest and lying headers),
overlapping and duplicate zip entries, cells at XFD1048576, a stray cell at row 1,048,576 and at row
100,000,000, a row of 20,000 cells without references, a shared-string table claiming 4,294,967,295
entries, a 64 MB attribute. Broken or disguised: encrypted workbook and legacy .xls (hand-made OLE compound
files), an xlsx cut in half, an empty file, CSV named .xlsx, HTML named .xls, xlsx named .csv. Honest
(written with openpyxl) but tricky: formulas without cached values, error values, merged header cells over a
header on row 3, hidden sheets, the 1904 date system, full-width digits and percent strings, a table that
does not start at A1, and an OpenXML-SDK-style workbook with prefixed tags and cells without references.
"""

from __future__ import annotations

import datetime as dt
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

MB = 1 << 20
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def workbook_xml(sheets: Iterable[tuple[str, str]], *, date1904: bool = False, prefix: str = "") -> str:
    """sheets: (name, state); the i-th sheet is rId{i+1} → worksheets/sheet{i+1}.xml."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    entries = "".join(
        f'<{p}sheet name="{name}" sheetId="{i + 1}" state="{state}" r:id="rId{i + 1}"/>'
        for i, (name, state) in enumerate(sheets)
    )
    pr = f'<{p}workbookPr date1904="1"/>' if date1904 else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {ns} xmlns:r="{REL_NS}">{pr}<{p}sheets>{entries}</{p}sheets></{p}workbook>'


def workbook_rels(n: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(n)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'


def sheet_xml(rows: str, *, head: str = "", tail: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}" '
        f'xmlns:r="{REL_NS}">{head}<sheetData>{rows}</sheetData>{tail}</worksheet>'
    )


def cells(*refs_values: tuple[str, str]) -> str:
    """Rows of numeric cells, grouped by row number: ("A1", "1"), ("B1", "2") …"""
    by_row: dict[int, list[str]] = {}
    for ref, value in refs_values:
        row = int("".join(ch for ch in ref if ch.isdigit()))
        by_row.setdefault(row, []).append(f'<c r="{ref}"><v>{value}</v></c>')
    return "".join(f'<row r="{row}">{"".join(cs)}</row>' for row, cs in sorted(by_row.items()))


def write_xlsx(
    path: Path,
    sheets: list[tuple[str, str, str]],
    *,
    workbook: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> Path:
    """A minimal hand-written workbook: sheets are (name, state, sheet XML)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook or workbook_xml((n, s) for n, s, _ in sheets))
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels(len(sheets)))
        for i, (_, _, xml) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        for name, data in extra:
            z.writestr(name, data)
    return path


# ------------------------------------------------------------------------------- raw zips, big but tiny


@dataclass
class RawEntry:
    """A zip entry written as given: ``data`` is already compressed when ``method`` is deflate."""

    name: str
    data: bytes
    size: int  # the size to declare (the truth, unless lying)
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    alias_of: str = ""  # point the directory entry at another entry's data (overlapping entries)


def deflated(text: str | bytes) -> RawEntry:
    raw = text.encode() if isinstance(text, str) else text
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return RawEntry("", c.compress(raw) + c.flush(), len(raw), zlib.crc32(raw))


def repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> RawEntry:
    """head + unit × times + tail, deflated without ever building it: each piece is compressed from a
    fresh state and full-flushed, so the same compressed bytes can be repeated."""

    def piece(data: bytes, finish: bool = False) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if finish else zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    data = piece(head) + piece(unit) * times + piece(tail, finish=True)
    return RawEntry("", data, len(head) + len(unit) * times + len(tail), crc)


def write_raw_zip(path: Path, entries: list[RawEntry]) -> Path:
    """Local headers, data, central directory, end record — by hand, so sizes and offsets can lie."""
    out = bytearray()
    central = bytearray()
    offsets: dict[str, int] = {}
    for e in entries:
        name = e.name.encode()
        offset = offsets[e.alias_of] if e.alias_of else len(out)
        offsets[e.name] = offset
        if not e.alias_of:
            out += struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                e.method,
                0,
                0x21,
                e.crc,
                len(e.data),
                e.size,
                len(name),
                0,
            )
            out += name + e.data
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            e.method,
            0,
            0x21,
            e.crc,
            len(e.data),
            e.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    cd_offset = len(out)
    out += central
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), cd_offset, 0
    )
    path.write_bytes(bytes(out))
    return path


def xlsx_entries(sheet: RawEntry, *, sst: RawEntry | None = None) -> list[RawEntry]:
    parts = [
        ("[Content_Types].xml", deflated(CONTENT_TYPES)),
        ("_rels/.rels", deflated(ROOT_RELS)),
        ("xl/workbook.xml", deflated(workbook_xml([("Sheet1", "visible")]))),
        ("xl/_rels/workbook.xml.rels", deflated(workbook_rels(1))),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    if sst is not None:
        parts.append(("xl/sharedStrings.xml", sst))
    for name, entry in parts:
        entry.name = name
    return [e for _, e in parts]


# --------------------------------------------------------------------------------------- OLE files


def ole_file(streams: list[str]) -> bytes:
    """A minimal OLE compound file (MS-CFB v3, 512-byte sectors): header, one FAT sector, directory sectors
    holding a root entry and the named, empty streams."""
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = ["Root Entry", *streams]
    dir_sectors = (len(names) + 3) // 4
    fat = [fat_sect] + [i + 2 if i < dir_sectors else end for i in range(1, dir_sectors + 1)]
    fat += [free] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end)
    struct.pack_into("<I", header, 72, 0)
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 76, *difat)
    directory = bytearray(512 * dir_sectors)
    for i, name in enumerate(names):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), 5 if i == 0 else 2, 1)
        right = i + 1 if 0 < i < len(names) - 1 else free
        child = 1 if i == 0 and len(names) > 1 else free
        struct.pack_into("<III", entry, 68, free, right, child)
        struct.pack_into("<IQ", entry, 116, end, 0)
        directory[i * 128 : (i + 1) * 128] = entry
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory)


# ---------------------------------------------------------------------------------------- honest ones


def _openpyxl_book(path: Path, fill: Callable[..., None], *, date1904: bool = False) -> Path:
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    fill(wb)
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.save(path)
    return path


def _ledger(wb) -> None:  # type: ignore[no-untyped-def]
    """A title merged over the header, a blank row, the header on row 3, tricky values below."""
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = "2024年行政执法案件台账"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["编号", "单位", "金额", "比例", "受理日期", "备注"])
    ws.append([1, "市司法局", "１２３", "95%", dt.date(2024, 3, 1), "NA"])
    ws.append([2, "市教育局", 45.5, "９５％", dt.datetime(2024, 12, 31, 8, 30), "None"])
    ws.append([3, "市卫健委", "1,234", "0.95", dt.date(2024, 1, 31), None])
    ws["F6"] = "#N/A"
    ws["F6"].data_type = "s"  # the text "#N/A", not an error value
    ws["C7"] = "=SUM(C4:C6)"  # openpyxl writes no cached value
    ws["D7"] = "=C7/0"
    ws.merge_cells("A8:B8")
    ws["A8"] = "合计"


def _errors(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.active
    ws.title = "错误值"
    ws.append(["指标", "数值"])
    ws.append(["比例", "#DIV/0!"])  # openpyxl stores error codes as t="e"
    ws.append(["人数", "#N/A"])
    ws.append(["空白", None])
    ws.append(["文本", "NA"])


def _hidden(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.active
    ws.title = "汇总"
    ws.append(["字段", "数值"])
    ws.append(["收案数", 12])
    hidden = wb.create_sheet("隐藏表")
    hidden.append(["不应读取", 1])
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("_lists")
    very.append(["选项"])
    very.sheet_state = "veryHidden"


def _dates(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.active
    ws.title = "日期"
    ws.append(["受理日期", "序列号"])
    ws.append([dt.date(2024, 3, 1), 45000])


def _offset(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.active
    ws.title = "偏移"
    ws["C5"] = "单位"
    ws["D5"] = "人数"
    ws["C6"] = "市司法局"
    ws["D6"] = 7


def _plain(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["单位", "人数"])
    for i in range(1, 41):
        ws.append([f"单位{i}", i])


def _prefixed() -> str:
    """OpenXML SDK style: x: prefixes everywhere; the second row's cells carry no r attribute."""
    rows = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>单位</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>人数</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c t="inlineStr"><x:is><x:t>市司法局</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>市教育局</x:t></x:is></x:c><x:c t="e"><x:v>#N/A</x:v></x:c></x:row>'
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="{MAIN_NS}">'
        f'<x:sheetData>{rows}</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="D1:E1"/></x:mergeCells>'
        "</x:worksheet>"
    )


# -------------------------------------------------------------------------------------------- corpus


def build_corpus(out: str | Path) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def add(name: str, make: Callable[[Path], object]) -> None:
        path = out / name
        make(path)
        files[name] = path

    one_cell = sheet_xml(cells(("A1", "1")))

    # --- XML entity bombs
    add(
        "entity_bomb_workbook.xlsx",
        lambda p: write_xlsx(
            p,
            [("Sheet1", "visible", one_cell)],
            workbook=LAUGHS.replace("lolz", "workbook")
            + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>',
        ),
    )
    sst_bomb = (
        LAUGHS.replace("lolz", "sst")
        + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    add(
        "entity_bomb_sst.xlsx",
        lambda p: write_xlsx(
            p,
            [("Sheet1", "visible", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))],
            extra=[("xl/sharedStrings.xml", sst_bomb)],
        ),
    )

    # --- zip bombs: 1 GB of spaces in a sheet, < 2 MB on disk
    head = sheet_xml(cells(("A1", "1"))).replace("</worksheet>", "").encode()
    space = b" " * MB
    add(
        "zip_bomb.xlsx",
        lambda p: write_raw_zip(p, xlsx_entries(repeated(head, space, 1024, b"</worksheet>"))),
    )

    def lying(p: Path) -> None:
        sheet = repeated(head, space, 1024, b"</worksheet>")
        sheet.size = 4096  # the header claims 4 KB
        write_raw_zip(p, xlsx_entries(sheet))

    add("zip_bomb_lying_header.xlsx", lying)

    def overlap(p: Path) -> None:
        entries = xlsx_entries(deflated(one_cell))
        sheet = entries[-1]
        clones = [
            RawEntry(f"xl/media/image{i}.bin", b"", sheet.size, sheet.crc, alias_of=sheet.name)
            for i in range(5)
        ]
        for clone in clones:  # the directory claims the sheet's bytes, again and again
            clone.data = sheet.data
        write_raw_zip(p, [*entries, *clones])

    add("zip_overlapping_entries.xlsx", overlap)

    def duplicate(p: Path) -> None:
        entries = xlsx_entries(deflated(one_cell))
        evil = deflated(sheet_xml(cells(("A1", "1"), ("XFD1048576", "2"))))
        evil.name = "XL/Worksheets/Sheet1.xml"
        write_raw_zip(p, [*entries, evil])

    add("zip_duplicate_names.xlsx", duplicate)

    # --- cells far away
    add(
        "dimension_xfd1048576.xlsx",
        lambda p: write_xlsx(
            p,
            [
                (
                    "台账",
                    "visible",
                    sheet_xml(
                        cells(("A1", "1"), ("XFD1048576", "2")), head='<dimension ref="A1:XFD1048576"/>'
                    ),
                )
            ],
        ),
    )
    table = [(f"{col}{row}", str(row)) for row in range(1, 11) for col in "ABC"]
    add(
        "stray_row_1048576.xlsx",
        lambda p: write_xlsx(p, [("Sheet1", "visible", sheet_xml(cells(*table, ("A1048576", "9"))))]),
    )
    add(
        "stray_row_100000000.xlsx",
        lambda p: write_xlsx(p, [("Sheet1", "visible", sheet_xml(cells(*table, ("A100000000", "9"))))]),
    )
    wide = '<row r="1">' + "<c><v>1</v></c>" * 20_000 + '</row><row r="30000"><c><v>1</v></c></row>'
    add("wide_row_without_refs.xlsx", lambda p: write_xlsx(p, [("Sheet1", "visible", sheet_xml(wide))]))

    # --- shared strings claiming 4,294,967,295 entries
    sst_claim = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}" count="4294967295" uniqueCount="4294967295"><si><t>x</t></si></sst>'
    add(
        "sst_4294967295.xlsx",
        lambda p: write_xlsx(
            p,
            [("Sheet1", "visible", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))],
            extra=[("xl/sharedStrings.xml", sst_claim)],
        ),
    )

    # --- one 64 MB attribute
    attr_head = sheet_xml("").split("<sheetData>")[0].encode() + b'<sheetData><row r="1"><c r="A1" x="'
    attr_tail = b'"><v>1</v></c></row></sheetData></worksheet>'
    add(
        "attribute_64mb.xlsx",
        lambda p: write_raw_zip(p, xlsx_entries(repeated(attr_head, b"a" * MB, 64, attr_tail))),
    )

    # --- OLE compound files
    add(
        "encrypted.xlsx",
        lambda p: p.write_bytes(ole_file(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"])),
    )
    add("legacy.xls", lambda p: p.write_bytes(ole_file(["Workbook", "\x05SummaryInformation"])))
    add("wps.et", lambda p: p.write_bytes(ole_file(["Workbook"])))
    add("word97.xls", lambda p: p.write_bytes(ole_file(["WordDocument", "1Table"])))

    # --- broken or disguised
    add("plain.xlsx", lambda p: _openpyxl_book(p, _plain))
    add(
        "truncated.xlsx",
        lambda p: p.write_bytes(files["plain.xlsx"].read_bytes()[: files["plain.xlsx"].stat().st_size // 2]),
    )
    add("empty.xlsx", lambda p: p.write_bytes(b""))
    add("csv_named.xlsx", lambda p: p.write_bytes("单位,人数\n市司法局,7\n".encode("gb18030")))
    add(
        "html_named.xls",
        lambda p: p.write_bytes(
            b"\xef\xbb\xbf\r\n  <html xmlns:o='urn:schemas-microsoft-com:office:office'><body><table>"
            + "<tr><td>单位</td><td>人数</td></tr>".encode()
            + b"</table></body></html>"
        ),
    )
    add(
        "xml2003_named.xls",
        lambda p: p.write_bytes(
            b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
        ),
    )
    add("xlsx_named.csv", lambda p: p.write_bytes(files["plain.xlsx"].read_bytes()))
    add("parquet_named.xlsx", lambda p: p.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1"))

    # --- honest but tricky
    add("ledger_merged_header.xlsx", lambda p: _openpyxl_book(p, _ledger))
    add("error_values.xlsx", lambda p: _openpyxl_book(p, _errors))
    add("hidden_sheets.xlsx", lambda p: _openpyxl_book(p, _hidden))
    add("date1904.xlsx", lambda p: _openpyxl_book(p, _dates, date1904=True))
    add("offset_table.xlsx", lambda p: _openpyxl_book(p, _offset))
    add(
        "openxml_sdk_prefixed.xlsx",
        lambda p: write_xlsx(
            p, [("数据", "visible", _prefixed())], workbook=workbook_xml([("数据", "visible")], prefix="x")
        ),
    )
    return files


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUT_DIR")
    for name, path in build_corpus(sys.argv[1]).items():
        print(f"{path.stat().st_size:>12,}  {name}")
