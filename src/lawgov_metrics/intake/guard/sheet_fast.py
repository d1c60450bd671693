"""The vectorised sheet scans: NumPy passes over a sheet's bytes that find where its cells are.

They vouch for sheets as Excel, WPS, openpyxl, xlsxwriter and the OpenXML SDK write them: every cell tag
starts ``<c r="A1"`` (or ``<x:c r="A1"`` when the root element carries the prefix x:), so that r is the
first attribute and no cell has a second one. Anything else raises :class:`Fallback` (for a whole part) or
is left to the caller (for one part of a batch), and goes to the exact scan.

Two ways in, with the same rules and the same helpers:

- :class:`FastScan` streams a part in 1 MB buffers, each cut at a cell start so no tag is split; the next
  buffer is inflated in a thread meanwhile. About 3–4 ms per MB of dense ledger XML on one core of the
  benchmark machine (a 1,000,000-row sheet: ~1 s, a sixth of fastexcel's read of it).
- :func:`scan_small_parts` takes the small parts of a workbook (each at most one buffer), joins them with
  padding between and runs each pass once over all of them: a NumPy call costs a microsecond or more
  whatever its size, and a workbook of a dozen 10 KB sheets then pays for one set of calls, not twelve.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lawgov_metrics.intake.guard.safety import ReadLimits
from lawgov_metrics.intake.guard.sheet_scan import (
    FIRST_ELEMENT,
    MERGE,
    PAD,
    Fallback,
    Scanner,
    SheetScan,
    over_limits,
    ref_position,
)

Array = np.ndarray[Any, Any]

ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*[\s/>]")  # the first element, and its prefix
_LT_C, _COLON_C = (int.from_bytes(t, "little") for t in (b"<c", b":c"))
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


# ------------------------------------------------------------------------------------------ the passes


_heap_kept = False


def keep_heap_top() -> None:
    """Ask glibc to keep up to 64 MB free at the top of the heap (``M_TOP_PAD``) instead of handing it
    back to the system as soon as it is free.

    Every buffer makes a chain of temporaries of 0.2–1 MB (a mask per byte, a word per cell). By default
    glibc trims the heap's top whenever a few MB are free there, that is after every buffer, and the next
    buffer faults the same pages in again: on the benchmark VM that made the vectorised passes 2–3 times
    slower. The price is that up to 64 MB may stay with the process after a peak. Process-wide and once;
    where the C library is not glibc nothing happens."""
    global _heap_kept
    if _heap_kept:
        return
    _heap_kept = True
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-2, 64 << 20)  # M_TOP_PAD


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


# ------------------------------------------------------------------------------------------ streaming


class FastScan(Scanner):
    """A part in buffers, vectorised (see the module's docstring)."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        super().__init__(sheet, limits)
        keep_heap_top()
        self.row_digits = len(str(limits.max_rows))
        self.prefix = b""  # of the root element, decided on the first buffer
        self.cell_tag = b"<c"

    def _check_prolog(self, buf: bytes, final: bool) -> None:
        super()._check_prolog(buf, final)
        root = ROOT.search(buf)
        self.prefix = root.group(1) if root and root.group(1) else b""
        self.cell_tag = b"<" + self.prefix + b"c"

    def feed(self, buf: bytes, n: int, final: bool) -> int:
        arr = np.frombuffer(buf, dtype=np.uint8)  # buf is padded past n
        pairs = _Pairs(arr)
        size = len(self.cell_tag)
        cpos = _cell_tags(arr, self.cell_tag, n)
        # A tag start in the last 24 bytes may be cut short: it goes to the next buffer unexamined.
        limit = n if final else n - 24
        whole = cpos[: int(np.searchsorted(cpos, limit))]
        if self.prefix and len(pairs.positions(_LT_C, limit, ordered=False)):
            raise Fallback  # an unprefixed <c in a prefixed sheet
        is_cell = _opens_with_ref(arr, whole + size)
        cells = whole[is_cell]
        if len(cells) < len(whole) and _NAME_END[arr[whole[~is_cell] + size]].any():
            raise Fallback  # a cell tag whose first attribute is not r="…", or none at all
        if final:
            cut = n
        elif len(cells) and n - int(cells[-1]) <= self.window:
            cut = int(cells[-1])
        else:
            cut = max(buf.rfind(b"<", 0, n), 0)
        if len(whole) < len(cpos):
            cut = min(cut, int(cpos[len(whole)]))
        self._no_other_prefix(pairs, buf, cut)
        done = cells[: int(np.searchsorted(cells, cut))]
        if not _one_r_each(pairs, buf, len(done), cut):
            raise Fallback  # a cell with a second r, or r not first
        if len(done):
            self._cells(pairs, buf, done, done + size + 4, cut, n)
        tail = int(done[-1]) if len(done) else 0  # merged ranges follow the last cell
        _merged_after(self.scan, buf, tail, cut)
        return cut

    def _no_other_prefix(self, pairs: _Pairs, buf: bytes, cut: int) -> None:
        """A cell element under any other prefix (calamine reads local names) sends the sheet to the exact
        scan; under the sheet's own prefix it is one of ours (a start or an end tag)."""
        if buf.find(b":", 0, cut) < 0:
            return
        arr = pairs.arr
        colons = pairs.positions(_COLON_C, cut, ordered=False)
        colons = colons[_NAME_END[arr[colons + 2]]]
        if not len(colons):
            return
        if not self.prefix:
            raise Fallback
        name = self.prefix[:-1]
        before = arr[colons - len(name) - 1]
        ours = (before == 60) | (before == 47)  # '<' or '/'
        for k, byte in enumerate(name):
            ours &= arr[colons - len(name) + k] == byte
        if not ours.all():
            raise Fallback

    def _cells(self, pairs: _Pairs, buf: bytes, cells: Array, refs: Array, cut: int, n: int) -> None:
        """The done cells (before ``cut``) of a buffer whose data ends at ``n``."""
        arr = pairs.arr
        plausible, row_key, col_key, ends, letters = _ref_keys(arr, refs, self.row_digits)
        if not plausible.all():
            raise Fallback  # a long or odd reference: the exact pass judges
        s = self.scan
        s.cells += len(cells)
        for top in (int(row_key.argmax()), int(col_key.argmax())):
            _far_cell(s, buf, int(refs[top]), int(ends[top]), int(letters[top]))
        fpos = _formula_tags(pairs, self.prefix, cut)
        if len(fpos):
            stops = np.empty(len(cells), dtype=np.intp)
            stops[:-1], stops[-1] = cells[1:], cut
            for i in _unvalued_formulas(pairs, self.prefix, fpos, cells, stops, cut):
                _flag_formula(s, buf, int(cells[i]), int(refs[i]), n)
        v_open = b"<" + self.prefix + b"v>"
        at = buf.find(b"#", 0, cut)  # error values (t="e") are always "<v>#…"; '#' is rare
        while at >= 0:
            if buf[at - len(v_open) : at] == v_open:
                owner = int(np.searchsorted(cells, at, side="right")) - 1
                if owner >= 0:
                    _flag_error(s, buf, at, int(cells[owner]), int(refs[owner]), n)
            at = buf.find(b"#", at + 1, cut)


# -------------------------------------------------------------------------------------- small parts


def scan_small_parts(parts: list[tuple[str, bytes]], limits: ReadLimits) -> list[SheetScan | None]:
    """Scan whole parts (each no larger than one :class:`FastScan` buffer) in one set of passes.

    Returns each part's scan, the same as :class:`FastScan` finds (merged ranges: those after the part's
    last cell, where Excel writes them); None for a part this cannot vouch for (another prefix, a cell it
    cannot read, a DTD or an odd prolog, or past any limit), which the caller scans on its own, so its
    messages and fallbacks are the streaming scan's.
    """
    keep_heap_top()
    results: list[SheetScan | None] = [None] * len(parts)
    chosen = [i for i, (_, data) in enumerate(parts) if _plain_part(data)]
    if not chosen:
        return results
    buf = b"".join(x for i in chosen for x in (parts[i][1], PAD))
    arr = np.frombuffer(buf, dtype=np.uint8)
    sizes = np.array([len(parts[i][1]) for i in chosen], dtype=np.intp)
    starts = np.zeros(len(chosen), dtype=np.intp)
    starts[1:] = np.cumsum(sizes + len(PAD))[:-1]
    ends = starts + sizes
    n = len(buf) - len(PAD)
    bad = np.zeros(len(chosen), dtype=bool)

    def part_of(positions: Array) -> Array:
        return cast(Array, np.searchsorted(starts, positions, side="right") - 1)

    # every 'c' that ends a tag name: after '<' a cell tag, after ':' a cell under a prefix not the sheet's
    ends_name = np.flatnonzero(arr[:n] == 99)
    ends_name = ends_name[_NAME_END[arr[ends_name + 1]]]
    before = arr[ends_name - 1]
    bad[part_of(ends_name[before == 58])] = True
    tags = ends_name[before == 60] - 1
    is_cell = _opens_with_ref(arr, tags + 2)
    bad[part_of(tags[~is_cell])] = True
    cells = tags[is_cell]
    owner_part = part_of(cells)
    count = len(chosen)
    spaced, odd = _r_keys(arr, n)
    if len(odd) or len(spaced) != len(cells):  # settled for all parts at once, usually; else per part
        spaced = spaced[spaced > starts[part_of(spaced)]]  # a key must follow a space of its own part
        bad[part_of(odd)] = True
        bad |= np.bincount(part_of(spaced), minlength=count) != np.bincount(owner_part, minlength=count)
    refs = cells + 6
    plausible, row_key, col_key, lengths, letters = _ref_keys(arr, refs, len(str(limits.max_rows)))
    bad[owner_part[~plausible]] = True

    scans = [SheetScan() for _ in chosen]
    bounds = np.searchsorted(owner_part, np.arange(count + 1))
    fpos = np.flatnonzero(arr[:n] == 102)  # formula tags: an 'f' after '<' that ends the name
    fpos = fpos[(arr[fpos - 1] == 60) & _NAME_END[arr[fpos + 1]]] - 1
    stops = np.empty(len(cells), dtype=np.intp)
    if len(fpos) and len(cells):
        stops[:-1] = cells[1:]
        last = np.flatnonzero(owner_part[:-1] != owner_part[1:])
        stops[last] = ends[owner_part[last]]
        stops[-1] = ends[owner_part[-1]]
    flagged = _unvalued_formulas(_Pairs(arr), b"", fpos, cells, stops, n) if len(fpos) and len(cells) else ()
    for i in flagged:
        j = int(owner_part[i])
        if not bad[j]:
            try:
                _flag_formula(scans[j], buf, int(cells[i]), int(refs[i]), int(ends[j]))
            except Fallback:
                bad[j] = True
    first_bytes = starts.tolist()
    at = buf.find(b"#", 0, n)
    while at >= 0:
        j = bisect.bisect_right(first_bytes, at) - 1
        if not bad[j] and buf[at - 3 : at] == b"<v>":
            cell = int(np.searchsorted(cells, at, side="right")) - 1
            if cell >= 0 and owner_part[cell] == j:
                try:
                    _flag_error(scans[j], buf, at, int(cells[cell]), int(refs[cell]), int(ends[j]))
                except Fallback:
                    bad[j] = True
        at = buf.find(b"#", at + 1, n)

    # each part's extent winners, and its exact extent from them
    bounds_list = bounds.tolist()
    filled = np.flatnonzero(np.diff(bounds) > 0)
    runs = np.append(bounds[filled], len(cells))
    winners: dict[int, tuple[int, ...]] = dict.fromkeys(range(count), ())
    if len(filled):
        by_row, by_col = _first_max(row_key, runs).tolist(), _first_max(col_key, runs).tolist()
        for j, top_row, top_col in zip(filled.tolist(), by_row, by_col, strict=True):
            winners[j] = (top_row,) if top_row == top_col else (top_row, top_col)
    flag_limit = limits.max_flagged_cells
    for j, i in enumerate(chosen):
        if bad[j]:
            continue
        lo, hi = bounds_list[j], bounds_list[j + 1]
        scan = scans[j]
        scan.cells = hi - lo
        try:
            for top in winners[j]:
                _far_cell(scan, buf, int(refs[top]), int(lengths[top]), int(letters[top]))
        except Fallback:
            continue
        _merged_after(scan, buf, int(cells[hi - 1]) if hi > lo else int(starts[j]), int(ends[j]))
        if over_limits(scan, limits) or len(scan.merged) > flag_limit:
            continue  # the streaming scan refuses it, in its own words
        results[i] = scan
    return results


def _plain_part(data: bytes) -> bool:
    """A part the batch vouches for from its start: an unprefixed root element, and before it nothing
    that could be a DTD."""
    first = FIRST_ELEMENT.search(data)
    if first is None or b"<!" in data[: first.start()]:
        return False
    root = ROOT.search(data)
    return root is not None and not root.group(1)
