"""The big sheets' rows (指标明细, 数据问题, 章节得分 and their continuations) written column by column,
byte for byte as xlsxwriter would write them cell by cell; everything else stays xlsxwriter's.

xlsxwriter keeps a record per cell until ``close`` and makes a Python call per cell to store it and another
to serialise it: for 10^4 units (237k rows × 17 columns in 指标明细 for one year) that was ~12 s and
~700 MB. Here the rows are planned in chunks of :data:`CHUNK_ROWS` rows:

1. while the report is drawn (:func:`plan_rows`, where :mod:`~lawgov_metrics.render.xlsx` would write the
   rows): each column's distinct values are factorised (``pd.factorize``) and turned into cells once per
   value; the cells' texts go into the workbook's shared-string table and their formats are created in the
   row-major order of first appearance, as ``write_string`` would have met them. Kept: an ``int32`` code per
   cell and each column's distinct cells.
2. while xlsxwriter closes the workbook (:class:`PlannedWorkbook`): each XML part is zipped as soon as
   xlsxwriter has finished it, on a thread of its own (:class:`_Zipper`), and a planned sheet's
   ``<sheetData>`` gets its rows there, made chunk by chunk into the zip entry (``ZipFile.open(name, "w")``
   compresses as it goes), never as one string.

What must match xlsxwriter, and where it is taken care of:

- a cell's bytes: ``<c r="A2" s="3" t="s"><v>12</v></c>`` (``_xml_string_element``) and numbers as
  ``{:.16G}`` (``_xml_number_element``); the logic that picks a cell's value, type and format is
  ``_Drawer._write_rows``' own, applied to each distinct value (:meth:`RowsPlan.cell`);
- distinct values are factorised only where equal values cannot write different cells: 1, 1.0 and True are
  equal in Python but not as text, and -0.0 == 0.0 but writes "-0"; such columns go value by value;
- shared-string indices and ``count``: strings registered in row-major order of first appearance;
- style indices (``s``): xlsxwriter numbers a format when a cell first uses it while the sheet XML is
  serialised, so :class:`SplicedWorksheet` asks for the planned formats' indices, in row-major order of
  first use, right after it has written the header row;
- ``<dimension ref>`` (the last row with a cell), ``spans`` (per block of 16 rows: the first and last
  column with a cell), rows without a cell left out;
- the zip: entries in xlsxwriter's order, each a ``ZipInfo`` dated 1980-01-01, deflated at zlib's default
  level, as ``Workbook._store_workbook`` writes them (deflate's output does not depend on how its input is
  cut into pieces).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from itertools import chain, repeat
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.packager import Packager
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from lawgov_metrics.render.xlsx_rows import Cell, FormatKey, SheetData, Styled

CHUNK_ROWS = 1 << 15  # rows per chunk: a multiple of 16 (a spans block); ~30 MB of XML at 17 columns
SPANS_BLOCK = 16  # xlsxwriter's rows per spans attribute


class RowsPlan:
    """A sheet's rows, planned: per column, its distinct cells and a code per row (−1: no cell)."""

    def __init__(self, drawer: Any, data: SheetData) -> None:
        columns = data.columns
        self.width = len(columns)
        self.letters = [xl_col_to_name(c) for c in range(self.width)]
        self.is_text = [column.type == "text" for column in columns]
        self.is_int = [column.type == "int" for column in columns]
        self.number_formats = [column.cell_format for column in columns]
        self.drawer_cell: Callable[..., Cell | None] = drawer.cell
        self.format: Callable[..., Any] = drawer.format
        self.str_table = drawer.workbook.str_table
        self.cells: list[list[Cell]] = [[] for _ in columns]  # per column: its distinct cells
        self._cell_ids: list[dict[Cell, int]] = [{} for _ in columns]
        self._text_of_cell: list[list[int]] = [[] for _ in columns]  # cell → text id (−1: a number)
        self._key_of_cell: list[list[int]] = [[] for _ in columns]  # cell → format key id (−1: none)
        self._text_ids: dict[str, int] = {}
        self._texts: list[str] = []  # text id → text
        self.sst_index: list[int] = []  # text id → shared-string index (−1 until registered)
        self._key_ids: dict[FormatKey, int] = {}
        self.key_formats: dict[int, Any] = {}  # format key id → its Format (None: none), created in order
        self.xf_order: list[Any] = []  # the formats in row-major order of first use
        self.codes: list[list[np.ndarray]] = []  # per chunk, per column
        self.first_col = np.full(len(data.rows), -1, np.int16)  # per row: its first and last cell's column
        self.last_col = np.full(len(data.rows), -1, np.int16)
        # the plain formats, created first, in column order, as _Drawer._write_rows creates them
        for number_format in self.number_formats:
            self.format(number_format, None)
        self._heads: list[np.ndarray] = []  # per column, per distinct cell: its XML before the row number
        self._tails: list[np.ndarray] = []  # … and after it
        self.chunk_rows = CHUNK_ROWS
        for start in range(0, len(data.rows), self.chunk_rows):
            self._plan_chunk(data.rows[start : start + self.chunk_rows], start)

    # ------------------------------------------------------------ pass 1: cells, strings, formats

    def cell(self, value: Any, col: int) -> Cell | None:
        """The cell ``_Drawer.cell`` makes of a value (None: no cell), its number as xlsxwriter writes it."""
        made = self.drawer_cell(value, self.is_text[col], self.is_int[col], self.number_formats[col])
        if made is None or made[0]:
            return made
        return False, format(made[1], ".16G"), made[2]

    def _plan_chunk(self, rows: Sequence[Sequence[Any]], start: int) -> None:
        # one pass over the rows (their lists lie all over memory), then a column at a time
        grid = np.fromiter(chain.from_iterable(rows), object, len(rows) * self.width)
        grid = grid.reshape(len(rows), self.width)
        codes = [self._column_codes(grid[:, col], col) for col in range(self.width)]
        del grid
        self.codes.append(codes)
        stacked = np.stack(codes, axis=1)  # rows × columns, row-major like xlsxwriter's writes
        texts = self._stacked(stacked, self._text_of_cell)
        self._register_texts(texts[texts >= 0])
        keys = self._stacked(stacked, self._key_of_cell)
        self._create_formats(pd.unique(keys[keys >= 0]))
        filled = stacked >= 0
        any_cell = filled.any(axis=1)
        first = np.where(any_cell, filled.argmax(axis=1), -1)
        last = np.where(any_cell, self.width - 1 - filled[:, ::-1].argmax(axis=1), -1)
        self.first_col[start : start + len(rows)] = first
        self.last_col[start : start + len(rows)] = last

    def _column_codes(self, values: np.ndarray, col: int) -> np.ndarray:
        """The column's code per row into its distinct cells (−1: no cell), new cells added.

        Values are factorised, and each distinct value's cell made once, where the values a distinct
        value stands for (equal ones) surely write the same cell: texts (only a text equals a text), and
        in a number column non-zero real numbers (1, 1.0, True and 1.00 write "1"). The rest go value by
        value: zeros (-0.0 == 0 but writes "-0"), numbers in a text column (1 and 1.0 are "1" and
        "1.0"), blanks other than None in a text column (NaN writes "") and whatever else comes."""
        codes, uniques = pd.factorize(values)  # blanks (None, NaN, NA, NaT) → −1
        is_text = self.is_text[col]
        cell_ids = np.full(len(uniques) + 1, -1, np.int32)  # the last: code −1
        odd = np.zeros(len(uniques) + 1, bool)  # the codes to go value by value
        zeros = []
        for code, value in enumerate(uniques.tolist()):
            inner = value.value if type(value) is Styled else value
            if isinstance(inner, str) or (not is_text and isinstance(inner, Real) and inner != 0):
                cell_ids[code] = self._cell_id(col, self.cell(value, col))
            elif not is_text and isinstance(inner, Real):
                zeros.append(code)  # -0.0 == 0: the sign decides ("-0" or "0")
            else:
                odd[code] = True
        out = cell_ids[codes]
        for code in zeros:
            self._split_zero(values, codes == code, col, out)
        odd_at = np.flatnonzero(odd[codes])
        if is_text:  # a blank but None (NaN, NA, NaT) writes a text: "", "<NA>" …
            blank_at = np.flatnonzero(codes < 0)
            odd_at = np.union1d(odd_at, blank_at[[v is not None for v in values[blank_at].tolist()]])
        if len(odd_at):
            out[odd_at] = [self._cell_id(col, self.cell(v, col)) for v in values[odd_at].tolist()]
        return out

    def _split_zero(self, values: np.ndarray, where: np.ndarray, col: int, out: np.ndarray) -> None:
        """The cells of the values equal to zero: 0 and -0 by sign (a zero writes the same whatever its
        type, and a Styled one its format: they are equal Styled values)."""
        at = np.flatnonzero(where)
        members = values[at].tolist()
        first = members[0]
        styled = type(first) is Styled
        inner = [m.value for m in members] if styled else members
        negative = np.signbit(np.array(inner, np.float64))
        for sign, zero in ((False, 0.0), (True, -0.0)):
            chosen = negative == sign
            if chosen.any():
                value = first._replace(value=zero) if styled else zero
                out[at[chosen]] = self._cell_id(col, self.cell(value, col))

    def _stacked(self, stacked: np.ndarray, per_cell: list[list[int]]) -> np.ndarray:
        """Each cell's id in ``per_cell`` (−1 where no cell), flattened row by row."""
        out = np.empty(stacked.shape, np.int64)
        for col, ids in enumerate(per_cell):
            out[:, col] = np.array([*ids, -1], np.int64)[stacked[:, col]]
        return out.ravel()

    def _register_texts(self, text_ids: np.ndarray) -> None:
        """Into the workbook's shared strings in order of first appearance; ``count`` grows by every cell,
        as one ``write_string`` per cell would have grown it."""
        order = pd.unique(text_ids)
        table, sst_index = self.str_table, self.sst_index
        texts = self._texts
        for text_id in order.tolist():
            sst_index[text_id] = table._get_shared_string_index(texts[text_id])
        table.count += len(text_ids) - len(order)

    def _create_formats(self, key_ids: np.ndarray) -> None:
        keys = list(self._key_ids)
        seen = {id(f) for f in self.xf_order}
        for key_id in key_ids.tolist():
            if key_id in self.key_formats:
                continue  # met in an earlier chunk
            cell_format = self.key_formats[key_id] = self.format(*keys[key_id])
            if cell_format is not None and id(cell_format) not in seen:
                seen.add(id(cell_format))
                self.xf_order.append(cell_format)

    def _cell_id(self, col: int, cell: Cell | None) -> int:
        if cell is None:
            return -1
        ids = self._cell_ids[col]
        found = ids.get(cell)
        if found is not None:
            return found
        ids[cell] = found = len(ids)
        self.cells[col].append(cell)
        text_id = -1
        if cell[0]:
            text_id = self._text_ids.setdefault(cell[1], len(self._text_ids))
            if text_id == len(self._texts):
                self._texts.append(cell[1])
                self.sst_index.append(-1)
        self._text_of_cell[col].append(text_id)
        key_id = -1
        if cell[2] is not None:
            key_id = self._key_ids.setdefault(cell[2], len(self._key_ids))
        self._key_of_cell[col].append(key_id)
        return found

    # ------------------------------------------------------------ pass 2: the XML

    @property
    def last_row(self) -> int | None:
        """The 0-based sheet row of the last row with a cell (None: no row has one)."""
        filled = np.flatnonzero(self.first_col >= 0)
        return int(filled[-1]) + 1 if len(filled) else None

    def _spans(self) -> list[str]:
        """The spans attribute of each block of 16 sheet rows (the header row, 0, has every column)."""
        first = np.concatenate([[0], np.where(self.first_col >= 0, self.first_col, self.width)])
        last = np.concatenate([[self.width - 1], self.last_col])
        starts = np.arange(0, len(first), SPANS_BLOCK)
        lows = np.minimum.reduceat(first, starts) + 1
        highs = np.maximum.reduceat(last, starts) + 1
        return [f"{low}:{high}" for low, high in zip(lows.tolist(), highs.tolist(), strict=True)]

    def number_styles(self) -> None:
        """Each distinct cell's XML, once xlsxwriter has numbered the formats (see :class:`SplicedWorksheet`):
        ``<c r="A`` and ``" s="3" t="s"><v>12</v></c>``, the row number to go between them."""
        self._heads, self._tails = [], []
        for col, cells in enumerate(self.cells):
            formats = [self.key_formats[k] if k >= 0 else None for k in self._key_of_cell[col]]
            tails = []
            for (is_text, written, _), cell_format, text_id in zip(
                cells, formats, self._text_of_cell[col], strict=True
            ):
                style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
                if is_text:
                    tails.append(f'"{style} t="s"><v>{self.sst_index[text_id]}</v></c>')
                else:
                    tails.append(f'"{style}><v>{written}</v></c>')
            self._heads.append(np.array([*repeat(f'<c r="{self.letters[col]}', len(cells)), ""], object))
            self._tails.append(np.array([*tails, ""], object))

    def xml_chunks(self) -> Iterator[bytes]:
        """The rows below the header, as xlsxwriter's ``_write_rows`` writes them, a chunk at a time (after
        :meth:`number_styles`).

        A chunk is one ``"".join`` over a grid of pieces, a row a line: ``<row r="`` · number ·
        ``" spans="1:17">``, then per column ``<c r="A`` · number · ``" t="s"><v>12</v></c>`` (three empty
        pieces where there is no cell) and ``</row>``; no string is made per cell."""
        heads, tails = self._heads, self._tails
        row_ends = np.array([f'" spans="{span}">' for span in self._spans()], object)
        for n, codes in enumerate(self.codes):
            start = n * self.chunk_rows
            keep = np.flatnonzero(self.first_col[start : start + len(codes[0])] >= 0)
            if not len(keep):
                continue
            sheet_rows = keep + start + 1  # 0-based sheet rows; the header is row 0
            numbers = np.array(list(map(str, (sheet_rows + 1).tolist())), object)
            grid = np.empty((len(keep), 3 * self.width + 4), object)
            grid[:, 0] = '<row r="'
            grid[:, 1] = numbers
            grid[:, 2] = row_ends[sheet_rows // SPANS_BLOCK]
            for col, column_codes in enumerate(codes):
                kept = column_codes[keep]
                grid[:, 3 + 3 * col] = heads[col][kept]
                grid[:, 4 + 3 * col] = np.where(kept >= 0, numbers, "")
                grid[:, 5 + 3 * col] = tails[col][kept]
            grid[:, -1] = "</row>"
            yield "".join(grid.ravel().tolist()).encode()


def plan_rows(drawer: Any, ws: Any, data: SheetData) -> None:
    """Plan ``data``'s rows for ``ws`` (a :class:`SplicedWorksheet`), in place of writing them."""
    ws.rows_plan = RowsPlan(drawer, data)


class SplicedWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet whose rows below the header are made into its zip entry afterwards (:class:`_Zipper`):
    its XML has the header row only, but the full ``<dimension>``, and numbers the planned formats where
    the rows would have."""

    rows_plan: RowsPlan | None = None
    dim_rowmax: int | None  # xlsxwriter's: the last row written (the header row, 0, here)

    def _write_dimension(self) -> None:
        plan = self.rows_plan
        last = plan.last_row if plan is not None else None
        if last is None:
            super()._write_dimension()
            return
        header_last = self.dim_rowmax
        self.dim_rowmax = max(last, header_last or 0)
        try:
            super()._write_dimension()
        finally:
            self.dim_rowmax = header_last

    def _write_sheet_data(self) -> None:
        super()._write_sheet_data()
        if self.rows_plan is not None:
            for cell_format in self.rows_plan.xf_order:
                cell_format._get_xf_index()
            self.rows_plan.number_styles()


class _Zipper:
    """Zips the package's parts in xlsxwriter's order on a thread of its own, each as soon as xlsxwriter has
    finished it (deflating, zlib lets go of the GIL: it runs beside xlsxwriter's work on the next parts)."""

    def __init__(self, allow_zip64: bool, plans: dict[str, RowsPlan]) -> None:
        self.out = io.BytesIO()
        self.zip = zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=allow_zip64)
        self.plans = plans
        self.thread = ThreadPoolExecutor(1)
        self.pending: list[Future[None]] = []

    def add(self, part: Any, name: str, is_binary: bool) -> None:
        self.pending.append(self.thread.submit(self._write, part, name, is_binary))

    def finish(self) -> io.BytesIO:
        try:
            for done in self.pending:
                done.result()
        except BaseException:
            self.abandon()
            raise
        self.thread.shutdown()
        self.zip.close()
        return self.out

    def abandon(self) -> None:
        """Stop, and close the unfinished zip now: left open, it would try to finish itself when collected."""
        self.thread.shutdown(cancel_futures=True)
        with suppress(Exception):
            self.zip.close()

    def _write(self, part: Any, name: str, is_binary: bool) -> None:
        """One entry, as ``Workbook._store_workbook`` writes it: dated 1980-01-01, deflated at zlib's
        default level; a planned sheet's rows made into it chunk by chunk, each compressed (on one more
        thread) while the next is made."""
        info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        data = part.getvalue() if is_binary else part.getvalue().encode()
        plan = self.plans.get(name)
        if plan is None:
            self.zip.writestr(info, data)
            return
        head, tail = data.split(b"</sheetData>", 1)
        with self.zip.open(info, "w") as stream, ThreadPoolExecutor(1) as compressor:
            stream.write(head)
            pending = None
            for chunk in plan.xml_chunks():
                if pending is not None:
                    pending.result()
                pending = compressor.submit(stream.write, chunk)
            if pending is not None:
                pending.result()
            stream.write(b"</sheetData>" + tail)


class _PartsPackager(Packager):  # type: ignore[misc]
    """xlsxwriter's packager, each finished part handed to a :class:`_Zipper` (a part is finished when the
    next one is begun); ``close`` is left nothing to zip."""

    def __init__(self, workbook: PlannedWorkbook) -> None:
        super().__init__()
        self.planned_workbook = workbook
        self.zipper: _Zipper | None = None
        self.handed = 0  # the parts handed to the zipper

    def _filename(self, xml_filename: str) -> Any:
        self._hand_over()
        return super()._filename(xml_filename)

    def _hand_over(self) -> None:
        assert self.zipper is not None
        for part, name, is_binary in self.filenames[self.handed :]:
            self.zipper.add(part, name, is_binary)
        self.handed = len(self.filenames)

    def _create_package(self) -> list[Any]:
        workbook = self.planned_workbook
        plans = {
            f"xl/worksheets/sheet{ws.index + 1}.xml": ws.rows_plan
            for ws in workbook.worksheets()
            if isinstance(ws, SplicedWorksheet) and ws.rows_plan is not None
        }
        self.zipper = _Zipper(workbook.allow_zip64, plans)
        try:
            super()._create_package()
            self._hand_over()
            workbook.package = self.zipper.finish()
        except Exception as error:  # raised by close once xlsxwriter has closed its own (empty) zip
            self.zipper.abandon()
            workbook.failure = error
        except BaseException:
            self.zipper.abandon()
            raise
        return []  # close zips nothing


class PlannedWorkbook(Workbook):  # type: ignore[misc]
    """A workbook whose ``close`` zips its parts the way xlsxwriter does, into :attr:`package` (in memory),
    with each :class:`SplicedWorksheet`'s rows produced into its sheet's entry."""

    def __init__(self, filename: Any, options: dict[str, Any]) -> None:
        super().__init__(filename, options)
        self.package: io.BytesIO | None = None
        self.failure: Exception | None = None  # what went wrong while the parts were made or zipped

    def _get_packager(self) -> Packager:
        return _PartsPackager(self)

    def close(self) -> None:
        super().close()
        if self.failure is not None:
            raise self.failure

    @property
    def zipped(self) -> io.BytesIO:
        """The package, once :meth:`close` has returned."""
        if self.package is None:
            raise RuntimeError("the workbook is not closed")
        return self.package
