"""What a file is, from its bytes; and its zip container, checked and inflated under a running cap.

Extensions lie: systems export HTML or XML as "xls", clerks rename CSV to .xlsx, an encrypted workbook is an
OLE compound file, not a zip. The zip directory and each entry's real unpacked size are checked here before
any parser trusts a header: the end-of-central-directory record is read by hand (entry count, directory
size) before :mod:`zipfile` builds anything, and entries are inflated with :mod:`zlib` directly so a
declared size that lies is caught the moment the data runs past it.
"""

from __future__ import annotations

import codecs
import itertools
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lawgov_metrics.intake.safety import MB, ReadLimits, UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RESAVE = "请在 Excel 中打开后另存为 .xlsx 再提交"
_HTML_STARTS = ("<html", "<!doctype html", "<table", "<head", "<meta", "<body", "<style", "<!--[if")
_OLE_ENCRYPTED = {"encryptioninfo", "encryptedpackage"}
_OLE_WORKBOOK = {"workbook", "book"}  # BIFF8 / BIFF5 streams (Excel 97-2003, WPS .et)
_OLE_NOSTREAM = 0xFFFFFFFA  # sector ids at or above this are markers, not sectors


def _mb(n: float) -> str:
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n / MB:,.1f} MB"


# ---------------------------------------------------------------------------------------------- sniffing


def sniff_file(path: Path, limits: ReadLimits) -> str:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except FileNotFoundError:
        raise UnreadableFile("file-not-found", f"找不到文件：{path}") from None
    except OSError as exc:
        raise UnreadableFile("file-corrupt", f"无法打开文件：{exc.strerror or exc}") from None
    if size == 0:
        raise UnreadableFile("file-corrupt", "文件是空的（0 字节），可能在保存或拷贝时出错；请重新导出")
    if size > limits.max_file_bytes:
        raise UnreadableFile(
            "file-too-large", f"文件大小 {_mb(size)}，超过 {_mb(limits.max_file_bytes)} 的上限"
        )
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path, limits)
    if head.startswith(OLE_MAGIC):
        _raise_for_ole(path, size)
    if head.startswith(b"PAR1"):
        return "parquet"
    return _sniff_text(head)


def _sniff_zip(path: Path, limits: ReadLimits) -> str:
    names = {info.filename.replace("\\", "/").lower() for info in read_zip_directory(path, limits)}
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
        raise UnreadableFile("file-not-workbook", "无法识别的文件格式：既不是 Excel 工作簿，也不是文本表格")
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


def _raise_for_ole(path: Path, size: int) -> None:
    names = _ole_stream_names(path, size)
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


def _ole_stream_names(path: Path, size: int) -> set[str] | None:
    """Names in an OLE compound file's directory (lower-case), or None if the directory cannot be walked.

    Follows MS-CFB: header → FAT sectors (from the header's DIFAT, then the DIFAT chain) → the directory
    chain, every walk bounded by the number of sectors in the file.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(512)
            if len(header) < 512:
                return None
            shift = struct.unpack_from("<H", header, 30)[0]
            if shift not in (9, 12):
                return None
            sector = 1 << shift
            n_sectors = max(0, size // sector - 1)
            (first_dir,) = struct.unpack_from("<I", header, 48)
            first_difat, n_difat = struct.unpack_from("<II", header, 68)
            fat_ids = [s for s in struct.unpack_from("<109I", header, 76) if s < _OLE_NOSTREAM]
            next_difat = first_difat
            for _ in range(min(n_difat, n_sectors)):
                if next_difat >= _OLE_NOSTREAM or next_difat >= n_sectors:
                    break
                fh.seek((next_difat + 1) * sector)
                ids = struct.unpack(f"<{sector // 4}I", fh.read(sector))
                fat_ids += [s for s in ids[:-1] if s < _OLE_NOSTREAM]
                next_difat = ids[-1]
            fat: list[int] = []
            for sid in fat_ids[: n_sectors + 1]:
                if sid >= n_sectors:
                    return None
                fh.seek((sid + 1) * sector)
                fat += struct.unpack(f"<{sector // 4}I", fh.read(sector))
            names: set[str] = set()
            sid, seen = first_dir, 0
            while sid < _OLE_NOSTREAM:  # a workbook's directory is a few sectors; a cycle ends here
                if sid >= n_sectors or sid >= len(fat) or seen > min(n_sectors, 10_000):
                    return None
                fh.seek((sid + 1) * sector)
                block = fh.read(sector)
                for off in range(0, len(block) - 127, 128):
                    length = struct.unpack_from("<H", block, off + 64)[0]
                    if 2 <= length <= 64 and block[off + 66] in (1, 2, 5):
                        names.add(block[off : off + length - 2].decode("utf-16-le", "replace").lower())
                sid, seen = fat[sid], seen + 1
            return names or None
    except (OSError, struct.error):
        return None


def _raw_has_name(path: Path, name: str) -> bool:
    """Fallback for a directory that cannot be walked: the UTF-16LE name anywhere in the first 16 MB."""
    with path.open("rb") as fh:
        return name.encode("utf-16-le") in fh.read(16 * MB)


# ----------------------------------------------------------------------------------------- zip container


@dataclass(frozen=True, slots=True)
class ZipPart:
    name: str  # as stored in the central directory
    method: int
    packed: int  # compressed size, from the central directory
    size: int  # declared unpacked size, from the central directory
    data_offset: int


class Budget:
    """What one inspection may still spend: unpacked bytes in total, and wall time."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.started = time.monotonic()
        self.deadline = self.started + limits.time_limit_s
        self.unpacked = 0

    def spend(self, n: int) -> None:
        self.unpacked += n
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise UnreadableFile(
                "file-too-large",
                f"解压后大小超过 {_mb(self.limits.max_unpacked_bytes)} 上限，疑似压缩炸弹或超大文件",
            )
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnreadableFile(
                "file-timeout",
                f"检查文件超过 {self.limits.time_limit_s:.0f} 秒仍未完成，已停止；文件可能过大或结构异常",
            )

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _eocd_counts(fh: BinaryIO, size: int) -> tuple[int, int]:
    """(entries, central directory bytes) from the end-of-central-directory record (zip64 aware)."""
    tail_len = min(size, 22 + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise UnreadableFile(
            "file-corrupt", "文件不完整或已损坏：找不到 ZIP 目录，可能在下载或拷贝时被截断；请重新导出"
        )
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = at - 20
        if loc >= 0 and tail[loc : loc + 4] == b"PK\x06\x07":
            offset = struct.unpack_from("<Q", tail, loc + 8)[0]
            if offset + 56 <= size:
                fh.seek(offset)
                rec = fh.read(56)
                if rec[:4] == b"PK\x06\x06":
                    entries, cd_size = struct.unpack_from("<QQ", rec, 32)
    return entries, cd_size


def read_zip_directory(path: Path, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    """The central directory, after its entry count and size were checked from the raw record."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            entries, cd_size = _eocd_counts(fh, size)
            if entries > limits.max_zip_entries:
                raise UnreadableFile(
                    "file-too-large", f"压缩包内有 {entries:,} 个条目，超过 {limits.max_zip_entries:,} 的上限"
                )
            if cd_size > size or cd_size > entries * (46 + 3 * 0xFFFF) + 22:
                raise UnreadableFile("file-corrupt", "文件已损坏：ZIP 目录大小与文件不符")
            fh.seek(0)
            with zipfile.ZipFile(fh) as archive:
                return archive.infolist()
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error) as exc:
        raise UnreadableFile(
            "file-corrupt", f"文件不完整或已损坏（ZIP 结构错误：{exc}）；请重新导出"
        ) from None
    except OSError as exc:
        raise UnreadableFile("file-corrupt", f"无法读取文件：{exc.strerror or exc}") from None


class ZipContainer:
    """An xlsx's zip, checked as a whole: entry count, names, methods, declared sizes, ratios, overlaps.

    Parts are found as calamine finds them: case-insensitively, backslashes read as slashes.
    """

    def __init__(self, path: Path, fh: BinaryIO, limits: ReadLimits) -> None:
        self.path = path
        self.fh = fh
        self.limits = limits
        self.size = path.stat().st_size
        infos = read_zip_directory(path, limits)
        self.parts: dict[str, ZipPart] = {}
        self._by_key: dict[str, ZipPart] = {}
        spans: list[tuple[int, int, str]] = []
        total_size = total_packed = 0
        for info in infos:
            name = info.filename
            key = name.replace("\\", "/").lower()
            if key in self._by_key:
                raise UnreadableFile("file-corrupt", f"文件结构异常：压缩包内有重名条目“{name}”，疑似被篡改")
            if info.flag_bits & 0x1:
                raise UnreadableFile("file-encrypted", f"压缩包条目“{name}”被加密，无法读取")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnreadableFile(
                    "file-corrupt",
                    f"压缩包条目“{name}”使用了不支持的压缩方式（{info.compress_type}），不是正常的 Excel 文件",
                )
            self._check_declared(name, info.file_size, info.compress_size)
            total_size += info.file_size
            total_packed += info.compress_size
            data_offset = self._local_header(info)
            part = ZipPart(name, info.compress_type, info.compress_size, info.file_size, data_offset)
            self.parts[name] = self._by_key[key] = part
            spans.append((info.header_offset, data_offset + info.compress_size, name))
        if total_size > limits.max_unpacked_bytes:
            raise UnreadableFile(
                "file-too-large",
                f"解压后大小 {_mb(total_size)}，超过 {_mb(limits.max_unpacked_bytes)} 上限"
                f"（压缩比 1:{total_size / max(total_packed, 1):,.0f}），疑似压缩炸弹",
            )
        self._check_ratio("整个文件", total_size, total_packed)
        spans.sort()
        for (_, end, name), (start, _, other) in itertools.pairwise(spans):
            if start < end:
                raise UnreadableFile(
                    "file-corrupt", f"文件结构异常：压缩包条目“{name}”与“{other}”的数据相互重叠，疑似压缩炸弹"
                )

    def _check_declared(self, name: str, size: int, packed: int) -> None:
        if size > self.limits.max_unpacked_bytes:
            raise UnreadableFile(
                "file-too-large",
                f"压缩包条目“{name}”解压后为 {_mb(size)}，超过 {_mb(self.limits.max_unpacked_bytes)} 上限"
                f"（压缩比 1:{size / max(packed, 1):,.0f}），疑似压缩炸弹",
            )
        self._check_ratio(f"压缩包条目“{name}”", size, packed)

    def _check_ratio(self, what: str, size: int, packed: int) -> None:
        ratio = size / max(packed, 1)
        if size > self.limits.ratio_floor_bytes and ratio > self.limits.max_compression_ratio:
            raise UnreadableFile(
                "file-too-large",
                f"{what}解压后为 {_mb(size)}，压缩比 1:{ratio:,.0f}，超过 1:{self.limits.max_compression_ratio:,.0f}"
                "，疑似压缩炸弹",
            )

    def _local_header(self, info: zipfile.ZipInfo) -> int:
        """Offset of the entry's data; its local header must agree with the central directory."""
        self.fh.seek(info.header_offset)
        head = self.fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise UnreadableFile("file-corrupt", f"文件已损坏：压缩包条目“{info.filename}”的本地文件头缺失")
        flags, method, _, _, _crc, packed, size, name_len, extra_len = struct.unpack_from(
            "<HHHHIIIHH", head, 6
        )
        if method != info.compress_type:
            raise UnreadableFile(
                "file-corrupt", f"文件结构异常：条目“{info.filename}”两处记录的压缩方式不一致"
            )
        if (
            not flags & 0x8
            and packed != 0xFFFFFFFF
            and (packed, size) != (info.compress_size, info.file_size)
        ):
            raise UnreadableFile(
                "file-corrupt", f"文件结构异常：条目“{info.filename}”两处记录的大小不一致，疑似被篡改"
            )
        data_offset: int = info.header_offset + 30 + name_len + extra_len
        if data_offset + info.compress_size > self.size:
            raise UnreadableFile(
                "file-corrupt", f"文件不完整：条目“{info.filename}”的数据超出文件末尾，可能被截断；请重新导出"
            )
        return data_offset

    def find(self, name: str) -> ZipPart | None:
        return self._by_key.get(name.replace("\\", "/").lower())

    def stream(self, part: ZipPart, budget: Budget, chunk: int = 4 * MB) -> Iterator[bytes]:
        """The entry's bytes, inflated here; stops the moment the data runs past the declared size."""
        self.fh.seek(part.data_offset)
        left = part.packed
        produced = 0
        inflater = zlib.decompressobj(-15) if part.method == zipfile.ZIP_DEFLATED else None
        pending = b""
        while True:
            budget.check_time()
            if inflater is not None and inflater.unconsumed_tail:
                pending = inflater.unconsumed_tail
            elif left > 0:
                pending = self.fh.read(min(chunk, left))
                if not pending:
                    break
                left -= len(pending)
            else:
                break
            try:
                out = inflater.decompress(pending, chunk) if inflater is not None else pending
            except zlib.error as exc:
                raise UnreadableFile(
                    "file-corrupt", f"文件已损坏：条目“{part.name}”无法解压（{exc}）"
                ) from None
            if not out:
                if inflater is not None and inflater.eof:
                    break
                continue
            produced += len(out)
            if produced > part.size:
                raise UnreadableFile(
                    "file-too-large",
                    f"条目“{part.name}”实际解压后超过声明的 {part.size:,} 字节，文件头不可信，疑似压缩炸弹",
                )
            budget.spend(len(out))
            yield out
        if produced != part.size or (inflater is not None and not inflater.eof):
            raise UnreadableFile(
                "file-corrupt", f"文件不完整或已损坏：条目“{part.name}”解压后大小与声明不符；请重新导出"
            )

    def read(self, part: ZipPart, budget: Budget, max_bytes: int) -> bytes:
        if part.size > max_bytes:
            raise UnreadableFile(
                "file-too-large", f"条目“{part.name}”解压后为 {_mb(part.size)}，超过 {_mb(max_bytes)} 的上限"
            )
        return b"".join(self.stream(part, budget))


def has_dtd(prolog: bytes) -> bool:
    """Whether the bytes before the root element declare a DTD (or anything but comments and PIs)."""
    return b"<!" in re.sub(rb"<!--.*?-->", b"", prolog, flags=re.S)
