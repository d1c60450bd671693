"""The parts of an .xlsx that calamine will read, checked before it does.

calamine allocates a dense grid spanning the first to the last filled cell, reserves the shared-string table
at its declared ``uniqueCount``, and locates a cell by its ``r`` attribute (the last one, if repeated), or by
counting when there is none. So every sheet XML is stream-scanned for where its cells really are.

The scan has two speeds. Sheets as Excel, WPS, openpyxl, xlsxwriter and the OpenXML SDK write them (every
cell tag starts ``<c r="A1"`` or ``<x:c r="A1"``) are scanned with vectorised byte searches in 1 MB buffers:
about 15–19 % of calamine's own read of a 1,000,000-row ledger, a third of it inflating the XML. Anything else
(cells without ``r``, other prefixes, odd whitespace or quoting, a second ``r``) is tokenised tag by tag,
mirroring how calamine positions cells, and must be well nested; so is any sheet whose fast-scan extent breaks
a limit, to find whether the far cells hold values and to name them.
"""

from __future__ import annotations

import itertools
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lawgov_metrics.intake.safety import (
    MB,
    ReadLimits,
    SheetInfo,
    SheetKind,
    SheetState,
    UnreadableFile,
    WorkbookInfo,
)
from lawgov_metrics.intake.sniff import Budget, ZipContainer, ZipPart, has_dtd, sniff_file
from lawgov_metrics.issues import cell_ref

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_KINDS: dict[str, SheetKind] = {
    "worksheets": "worksheet",
    "chartsheets": "chartsheet",
    "dialogsheets": "dialogsheet",
}
_PAD = b" " * 48  # the fast scan reads a few bytes past a tag start; never past the buffer
_LT_C, _COLON_C = (int.from_bytes(t, "little") for t in (b"<c", b":c"))
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*[\s/>]")  # the first element, and its prefix
_NAME_END = np.zeros(256, dtype=bool)  # what ends a tag name for calamine's XML reader
_NAME_END[[9, 10, 13, 32, 47, 62]] = True
_SPACE_R = int.from_bytes(b" r", "little")
_SPACE_R_EQ_QUOTE = int.from_bytes(b' r="', "little")
_ROW_R_EQ = int.from_bytes(b"w r=", "little")
# other ways an attribute key r can start: after a closing quote, or after a tab or line break
_OTHER_R = [
    (int.from_bytes(b'"r', "little"), None),
    (int.from_bytes(b"'r", "little"), b"'"),
    (int.from_bytes(b"\tr", "little"), b"\t"),
    (int.from_bytes(b"\nr", "little"), b"\n"),
    (int.from_bytes(b"\rr", "little"), b"\r"),
]
_KEY_END = np.zeros(256, dtype=bool)  # whitespace or '=' after a key
_KEY_END[[9, 10, 13, 32, 61]] = True
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_T_E = re.compile(rb"""\st\s*=\s*["']e["']""")
_T_STR = re.compile(rb"""\st\s*=\s*["']str["']""")
_MERGE = re.compile(rb"""<(?:[\w.\-]+:)?mergeCell\s(?:[^>]*?\s)?ref\s*=\s*["']([^"'<>]{1,64})["']""")
_ATTR = re.compile(rb"""([^\s=/"'<>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
# Tokens of the exact scan: the start and end tags calamine acts on, quote-aware, never spanning a '<'.
_TAG = re.compile(
    rb"""<(/?)(?:[A-Za-z_][\w.\-]*:)?(c|row|v|f|is|mergeCell)(?=[\s/>])((?:[^>"'<]|"[^"<]*"|'[^'<]*')*)>"""
)
_TAG_START = re.compile(rb"<(?:/?)(?:[A-Za-z_][\w.\-]*:)?(?:c|row|v|f|is|mergeCell)(?=[\s/>])")
_SPECIAL = re.compile(rb"<!--|<!\[CDATA\[|<\?|<!")
_SPECIAL_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_REF = re.compile(rb"([A-Za-z]*)([0-9]*)")
_CELL_START = re.compile(rb"""<(?:[\w.\-]+:)?c\s+r\s*=\s*["']""")
_SST = re.compile(rb"<(?:[\w.\-]+:)?sst")
_TAG_REST = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*+>""")  # to the tag's closing '>', quotes respected


class _Fallback(Exception):
    """The sheet is not in the shape the fast scan relies on: scan it tag by tag."""


class _SheetProblem(Exception):
    def __init__(self, problem: UnreadableFile) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class _Scan:
    """What one pass over a sheet found. Extents are 1-based; ``filled_*`` only from the exact pass."""

    exact: bool = False
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    row_ref: str = ""  # a cell on the last row
    col_ref: str = ""  # a cell in the last column
    filled: int = 0
    filled_row: int = 0
    filled_col: int = 0
    filled_row_ref: str = ""
    filled_col_ref: str = ""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: list[tuple[int, int]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _SheetDecl:
    name: str
    state: SheetState
    kind: SheetKind
    path: str


# ----------------------------------------------------------------------------------------------- workbook


def scan_workbook(path: Path, limits: ReadLimits) -> WorkbookInfo:
    kind = sniff_file(path, limits)
    if kind != "xlsx":
        what = "CSV 文本" if kind == "csv" else "Parquet 数据文件"
        raise UnreadableFile("file-not-workbook", f"文件实际是{what}，不是 Excel 工作簿")
    budget = Budget(limits)
    with path.open("rb") as fh:
        container = ZipContainer(path, fh, limits)
        reader = _PartReader(container, budget)
        rels_part = _required(container, "xl/_rels/workbook.xml.rels")
        workbook_part = _required(container, "xl/workbook.xml")
        rels = _parse_relationships(reader.read_xml(rels_part))
        date1904, decls = _parse_workbook(reader.read_xml(workbook_part), rels, limits)
        unique = _check_shared_strings(container, reader, limits, decls)
        styles = container.find("xl/styles.xml")
        if styles is not None:
            _check_prolog(reader, styles)
        sheets = tuple(_scan_sheet(container, reader, decl, limits) for decl in decls)
        for part in container.parts.values():  # the real size of every other entry, too
            reader.verify(part)
    return WorkbookInfo(
        path=path,
        date1904=date1904,
        sheets=sheets,
        unpacked_bytes=budget.unpacked,
        shared_strings=unique,
        scan_seconds=budget.elapsed,
        limits=limits,
    )


def _required(container: ZipContainer, name: str) -> ZipPart:
    part = container.find(name)
    if part is None:
        raise UnreadableFile("file-corrupt", f"文件不是完整的 Excel 工作簿：缺少 {name}；请用 Excel 重新保存")
    return part


class _PartReader:
    """Streams parts through one budget, counting each entry's unpacked bytes once however often (and however
    far) it is read: a sheet may be scanned twice, and a prolog check reads only a part's first chunk."""

    def __init__(self, container: ZipContainer, budget: Budget) -> None:
        self.container = container
        self.budget = budget
        self.counted: dict[str, int] = {}
        self.verified: set[str] = set()

    def stream(self, part: ZipPart, chunk: int = 4 * MB) -> Iterator[bytes]:
        yield from self.container.stream(part, _PartBudget(self, part.name), chunk)
        self.verified.add(part.name)  # inflated to the end: its real size is the declared one

    def read_xml(self, part: ZipPart) -> bytes:
        limit = self.budget.limits.max_xml_part_bytes
        if part.size > limit:
            raise UnreadableFile(
                "file-too-large",
                f"{part.name} 解压后为 {part.size / MB:,.1f} MB，超过 {limit // MB} MB 的上限",
            )
        return b"".join(self.stream(part))

    def verify(self, part: ZipPart) -> None:
        if part.name not in self.verified:
            for _ in self.stream(part):
                pass


class _PartBudget(Budget):
    """One read of one entry: spends on the shared budget only bytes beyond what earlier reads counted."""

    def __init__(self, reader: _PartReader, name: str) -> None:  # shares the inspection's clock
        self.limits = reader.budget.limits
        self.started = reader.budget.started
        self.deadline = reader.budget.deadline
        self.unpacked = 0
        self.reader = reader
        self.name = name

    def spend(self, n: int) -> None:
        self.unpacked += n
        extra = self.unpacked - self.reader.counted.get(self.name, 0)
        if extra > 0:
            self.reader.counted[self.name] = self.unpacked
            self.reader.budget.spend(extra)
        else:
            self.check_time()


def _parse_xml(data: bytes, part: str) -> Any:
    import xml.etree.ElementTree as ElementTree

    import defusedxml
    import defusedxml.ElementTree as SafeTree

    try:
        return SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise UnreadableFile(
            "file-corrupt",
            f"{part} 含有 XML 实体或 DTD 声明（Excel 不会生成这种内容），疑似恶意构造的“实体炸弹”文件，已拒绝读取",
        ) from None
    except ElementTree.ParseError as exc:
        raise UnreadableFile("file-corrupt", f"文件已损坏：{part} 不是有效的 XML（{exc}）") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_relationships(data: bytes) -> dict[str, str]:
    root = _parse_xml(data, "xl/_rels/workbook.xml.rels")
    return {
        el.get("Id", ""): el.get("Target", "")
        for el in root.iter()
        if isinstance(el.tag, str) and _local(el.tag) == "Relationship"
    }


def _parse_workbook(data: bytes, rels: dict[str, str], limits: ReadLimits) -> tuple[bool, list[_SheetDecl]]:
    root = _parse_xml(data, "xl/workbook.xml")
    date1904 = False
    decls: list[_SheetDecl] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = _local(el.tag)
        if tag == "workbookPr":
            date1904 = el.get("date1904", "").strip().lower() in ("1", "true")
        elif tag == "sheet":
            decls.append(_sheet_decl(el, rels))
    if not decls:
        raise UnreadableFile("file-corrupt", "文件不是完整的 Excel 工作簿：xl/workbook.xml 中没有任何工作表")
    if len(decls) > limits.max_sheets:
        raise UnreadableFile(
            "file-too-large", f"工作簿有 {len(decls):,} 个工作表，超过 {limits.max_sheets:,} 的上限"
        )
    seen: set[str] = set()
    for decl in decls:
        if decl.name in seen:
            raise UnreadableFile("file-corrupt", f"文件结构异常：有两个名为“{decl.name}”的工作表")
        seen.add(decl.name)
    return date1904, decls


def _sheet_decl(el: Any, rels: dict[str, str]) -> _SheetDecl:
    name = el.get("name", "")
    state = el.get("state", "visible")
    if state not in ("visible", "hidden", "veryHidden"):
        raise UnreadableFile("file-corrupt", f"文件结构异常：工作表“{name}”的显示状态“{state}”无法识别")
    rid = el.get(f"{{{_REL_NS}}}id")
    if rid is None:  # another prefix binding (e.g. strict OOXML): any namespaced "id"
        rid = next((v for k, v in el.attrib.items() if k.startswith("{") and _local(k) == "id"), None)
    target = rels.get(rid or "")
    if target is None:
        raise UnreadableFile(
            "file-corrupt", f"文件结构异常：找不到工作表“{name}”对应的数据（关系 {rid} 缺失）"
        )
    # calamine's rule: "/xl/…" and "xl/…" are package paths, anything else is relative to xl/
    path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
    folder = path.split("/")[1] if path.count("/") >= 2 else ""
    kind = _SHEET_KINDS.get(folder)
    if kind is None:
        raise UnreadableFile(
            "file-unsupported",
            f"工作表“{name}”的类型无法识别（{path}，可能是 Excel 4.0 宏表），本工具无法读取此工作簿；"
            "请删除该表或另存为普通 .xlsx",
        )
    return _SheetDecl(name, cast(SheetState, state), kind, path)


# ----------------------------------------------------------------------------------------- shared strings


def _check_prolog(reader: _PartReader, part: ZipPart) -> bytes:
    """The part's first bytes; rejects a DTD (entity declarations) before the root element."""
    head = next(iter(reader.stream(part, chunk=256 * 1024)), b"")
    first = _FIRST_ELEMENT.search(head)
    prolog = head[: first.start()] if first else head
    if has_dtd(prolog) or (first is None and len(head) >= 256 * 1024):
        raise UnreadableFile(
            "file-corrupt",
            f"{part.name} 含有 XML 实体或 DTD 声明（Excel 不会生成这种内容），疑似恶意构造的“实体炸弹”文件，已拒绝读取",
        )
    return head


def _check_shared_strings(
    container: ZipContainer, reader: _PartReader, limits: ReadLimits, decls: list[_SheetDecl]
) -> int:
    """The declared uniqueCount (calamine reserves that many strings up front) and count, bounded by the
    limit and by what the part and the sheets could really hold; every <sst> start tag is checked."""
    part = container.find("xl/sharedStrings.xml")
    if part is None:
        return 0
    _check_prolog(reader, part)
    sheet_bytes = sum(p.size for d in decls if (p := container.find(d.path)) is not None)
    unique_cap = min(limits.max_shared_strings, part.size // 5 + 1)
    count_cap = sheet_bytes // 16 + 1  # a cell referring to a shared string takes ≥ 21 bytes of sheet XML
    unique = 0
    carry = b""
    for data in reader.stream(part):
        buf = carry + data
        pending = -1
        for start, name_end in _sst_tags(buf):
            rest = _TAG_REST.match(buf, name_end)
            if rest is None:
                pending = start  # the tag goes on in the next chunk
                break
            for key, v1, v2 in _ATTR.findall(rest.group(0)):
                if key not in (b"uniqueCount", b"count"):
                    continue
                claimed = max((int(d) for d in re.findall(rb"\d{1,20}", v1 or v2)), default=0)
                cap = unique_cap if key == b"uniqueCount" else count_cap
                if claimed > cap:
                    if key == b"uniqueCount":
                        why = f"但这部分只有 {_size(part.size)}，最多容纳 {cap:,} 个"
                    else:
                        why = f"但所有工作表合计只有 {_size(sheet_bytes)}，最多引用 {cap:,} 次"
                    raise UnreadableFile(
                        "file-too-large",
                        f"共享字符串表（xl/sharedStrings.xml）声称有 {claimed:,} 个字符串（{key.decode()}），"
                        f"{why}；解析程序会按声称的数量预先分配内存，疑似恶意构造的文件",
                    )
                if key == b"uniqueCount":
                    unique = max(unique, claimed)
        cut = pending if pending >= 0 else buf.rfind(b"<")
        carry = buf[cut:] if cut >= 0 else b""
        if len(carry) > limits.max_token_bytes:
            raise UnreadableFile(
                "file-too-large",
                f"共享字符串表中有一段超过 {limits.max_token_bytes // MB} MB 的 XML 内容，超过上限；疑似恶意构造的文件",
            )
    return unique


def _sst_tags(buf: bytes) -> Iterator[tuple[int, int]]:
    """(start, end of name) of each <sst> or <prefix:sst> start tag; "sst" is rare, so find() it."""
    i = buf.find(b"sst")
    while i >= 0:
        end = i + 3
        if end < len(buf) and buf[end] in b" \t\r\n/>":
            if i >= 1 and buf[i - 1] == 60:  # '<'
                yield i - 1, end
            elif i >= 1 and buf[i - 1] == 58:  # ':' — a prefix back to the '<'
                lt = buf.rfind(b"<", max(0, i - 256), i)
                if lt >= 0 and _SST.fullmatch(buf, lt, end):
                    yield lt, end
        i = buf.find(b"sst", i + 1)


def _size(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n / 1024:,.1f} KB" if n >= 1024 else f"{n} 字节"


# ------------------------------------------------------------------------------------------------ sheets


def _scan_sheet(
    container: ZipContainer, reader: _PartReader, decl: _SheetDecl, limits: ReadLimits
) -> SheetInfo:
    part = container.find(decl.path)
    base: dict[str, Any] = {"name": decl.name, "state": decl.state, "kind": decl.kind, "part": decl.path}
    if part is None:
        problem = UnreadableFile(
            "file-corrupt", f"工作表“{decl.name}”的数据（{decl.path}）在文件中缺失", sheet=decl.name
        )
        return SheetInfo(**base, problem=problem)
    base["part"] = part.name
    base["xml_bytes"] = part.size
    try:
        try:
            scan = _FastScan(decl.name, limits).run(reader, part)
        except _Fallback:
            scan = _ExactScan(decl.name, limits).run(reader, part)
        if _over_limits(scan, limits) and not scan.exact:
            scan = _ExactScan(decl.name, limits).run(reader, part)
        _check_limits(decl.name, scan, limits)
    except _SheetProblem as exc:
        return SheetInfo(**base, problem=exc.problem)
    return SheetInfo(
        **base,
        max_row=scan.max_row,
        max_column=scan.max_col,
        cell_count=scan.cells,
        error_cells=scan.errors,
        formula_cells=tuple(scan.formulas),
        merged_ranges=tuple(scan.merged),
    )


def _extent(scan: _Scan) -> tuple[int, int, int, str, str]:
    """(rows, columns, filled cells, cell on the last row, cell in the last column) that the parser will
    allocate: filled cells from the exact pass, every <c> element (an upper bound) from the fast one."""
    if scan.exact:
        return scan.filled_row, scan.filled_col, scan.filled, scan.filled_row_ref, scan.filled_col_ref
    return scan.max_row, scan.max_col, scan.cells, scan.row_ref, scan.col_ref


def _over_limits(scan: _Scan, limits: ReadLimits) -> bool:
    rows, cols, filled, _, _ = _extent(scan)
    area = rows * cols
    return (
        rows > limits.max_rows
        or cols > limits.max_columns
        or area > limits.max_cells
        or (area > limits.sparse_floor_cells and filled < area * limits.min_density)
        or len(scan.errors) + len(scan.formulas) > limits.max_flagged_cells
    )


def _check_limits(name: str, scan: _Scan, limits: ReadLimits) -> None:
    rows, cols, filled, row_ref, col_ref = _extent(scan)
    area = rows * cols
    bound = f"{limits.max_rows} 行 × {limits.max_columns} 列"
    if rows > limits.max_rows:
        _sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”在 {row_ref} 有单元格，范围超过 {bound}的安全上限",
            name,
            row_ref,
        )
    if cols > limits.max_columns:
        _sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”在 {col_ref} 有单元格，范围超过 {bound}的安全上限",
            name,
            col_ref,
        )
    far = row_ref if rows >= cols else col_ref
    if area > limits.max_cells:
        _sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”的使用范围达 {rows:,} 行 × {cols:,} 列（{area:,} 个单元格），"
            f"超过 {limits.max_cells:,} 个单元格的安全上限；最远的单元格在 {far}",
            name,
            far,
        )
    if area > limits.sparse_floor_cells and filled < area * limits.min_density:
        _sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”在 {far} 有单元格，使范围达到 {rows:,} 行 × {cols:,} 列，但全表只有 {filled:,} "
            "个单元格有内容，疑似误操作；请删除多余的单元格后重新提交",
            name,
            far,
        )
    if len(scan.errors) + len(scan.formulas) > limits.max_flagged_cells:
        formulas = len(scan.formulas) >= len(scan.errors)
        where = scan.formulas[:3] if formulas else list(scan.errors)[:3]
        cells = [cell_ref(r + 1, c + 1) for r, c in where]
        what = "个公式没有计算结果" if formulas else "个单元格是错误值"
        _sheet_problem(
            "value-formula" if formulas else "value-error-cell",
            f"工作表“{name}”有 {max(len(scan.formulas), len(scan.errors)):,} {what}（如 {'、'.join(cells)}），"
            f"超过逐个报告的上限 {limits.max_flagged_cells:,}；请用 Excel 打开、重新计算并保存后再提交",
            name,
            cells[0],
        )


def _sheet_problem(code: str, message: str, sheet: str, cell: str = "") -> None:
    raise _SheetProblem(UnreadableFile(code, message, sheet=sheet, cell=cell))


def _prefetch(chunks: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
    """Inflate the next chunks in a thread (zlib releases the GIL) while this one is scanned."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in chunks:
                while not stop.is_set():
                    try:
                        q.put(("data", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            q.put(("error", exc))

    worker = threading.Thread(target=produce, name="xlsx-inflate", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "data":
                yield item
            elif kind == "error":
                raise item
            else:
                return
    finally:
        stop.set()
        while worker.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.05)


class _Scanner:
    """Buffers a part's chunks so that no tag is split, and bounds the length of any one XML token."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        self.sheet = sheet
        self.limits = limits
        # 1 MB keeps a buffer and the scan's temporaries in cache: the passes are bound by memory bandwidth.
        self.chunk = max(64 * 1024, min(MB, limits.max_token_bytes // 3))
        self.window = self.chunk // 4  # a cut at a cell start keeps at most this much for the next buffer
        self.scan = _Scan()

    def run(self, reader: _PartReader, part: ZipPart) -> _Scan:
        chunks = reader.stream(part, self.chunk)
        if part.size > 4 * self.chunk:
            chunks = _prefetch(chunks)
        try:
            self._consume(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # stops the inflating thread before anyone else reads the file
        return self.scan

    def _consume(self, chunks: Iterator[bytes]) -> None:
        carry = b""
        open_token = False  # the carry is one unfinished token (from its '<' on)
        first = True
        for data in itertools.chain(chunks, [b""]):
            final = not data
            buf = b"".join((carry, data, _PAD))  # the padding lets the fast scan read past a tag start
            n = len(buf) - len(_PAD)
            if open_token:
                nxt = buf.find(b"<", 1)
                if nxt > self.limits.max_token_bytes or (nxt < 0 and n > self.limits.max_token_bytes):
                    self._token_too_long(buf)
            if first:
                self._check_prolog(buf, final)
                first = False
            cut = self.feed(buf, n, final)
            self._bounded()
            carry = buf[cut:n]
            open_token = not final and buf.rfind(b"<", 0, n) == cut
            if len(carry) > self.limits.max_token_bytes:
                self._token_too_long(carry)

    def feed(self, buf: bytes, n: int, final: bool) -> int:
        raise NotImplementedError

    def _bounded(self) -> None:
        """Flags and merged ranges are kept per cell: past the limit the sheet is refused at once, before
        a hostile sheet of a million formulas fills memory with them."""
        s, limit = self.scan, self.limits.max_flagged_cells
        if len(s.errors) + len(s.formulas) > limit:
            _check_limits(self.sheet, s, self.limits)
        if len(s.merged) > limit:
            _sheet_problem(
                "sheet-too-large",
                f"工作表“{self.sheet}”有超过 {limit:,} 个合并单元格区域，超过上限；疑似异常或恶意构造的文件",
                self.sheet,
            )

    def _check_prolog(self, buf: bytes, final: bool) -> None:
        first = _FIRST_ELEMENT.search(buf)
        if first is None and not final and len(buf) < 64 * 1024:
            return  # too short to tell yet (tiny chunks only)
        if first is None or has_dtd(buf[: first.start()]):
            _sheet_problem(
                "file-corrupt",
                f"工作表“{self.sheet}”的 XML 含有实体或 DTD 声明（Excel 不会生成这种内容），疑似恶意构造的文件",
                self.sheet,
            )

    def _token_too_long(self, token: bytes) -> None:
        tag = _CELL_START.match(token)
        ref = _REF.match(token, tag.end(), tag.end() + 14) if tag else None
        cell = ref.group(0).decode("ascii", "replace") if ref else ""
        where = f"单元格 {cell} 处" if cell else ""
        _sheet_problem(
            "file-too-large",
            f"工作表“{self.sheet}”{where}有一段超过 {self.limits.max_token_bytes // MB} MB 的 XML 内容"
            "（单个标记、属性或文本），超过上限；疑似恶意构造的文件",
            self.sheet,
            cell,
        )

    def _cell(self, row: int, col: int, filled: bool) -> None:
        """Count one cell at 0-based (row, col), exact pass."""
        s = self.scan
        s.cells += 1
        if row + 1 > s.max_row:
            s.max_row, s.row_ref = row + 1, cell_ref(row + 1, col + 1)
        if col + 1 > s.max_col:
            s.max_col, s.col_ref = col + 1, cell_ref(row + 1, col + 1)
        if filled:
            s.filled += 1
            if row + 1 > s.filled_row:
                s.filled_row, s.filled_row_ref = row + 1, cell_ref(row + 1, col + 1)
            if col + 1 > s.filled_col:
                s.filled_col, s.filled_col_ref = col + 1, cell_ref(row + 1, col + 1)

    def _merged(self, buf: bytes, cut: int) -> None:
        if buf.find(b"<mergeCell", 0, cut) >= 0 or buf.find(b":mergeCell", 0, cut) >= 0:
            self.scan.merged += [m.group(1).decode("ascii", "replace") for m in _MERGE.finditer(buf, 0, cut)]


def _positions(arr: np.ndarray[Any, Any], code: int, n: int, *, ordered: bool = True) -> np.ndarray[Any, Any]:
    """Positions p < n where the two bytes at p spell ``code`` (little-endian uint16), sorted if asked.
    Comparing is cheap and listing positions is not, so a pair that does not occur costs one pass."""
    hits = []
    for offset in (0, 1):
        found = arr[offset : offset + (len(arr) - offset) // 2 * 2].view("<u2") == code
        if found.any():
            hits.append(np.flatnonzero(found) * 2 + offset)
    if not hits:
        return np.empty(0, dtype=np.intp)
    both = hits[0] if len(hits) == 1 else np.concatenate(hits)
    if ordered:
        both.sort(kind="stable")
    return both[both < n]


def _words_at(buf: bytes, at: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The 8 bytes at each offset, little-endian, from two aligned words (a gather from an unaligned view
    is several times slower). ``buf`` is padded well past every offset."""
    aligned = np.frombuffer(buf, dtype="<u8", count=len(buf) // 8)
    index = at >> 3
    shift = ((at & 7) * 8).astype(np.uint64)
    # (64 - shift) would be a shift by 64 when aligned; two steps keep it defined
    return cast(
        "np.ndarray[Any, Any]",
        (aligned[index] >> shift) | (aligned[index + 1] << (np.uint64(63) - shift) << np.uint64(1)),
    )


def _count(arr: np.ndarray[Any, Any], code: int, width: int, n: int) -> int:
    """How many p < n start the ``width``-byte little-endian ``code`` (2 or 4 bytes; arr is padded)."""
    dtype = "<u2" if width == 2 else "<u4"
    total = 0
    for offset in range(width):
        words = (n - offset + width - 1) // width
        if words > 0:
            total += int(np.count_nonzero(arr[offset : offset + words * width].view(dtype) == code))
    return total


def _tag_starts(arr: np.ndarray[Any, Any], tag: bytes, n: int) -> np.ndarray[Any, Any]:
    """Sorted positions p < n where ``tag`` (two bytes or more) begins."""
    found = _positions(arr, int.from_bytes(tag[:2], "little"), n)
    for k in range(2, len(tag)):
        found = found[arr[found + k] == tag[k]]
    return found


class _FastScan(_Scanner):
    """Vectorised scan of a sheet whose every cell tag starts ``<c r="…"`` — or ``<x:c r="…"`` when the root
    element carries the prefix x:, as the OpenXML SDK writes — so that r is the first attribute."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        super().__init__(sheet, limits)
        self.row_digits = len(str(limits.max_rows))
        self.prefix = b""  # of the root element, decided on the first buffer
        self.cell_tag = b"<c"

    def _check_prolog(self, buf: bytes, final: bool) -> None:
        super()._check_prolog(buf, final)
        root = _ROOT.search(buf)
        self.prefix = root.group(1) if root and root.group(1) else b""
        self.cell_tag = b"<" + self.prefix + b"c"

    def feed(self, buf: bytes, n: int, final: bool) -> int:
        arr = np.frombuffer(buf, dtype=np.uint8)  # buf is padded past n
        size = len(self.cell_tag)
        cpos = _tag_starts(arr, self.cell_tag, n)
        # A tag start in the last 24 bytes may be cut short: it goes to the next buffer unexamined.
        whole = cpos[cpos < (n if final else n - 24)]
        if self.prefix and _positions(arr, _LT_C, n if final else n - 24).size:
            raise _Fallback  # an unprefixed <c in a prefixed sheet
        is_cell = np.ones(len(whole), dtype=bool)
        for k, byte in enumerate(b' r="'):
            is_cell &= arr[whole + size + k] == byte
        cells = whole[is_cell]
        if len(cells) < len(whole) and _NAME_END[arr[whole[~is_cell] + size]].any():
            raise _Fallback  # a cell tag whose first attribute is not r="…", or none at all
        if final:
            cut = n
        elif len(cells) and n - int(cells[-1]) <= self.window:
            cut = int(cells[-1])
        else:
            cut = max(buf.rfind(b"<", 0, n), 0)
        if len(whole) < len(cpos):
            cut = min(cut, int(cpos[len(whole)]))
        self._no_other_prefix(arr, cut)
        done = cells[cells < cut]
        self._one_r_each(arr, buf, len(done), cut)
        if len(done):
            refs = done + size + 4
            self._refs(arr, buf, refs)
            self._formulas(arr, buf, done, refs, cut)
            self._errors(buf, done, refs, cut)
        tail = int(done[-1]) if len(done) else 0  # merged ranges follow the last cell
        self._merged(buf[tail:cut], cut - tail)
        return cut

    def _no_other_prefix(self, arr: np.ndarray[Any, Any], cut: int) -> None:
        """A cell element under any other prefix (calamine reads local names) sends the sheet to the exact
        scan; under the sheet's own prefix it is one of ours (a start or an end tag)."""
        colons = _positions(arr, _COLON_C, cut, ordered=False)
        colons = colons[_NAME_END[arr[colons + 2]]]
        if not len(colons):
            return
        if not self.prefix:
            raise _Fallback
        name = self.prefix[:-1]
        before = arr[colons - len(name) - 1]
        ours = (before == 60) | (before == 47)  # '<' or '/'
        for k, byte in enumerate(name):
            ours &= arr[colons - len(name) + k] == byte
        if not ours.all():
            raise _Fallback

    def _one_r_each(self, arr: np.ndarray[Any, Any], buf: bytes, n_cells: int, cut: int) -> None:
        """No cell may carry a second attribute named r: calamine takes the last one, and the fast scan
        reads the first. A key r follows whitespace or a value's closing quote, then '=' (spaces allowed).

        Every ' r' must be a cell's own (exactly one each, ' r="') or a row's ('w r="': a key after a
        single space follows the tag name or a closing quote; one after an unquoted or missing value is an
        error to calamine's XML reader, never a position). Counting settles it when every ' r' is ' r="';
        otherwise each ' r' followed by '=' or whitespace is looked at."""
        spaced = _count(arr, _SPACE_R, 2, cut)
        quoted = _count(arr, _SPACE_R_EQ_QUOTE, 4, cut)
        if spaced == quoted:
            if quoted - _count(arr, _ROW_R_EQ, 4, cut - 1) != n_cells:
                raise _Fallback
        else:
            keyed = _positions(arr, _SPACE_R, cut, ordered=False)
            keyed = keyed[_KEY_END[arr[keyed + 2]]]
            if len(keyed) - int(np.count_nonzero(arr[keyed - 1] == 119)) != n_cells:  # 'w'
                raise _Fallback
        for code, byte in _OTHER_R:
            if byte is None or buf.find(byte, 0, cut) >= 0:
                odd = _positions(arr, code, cut, ordered=False)
                if _KEY_END[arr[odd + 2]].any():
                    raise _Fallback

    def _refs(self, arr: np.ndarray[Any, Any], joined: bytes, start: np.ndarray[Any, Any]) -> None:
        """Extents from the cells' r values (``start``: where each begins). Only the candidates for the last
        row and column are parsed exactly: a reference calamine cannot parse makes it fail, never allocate."""
        word = _words_at(joined, start)  # the first 8 bytes of each reference
        head = word.view(np.uint8).reshape(-1, 8)
        quotes = (head == 34).view(np.uint64).ravel()  # one byte per position: 1 where '"'
        first = quotes & (~quotes + np.uint64(1))  # its lowest set bit marks the closing quote
        ends = (np.frexp(first.astype(np.float64))[1] - 1) // 8  # -1: not within 8 bytes
        long = np.flatnonzero(ends < 0)
        if len(long):  # rows from 1,000,000, or wide sheets: look 11 bytes ahead
            ends[long] = (sliding_window_view(arr, 11)[start[long]] == 34).argmax(axis=1)
        second, third = _is_letter(head[:, 1]), _is_letter(head[:, 2])
        two = second & third
        if (ends < 2).any() or not _is_letter(head[:, 0]).all() or (two & _is_letter(head[:, 3])).any():
            raise _Fallback  # a long or odd reference, or one of more than three letters
        letters = 1 + second.view(np.int8) + two.view(np.int8)
        digits = ends - letters
        lead_zero = np.where(second, np.where(two, head[:, 3], head[:, 2]), head[:, 1]) == 48
        if (digits < 1).any() or digits.max() > self.row_digits or lead_zero.any():
            raise _Fallback  # no row number, a long one, or a leading zero: the exact pass judges
        self.scan.cells += len(start)
        # The last row and column: compare references as big-endian byte strings, longest first (no leading
        # zeros, so that is numeric order); the one winner of each is then parsed exactly.
        big = word.byteswap()  # the reference's first byte is now the most significant
        shift_letters = (letters * 8).astype(np.uint64)
        number = (big << shift_letters) >> ((8 - digits) * 8).astype(np.uint64)
        if len(long):  # digits beyond the first 8 bytes: read them from where they start
            later = _words_at(joined, start[long] + letters[long])
            number[long] = later.byteswap() >> ((8 - digits[long]) * 8).astype(np.uint64)
        top = int(((digits.astype(np.uint64) << np.uint64(56)) | number).argmax())
        self._far_cell(joined, int(start[top]), int(ends[top]))
        column = (big >> (np.uint64(64) - shift_letters)) & np.uint64(0xDFDFDF)
        top = int(((letters.astype(np.uint64) << np.uint64(56)) | column).argmax())
        self._far_cell(joined, int(start[top]), int(ends[top]))

    def _far_cell(self, joined: bytes, start: int, length: int) -> None:
        ref = joined[start : start + length]
        try:
            row, col = _ref_position(ref)
        except ValueError:
            raise _Fallback from None  # a malformed reference: the exact pass names it
        s = self.scan
        if row + 1 > s.max_row:
            s.max_row, s.row_ref = row + 1, ref.decode("ascii").upper()
        if col + 1 > s.max_col:
            s.max_col, s.col_ref = col + 1, ref.decode("ascii").upper()

    def _formulas(
        self,
        arr: np.ndarray[Any, Any],
        joined: bytes,
        cells: np.ndarray[Any, Any],
        refs: np.ndarray[Any, Any],
        cut: int,
    ) -> None:
        """Cells with an <f> but no <v> holding text before the next cell starts."""
        f_tag, v_tag = b"<" + self.prefix + b"f", b"<" + self.prefix + b"v"
        fpos = _tag_starts(arr, f_tag, cut)
        if not len(fpos):
            return
        fpos = fpos[_NAME_END[arr[fpos + len(f_tag)]]]
        owner = np.searchsorted(cells, fpos, side="right") - 1
        fpos, owner = fpos[owner >= 0], owner[owner >= 0]
        if not len(fpos):
            return
        vpos = _tag_starts(arr, v_tag, cut)
        vpos = vpos[(arr[vpos + len(v_tag)] == 62) & (arr[vpos + len(v_tag) + 1] != 60)]  # <v>text
        nxt = np.where(owner + 1 < len(cells), cells[np.minimum(owner + 1, len(cells) - 1)], cut)
        if len(vpos):
            j = np.minimum(np.searchsorted(vpos, fpos), len(vpos) - 1)
            has_v = (vpos[j] > fpos) & (vpos[j] < nxt)
        else:
            has_v = np.zeros(len(fpos), dtype=bool)
        for i in np.unique(owner[~has_v]):
            if _T_STR.search(joined[int(cells[i]) : joined.find(b">", int(cells[i]))]):
                continue  # t="str" with an empty <v>: the formula's result is the empty string
            start = int(refs[i])
            self.scan.formulas.append(_ref_position(joined[start : joined.find(b'"', start)]))

    def _errors(
        self, joined: bytes, cells: np.ndarray[Any, Any], refs: np.ndarray[Any, Any], cut: int
    ) -> None:
        """Error values (t="e"): always "<v>#…"; '#' is rare enough to look at each one."""
        v_open = b"<" + self.prefix + b"v>"
        i = joined.find(b"#", 0, cut)
        while i >= 0:
            if joined[i - len(v_open) : i] == v_open:
                owner = int(np.searchsorted(cells, i, side="right")) - 1
                if owner >= 0:
                    start = int(cells[owner])
                    if _T_E.search(joined[start : joined.find(b">", start)]):
                        ref = joined[int(refs[owner]) : joined.find(b'"', int(refs[owner]))]
                        value = joined[i : joined.find(b"<", i)].decode("utf-8", "replace")
                        self.scan.errors[_ref_position(ref)] = value
            i = joined.find(b"#", i + 1, cut)


def _is_letter(column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """a-z in either case (calamine accepts both), on a column of bytes."""
    return cast("np.ndarray[Any, Any]", ((column | 32) - 97) < 26)


def _ref_position(ref: bytes) -> tuple[int, int]:
    """A1 reference → 0-based (row, col), as calamine reads it (letters of either case)."""
    m = _REF.fullmatch(ref)
    if not m or not m.group(1) or not m.group(2) or int(m.group(2)) == 0:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    return int(m.group(2)) - 1, col - 1


class _ExactScan(_Scanner):
    """Tag by tag, positioning cells as calamine does: by ``r`` when present, else by counting (the row's
    ``r`` or the rows so far; the cells so far in the row). Requires a well-nested sheet: a row or cell
    inside a cell, or a cell closed inside its own value, is refused rather than guessed."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        super().__init__(sheet, limits)
        self.scan.exact = True
        self.row = 0  # calamine's running row index (0-based)
        self.col = 0
        self.cell: tuple[int, int] | None = None  # the open cell
        self.cell_type = b""
        self.has_value = self.has_text = self.has_formula = self.inline = False
        self.in_value = b""  # b"v" or b"is" while inside one

    def feed(self, buf: bytes, n: int, final: bool) -> int:
        limit = n
        if buf.find(b"<!", 0, n) >= 0 or buf.find(b"<?", 0, n) >= 0:
            buf, limit = self._blank_specials(buf, n, final)
        cut = limit if final else max(buf.rfind(b"<", 0, limit), 0)
        matched = 0
        for m in _TAG.finditer(buf, 0, cut):
            matched += 1
            self._tag(buf, m)
        if matched != len(_TAG_START.findall(buf, 0, cut)):
            self._malformed("有无法解析的行或单元格标记")
        return cut

    def _blank_specials(self, buf: bytes, n: int, final: bool) -> tuple[bytes, int]:
        """Comments, CDATA and processing instructions become spaces (calamine ignores them); an unfinished
        one ends this buffer; a DOCTYPE or other declaration inside the sheet is refused."""
        out = bytearray(buf)
        for m in _SPECIAL.finditer(buf, 0, n):
            if out[m.start()] == 32:
                continue  # inside an earlier special
            opener = m.group(0)
            if opener == b"<!":
                if not buf.startswith((b"<!--", b"<![CDATA["), m.start()):
                    self._malformed("含有 DTD 或其他声明")
                continue
            end = buf.find(_SPECIAL_END[opener], m.end(), n)
            if end < 0:
                if final:
                    self._malformed("有未结束的注释或 CDATA")
                return bytes(out), m.start()
            end += len(_SPECIAL_END[opener])
            out[m.start() : end] = b" " * (end - m.start())
        return bytes(out), n

    def _malformed(self, what: str) -> None:
        _sheet_problem(
            "file-corrupt",
            f"工作表“{self.sheet}”的 XML 结构异常（{what}），无法安全读取；请用 Excel 重新保存",
            self.sheet,
        )

    def _tag(self, buf: bytes, m: re.Match[bytes]) -> None:
        end, name, attrs = m.group(1), m.group(2), m.group(3)
        closed = attrs.endswith(b"/")
        if name == b"mergeCell":
            if not end:
                ref = _attr(attrs, b"ref")
                if ref:
                    self.scan.merged.append(ref.decode("ascii", "replace"))
            return
        if self.cell is not None:
            self._inside_cell(buf, m, end, name, closed)
            return
        if name == b"row":
            if not end:
                r = _attr(attrs, b"r")
                if r is not None:
                    self.row = self._position(r, row_only=True)[0]
            if end or closed:
                self.row += 1
                self.col = 0
        elif name == b"c" and not end:
            r = _attr(attrs, b"r")
            if r is not None:
                row, self.col = self._position(r)
            else:
                row = self.row
            self.cell = (row, self.col)
            self.cell_type = _attr(attrs, b"t") or b""
            self.has_value = self.has_text = self.has_formula = False
            self.inline = False
            if closed:
                self._close_cell()

    def _inside_cell(self, buf: bytes, m: re.Match[bytes], end: bytes, name: bytes, closed: bool) -> None:
        if name == b"c" and end:
            if self.in_value:
                self._malformed("单元格在其值内部结束")
            self._close_cell()
        elif name in (b"c", b"row"):
            self._malformed("单元格内嵌套了行或单元格")
        elif name in (b"v", b"is"):
            if end:
                if self.in_value != name:
                    self._malformed("值标记不配对")
                self.in_value = b""
            elif self.in_value:
                self._malformed("值标记嵌套")
            else:
                self.has_value = True
                self.inline = self.inline or name == b"is"
                if not closed:
                    self.in_value = name
                    text_end = buf.find(b"<", m.end())
                    text = (buf[m.end() : text_end] if text_end >= 0 else b"") if name == b"v" else b"x"
                    if text:
                        self.has_text = True
                        if name == b"v" and self.cell_type == b"e" and self.cell is not None:
                            self.scan.errors[self.cell] = text.decode("utf-8", "replace")
        elif name == b"f" and not end:
            self.has_formula = True

    def _close_cell(self) -> None:
        assert self.cell is not None
        row, col = self.cell
        self._cell(row, col, self.has_value)
        empty_text = self.cell_type == b"str" and self.has_value  # a formula whose result is ""
        if self.has_formula and not self.has_text and not self.inline and not empty_text:
            self.scan.formulas.append((row, col))
        self.cell = None
        self.in_value = b""
        self.col = col + 1

    def _position(self, ref: bytes, *, row_only: bool = False) -> tuple[int, int]:
        """calamine's reading of an A1 reference; a reference it would refuse makes the sheet unreadable,
        one beyond Excel's grid is a sheet too large."""
        m = _REF.fullmatch(ref)
        if not m or not m.group(2) or int(m.group(2)) == 0 or (not row_only and not m.group(1)):
            self._malformed(f"单元格引用“{ref.decode('utf-8', 'replace')[:20]}”无效")
            raise AssertionError  # unreachable: _malformed raises
        letters, digits = m.group(1), m.group(2)
        if len(digits) > 7 or len(letters) > 3:
            shown = ref.decode("ascii", "replace")[:20]
            where = f"第 {int(digits):,} 行" if row_only else f"在 {shown} "
            _sheet_problem(
                "sheet-too-large",
                f"工作表“{self.sheet}”{where}有单元格，超出 Excel 的表格范围，"
                f"也超过 {self.limits.max_rows} 行 × {self.limits.max_columns} 列的安全上限",
                self.sheet,
                "" if row_only else shown,
            )
        if row_only:
            return int(digits) - 1, 0
        return _ref_position(ref)


def _attr(attrs: bytes, key: bytes) -> bytes | None:
    """An attribute's raw value by exact name (as calamine matches keys), or None. A repeated attribute is
    an error to calamine's XML reader; answer with the largest reading so the scan errs on the safe side."""
    values: list[bytes] = [v1 or v2 for k, v1, v2 in _ATTR.findall(attrs) if k == key]
    if len(values) > 1 and key in (b"r", b"ref"):
        return max(values, key=lambda v: (len(v), v.upper()))
    return values[0] if values else None
