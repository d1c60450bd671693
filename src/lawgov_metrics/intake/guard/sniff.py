"""What a file is, from its bytes.

Extensions lie: systems export HTML or XML as "xls", clerks rename CSV to .xlsx, an encrypted workbook is an
OLE compound file, not a zip. A zip is told apart by the names in its directory, read by
:mod:`lawgov_metrics.intake.guard.zip_directory` (:mod:`lawgov_metrics.intake.guard.container` checks the
container before any parser trusts it).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from lawgov_metrics.intake.guard.limits import MB, ReadLimits, UnreadableFile
from lawgov_metrics.intake.guard.zip_directory import FileBytes, read_zip_directory

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RESAVE = "请在 Excel 中打开后另存为 .xlsx 再提交"
_HTML_STARTS = ("<html", "<!doctype html", "<table", "<head", "<meta", "<body", "<style", "<!--[if")
_OLE_ENCRYPTED = {"encryptioninfo", "encryptedpackage"}
_OLE_WORKBOOK = {"workbook", "book"}  # BIFF8 / BIFF5 streams (Excel 97-2003, WPS .et)


# ---------------------------------------------------------------------------------------------- sniffing


def sniff_file(path: Path, limits: ReadLimits) -> str:
    with FileBytes(path, limits) as source:
        return sniff_source(source, limits)


def sniff_source(source: FileBytes, limits: ReadLimits) -> str:
    """The kind of an opened file (see :func:`lawgov_metrics.intake.guard.safety.sniff`)."""
    head = source.head
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(source, limits)
    if head.startswith(OLE_MAGIC):
        _raise_for_ole(source.path)
    if head.startswith(b"PAR1"):
        return "parquet"
    return _sniff_text(head)


def _sniff_zip(source: FileBytes, limits: ReadLimits) -> str:
    names = {entry.name.replace("\\", "/").lower() for entry in read_zip_directory(source, limits).entries}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise UnreadableFile(
            "file-unsupported", f"文件是 Excel 二进制工作簿（.xlsb），本工具不读取；{RESAVE}"
        )
    if "content.xml" in names and "mimetype" in names:
        raise UnreadableFile(
            "file-unsupported", f"文件是 OpenDocument 表格（.ods/.odt），本工具不读取；{RESAVE}"
        )
    if "word/document.xml" in names:
        raise UnreadableFile("file-not-workbook", "文件实际是 Word 文档（.docx），不是 Excel 工作簿")
    if "ppt/presentation.xml" in names:
        raise UnreadableFile(
            "file-not-workbook", "文件实际是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿"
        )
    raise UnreadableFile(
        "file-not-workbook", "文件是 ZIP 压缩包，但里面没有 Excel 工作簿（缺少 xl/workbook.xml）"
    )


def _sniff_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            "file-encoding",
            "文件是 UTF-16 编码的文本（Excel 的“Unicode 文本”格式），请另存为 .xlsx 或 UTF-8 编码的 CSV",
        )
    body = head.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in body:
        # A text with a NUL byte on a line or two is a CSV with broken lines (the reader reports each and
        # reads the rest); NULs on most lines are UTF-16 without a BOM or a binary file.
        lines = body.split(b"\n")
        stray = sum(1 for line in lines if b"\x00" in line) * 4 <= len(lines)
        if not stray or _decode_head(body.replace(b"\x00", b"")) is None:
            raise UnreadableFile(
                "file-not-workbook",
                "无法识别的文件格式：疑为没有编码标记（BOM）的 UTF-16 文本，请另存为 .xlsx 或 UTF-8 编码的 CSV"
                if _utf16_without_bom(body)
                else "无法识别的文件格式：既不是 Excel 工作簿，也不是文本表格",
            )
        body = body.replace(b"\x00", b"")
    text = _decode_head(body)
    if text is None:
        raise UnreadableFile("file-encoding", "无法识别的文本编码（应为 UTF-8 或 GB18030/GBK）")
    start = text.lstrip().lower()
    if start.startswith(_HTML_STARTS) or start.startswith("mime-version:"):
        raise UnreadableFile(
            "file-not-workbook",
            f"文件实际是网页（HTML）格式，不是真正的 Excel 工作簿（常见于某些系统导出的“xls”）；{RESAVE}",
        )
    if start.startswith("<"):  # markup of some kind; never a CSV
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            raise UnreadableFile(
                "file-not-workbook", f"文件实际是 Excel 2003 XML 表格，不是 .xlsx 工作簿；{RESAVE}"
            )
        if "<html" in start or "<table" in start:
            raise UnreadableFile(
                "file-not-workbook", f"文件实际是网页（HTML）格式，不是真正的 Excel 工作簿；{RESAVE}"
            )
        raise UnreadableFile("file-not-workbook", "文件实际是 XML 文本，不是 Excel 工作簿")
    return "csv"


def _utf16_without_bom(body: bytes) -> bool:
    """Text in UTF-16 without its mark: the NUL bytes (the high bytes of ASCII: digits, commas, line ends) all
    on odd positions (little-endian) or all on even ones (big-endian), and the whole decodes."""
    even, odd = body[0::2].count(0), body[1::2].count(0)
    if min(even, odd) or max(even, odd) < 4:
        return False
    try:
        codecs.getincrementaldecoder("utf-16-le" if odd else "utf-16-be")().decode(body, final=False)
    except UnicodeDecodeError:
        return False
    return True


def csv_encoding(data: bytes) -> str | None:
    """The encoding a whole CSV file decodes in: UTF-8 (BOM or not), else GB18030/GBK; None for neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _decode_head(body: bytes) -> str | None:
    for encoding in ("utf-8", "gb18030"):
        try:
            # Not final: the 64 KB head may end inside a multi-byte character.
            return codecs.getincrementaldecoder(encoding)().decode(body, final=False)
        except UnicodeDecodeError:
            continue
    return None


def _raise_for_ole(path: Path) -> None:
    names = _ole_stream_names(path)
    if names is None:  # a directory we cannot walk: look for the stream name in the raw bytes
        names = {n.lower() for n in ("EncryptionInfo", "EncryptedPackage") if _raw_has_name(path, n)} or {
            "book"
        }
    if names & _OLE_ENCRYPTED:
        raise UnreadableFile(
            "file-encrypted",
            "工作簿设置了打开密码，无法读取；请在 Excel 中打开，在“文件 → 信息 → 保护工作簿 → 用密码进行加密”"
            "中清空密码，保存后再提交",
        )
    if names & _OLE_WORKBOOK:
        raise UnreadableFile(
            "file-legacy-xls", f"文件是旧版 Excel 97-2003（或 WPS .et）格式，本工具不读取；{RESAVE}"
        )
    raise UnreadableFile("file-not-workbook", "文件是 OLE 复合文档（如旧版 Word 文档），不是 Excel 工作簿")


def _ole_stream_names(path: Path) -> set[str] | None:
    """Names in an OLE compound file's directory (lower-case), read by olefile; None if it cannot read it."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            names = {part.lower() for entry in ole.listdir(streams=True, storages=True) for part in entry}
    except Exception:  # olefile raises OSError, struct.error, IndexError… on a damaged directory
        return None
    return names or None


def _raw_has_name(path: Path, name: str) -> bool:
    """Fallback for a directory that cannot be walked: the UTF-16LE name anywhere in the first 16 MB."""
    with path.open("rb") as fh:
        return name.encode("utf-16-le") in fh.read(16 * MB)
