"""The vectorised sheet scans: NumPy passes over a sheet's bytes that find where its cells are.

They vouch for sheets as Excel, WPS, openpyxl, xlsxwriter and the OpenXML SDK write them: every cell tag
starts ``<c r="A1"`` (or ``<x:c r="A1"`` when the root element carries the prefix x:), so that r is the
first attribute and no cell has a second one. A cell without ``r`` first raises :class:`NoRefs`, and the
sheet is counted (:mod:`lawgov_metrics.intake.guard.sheet_count`); anything else raises :class:`Fallback`
(for a whole part) or is left to the caller (for one part of a batch), and goes to the exact scan.

Two ways in, with the same rules and the same passes (:mod:`lawgov_metrics.intake.guard.sheet_passes`):

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
from typing import cast

import numpy as np

from lawgov_metrics.intake.guard.limits import ReadLimits
from lawgov_metrics.intake.guard.sheet_passes import (
    _NAME_END,
    Array,
    _cell_tags,
    _far_cell,
    _first_max,
    _flag_error,
    _flag_formula,
    _formula_tags,
    _merged_after,
    _one_r_each,
    _opens_with_ref,
    _Pairs,
    _r_keys,
    _ref_keys,
    _unvalued_formulas,
)
from lawgov_metrics.intake.guard.sheet_scan import (
    FIRST_ELEMENT,
    PAD,
    Fallback,
    NoRefs,
    Scanner,
    SheetScan,
    over_limits,
)

ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*[\s/>]")  # the first element, and its prefix
_LT_C, _COLON_C = (int.from_bytes(t, "little") for t in (b"<c", b":c"))


# ------------------------------------------------------------------------------------------ streaming


class FastScan(Scanner):
    """A part in buffers, vectorised (see the module's docstring)."""

    def __init__(self, sheet: str, limits: ReadLimits) -> None:
        super().__init__(sheet, limits)
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
            raise NoRefs  # a cell tag whose first attribute is not r="…", or none at all: count
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
