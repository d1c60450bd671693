"""An .xlsx's bytes and its zip central directory, read by hand.

:class:`FileBytes` reads a small file into memory with one read (a big one where asked, with ``os.pread``).
:func:`read_zip_directory` checks the end-of-central-directory record before anything is built from it
(entry count, directory size), then parses the directory itself in one pass over its bytes (as
:mod:`zipfile` would parse it, less the objects), once however often it is asked for (sniffing, then
checking the container in :mod:`lawgov_metrics.intake.guard.container`).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from lawgov_metrics.intake.guard.limits import MB, ReadLimits, UnreadableFile
from lawgov_metrics.issues import os_error_text

HEAD_BYTES = 64 * 1024  # what sniffing looks at
WHOLE_FILE_BYTES = 16 * MB  # a file up to this size is read into memory at once

# end of central directory: signature, disk, disk of directory, entries here, entries, size, offset, comment
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile's structCentralDir


def mb(n: float) -> str:
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n / MB:,.1f} MB"


# ------------------------------------------------------------------------------------------- the file


class FileBytes:
    """A file's bytes as read once: whole when small (one read), else where asked (``os.pread``: no shared
    file position, so an inflating thread and the caller never disturb each other)."""

    def __init__(self, path: Path, limits: ReadLimits) -> None:
        self.path = path
        try:
            self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            raise UnreadableFile("file-not-found", f"找不到文件：{path}") from None
        except OSError as exc:
            raise UnreadableFile("file-corrupt", f"无法打开文件：{os_error_text(exc)}") from None
        try:
            self.size = os.fstat(self._fd).st_size
            self.data: bytes | None = None
            self.directory: ZipDirectory | None = None  # parsed on first use
            if self.size == 0:
                raise UnreadableFile(
                    "file-corrupt", "文件是空的（0 字节），可能在保存或拷贝时出错；请重新导出"
                )
            if self.size > limits.max_file_bytes:
                raise UnreadableFile(
                    "file-too-large", f"文件大小 {mb(self.size)}，超过 {mb(limits.max_file_bytes)} 的上限"
                )
            if self.size <= WHOLE_FILE_BYTES:
                self.data = self._pread(self.size, 0)
                self.head = self.data[:HEAD_BYTES]
            else:
                self.head = self._pread(HEAD_BYTES, 0)
        except OSError as exc:
            self.close()
            raise UnreadableFile("file-corrupt", f"无法打开文件：{os_error_text(exc)}") from None
        except BaseException:
            self.close()
            raise

    def _pread(self, n: int, offset: int) -> bytes:
        parts = []
        while n > 0:
            got = os.pread(self._fd, n, offset)
            if not got:
                break
            parts.append(got)
            n -= len(got)
            offset += len(got)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def read(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset`` (fewer at the end of the file)."""
        if offset < 0 or n <= 0:
            return b""
        if self.data is not None:
            return self.data[offset : offset + n]
        try:
            return self._pread(n, offset)
        except OSError as exc:
            raise UnreadableFile("file-corrupt", f"无法读取文件：{os_error_text(exc)}") from None

    def view(self, offset: int, n: int) -> bytes | memoryview:
        """Like :meth:`read`, without copying what is already in memory."""
        if self.data is not None and offset >= 0 and n > 0:
            return memoryview(self.data)[offset : offset + n]
        return self.read(offset, n)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> FileBytes:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -------------------------------------------------------------------------------------- the directory


class ZipEntry(NamedTuple):
    name: str  # as stored (decoded as zipfile decodes it)
    flags: int
    method: int
    packed: int
    size: int  # declared unpacked size
    header_offset: int  # of the local header, corrected for bytes before the archive (as zipfile does)


@dataclass(frozen=True, slots=True)
class ZipDirectory:
    declared_entries: int  # from the end record
    directory_bytes: int
    entries: tuple[ZipEntry, ...]


def read_zip_directory(source: FileBytes, limits: ReadLimits) -> ZipDirectory:
    """The central directory, after its entry count and size were checked from the raw end record."""
    directory = source.directory
    if directory is None:
        try:
            directory = source.directory = _parse_directory(source, limits)
        except (struct.error, ValueError) as exc:
            raise UnreadableFile(
                "file-corrupt", f"文件不完整或已损坏（ZIP 结构错误：{exc}）；请重新导出"
            ) from None
    _check_counts(directory.declared_entries, directory.directory_bytes, source.size, limits)
    if len(directory.entries) > limits.max_zip_entries:
        raise UnreadableFile("file-too-large", f"压缩包内的条目超过 {limits.max_zip_entries:,} 个的上限")
    return directory


def _check_counts(entries: int, cd_size: int, size: int, limits: ReadLimits) -> None:
    if entries > limits.max_zip_entries:
        raise UnreadableFile(
            "file-too-large", f"压缩包内有 {entries:,} 个条目，超过 {limits.max_zip_entries:,} 的上限"
        )
    if cd_size > size or cd_size > entries * (46 + 3 * 0xFFFF) + 22:
        raise UnreadableFile("file-corrupt", "文件已损坏：ZIP 目录大小与文件不符")


def _parse_directory(source: FileBytes, limits: ReadLimits) -> ZipDirectory:
    size = source.size
    tail_len = min(size, 22 + 0xFFFF)
    tail = source.read(size - tail_len, tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise UnreadableFile(
            "file-corrupt", "文件不完整或已损坏：找不到 ZIP 目录，可能在下载或拷贝时被截断；请重新导出"
        )
    location = size - tail_len + at
    _, _, _, _, entries, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
    concat = location - cd_size - cd_offset
    locator = source.read(location - _EOCD64_LOCATOR.size, _EOCD64_LOCATOR.size)
    if len(locator) == _EOCD64_LOCATOR.size and locator[:4] == b"PK\x06\x07":
        _, disk, _, disks = _EOCD64_LOCATOR.unpack(locator)
        if disk != 0 or disks > 1:
            raise ValueError("zipfiles that span multiple disks are not supported")
        start = location - _EOCD64_LOCATOR.size - _EOCD64.size
        record = source.read(start, _EOCD64.size)
        if len(record) == _EOCD64.size and record[:4] == b"PK\x06\x06":
            _, _, _, _, _, _, _, entries, cd_size, cd_offset = _EOCD64.unpack(record)
            concat = location - cd_size - cd_offset - _EOCD64.size - _EOCD64_LOCATOR.size
    _check_counts(entries, cd_size, size, limits)
    start_dir = cd_offset + concat
    if start_dir < 0:
        raise ValueError("Bad offset for central directory")
    data = source.read(start_dir, cd_size)
    found: list[ZipEntry] = []
    unpack, fixed, most = _CENTRAL.unpack_from, _CENTRAL.size, limits.max_zip_entries
    pos = 0
    while pos < cd_size:
        if pos + fixed > len(data):
            raise ValueError("Truncated central directory")
        fields = unpack(data, pos)
        if fields[0] != b"PK\x01\x02":
            raise ValueError("Bad magic number for central directory")
        flags, method, packed, unpacked, name_len, extra_len, comment_len, offset = (
            fields[5],
            fields[6],
            fields[10],
            fields[11],
            fields[12],
            fields[13],
            fields[14],
            fields[18],
        )
        at = pos + fixed
        raw = data[at : at + name_len]
        name = raw.decode("utf-8") if flags & 0x800 or raw.isascii() else raw.decode("cp437")
        if "\x00" in name:
            name = name.split("\x00", 1)[0]
        if extra_len:
            extra = data[at + name_len : at + name_len + extra_len]
            unpacked, packed, offset = _zip64_sizes(extra, unpacked, packed, offset)
        found.append(ZipEntry(name, flags, method, packed, unpacked, offset + concat))
        if len(found) > most:
            break  # refused by the caller; parse no further
        pos = at + name_len + extra_len + comment_len
    return ZipDirectory(entries, cd_size, tuple(found))


def _zip64_sizes(extra: bytes, size: int, packed: int, offset: int) -> tuple[int, int, int]:
    """The zip64 extra field's real sizes and offset, read as zipfile reads them."""
    while len(extra) >= 4:
        kind, length = struct.unpack_from("<HH", extra)
        if length + 4 > len(extra):
            raise ValueError(f"Corrupt extra field {kind:04x} (size={length})")
        if kind == 0x0001:
            data = extra[4 : length + 4]
            try:
                if size in (0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF):
                    (size,) = struct.unpack("<Q", data[:8])
                    data = data[8:]
                if packed == 0xFFFF_FFFF:
                    (packed,) = struct.unpack("<Q", data[:8])
                    data = data[8:]
                if offset == 0xFFFF_FFFF:
                    (offset,) = struct.unpack("<Q", data[:8])
            except struct.error:
                raise ValueError("Corrupt zip64 extra field") from None
        extra = extra[length + 4 :]
    return size, packed, offset
