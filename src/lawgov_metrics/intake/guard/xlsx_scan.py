"""The parts of an .xlsx that calamine will read, checked before it does.

calamine allocates a dense grid spanning the first to the last filled cell, reserves the shared-string table
at its declared ``uniqueCount``, and locates a cell by its ``r`` attribute (the last one, if repeated), or by
counting when there is none. So every sheet XML is scanned for where its cells really are.

The scan has two speeds. Sheets as Excel, WPS, openpyxl, xlsxwriter and the OpenXML SDK write them (every
cell tag starts ``<c r="A1"`` or ``<x:c r="A1"``) are scanned with vectorised byte searches
(:mod:`lawgov_metrics.intake.guard.sheet_fast`): a workbook's small sheets together, in one set of passes, and a
big sheet in 1 MB buffers while the next is inflated. Cells without ``r`` (some or all) are positioned by
counting, vectorised too (:mod:`lawgov_metrics.intake.guard.sheet_count`). Anything else (comments, other
prefixes, odd whitespace or quoting, a second ``r``) is tokenised tag by tag, mirroring how calamine positions
cells, and must be well nested (:mod:`lawgov_metrics.intake.guard.sheet_scan`); so is any sheet whose fast
extent breaks a limit, to find whether the far cells hold values and to name them. That pass runs at 2–3 MB/s,
so a sheet that needs it and is bigger than :attr:`ReadLimits.max_exact_scan_bytes` is refused at once (or
judged by its fast extent, an upper bound, when that is what breaks a limit).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from lawgov_metrics.intake.guard.container import (
    Budget,
    PartReader,
    ZipContainer,
    ZipPart,
    has_dtd,
)
from lawgov_metrics.intake.guard.limits import (
    MB,
    ReadLimits,
    SheetInfo,
    SheetKind,
    SheetState,
    UnreadableFile,
    WorkbookInfo,
)
from lawgov_metrics.intake.guard.sheet_count import CountScan
from lawgov_metrics.intake.guard.sheet_fast import FastScan, scan_small_parts
from lawgov_metrics.intake.guard.sheet_scan import (
    FIRST_ELEMENT,
    Fallback,
    NoRefs,
    SheetProblem,
    SheetScan,
    check_limits,
    over_limits,
    sheet_problem,
)
from lawgov_metrics.intake.guard.sheet_scan import ExactScan as _ExactScan  # tests count its runs here
from lawgov_metrics.intake.guard.sniff import sniff_source
from lawgov_metrics.intake.guard.zip_directory import FileBytes

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_KINDS: dict[str, SheetKind] = {
    "worksheets": "worksheet",
    "chartsheets": "chartsheet",
    "dialogsheets": "dialogsheet",
}
_ATTR = re.compile(rb"""([^\s=/"'<>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_SST = re.compile(rb"<(?:[\w.\-]+:)?sst")
_TAG_REST = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*+>""")  # to the tag's closing '>', quotes respected
_BATCH_BYTES = 8 * MB  # small sheets scanned together, at most this much XML at once


@dataclass(frozen=True)
class _SheetDecl:
    name: str
    state: SheetState
    kind: SheetKind
    path: str


# ----------------------------------------------------------------------------------------------- workbook


def scan_workbook(path: Path, limits: ReadLimits) -> WorkbookInfo:
    with FileBytes(path, limits) as source:
        kind = sniff_source(source, limits)
        if kind != "xlsx":
            what = "CSV 文本" if kind == "csv" else "Parquet 数据文件"
            raise UnreadableFile("file-not-workbook", f"文件实际是{what}，不是 Excel 工作簿")
        budget = Budget(limits)
        container = ZipContainer(source, limits)
        reader = PartReader(container, budget)
        rels_part = _required(container, "xl/_rels/workbook.xml.rels")
        workbook_part = _required(container, "xl/workbook.xml")
        rels = _parse_relationships(reader.read_xml(rels_part))
        date1904, decls = _parse_workbook(reader.read_xml(workbook_part), rels, limits)
        unique = _check_shared_strings(container, reader, limits, decls)
        styles = container.find("xl/styles.xml")
        if styles is not None:
            _check_prolog(reader, styles)
        sheets = _scan_sheets(container, reader, decls, limits)
        reader.verify_all()  # the real size of every other entry, too
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


def _elements(data: bytes, part: str, wanted: set[str]) -> list[tuple[str, dict[str, str]]]:
    """The elements of a whole (small) XML part with these local names, in document order, with their
    attributes; names in a namespace read ``"uri}local"``. Parsed by defusedxml with DTDs forbidden: without one there can be no entity but the five
    predefined ones, so no entity bomb and no external entity."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as SafeTree

    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise UnreadableFile(
            "file-corrupt",
            f"{part} 含有 XML 实体或 DTD 声明（Excel 不会生成这种内容），疑似恶意构造的“实体炸弹”文件，已拒绝读取",
        ) from None
    except ParseError as exc:
        raise UnreadableFile("file-corrupt", f"文件已损坏：{part} 不是有效的 XML（{exc}）") from None
    found = []
    for element in root.iter():
        local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if local in wanted:
            found.append((local, {k.removeprefix("{"): v for k, v in element.attrib.items()}))  # "uri}local"
    return found


def _parse_relationships(data: bytes) -> dict[str, str]:
    return {
        attrs.get("Id", ""): attrs.get("Target", "")
        for _, attrs in _elements(data, "xl/_rels/workbook.xml.rels", {"Relationship"})
    }


def _parse_workbook(data: bytes, rels: dict[str, str], limits: ReadLimits) -> tuple[bool, list[_SheetDecl]]:
    date1904 = False
    decls: list[_SheetDecl] = []
    for tag, attrs in _elements(data, "xl/workbook.xml", {"workbookPr", "sheet"}):
        if tag == "workbookPr":
            date1904 = attrs.get("date1904", "").strip().lower() in ("1", "true")
        else:
            decls.append(_sheet_decl(attrs, rels))
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


def _sheet_decl(attrs: dict[str, str], rels: dict[str, str]) -> _SheetDecl:
    name = attrs.get("name", "")
    state = attrs.get("state", "visible")
    if state not in ("visible", "hidden", "veryHidden"):
        raise UnreadableFile("file-corrupt", f"文件结构异常：工作表“{name}”的显示状态“{state}”无法识别")
    rid = attrs.get(f"{_REL_NS}}}id")
    if rid is None:  # another prefix binding (e.g. strict OOXML): any namespaced "id"
        rid = next((v for k, v in attrs.items() if "}" in k and k.rpartition("}")[2] == "id"), None)
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


def _check_prolog(reader: PartReader, part: ZipPart) -> bytes:
    """The part's first bytes; rejects a DTD (entity declarations) before the root element."""
    head = next(iter(reader.stream(part, chunk=256 * 1024)), b"")
    first = FIRST_ELEMENT.search(head)
    prolog = head[: first.start()] if first else head
    if has_dtd(prolog) or (first is None and len(head) >= 256 * 1024):
        raise UnreadableFile(
            "file-corrupt",
            f"{part.name} 含有 XML 实体或 DTD 声明（Excel 不会生成这种内容），疑似恶意构造的“实体炸弹”文件，已拒绝读取",
        )
    return head


def _check_shared_strings(
    container: ZipContainer, reader: PartReader, limits: ReadLimits, decls: list[_SheetDecl]
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


def _scan_sheets(
    container: ZipContainer, reader: PartReader, decls: list[_SheetDecl], limits: ReadLimits
) -> tuple[SheetInfo, ...]:
    """Every sheet in order. Consecutive small sheets are inflated and scanned together; a big one is
    streamed on its own, and so is any small one the batch cannot vouch for."""
    chunk = FastScan("", limits).chunk  # a sheet no larger than one buffer of the streaming scan is small
    sheets: list[SheetInfo] = []
    batch: list[tuple[_SheetDecl, ZipPart, bytes]] = []
    batch_bytes = 0

    def flush() -> None:
        nonlocal batch_bytes
        if not batch:
            return
        found = scan_small_parts([(d.name, data) for d, _, data in batch], limits)
        for (decl, part, _), scan in zip(batch, found, strict=True):
            sheets.append(_scan_sheet(decl, part, reader, limits, scan))
        batch.clear()
        batch_bytes = 0

    for decl in decls:
        part = container.find(decl.path)
        if part is not None and part.size <= chunk and reader.small(part):
            batch.append((decl, part, reader.inflate(part)))
            batch_bytes += part.size
            if batch_bytes >= _BATCH_BYTES:
                flush()
            continue
        flush()
        if part is None:
            problem = UnreadableFile(
                "file-corrupt", f"工作表“{decl.name}”的数据（{decl.path}）在文件中缺失", sheet=decl.name
            )
            sheets.append(SheetInfo(decl.name, decl.state, decl.kind, decl.path, problem=problem))
        else:
            sheets.append(_scan_sheet(decl, part, reader, limits))
    flush()
    return tuple(sheets)


def _scan_sheet(
    decl: _SheetDecl, part: ZipPart, reader: PartReader, limits: ReadLimits, scan: SheetScan | None = None
) -> SheetInfo:
    """One sheet: ``scan`` from the batch when it vouched for it, else streamed (fast, then exact)."""
    base: dict[str, Any] = {"name": decl.name, "state": decl.state, "kind": decl.kind, "part": part.name}
    base["xml_bytes"] = part.size
    try:
        if scan is None:
            try:
                scan = FastScan(decl.name, limits).run(reader, part)
            except NoRefs:
                try:
                    scan = CountScan(decl.name, limits).run(reader, part)
                except Fallback:
                    scan = _exact(decl.name, part, reader, limits)
            except Fallback:
                scan = _exact(decl.name, part, reader, limits)
        if over_limits(scan, limits) and not scan.exact:
            if part.size > limits.max_exact_scan_bytes:
                check_limits(decl.name, scan, limits)  # too big to find the filled cells one by one
            scan = _exact(decl.name, part, reader, limits)
        check_limits(decl.name, scan, limits)
    except SheetProblem as exc:
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


def _exact(name: str, part: ZipPart, reader: PartReader, limits: ReadLimits) -> SheetScan:
    """The tag-by-tag pass (~2–3 MB/s), only for a part small enough to finish in a few seconds: a bigger
    sheet the vectorised scans cannot vouch for is refused at once, in words that say how to fix it."""
    if part.size > limits.max_exact_scan_bytes:
        sheet_problem(
            "sheet-too-large",
            f"工作表“{name}”的 XML 写法不常见（如含注释、单元格引用不规范或标记不配对），且解压后达 "
            f"{_size(part.size)}，超过逐个标记检查的上限 {_size(limits.max_exact_scan_bytes)}；"
            "请用 Excel 或 WPS 打开后另存为 .xlsx 再提交",
            name,
        )
    return _ExactScan(name, limits).run(reader, part)
