"""The vectorised scan of sheets whose cells (some or all) carry no ``r`` reference: positions by counting.

calamine places a cell without ``r`` at the running row (set by a row's own ``r``, else one past the last
row closed) and one column right of the cell before it in that row (column A after a row closes); a cell
with ``r`` is placed where it says and moves the running column there. :class:`CountScan` follows the same
rules with NumPy over each 1 MB buffer — the tags in document order, running counts by cumulative sums, the
last anchor (a row's ``r``, a row's end, a cell's ``r``) by a running maximum — so a 10,000,000-cell sheet
written without references costs what a ledger of the same size costs, not a minute of the tag-by-tag pass.

It vouches for well-formed sheets only: no comments, CDATA or processing instructions after the root,
every cell start followed by its own end (or self-closed), attribute values without a '>' or a single
quote in the tags it reads, ``r`` first in a tag or absent, references and row numbers that parse. Anything
else raises :class:`Fallback` and goes to the exact scan. Extents count every ``<c>`` element (an upper
bound), as the reference-based fast scan does.
"""

from __future__ import annotations

import re
from typing import cast

import numpy as np

from lawgov_metrics.intake.guard.limits import ReadLimits
from lawgov_metrics.intake.guard.sheet_fast import FastScan
from lawgov_metrics.intake.guard.sheet_passes import (
    _NAME_END,
    Array,
    _cell_tags,
    _merged_after,
    _one_r_each,
    _opens_with_ref,
    _Pairs,
    _ref_keys,
    _tag_starts,
    _unvalued_formulas,
)
from lawgov_metrics.intake.guard.sheet_scan import Fallback
from lawgov_metrics.issues import cell_ref

_T_E = re.compile(rb"""\st\s*=\s*["']e["']""")
_T_STR = re.compile(rb"""\st\s*=\s*["']str["']""")
_SPECIALS = [int.from_bytes(t, "little") for t in (b"<!", b"<?")]
_RO = int.from_bytes(b"ro", "little")
_TAG_NEXT = np.zeros(256, dtype=bool)  # what may follow a '<': a name, '/', '!' or '?'
_TAG_NEXT[[*range(65, 91), *range(97, 123), 95, 47, 33, 63]] = True
_LETTER_WEIGHTS = np.array([[1, 0, 0], [26, 1, 0], [676, 26, 1]], dtype=np.int64)


class CountScan(FastScan):
    """A part in buffers, cells positioned by counting (see the module's docstring)."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        super().__init__(sheet, limits)
        self.row = 0  # calamine's running row (0-based) at the start of the next buffer
        self.col = 0  # and its running column
        self.root_end = 0  # in the first buffer: where the root element starts (the prolog is before)

    def _check_prolog(self, buf: bytes, final: bool) -> None:
        super()._check_prolog(buf, final)
        root = re.search(rb"<[A-Za-z_]", buf)
        self.root_end = root.start() if root else 0

    def feed(self, buf: bytes, n: int, final: bool) -> int:
        start, self.root_end = self.root_end, 0
        arr = np.frombuffer(buf, dtype=np.uint8)
        pairs = _Pairs(arr)
        for special in _SPECIALS:  # a comment or CDATA could hide tags: the exact scan blanks them
            if (pairs.positions(special, n, ordered=False) >= start).any():
                raise Fallback
        last = n if final else n - 1  # a '<' that ends the buffer is looked at again in the next one
        lts = arr[start:last] == 60
        if not _TAG_NEXT[arr[start + 1 : last + 1][lts]].all():
            raise Fallback  # a '<' that starts no tag (inside a value, say): the exact scan names it
        p = self.prefix
        cell_open = _named(arr, _cell_tags(arr, b"<" + p + b"c", n), len(p) + 2)
        cell_open = cell_open[cell_open >= start]
        row_open, row_close = _row_tags(pairs, p, n)
        if final:
            cut = n
        else:  # the last tag that starts outside a cell goes to the next buffer whole
            cut = max((int(t[-1]) for t in (cell_open, row_open, row_close) if len(t)), default=0)
            if not cut:
                return 0  # one long cell: carried until it ends (the token bound applies)
            cell_open = cell_open[: int(np.searchsorted(cell_open, cut))]
            row_open = row_open[row_open < cut]
            row_close = row_close[row_close < cut]
        cell_close = _named(arr, _cell_tags(arr, b"</" + p + b"c", cut), len(p) + 3)
        self._no_other_prefix(pairs, buf, cut)
        row_closed = _self_closed(arr, row_open, cut, quoted=True)
        _paired(arr, cell_open, cell_close, row_open, row_close, cut)
        size = len(p) + 2
        has_ref = _opens_with_ref(arr, cell_open + size)
        if not _one_r_each(pairs, buf, int(np.count_nonzero(has_ref)), cut):
            raise Fallback  # an r that is not a cell's first attribute (or a row's)
        ref_row, ref_col = _ref_numbers(arr, cell_open[has_ref] + size + 4, self.row_digits)
        row_set = _row_numbers(arr, row_open + len(p) + 4)
        row_ends = row_close
        if row_closed.any():  # '<row/>' opens and ends a row
            row_ends = np.sort(np.concatenate((row_close, row_open[row_closed] + 1)))
        rows, cols = self._positions(cell_open, has_ref, ref_row, ref_col, row_open, row_set, row_ends, cut)
        self._extent(cell_open, rows, cols)
        self._flags(pairs, buf, cell_open, rows, cols, cut, n)
        _merged_after(self.scan, buf, int(cell_open[-1]) if len(cell_open) else 0, cut)
        return cut

    def _positions(
        self,
        cells: Array,
        has_ref: Array,
        ref_row: Array,
        ref_col: Array,
        row_open: Array,
        row_set: Array,
        row_ends: Array,
        cut: int,
    ) -> tuple[Array, Array]:
        """(row, column), 0-based, of each cell; the running row and column carried to the next buffer.
        Each is computed at the cells and at ``cut`` (one more place, the end of the buffer)."""
        at = np.append(cells, cut)
        count = len(cells)
        # rows: the last row that names its number, plus the rows ended since; else carried, plus those
        named = row_set >= 0
        anchor_at, anchor_row = row_open[named], row_set[named]
        first_after = np.searchsorted(cells, row_ends)  # the first cell after each row end
        ends_before = np.cumsum(np.bincount(first_after, minlength=count + 1))
        k = np.searchsorted(anchor_at, at) - 1
        since = ends_before - np.searchsorted(row_ends, anchor_at)[np.maximum(k, 0)] if len(anchor_at) else 0
        if len(anchor_at):
            running_row = np.where(k >= 0, anchor_row[np.maximum(k, 0)] + since, self.row + ends_before)
        else:
            running_row = self.row + ends_before
        # columns: one right of the last cell with r, or counted from the last row end, or carried
        index = np.arange(count + 1)
        if len(row_ends):
            last_end = np.where(ends_before > 0, row_ends[np.maximum(ends_before - 1, 0)], -1)
            after_end = first_after[np.maximum(ends_before - 1, 0)]
            running_col = np.where(ends_before > 0, index - after_end, self.col + index)
        else:
            last_end = np.full(count + 1, -1)
            running_col = self.col + index
        if len(ref_col):
            full = np.zeros(count + 1, dtype=np.int64)
            full[:count][has_ref] = ref_col
            flag = np.zeros(count + 1, dtype=bool)
            flag[:count] = has_ref
            last_ref = np.maximum.accumulate(np.where(flag, index, -1))
            before = np.empty_like(last_ref)
            before[0], before[1:] = -1, last_ref[:-1]
            use = (before >= 0) & (at[np.maximum(before, 0)] > last_end)
            running_col = np.where(use, full[np.maximum(before, 0)] + index - before, running_col)
        self.row, self.col = int(running_row[count]), int(running_col[count])
        rows, cols = running_row[:count].astype(np.int64), running_col[:count].astype(np.int64)
        rows[has_ref] = ref_row
        cols[has_ref] = ref_col
        return rows, cols

    def _extent(self, cells: Array, rows: Array, cols: Array) -> None:
        s = self.scan
        s.cells += len(cells)
        if not len(cells):
            return
        top = int(rows.argmax())
        if int(rows[top]) + 1 > s.max_row:
            s.max_row, s.row_ref = int(rows[top]) + 1, cell_ref(int(rows[top]) + 1, int(cols[top]) + 1)
        top = int(cols.argmax())
        if int(cols[top]) + 1 > s.max_col:
            s.max_col, s.col_ref = int(cols[top]) + 1, cell_ref(int(rows[top]) + 1, int(cols[top]) + 1)

    def _flags(
        self, pairs: _Pairs, buf: bytes, cells: Array, rows: Array, cols: Array, cut: int, n: int
    ) -> None:
        """Formulas without a cached value and error values, at the counted positions."""
        if not len(cells):
            return
        s = self.scan
        stops = np.empty(len(cells), dtype=np.intp)
        stops[:-1], stops[-1] = cells[1:], cut
        ftag = b"<" + self.prefix + b"f"
        fpos = _tag_starts(pairs, ftag, cut)
        fpos = fpos[_NAME_END[pairs.arr[fpos + len(ftag)]]]
        if len(fpos):
            for i in _unvalued_formulas(pairs, self.prefix, fpos, cells, stops, cut).tolist():
                if not _T_STR.search(buf[cells[i] : buf.find(b">", cells[i], n)]):
                    s.formulas.append((int(rows[i]), int(cols[i])))
        v_open = b"<" + self.prefix + b"v>"
        at = buf.find(b"#", 0, cut)
        while at >= 0:
            if buf[at - len(v_open) : at] == v_open:
                i = int(np.searchsorted(cells, at, side="right")) - 1
                if i >= 0 and _T_E.search(buf[cells[i] : buf.find(b">", cells[i], n)]):
                    text_end = buf.find(b"<", at, n)
                    s.errors[(int(rows[i]), int(cols[i]))] = buf[at:text_end].decode("utf-8", "replace")
            at = buf.find(b"#", at + 1, cut)


def _row_tags(pairs: _Pairs, prefix: bytes, n: int) -> tuple[Array, Array]:
    """Sorted starts of row start tags and of row end tags (found by their rare "ro", then checked)."""
    arr = pairs.arr
    found = pairs.positions(_RO, n)
    found = found[(arr[found + 2] == 119) & _NAME_END[arr[found + 3]]]  # 'w' and a name end
    found = found[found >= len(prefix) + 2]
    opens = found >= 0
    closes = opens.copy()
    for k, byte in enumerate(reversed(b"<" + prefix)):
        opens &= arr[found - 1 - k] == byte
    for k, byte in enumerate(reversed(b"</" + prefix)):
        closes &= arr[found - 1 - k] == byte
    return found[opens] - len(prefix) - 1, found[closes] - len(prefix) - 2


def _named(arr: Array, found: Array, length: int) -> Array:
    """Those tag starts whose name (``length`` bytes from the '<') ends there."""
    return cast(Array, found[_NAME_END[arr[found + length]]])


def _self_closed(arr: Array, tags: Array, cut: int, *, quoted: bool) -> Array:
    """Whether each tag ends '/>' at its first '>'. ``quoted``: a '>' inside a value, or a single quote,
    is left to the exact scan, which reads values quote-aware (for rows, whose ends move the count)."""
    if not len(tags):
        return np.zeros(0, dtype=bool)
    gts = np.flatnonzero(arr[:cut] == 62)
    j = np.searchsorted(gts, tags)
    if (j >= len(gts)).any():
        raise Fallback
    ends = gts[j]
    if quoted:
        quotes = np.flatnonzero(arr[:cut] == 34)
        if len(quotes) and ((np.searchsorted(quotes, ends) - np.searchsorted(quotes, tags)) % 2).any():
            raise Fallback
        singles = np.flatnonzero(arr[:cut] == 39)
        if len(singles) and (np.searchsorted(singles, ends) > np.searchsorted(singles, tags)).any():
            raise Fallback
    return cast(Array, arr[ends - 1] == 47)


def _paired(
    arr: Array, cell_open: Array, cell_close: Array, row_open: Array, row_close: Array, cut: int
) -> None:
    """Every ``</c>`` ends the cell just before it (no row tag between, one end per cell), and a cell without
    one is self-closed: nothing nests, so counting places cells as calamine does."""
    rows = (
        np.sort(np.concatenate((row_open, row_close)))
        if len(row_open) and len(row_close)
        else (row_open if len(row_open) else row_close)
    )
    if not len(cell_open) and not len(cell_close):
        return
    if len(cell_close) == len(cell_open):  # every cell ended: each end between its cell and the next
        nxt = np.append(cell_open[1:], cut)
        if ((cell_close < cell_open) | (cell_close > nxt)).any():
            raise Fallback
        if len(rows):
            before = np.searchsorted(cell_open, rows) - 1  # the cell before each row tag
            if ((before >= 0) & (cell_close[np.maximum(before, 0)] > rows)).any():
                raise Fallback  # a row tag between a cell and its end
        return
    if len(cell_close):
        owner = np.searchsorted(cell_open, cell_close) - 1
        if (owner < 0).any() or (len(owner) > 1 and not (owner[1:] != owner[:-1]).all()):
            raise Fallback
        if len(rows):
            after = np.searchsorted(rows, cell_close) - 1
            if ((after >= 0) & (rows[np.maximum(after, 0)] > cell_open[owner])).any():
                raise Fallback  # a row tag between a cell and its end
        nxt = np.append(cell_open[1:], cut)[owner]
        if (cell_close > nxt).any():
            raise Fallback
        if len(owner) == len(cell_open):
            return
        unclosed = np.ones(len(cell_open), dtype=bool)
        unclosed[owner] = False
        rest = cell_open[unclosed]
    else:
        rest = cell_open
    if not _self_closed(arr, rest, cut, quoted=False).all():
        raise Fallback  # a cell left open: another cell or row inside it


def _ref_numbers(arr: Array, refs: Array, row_digits: int) -> tuple[Array, Array]:
    """0-based (row, column) of plausible references starting at ``refs``; anything else: exact scan."""
    if not len(refs):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    plausible, _, _, lengths, letters = _ref_keys(arr, refs.copy(), row_digits)
    if not plausible.all():
        raise Fallback
    head = np.stack([arr[refs + k] for k in range(3)], axis=1).astype(np.int64) & ~32  # upper case
    head -= 64
    weights = _LETTER_WEIGHTS[letters - 1]
    head[np.arange(3)[None, :] >= letters[:, None]] = 0
    cols = (head * weights).sum(axis=1) - 1
    return _digits(arr, refs + letters, lengths - letters) - 1, cols


def _row_numbers(arr: Array, after_name: Array) -> Array:
    """Each row tag's own number less one where it opens with ``r="digits"``, else -1."""
    out = np.full(len(after_name), -1, dtype=np.int64)
    if not len(after_name):
        return out
    has = _opens_with_ref(arr, after_name)
    starts = after_name[has] + 4
    if not len(starts):
        return out
    window = np.stack([arr[starts + k] for k in range(9)], axis=1)
    quote = (window == 34).argmax(axis=1)
    if not ((window == 34).any(axis=1) & (quote >= 1) & (quote <= 7)).all():
        raise Fallback  # no number, or over 7 digits: the exact scan names it
    number = _digits(arr, starts, quote)
    if (number < 1).any():
        raise Fallback
    out[has] = number - 1
    return out


def _digits(arr: Array, starts: Array, lengths: Array) -> Array:
    """The decimal numbers of ``lengths[i]`` (1–8) ASCII digits at ``starts[i]``; a non-digit: exact scan."""
    width = int(lengths.max()) if len(lengths) else 0
    value = np.zeros(len(starts), dtype=np.int64)
    for k in range(width):
        live = lengths > k
        d = arr[np.where(live, starts + k, starts)].astype(np.int64) - 48
        if ((d < 0) | (d > 9))[live].any():
            raise Fallback
        value = np.where(live, value * 10 + d, value)
    return value
