"""The NumPy passes the vectorised sheet scans (:mod:`lawgov_metrics.intake.guard.sheet_fast`) are made of:
byte-pair masks and positions over a padded buffer (:class:`_Pairs`), cell tags and their ``r`` keys, the
references' row and column keys, formula and error cells, and merged ranges after the last cell.

Each works on a buffer padded past ``n`` (so a look a few bytes ahead never runs off its end) and raises
:class:`~lawgov_metrics.intake.guard.sheet_scan.Fallback` where only the exact scan may judge.
"""

from __future__ import annotations

import re
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lawgov_metrics.intake.guard.sheet_scan import MERGE, PAD, Fallback, SheetScan, ref_position

Array = np.ndarray[Any, Any]

_NAME_END = np.zeros(256, dtype=bool)  # what ends a tag name for calamine's XML reader
_NAME_END[[9, 10, 13, 32, 47, 62]] = True
_KEY_END = np.zeros(256, dtype=bool)  # whitespace or '=' after a key
_KEY_END[[9, 10, 13, 32, 61]] = True
_ODD_BEFORE_KEY = np.zeros(256, dtype=bool)  # a key r after a quote, a tab or a line break
_ODD_BEFORE_KEY[[34, 39, 9, 10, 13]] = True
_OPEN_REF = int.from_bytes(b' r="', "little")
_SPACE_R, _W_SPACE = (int.from_bytes(t, "little") for t in (b" r", b"w "))
_ODD_R = [  # a key r after a quote, a tab or a line break (checked when that byte occurs at all)
    (int.from_bytes(b'"r', "little"), None),
    (int.from_bytes(b"'r", "little"), b"'"),
    (int.from_bytes(b"\tr", "little"), b"\t"),
    (int.from_bytes(b"\nr", "little"), b"\n"),
    (int.from_bytes(b"\rr", "little"), b"\r"),
]
_BYTE_INDEX = np.uint64(0x0001020304050607)  # times 1 << 8k, its top byte is k
_T_E = re.compile(rb"""\st\s*=\s*["']e["']""")
_T_STR = re.compile(rb"""\st\s*=\s*["']str["']""")


class _Pairs:
    """Every two-byte pattern of a padded buffer as a little-endian uint16, at even offsets in place and at
    odd offsets from an aligned copy of the buffer shifted by one (made on first use): comparing a
    misaligned view costs twice as much, and a buffer is compared against several patterns."""

    def __init__(self, arr: Array) -> None:
        self.arr = arr
        self.size = (len(arr) - 1) // 2 * 2
        self.even = arr[: self.size].view("<u2")  # even[k]: the bytes at 2k and 2k + 1
        self._odd: Array | None = None

    @property
    def odd(self) -> Array:  # odd[k]: the bytes at 2k + 1 and 2k + 2
        if self._odd is None:
            shifted = np.empty(self.size, dtype=np.uint8)
            shifted[:] = self.arr[1 : self.size + 1]
            self._odd = shifted.view("<u2")
        return self._odd

    def masks(self, code: int, n: int) -> tuple[Array, Array]:
        """Where the pair at 2k (first) and at 2k + 1 (second) spells ``code``, for starts before n."""
        return self.even[: (n + 1) // 2] == code, self.odd[: n // 2] == code

    def positions(self, code: int, n: int, *, ordered: bool = True) -> Array:
        """Positions p < n where the two bytes at p spell ``code``, sorted if asked. Comparing is cheap and
        listing positions is not, so a pair that does not occur costs one pass."""
        hits = []
        for offset, found in enumerate(self.masks(code, n)):
            if found.any():
                hits.append(np.flatnonzero(found) * 2 + offset)
        if not hits:
            return np.empty(0, dtype=np.intp)
        both = hits[0] if len(hits) == 1 else np.concatenate(hits)
        if ordered and len(hits) > 1:
            both.sort(kind="stable")
        return both


def _tag_starts(pairs: _Pairs, tag: bytes, n: int) -> Array:
    """Sorted positions p < n where ``tag`` (two bytes or more) begins; for tags that are rare."""
    found = pairs.positions(int.from_bytes(tag[:2], "little"), n)
    for k in range(2, len(tag)):
        found = found[pairs.arr[found + k] == tag[k]]
    return found


def _cell_tags(arr: Array, tag: bytes, n: int) -> Array:
    """Sorted positions p < n where the cell tag begins: one mask over the bytes, listed once (cell tags are
    a few in every hundred bytes, so this beats listing each byte pair)."""
    mask = arr[:n] == tag[0]
    for k in range(1, len(tag)):
        mask &= arr[k : n + k] == tag[k]
    return np.flatnonzero(mask)


def _words(arr: Array) -> Array:
    """Every 8-byte little-endian word of ``arr``, one at each byte offset: a view, nothing copied."""
    return np.ndarray(shape=(len(arr) - 7,), dtype="<u8", buffer=arr, strides=(1,))


def _opens_with_ref(arr: Array, after: Array) -> Array:
    """Whether the bytes at each offset are ' r="'."""
    return cast(Array, (_words(arr)[after] & np.uint64(0xFFFFFFFF)) == _OPEN_REF)


def _r_keys(arr: Array, n: int) -> tuple[Array, Array]:
    """Attribute keys named r before n (an 'r' followed by whitespace or '='): those after a space that
    does not follow a 'w' — each must be a cell's own, so there are exactly as many as cells — and those
    after a quote, a tab or a line break, any of which sends the sheet to the exact scan (calamine takes the
    last r of a tag, the fast scan the first). A row's key follows 'w '; one after an unquoted or missing
    value is an error to calamine's XML reader, never a position."""
    r = np.flatnonzero(arr[1:n] == 114) + 1
    r = r[_KEY_END[arr[r + 1]]]
    before = arr[r - 1]
    spaced = r[(before == 32) & (arr[r - 2] != 119)]
    return spaced, r[_ODD_BEFORE_KEY[before]]


def _odd_keys(pairs: _Pairs, buf: bytes, n: int) -> bool:
    """Whether a key r follows a quote, a tab or a line break anywhere before n (the byte is looked for
    first: only a double quote is common, and one pass tells whether there is any tab or line break)."""
    controls = bool((pairs.arr[:n] < 14).any())
    for code, byte in _ODD_R:
        if byte is None or (buf.find(byte, 0, n) >= 0 if byte == b"'" else controls):
            odd = pairs.positions(code, n, ordered=False)
            if _KEY_END[pairs.arr[odd + 2]].any():
                return True
    return False


def _one_r_each(pairs: _Pairs, buf: bytes, cells: int, n: int) -> bool:
    """The rule of :func:`_r_keys` for one dense buffer, counted rather than listed where it can be: the
    keys less those after a 'w' can be no more than all ' r' less those after 'w ' (a row's), and are at
    least the cells' own, so when those two counts agree the rule holds; otherwise each ' r' followed by
    '=' or whitespace is looked at."""
    if _odd_keys(pairs, buf, n):
        return False
    spaced_even, spaced_odd = pairs.masks(_SPACE_R, n)
    after_w_even, after_w_odd = pairs.masks(_W_SPACE, n)
    spaced = int(np.count_nonzero(spaced_even)) + int(np.count_nonzero(spaced_odd))
    after_w = int(np.count_nonzero(spaced_odd & after_w_even[: len(spaced_odd)]))  # 'w' at 2k, ' r' at 2k+1
    after_w += int(np.count_nonzero(spaced_even[1:] & after_w_odd[: len(spaced_even) - 1]))
    return spaced - after_w == cells or _spaced_keys(pairs, n) == cells


def _spaced_keys(pairs: _Pairs, n: int) -> int:
    """How many ' r' before n are followed by '=' or whitespace, less those after a 'w'."""
    keyed = pairs.positions(_SPACE_R, n, ordered=False)
    keyed = keyed[_KEY_END[pairs.arr[keyed + 2]]]
    return len(keyed) - int(np.count_nonzero(pairs.arr[keyed - 1] == 119))  # 'w'


def _ref_keys(arr: Array, start: Array, row_digits: int) -> tuple[Array, Array, Array, Array, Array]:
    """For references starting at ``start``: (plausible, row key, column key, length, letters). A plausible
    one is 1–3 letters (either case, as calamine reads them), then 1 to ``row_digits`` digits without a
    leading zero, then '"' within 11 bytes; the keys order references by row and by column (longest first,
    then as big-endian bytes, which is numeric order without leading zeros). Only the winners are parsed
    exactly: a reference calamine cannot parse makes it fail, never allocate. Keys of an implausible
    reference mean nothing. Most steps work in place: a dense buffer has ~30,000 cells, and every fresh
    array of that many words would be new memory from the system."""
    u64 = np.uint64
    word = _words(arr)[start]  # the first 8 bytes of each reference
    head = word.view(np.uint8).reshape(-1, 8)
    quotes = (head == 34).view(u64).ravel()  # byte k is 1 where '"'
    key = ~quotes
    key += u64(1)
    key &= quotes  # the closing quote's bit: 1 << 8k
    key *= _BYTE_INDEX
    key >>= u64(56)  # k
    ends = key.view(np.int64)
    long = np.flatnonzero(quotes == 0)
    if len(long):  # rows from 1,000,000, or wide sheets: look 11 bytes ahead
        ends[long] = (sliding_window_view(arr, 11)[start[long]] == 34).argmax(axis=1)
    lower = head | 32
    lower -= 97
    letter = lower < 26  # a-z in either case
    two = letter[:, 1] & letter[:, 2]
    letters = letter[:, 1].astype(np.int64)
    letters += two
    letters += 1
    digits = ends - letters
    big = word.byteswap(inplace=True)  # the reference's first byte is now the most significant
    shift = letters.view(u64) * u64(8)
    row_key = big << shift  # the digits first
    plausible = (row_key >> u64(56)) != 48  # no leading zero
    plausible &= ends >= 2
    plausible &= letter[:, 0]
    plausible &= ~(two & letter[:, 3])
    plausible &= digits >= 1
    plausible &= digits <= row_digits
    tail = u64(64) - digits.view(u64) * u64(8)
    row_key >>= tail
    if len(long):  # digits beyond the first 8 bytes: read them from where they start
        row_key[long] = _words(arr)[start[long] + letters[long]].byteswap() >> tail[long]
    row_key |= digits.view(u64) << u64(56)
    shift = u64(64) - shift
    col_key = big >> shift
    col_key &= u64(0xDFDFDF)
    col_key |= letters.view(u64) << u64(56)
    return plausible, row_key, col_key, ends, letters


def _far_cell(scan: SheetScan, buf: bytes, start: int, length: int, letters: int) -> None:
    """The exact position of an extent winner, a plausible reference of ``letters`` letters (as
    :func:`ref_position` reads it); one that is not all digits after them sends the sheet to the exact pass."""
    ref = buf[start : start + length]
    digits = ref[letters:]
    if not digits.isdigit():
        raise Fallback
    row = int(digits)
    col = 0
    for ch in ref[:letters].upper():
        col = col * 26 + ch - 64
    if row > scan.max_row:
        scan.max_row, scan.row_ref = row, ref.decode("ascii").upper()
    if col > scan.max_col:
        scan.max_col, scan.col_ref = col, ref.decode("ascii").upper()


def _first_max(keys: Array, bounds: Array) -> Array:
    """For runs keys[bounds[k]:bounds[k+1]] (none empty): the index of each run's first largest key."""
    maxima = np.maximum.reduceat(keys, bounds[:-1])
    hits = np.flatnonzero(keys == np.repeat(maxima, np.diff(bounds)))
    return cast(Array, hits[np.searchsorted(hits, bounds[:-1])])


def _bounded_find(buf: bytes, byte: bytes, start: int, end: int) -> int:
    """``buf.find(byte, start)`` within a part that ends at ``end`` and is followed by :data:`PAD`: when
    absent, the end of the padding less one byte (where a scan of the part alone would stop)."""
    found = buf.find(byte, start, end)
    return found if found >= 0 else end + len(PAD) - 1


def _formula_tags(pairs: _Pairs, prefix: bytes, n: int) -> Array:
    """Sorted starts of the formula tags (``<f`` and a name end) before n."""
    tag = b"<" + prefix + b"f"
    found = _tag_starts(pairs, tag, n)
    return cast(Array, found[_NAME_END[pairs.arr[found + len(tag)]]])


def _unvalued_formulas(
    pairs: _Pairs, prefix: bytes, fpos: Array, cells: Array, stops: Array, n: int
) -> Array:
    """Indexes (in document order) of the cells whose formula tag (of ``fpos``) has no <v> holding text
    before the cell's stop (the next cell, or where the part or buffer ends); t="str" with an empty <v> is
    left to the caller."""
    v_tag = b"<" + prefix + b"v"
    owner = np.searchsorted(cells, fpos, side="right") - 1
    keep = owner >= 0
    fpos, owner = fpos[keep], owner[keep]
    keep = fpos < stops[owner]
    fpos, owner = fpos[keep], owner[keep]
    if not len(fpos):
        return np.empty(0, dtype=np.intp)
    arr = pairs.arr
    vpos = _tag_starts(pairs, v_tag, n)
    vpos = vpos[(arr[vpos + len(v_tag)] == 62) & (arr[vpos + len(v_tag) + 1] != 60)]  # <v>text
    if len(vpos):
        j = np.minimum(np.searchsorted(vpos, fpos), len(vpos) - 1)
        has_v = (vpos[j] > fpos) & (vpos[j] < stops[owner])
    else:
        has_v = np.zeros(len(fpos), dtype=bool)
    return cast(Array, np.unique(owner[~has_v]))


def _flag_formula(scan: SheetScan, buf: bytes, cell: int, ref: int, end: int) -> None:
    if _T_STR.search(buf[cell : _bounded_find(buf, b">", cell, end)]):
        return  # t="str" with an empty <v>: the formula's result is the empty string
    try:
        scan.formulas.append(ref_position(buf[ref : buf.find(b'"', ref)]))
    except ValueError:
        raise Fallback from None


def _flag_error(scan: SheetScan, buf: bytes, hash_at: int, cell: int, ref: int, end: int) -> None:
    if _T_E.search(buf[cell : _bounded_find(buf, b">", cell, end)]):
        try:
            position = ref_position(buf[ref : buf.find(b'"', ref)])
        except ValueError:
            raise Fallback from None
        scan.errors[position] = buf[hash_at : _bounded_find(buf, b"<", hash_at, end)].decode(
            "utf-8", "replace"
        )


def _merged_after(scan: SheetScan, buf: bytes, start: int, end: int) -> None:
    """Merged ranges after the last cell (where Excel writes them)."""
    if buf.find(b"<mergeCell", start, end) >= 0 or buf.find(b":mergeCell", start, end) >= 0:
        scan.merged += [m.group(1).decode("ascii", "replace") for m in MERGE.finditer(buf, start, end)]
