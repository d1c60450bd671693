"""An .xlsx's zip container, checked as a whole, its entries inflated under a running cap.

Built on the directory read by hand in :mod:`lawgov_metrics.intake.guard.zip_directory`. Entries are
inflated with zlib directly, so a declared size that lies is caught the moment the data runs past it.
"""

from __future__ import annotations

import itertools
import re
import struct
import time
import zlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any, NamedTuple

from lawgov_metrics.intake.guard.limits import MB, ReadLimits, UnreadableFile
from lawgov_metrics.intake.guard.zip_directory import FileBytes, ZipEntry, mb, read_zip_directory

_inflate_lib: ModuleType
try:  # zlib-ng inflates twice as fast as zlib, with the same API; zlib when it is not installed
    from zlib_ng import zlib_ng as _inflate_lib
except ImportError:  # pragma: no cover - zlib-ng is a dependency; this keeps a bare checkout working
    _inflate_lib = zlib

_FEED = 128 * 1024  # compressed bytes given to the inflater at a time
STORED, DEFLATED = 0, 8
_INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, getattr(_inflate_lib, "error", zlib.error))
_LOCAL = struct.Struct("<4s5HL2L2H")


def has_dtd(prolog: bytes) -> bool:
    """Whether the bytes before the root element declare a DTD (or anything but comments and PIs)."""
    return b"<!" in re.sub(rb"<!--.*?-->", b"", prolog, flags=re.S)


# -------------------------------------------------------------------------------------------- budget


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
                f"解压后大小超过 {mb(self.limits.max_unpacked_bytes)} 上限，疑似压缩炸弹或超大文件",
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


# --------------------------------------------------------------------------------------- the container


class ZipPart(NamedTuple):
    name: str  # as stored in the central directory
    method: int
    packed: int  # compressed size, from the central directory
    size: int  # declared unpacked size, from the central directory
    data_offset: int


class ZipContainer:
    """An xlsx's zip, checked as a whole: entry count, names, methods, declared sizes, ratios, overlaps.

    Parts are found as calamine finds them: case-insensitively, backslashes read as slashes.
    """

    def __init__(self, source: FileBytes, limits: ReadLimits) -> None:
        self.source = source
        self.path = source.path
        self.limits = limits
        self.size = source.size
        directory = read_zip_directory(source, limits)
        self.parts: dict[str, ZipPart] = {}
        self._by_key: dict[str, ZipPart] = {}
        spans: list[tuple[int, int, str]] = []
        total_size = total_packed = 0
        checked_from = min(limits.max_unpacked_bytes, limits.ratio_floor_bytes)  # below, no limit can apply
        for entry in directory.entries:
            name = entry.name
            key = name.replace("\\", "/").lower()
            if key in self._by_key:
                raise UnreadableFile("file-corrupt", f"文件结构异常：压缩包内有重名条目“{name}”，疑似被篡改")
            if entry.flags & 0x1:
                raise UnreadableFile("file-encrypted", f"压缩包条目“{name}”被加密，无法读取")
            if entry.method not in (STORED, DEFLATED):
                raise UnreadableFile(
                    "file-corrupt",
                    f"压缩包条目“{name}”使用了不支持的压缩方式（{entry.method}），不是正常的 Excel 文件",
                )
            if entry.size > checked_from:
                self._check_declared(name, entry.size, entry.packed)
            total_size += entry.size
            total_packed += entry.packed
            data_offset = self._local_header(entry)
            part = ZipPart(name, entry.method, entry.packed, entry.size, data_offset)
            self.parts[name] = self._by_key[key] = part
            spans.append((entry.header_offset, data_offset + entry.packed, name))
        if total_size > limits.max_unpacked_bytes:
            raise UnreadableFile(
                "file-too-large",
                f"解压后大小 {mb(total_size)}，超过 {mb(limits.max_unpacked_bytes)} 上限"
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
                f"压缩包条目“{name}”解压后为 {mb(size)}，超过 {mb(self.limits.max_unpacked_bytes)} 上限"
                f"（压缩比 1:{size / max(packed, 1):,.0f}），疑似压缩炸弹",
            )
        self._check_ratio(f"压缩包条目“{name}”", size, packed)

    def _check_ratio(self, what: str, size: int, packed: int) -> None:
        ratio = size / max(packed, 1)
        if size > self.limits.ratio_floor_bytes and ratio > self.limits.max_compression_ratio:
            raise UnreadableFile(
                "file-too-large",
                f"{what}解压后为 {mb(size)}，压缩比 1:{ratio:,.0f}，超过 1:{self.limits.max_compression_ratio:,.0f}"
                "，疑似压缩炸弹",
            )

    def _local_header(self, entry: ZipEntry) -> int:
        """Offset of the entry's data; its local header must agree with the central directory."""
        head = self.source.read(entry.header_offset, _LOCAL.size)
        if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise UnreadableFile("file-corrupt", f"文件已损坏：压缩包条目“{entry.name}”的本地文件头缺失")
        _, _, flags, method, _, _, _crc, packed, size, name_len, extra_len = _LOCAL.unpack(head)
        if method != entry.method:
            raise UnreadableFile("file-corrupt", f"文件结构异常：条目“{entry.name}”两处记录的压缩方式不一致")
        if not flags & 0x8 and packed != 0xFFFFFFFF and (packed, size) != (entry.packed, entry.size):
            raise UnreadableFile(
                "file-corrupt", f"文件结构异常：条目“{entry.name}”两处记录的大小不一致，疑似被篡改"
            )
        data_offset: int = entry.header_offset + _LOCAL.size + name_len + extra_len
        if data_offset + entry.packed > self.size:
            raise UnreadableFile(
                "file-corrupt", f"文件不完整：条目“{entry.name}”的数据超出文件末尾，可能被截断；请重新导出"
            )
        return data_offset

    def find(self, name: str) -> ZipPart | None:
        return self._by_key.get(name.replace("\\", "/").lower())

    def stream(self, part: ZipPart, budget: Budget, chunk: int = 4 * MB) -> Iterator[bytes]:
        """The entry's bytes in pieces of ``chunk`` (the last one shorter), inflated here; stops the moment
        the data runs past the declared size. The inflater is fed 128 KB at a time: what it leaves
        unconsumed is copied on every call, so a big input would be copied over and over."""
        offset = part.data_offset
        left = part.packed
        produced = 0
        inflater = _inflate_lib.decompressobj(-15) if part.method == DEFLATED else None
        pieces: list[bytes] = []
        have = 0
        while True:
            budget.check_time()
            if inflater is not None and inflater.unconsumed_tail:
                pending: Any = inflater.unconsumed_tail
            elif left > 0:
                pending = self.source.view(offset, min(_FEED, left))
                if not len(pending):
                    break
                offset += len(pending)
                left -= len(pending)
            else:
                break
            try:
                out = inflater.decompress(pending, chunk - have) if inflater is not None else bytes(pending)
            except _INFLATE_ERRORS as exc:
                raise UnreadableFile(
                    "file-corrupt", f"文件已损坏：条目“{part.name}”无法解压（{exc}）"
                ) from None
            if not out:
                if inflater is not None and inflater.eof:
                    break
                continue
            produced += len(out)
            if produced > part.size:
                raise self._lying(part)
            budget.spend(len(out))
            pieces.append(out)
            have += len(out)
            if have >= chunk:
                yield pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces, have = [], 0
        if pieces:
            yield pieces[0] if len(pieces) == 1 else b"".join(pieces)
        if produced != part.size or (inflater is not None and not inflater.eof):
            raise self.incomplete(part)

    def inflate_small(self, part: ZipPart) -> tuple[bytes, bool]:
        """A small entry in one call, never more than its declared size plus one byte of output: (the bytes,
        whether they are all of it). Raises at once when the data runs past the declared size."""
        packed = self.source.view(part.data_offset, part.packed)
        if part.method == DEFLATED:
            inflater = _inflate_lib.decompressobj(-15)
            try:
                out: bytes = inflater.decompress(packed, part.size + 1)
            except _INFLATE_ERRORS as exc:
                raise UnreadableFile(
                    "file-corrupt", f"文件已损坏：条目“{part.name}”无法解压（{exc}）"
                ) from None
            complete = inflater.eof and len(out) == part.size
        else:
            out = bytes(packed)
            complete = len(out) == part.size
        if len(out) > part.size:
            raise self._lying(part)
        return out, complete

    def _lying(self, part: ZipPart) -> UnreadableFile:
        return UnreadableFile(
            "file-too-large",
            f"条目“{part.name}”实际解压后超过声明的 {part.size:,} 字节，文件头不可信，疑似压缩炸弹",
        )

    def incomplete(self, part: ZipPart) -> UnreadableFile:
        return UnreadableFile(
            "file-corrupt", f"文件不完整或已损坏：条目“{part.name}”解压后大小与声明不符；请重新导出"
        )

    def read(self, part: ZipPart, budget: Budget, max_bytes: int) -> bytes:
        if part.size > max_bytes:
            raise UnreadableFile(
                "file-too-large", f"条目“{part.name}”解压后为 {mb(part.size)}，超过 {mb(max_bytes)} 的上限"
            )
        return b"".join(self.stream(part, budget))


class PartReader:
    """Reads parts through one inspection's budget, counting each entry's unpacked bytes once however often
    (and however far) it is read: a sheet may be scanned twice, and a prolog check reads only a part's first
    chunk. Every entry read to its end is verified: its real size is the declared one."""

    WHOLE = 4 * MB  # a part up to this size is inflated in one call

    def __init__(self, container: ZipContainer, budget: Budget) -> None:
        self.container = container
        self.budget = budget
        self.counted: dict[str, int] = {}
        self.verified: set[str] = set()

    def stream(self, part: ZipPart, chunk: int = 4 * MB) -> Iterator[bytes]:
        yield from self.container.stream(part, _PartBudget(self, part.name), chunk)
        self.verified.add(part.name)

    def small(self, part: ZipPart) -> bool:
        """Whether the part is inflated whole, in one call (its packed bytes too are held at once)."""
        return part.size <= self.WHOLE and part.packed <= 2 * self.WHOLE

    def inflate(self, part: ZipPart) -> bytes:
        """The part whole: in one call when :meth:`small`, else streamed and joined."""
        if part.size > self.WHOLE or part.packed > 2 * self.WHOLE:
            return b"".join(self.stream(part))
        self.budget.check_time()
        data, complete = self.container.inflate_small(part)
        extra = len(data) - self.counted.get(part.name, 0)
        if extra > 0:
            self.counted[part.name] = len(data)
            self.budget.spend(extra)
        if not complete:
            raise self.container.incomplete(part)
        self.verified.add(part.name)
        return data

    def read_xml(self, part: ZipPart) -> bytes:
        limit = self.budget.limits.max_xml_part_bytes
        if part.size > limit:
            raise UnreadableFile(
                "file-too-large",
                f"{part.name} 解压后为 {part.size / MB:,.1f} MB，超过 {limit // MB} MB 的上限",
            )
        return self.inflate(part)

    def verify(self, part: ZipPart) -> None:
        if part.name in self.verified:
            return
        if self.small(part):
            self.inflate(part)
        else:
            for _ in self.stream(part):
                pass

    def verify_all(self) -> None:
        """The real size of every entry not read to its end yet."""
        for name, part in self.container.parts.items():
            if name not in self.verified:
                self.verify(part)


class _PartBudget(Budget):
    """One read of one entry: spends on the shared budget only bytes beyond what earlier reads counted."""

    def __init__(self, reader: PartReader, name: str) -> None:  # shares the inspection's clock
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
