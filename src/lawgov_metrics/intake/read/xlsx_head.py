"""The first rows of a big worksheet, read straight from its XML without parsing the whole sheet.

A ledger's header sits within its first :data:`~lawgov_metrics.intake.read.ledgers.HEADER_SCAN_ROWS` rows, and
a sheet of a million rows should not be parsed twice to find it. This reads the sheet part only until
those rows are complete, and the shared-string table only as far as the strings they use. Only files that
:func:`~lawgov_metrics.intake.guard.safety.inspect_xlsx` cleared come here, and a DTD is refused all the same,
so no entity is ever expanded.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast
from xml.etree.ElementTree import Element, XMLPullParser, fromstring

CHUNK = 1 << 13
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _elements(stream: IO[bytes], tag: str) -> Iterator[Element]:
    """Each complete ``tag`` element of an XML stream, in order; the document is read only as far as needed."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("end",))
    tail = b""
    while chunk := stream.read(CHUNK):
        seen = (tail + chunk).upper()
        if b"<!DOCTYPE" in seen or b"<!ENTITY" in seen:  # anywhere in what is read, across chunk edges
            raise ValueError("XML 中含有 DTD，拒绝读取")
        tail = chunk[-16:]
        parser.feed(chunk)
        for event in parser.read_events():
            element = cast(tuple[str, object], event)[1]
            if isinstance(element, Element) and _local(element.tag) == tag:
                yield element
                element.clear()


def _text(element: Element) -> str:
    """The text of an ``<is>`` or ``<si>``: its ``<t>`` and rich-text runs, without phonetic ``<rPh>``."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(parts)


def sheet_head(path: Path, part: str, rows: int) -> list[list[object]]:
    """Rows 1..``rows`` of a sheet as values (row 0 / column 0 are Excel's row 1 / column A; None = blank).

    Text is resolved, numbers are floats, booleans are bools; an error cell shows its code (``#N/A``). Dates
    stay serial numbers: only the header's text is needed here.
    """
    cells: dict[tuple[int, int], object] = {}
    shared: dict[tuple[int, int], int] = {}
    with zipfile.ZipFile(path) as book:
        with book.open(part) as stream:
            row_number = 0
            for row in _elements(stream, "row"):
                row_number = int(row.get("r") or row_number + 1)
                if row_number > rows:
                    break
                column = -1
                for cell in row:
                    if _local(cell.tag) != "c":
                        continue
                    ref = _REF.match(cell.get("r") or "")
                    column = _column_index(ref.group(0)) if ref else column + 1
                    key = (row_number - 1, column)
                    kind = cell.get("t") or "n"
                    value = next((c.text for c in cell if _local(c.tag) == "v"), None)
                    if kind == "inlineStr":
                        inline = next((c for c in cell if _local(c.tag) == "is"), None)
                        cells[key] = _text(inline) if inline is not None else None
                    elif value is None:
                        continue
                    elif kind == "s":
                        shared[key] = int(value)
                    elif kind == "b":
                        cells[key] = value.strip() == "1"
                    elif kind in ("str", "e"):
                        cells[key] = value
                    else:
                        try:
                            cells[key] = float(value)
                        except ValueError:
                            cells[key] = value
        if shared:
            strings = _shared_strings(book, set(shared.values()))
            for key, index in shared.items():
                cells[key] = strings.get(index)
    width = max((c for _, c in cells), default=-1) + 1
    height = max((r for r, _ in cells), default=-1) + 1
    grid: list[list[object]] = [[None] * width for _ in range(height)]
    for (r, c), cell_value in cells.items():
        grid[r][c] = None if cell_value == "" else cell_value
    return grid


_SI = re.compile(rb"<(?:\w+:)?si(?:\s[^>]*)?(?:/>|>.*?</(?:\w+:)?si>)", re.S)
_PREFIX = re.compile(rb"<(/?)\w+:")


def _shared_strings(book: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings at ``wanted`` positions, reading the table no further than the last of them.

    The strings a header uses may come after every string of a big sheet before it, so the ``<si>``
    items are counted by pattern and only the wanted ones are parsed.
    """
    name = next((n for n in book.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    if name is None or not wanted:
        return {}
    last, index, strings = max(wanted), 0, {}
    buffer = b""
    with book.open(name) as stream:
        while index <= last and (chunk := stream.read(CHUNK * 8)):
            buffer += chunk
            end = 0
            for match in _SI.finditer(buffer):
                if index in wanted:
                    item = fromstring(_PREFIX.sub(rb"<\1", match.group()))
                    strings[index] = _text(item)
                index, end = index + 1, match.end()
                if index > last:
                    break
            buffer = buffer[end:]
    return strings


def _column_index(ref: str) -> int:
    """The 0-based column of a cell reference's letters (``B7`` → 1, ``AA1`` → 26); written here so that
    reading a big sheet's head does not import xlsxwriter (a tenth of a second) for one function."""
    index = 0
    for letter in ref.upper():
        if not "A" <= letter <= "Z":
            break
        index = index * 26 + ord(letter) - 64
    return index - 1
