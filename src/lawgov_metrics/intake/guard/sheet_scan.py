"""What the sheet scans share, and the exact scan: the record of one pass, the limits it is held to, the
buffering that never splits a tag, and the tag-by-tag pass that positions cells exactly as calamine does.

The vectorised passes are in :mod:`lawgov_metrics.intake.guard.sheet_fast`; a sheet they cannot vouch for comes
here (:class:`ExactScan`), and so does any sheet whose fast extent breaks a limit, to find whether its far
cells hold values and to name them.
"""

from __future__ import annotations

import itertools
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lawgov_metrics.intake.guard.container import PartReader, ZipPart, has_dtd
from lawgov_metrics.intake.guard.limits import MB, ReadLimits, UnreadableFile
from lawgov_metrics.issues import cell_ref

PAD = b" " * 48  # the fast scans read a few bytes past a tag start; never past the buffer
FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
REF = re.compile(rb"([A-Za-z]*)([0-9]*)")
MERGE = re.compile(rb"""<(?:[\w.\-]+:)?mergeCell\s(?:[^>]*?\s)?ref\s*=\s*["']([^"'<>]{1,64})["']""")
_ATTR = re.compile(rb"""([^\s=/"'<>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
# Tokens of the exact scan: the start and end tags calamine acts on, quote-aware, never spanning a '<'.
_TAG = re.compile(
    rb"""<(/?)(?:[A-Za-z_][\w.\-]*:)?(c|row|v|f|is|mergeCell)(?=[\s/>])((?:[^>"'<]|"[^"<]*"|'[^'<]*')*)>"""
)
_TAG_START = re.compile(rb"<(?:/?)(?:[A-Za-z_][\w.\-]*:)?(?:c|row|v|f|is|mergeCell)(?=[\s/>])")
_SPECIAL = re.compile(rb"<!--|<!\[CDATA\[|<\?|<!")
_SPECIAL_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_CELL_START = re.compile(rb"""<(?:[\w.\-]+:)?c\s+r\s*=\s*["']""")


class Fallback(Exception):
    """The sheet is not in the shape the fast scan relies on: scan it tag by tag."""


class NoRefs(Fallback):
    """A cell whose first attribute is not ``r`` (or that has none): positions by counting
    (:mod:`lawgov_metrics.intake.guard.sheet_count`) before the tag-by-tag pass."""


class SheetProblem(Exception):
    def __init__(self, problem: UnreadableFile) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class SheetScan:
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


def extent(scan: SheetScan) -> tuple[int, int, int, str, str]:
    """(rows, columns, filled cells, cell on the last row, cell in the last column) that the parser will
    allocate: filled cells from the exact pass, every <c> element (an upper bound) from the fast one."""
    if scan.exact:
        return scan.filled_row, scan.filled_col, scan.filled, scan.filled_row_ref, scan.filled_col_ref
    return scan.max_row, scan.max_col, scan.cells, scan.row_ref, scan.col_ref


def over_limits(scan: SheetScan, limits: ReadLimits) -> bool:
    rows, cols, filled, _, _ = extent(scan)
    area = rows * cols
    return (
        rows > limits.max_rows
        or cols > limits.max_columns
        or area > limits.max_cells
        or (area > limits.sparse_floor_cells and filled < area * limits.min_density)
        or len(scan.errors) + len(scan.formulas) > limits.max_flagged_cells
    )


def check_limits(name: str, scan: SheetScan, limits: ReadLimits) -> None:
    rows, cols, filled, row_ref, col_ref = extent(scan)
    area = rows * cols
    bound = f"{limits.max_rows} 行 × {limits.max_columns} 列"
    if rows > limits.max_rows:
        sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”在 {row_ref} 有单元格，范围超过 {bound}的安全上限",
            name,
            row_ref,
        )
    if cols > limits.max_columns:
        sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”在 {col_ref} 有单元格，范围超过 {bound}的安全上限",
            name,
            col_ref,
        )
    far = row_ref if rows >= cols else col_ref
    if area > limits.max_cells:
        sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”的使用范围达 {rows:,} 行 × {cols:,} 列（{area:,} 个单元格），"
            f"超过 {limits.max_cells:,} 个单元格的安全上限；最远的单元格在 {far}",
            name,
            far,
        )
    if area > limits.sparse_floor_cells and filled < area * limits.min_density:
        sheet_problem(
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
        sheet_problem(
            "value-formula" if formulas else "value-error-cell",
            f"工作表“{name}”有 {max(len(scan.formulas), len(scan.errors)):,} {what}（如 {'、'.join(cells)}），"
            f"超过逐个报告的上限 {limits.max_flagged_cells:,}；请用 Excel 打开、重新计算并保存后再提交",
            name,
            cells[0],
        )


def sheet_problem(code: str, message: str, sheet: str, cell: str = "") -> None:
    raise SheetProblem(UnreadableFile(code, message, sheet=sheet, cell=cell))


def prefetch(chunks: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
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


class Scanner:
    """Buffers a part's chunks so that no tag is split, and bounds the length of any one XML token."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        self.sheet = sheet
        self.limits = limits
        # 1 MB keeps a buffer and the scan's temporaries in cache: the passes are bound by memory bandwidth.
        self.chunk = max(64 * 1024, min(MB, limits.max_token_bytes // 3))
        self.window = self.chunk // 4  # a cut at a cell start keeps at most this much for the next buffer
        self.scan = SheetScan()

    def run(self, reader: PartReader, part: ZipPart) -> SheetScan:
        chunks = reader.stream(part, self.chunk)
        if part.size > 4 * self.chunk:
            chunks = prefetch(chunks)
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
            buf = b"".join((carry, data, PAD))  # the padding lets the fast scan read past a tag start
            n = len(buf) - len(PAD)
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
            check_limits(self.sheet, s, self.limits)
        if len(s.merged) > limit:
            sheet_problem(
                "sheet-too-large",
                f"工作表“{self.sheet}”有超过 {limit:,} 个合并单元格区域，超过上限；疑似异常或恶意构造的文件",
                self.sheet,
            )

    def _check_prolog(self, buf: bytes, final: bool) -> None:
        first = FIRST_ELEMENT.search(buf)
        if first is None and not final and len(buf) < 64 * 1024:
            return  # too short to tell yet (tiny chunks only)
        if first is None or has_dtd(buf[: first.start()]):
            sheet_problem(
                "file-corrupt",
                f"工作表“{self.sheet}”的 XML 含有实体或 DTD 声明（Excel 不会生成这种内容），疑似恶意构造的文件",
                self.sheet,
            )

    def _token_too_long(self, token: bytes) -> None:
        tag = _CELL_START.match(token)
        ref = REF.match(token, tag.end(), tag.end() + 14) if tag else None
        cell = ref.group(0).decode("ascii", "replace") if ref else ""
        where = f"单元格 {cell} 处" if cell else ""
        sheet_problem(
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
            self.scan.merged += [m.group(1).decode("ascii", "replace") for m in MERGE.finditer(buf, 0, cut)]


def ref_position(ref: bytes) -> tuple[int, int]:
    """A1 reference → 0-based (row, col), as calamine reads it (letters of either case)."""
    m = REF.fullmatch(ref)
    if not m or not m.group(1) or not m.group(2) or int(m.group(2)) == 0:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    return int(m.group(2)) - 1, col - 1


class ExactScan(Scanner):
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
        sheet_problem(
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
        m = REF.fullmatch(ref)
        if not m or not m.group(2) or int(m.group(2)) == 0 or (not row_only and not m.group(1)):
            self._malformed(f"单元格引用“{ref.decode('utf-8', 'replace')[:20]}”无效")
            raise AssertionError  # unreachable: _malformed raises
        letters, digits = m.group(1), m.group(2)
        if len(digits) > 7 or len(letters) > 3:
            shown = ref.decode("ascii", "replace")[:20]
            where = f"第 {int(digits):,} 行" if row_only else f"在 {shown} "
            sheet_problem(
                "sheet-too-large",
                f"工作表“{self.sheet}”{where}有单元格，超出 Excel 的表格范围，"
                f"也超过 {self.limits.max_rows} 行 × {self.limits.max_columns} 列的安全上限",
                self.sheet,
                "" if row_only else shown,
            )
        if row_only:
            return int(digits) - 1, 0
        return ref_position(ref)


def _attr(attrs: bytes, key: bytes) -> bytes | None:
    """An attribute's raw value by exact name (as calamine matches keys), or None. A repeated attribute is
    an error to calamine's XML reader; answer with the largest reading so the scan errs on the safe side."""
    values: list[bytes] = [v1 or v2 for k, v1, v2 in _ATTR.findall(attrs) if k == key]
    if len(values) > 1 and key in (b"r", b"ref"):
        return max(values, key=lambda v: (len(v), v.upper()))
    return values[0] if values else None
