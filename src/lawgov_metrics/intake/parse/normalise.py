"""Read what people really type into a cell: text, numbers, percents, yes/no, dates, periods, years, IDs, choices.

Every reader comes in two forms that follow the same rules (a property test holds them together):

* ``parse_x(value) -> Parsed`` for one cell of a summary sheet;
* ``parse_x_series(series) -> ParsedColumn`` for a ledger column of up to a million rows, vectorised with
  pyarrow compute and numpy. pandas' own ``str.normalize``/``translate``/``extract`` fall back to a Python
  loop per row, so the text path calls pyarrow kernels directly: RE2 only tests a cell's shape, numbers are
  cut out by trims and casts (dates: by byte arithmetic), and a column with few distinct strings is
  dictionary-encoded so each distinct string is read once. Python's NFKC (Unicode 14 in 3.11) and
  pyarrow's may differ on characters assigned since; nothing a form is filled with.

A cell has three outcomes: a value; *blank* (None, "", whitespace only — including U+3000 and zero-width
characters — and NaN/NA/NaT, which is how pandas spells an empty cell), left to the caller who knows
whether the field is required; or a failure with one of the short Chinese reasons below, mapped to an
issue code of :mod:`lawgov_metrics.issues` by :data:`REASON_CODES`. A failure is never a silent NaN.

Decisions on ambiguous input (each one is pinned by a test):

* Text is NFKC-normalised, so full-width letters, digits and punctuation become ASCII (``（`` → ``(``,
  ``，`` → ``,``); unit names put the parentheses back to full width (``镇（街道）``).
* Numbers: thousands separators must group by three (``1,234``; ``1,23`` is refused, never a decimal comma);
  a trailing unit from a short list (件, 人, 次, 学时 …) or the field's own unit is dropped; scaling units
  (万, 千) are refused, never multiplied. The strings "inf"/"nan" and ±inf are failures.
* Percent: a % sign divides by 100; a bare number above 1 is percent points (95 → 0.95); a bare number
  at most 1 is a fraction — so a bare 1 is 100%, and 0.5 is 50% (write "0.5%" for half a percent);
  ‰ is refused rather than guessed.
* Dates: Excel serials in the 1900 system (with Excel's fake 1900-02-29 = serial 60) or the 1904 system;
  an eight-digit number is yyyymmdd; day-first and month-first orders and two-digit years are refused;
  years outside 1990–2100 fail as implausible. A time typed after a date is dropped for a date field; a
  datetime field given a date alone reads it as midnight. A time must be set apart from a day written in
  digits ("2024-1-3114:30" is refused: day 3 at 14:30, or day 31 at 4:30?).
* Periods: an optional leading year ("2024年上半年") is checked against the submission year when given.
* IDs: a number with more than 15 digits has lost digits in Excel and fails; so does Excel's display
  form "4.60102E+17", a fraction, or a date (Excel turned "1-2" into 2 January). IDs keep their case.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Granularity = Literal["year", "half", "quarter"]

YEAR_MIN, YEAR_MAX = 1990, 2100

# ---------------------------------------------------------------- reasons

NUMBER_UNREADABLE = "无法识别为数字"
NUMBER_NOT_WHOLE = "应为整数"
NUMBER_TOO_LARGE = "数值过大"
PERCENT_UNREADABLE = "无法识别为百分比"
PERCENT_RANGE = "百分比超出 0–100%"
PERCENT_PERMILLE = "请用百分号（%）填写，不要用千分号（‰）"
BOOL_UNREADABLE = "无法识别为是/否"
DATE_UNREADABLE = "无法识别的日期"
DATE_INVALID = "日期不存在"
TIME_INVALID = "时间不存在"
DATE_RANGE = "日期超出合理范围"
PERIOD_UNREADABLE = "无法识别的期间"
PERIOD_YEAR = "期间的年份与填报年度不一致"
YEAR_UNREADABLE = "无法识别的年度"
YEAR_RANGE = "年度应为 1990–2100 的四位年份"
ID_UNREADABLE = "无法识别的编号"
ID_PRECISION = "编号超过15位被存成了数字，已丢失精度，请将该列设为文本格式后重新填写"
ID_FRACTION = "编号被存成了小数，请将该列设为文本格式后重新填写"
ID_DATE = "编号被 Excel 识别成了日期，请将该列设为文本格式后重新填写"
CHOICE_UNKNOWN = "不在可选值中"
TEXT_UNREADABLE = "无法识别为文本"

REASON_CODES: dict[str, str] = {
    NUMBER_UNREADABLE: "value-type",
    NUMBER_NOT_WHOLE: "value-type",
    NUMBER_TOO_LARGE: "value-out-of-range",
    PERCENT_UNREADABLE: "value-type",
    PERCENT_RANGE: "value-out-of-range",
    PERCENT_PERMILLE: "value-type",
    BOOL_UNREADABLE: "value-type",
    DATE_UNREADABLE: "value-type",
    DATE_INVALID: "value-type",
    TIME_INVALID: "value-type",
    DATE_RANGE: "value-out-of-range",
    PERIOD_UNREADABLE: "period-invalid",
    PERIOD_YEAR: "period-invalid",
    YEAR_UNREADABLE: "year-invalid",
    YEAR_RANGE: "year-invalid",
    ID_UNREADABLE: "value-type",
    ID_PRECISION: "value-id-precision",
    ID_FRACTION: "value-type",
    ID_DATE: "value-type",
    CHOICE_UNKNOWN: "value-choice",
    TEXT_UNREADABLE: "value-type",
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T_co]):
    """One cell read: ``value`` when it was read, ``error`` (a Chinese reason) when it failed, neither if blank."""

    value: T_co | None = None
    error: str | None = None

    @property
    def blank(self) -> bool:
        return self.value is None and self.error is None

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def code(self) -> str | None:
        """The issue code of the failure (see :mod:`lawgov_metrics.issues`)."""
        return None if self.error is None else REASON_CODES[self.error]


BLANK: Parsed[Any] = Parsed()


def _fail(reason: str) -> Parsed[Any]:
    return Parsed(error=reason)


@dataclass(frozen=True, slots=True)
class ParsedColumn:
    """A column read: ``values`` (missing where blank or failed), ``error`` (reason or None), ``blank``."""

    values: pd.Series[Any]
    error: pd.Series[Any]
    blank: pd.Series[bool]

    @property
    def bad(self) -> pd.Series[bool]:
        return self.error.notna()


# ---------------------------------------------------------------- text cleaning
#
# Patterns are written in the common subset of Python ``re`` and RE2 (pyarrow): no \d, \s or \u escapes,
# no backreferences or lookarounds, [0-9] for digits, literal characters above U+00FF. A column form only
# asks RE2 whether a whole cell matches (its fast DFA); numbers are then cut out with trims and casts,
# never with capture groups, which cost RE2 ten times more.


def _char_class(chars: Iterable[str]) -> str:
    parts = []
    for char in chars:
        if ord(char) < 0x100 and not char.isprintable():
            parts.append(f"\\x{ord(char):02x}")
        else:
            parts.append("\\" + char if char in "\\]^-[" else char)
    return "[" + "".join(parts) + "]"


_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())  # str.isspace(): U+3000 is last
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_WHITESPACE_RUN = _char_class(_WHITESPACE) + "+"
_ZERO_WIDTH_ANY = _char_class(_ZERO_WIDTH)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _whole(pattern: str) -> str:
    """The pattern as one RE2 whole-cell test, its named groups unnamed (alternatives may share names)."""
    return "^(?:" + re.sub(r"\(\?P<\w+>", "(", pattern) + ")$"


def clean_text(text: str) -> str:
    """NFKC, drop zero-width characters, collapse whitespace runs (U+3000, NBSP, tabs …) to one space, strip."""
    text = unicodedata.normalize("NFKC", text)
    text = _regex(_ZERO_WIDTH_ANY).sub("", text)
    return _regex(_WHITESPACE_RUN).sub(" ", text).strip(" ")


def _utf8(arr: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Row offsets (n + 1) into the UTF-8 bytes of a large_string array."""
    _, offsets, data = arr.buffers()
    if not len(arr):
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    rows = np.frombuffer(offsets, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    return rows, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)


def _rows_of(arr: Any, flagged: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Per row: does any of its bytes carry a flag (``flagged`` covers the bytes from the first row's start)."""
    rows, _ = _utf8(arr)
    out = np.zeros(len(arr), dtype=bool)
    out[np.searchsorted(rows - rows[0], np.flatnonzero(flagged), side="right") - 1] = True
    return out


# bytes that make a row need more than trimming: controls, DEL, and lead bytes other than E4–E9
_ODD_BYTE = np.array([c < 0x20 or c == 0x7F or (c >= 0xC0 and not 0xE4 <= c <= 0xE9) for c in range(256)])
_DIGIT_VALUE = np.array([c - 0x30 if 0x30 <= c <= 0x39 else 255 for c in range(256)], dtype=np.uint8)


def _odd_rows(arr: Any) -> npt.NDArray[np.bool_]:
    """Rows that :func:`clean_text` may change beyond trimming: anything but printable ASCII and U+4000–U+9FFF
    (lead bytes E4–E9: CJK ideographs, NFKC-stable), or a double space. Most cells of a ledger are neither."""
    rows, data = _utf8(arr)
    b = data[rows[0] : rows[-1]]
    odd = _ODD_BYTE[b]
    odd[:-1] |= (b[:-1] == 0x20) & (b[1:] == 0x20)
    return _rows_of(arr, odd)


def _clean_arrow(arr: Any) -> Any:
    odd = _odd_rows(arr)
    if odd.any():
        mask = pa.array(odd)
        sub = pc.utf8_normalize(arr.filter(mask), "NFKC")
        sub = pc.replace_substring_regex(sub, _ZERO_WIDTH_ANY, "")
        sub = pc.replace_substring_regex(sub, _WHITESPACE_RUN, " ")
        arr = pc.replace_with_mask(arr, mask, sub)
    return pc.utf8_trim(arr, " ").cast(pa.large_string())


def _digit_runs(arr: Any, width: int) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]:
    """The first ``width`` runs of ASCII digits of each row, as numbers and as lengths (0 where a row has
    fewer). Rows are non-empty and start with a digit, runs are at most 6 digits: the date shapes see to it."""
    rows, data = _utf8(arr)
    relative = rows - rows[0]
    values = _DIGIT_VALUE[data[rows[0] : rows[-1]]]
    digit = values < 10
    first, last = digit.copy(), digit.copy()
    first[1:] &= ~digit[:-1]
    last[:-1] &= ~digit[1:]
    first[relative[:-1]] = True  # a run never crosses into the next row
    last[relative[1:] - 1] = digit[relative[1:] - 1]
    starts, ends = np.flatnonzero(first), np.flatnonzero(last)
    length = ends - starts + 1
    number = values[starts].astype(np.int64)
    for k in range(1, int(length.max(initial=0))):
        at = np.minimum(starts + k, len(values) - 1)
        number = np.where(k < length, number * 10 + values[at], number)
    run_of_row = np.searchsorted(starts, relative)
    per_row = np.diff(run_of_row)
    numbers, lengths = [], []
    for nth in range(width):
        has = nth < per_row
        at = np.where(has, run_of_row[:-1] + nth, 0)
        numbers.append(np.where(has, number[at] if len(number) else 0, 0))
        lengths.append(np.where(has, length[at] if len(length) else 0, 0))
    return numbers, lengths


def normalise_unit_name(name: str) -> str:
    """A unit's name as a key: cleaned, every space removed, parentheses full-width as in 镇（街道）."""
    return clean_text(name).replace(" ", "").replace("(", "（").replace(")", "）")


def is_text_dtype(dtype: object) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        return bool(pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype))
    return isinstance(dtype, pd.StringDtype)


def str_column(arr: Any, index: pd.Index[Any] | None = None) -> pd.Series[str]:
    """An Arrow string array as a pandas ``str`` column, without a Python object per cell."""
    arr = arr.cast(pa.large_string())
    text = arr.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    return pd.Series(text.array, index=index)


def _strings(series: pd.Series[Any]) -> tuple[Any, npt.NDArray[np.bool_]]:
    """A text column's non-missing cells as one large_string array, and where cells were missing."""
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    return arr.drop_null(), arr.is_null().to_numpy(zero_copy_only=False)


def _few_distinct(arr: Any) -> Any | None:
    """The dictionary encoding of a long column with few distinct strings (read each once), else None."""
    n = len(arr)
    if n < 50_000:
        return None
    # encoding a column of mostly distinct strings costs more than it saves; a sample tells which it is
    sample = arr.take(pa.array(np.linspace(0, n - 1, 20_000).astype(np.int64)))
    return pc.dictionary_encode(arr) if pc.count_distinct(sample).as_py() < 15_000 else None


def _take(values: Any, codes: npt.NDArray[np.int64]) -> Any:
    return pc.take(values, pa.array(codes)) if isinstance(values, pa.Array) else values[codes]


def _text_values(n: int, parts: list[tuple[npt.NDArray[np.intp], Any]], unset: npt.NDArray[np.bool_]) -> Any:
    """Scatter text parts (arrow arrays or object arrays) into one large_string array of n rows."""
    chunks = [pa.array(v, type=pa.large_string()) if isinstance(v, np.ndarray) else v for _, v in parts]
    if len(parts) == 1 and len(parts[0][0]) == n:  # one part in row order: no shuffle
        everything = chunks[0]
    else:
        source, done = np.zeros(n, dtype=np.int64), 0
        for pos, _ in parts:
            source[pos] = np.arange(done, done + len(pos))
            done += len(pos)
        chunks.append(pa.nulls(1, pa.large_string()))  # the rows no part covers (missing cells)
        covered = np.zeros(n, dtype=bool)
        for pos, _ in parts:
            covered[pos] = True
        source[~covered] = done
        everything = pc.take(pa.concat_arrays(chunks), pa.array(source))
    if unset.any():
        everything = pc.if_else(pa.array(~unset), everything, pa.scalar(None, pa.large_string()))
    return everything


def _clean_column(series: pd.Series[Any], clean: Callable[[Any], Any]) -> pd.Series[str]:
    if not is_text_dtype(series.dtype):
        series = series.astype("str")
    arr, missing = _strings(series)
    encoded = _few_distinct(arr)
    if encoded is None:
        cleaned = clean(arr)
    else:
        cleaned = _take(clean(encoded.dictionary), encoded.indices.to_numpy(zero_copy_only=False))
    out = _text_values(len(series), [(np.flatnonzero(~missing), cleaned)], np.zeros(len(series), dtype=bool))
    return pd.Series(pd.array(out, dtype="str"), index=series.index)


def clean_text_series(series: pd.Series[Any]) -> pd.Series[str]:
    """:func:`clean_text` over a column; other cells become their ``str`` first; missing stays missing."""
    return _clean_column(series, _clean_arrow)


def normalise_unit_name_series(series: pd.Series[Any]) -> pd.Series[str]:
    """:func:`normalise_unit_name` over a column; missing stays missing."""

    def unit_name(arr: Any) -> Any:
        arr = pc.replace_substring(_clean_arrow(arr), " ", "")
        return pc.replace_substring(pc.replace_substring(arr, "(", "（"), ")", "）")

    return _clean_column(series, unit_name)


# ---------------------------------------------------------------- the two forms of a reader

_MISSING, _TEXT, _NUMBER, _BOOL, _MOMENT, _CLOCK, _OTHER = range(7)
_Out = Literal["float", "int", "bool", "datetime", "text"]
_Many = tuple[Any, npt.NDArray[np.object_]]  # values (ndarray, or arrow strings for text), reasons or None
_Part = tuple[npt.NDArray[np.intp], Any, npt.NDArray[np.object_], npt.NDArray[np.bool_] | None]


def _kind_of_type(kind: type) -> int:
    if issubclass(kind, str):
        return _TEXT
    if issubclass(kind, (bool, np.bool_)):
        return _BOOL
    if issubclass(kind, (numbers.Real, Decimal)):
        return _NUMBER
    if issubclass(kind, (dt.date, np.datetime64)):
        return _MOMENT
    if issubclass(kind, dt.time):
        return _CLOCK
    return _OTHER


def _kind_of(value: object) -> int:
    cell: Any = value
    if cell is None or (pd.api.types.is_scalar(cell) and pd.isna(cell)):
        return _MISSING
    return _kind_of_type(type(value))


def _to_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond float range
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]


def _to_datetime(value: object) -> dt.datetime:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.floor("us").to_pydatetime(warn=False).replace(tzinfo=None)


def _reasons(
    n: int, mask: npt.NDArray[np.bool_] | None = None, reason: str | None = None
) -> npt.NDArray[np.object_]:
    out = np.full(n, None, dtype=object)
    if mask is not None:
        out[mask] = reason
    return out


def _checks(
    *checks: tuple[npt.NDArray[np.bool_], str],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """Per row the reason of the first check that fails, in the order the one-cell form runs them; and
    where any failed."""
    errors, failed = _reasons(len(checks[0][0])), np.zeros(len(checks[0][0]), dtype=bool)
    for fails, reason in checks:
        errors[fails & ~failed] = reason
        failed |= fails
    return errors, failed


def _empty(out: _Out, n: int) -> npt.NDArray[Any]:
    if out == "float":
        return np.full(n, np.nan)
    if out == "int":
        return np.zeros(n, dtype=np.int64)
    if out == "bool":
        return np.zeros(n, dtype=np.bool_)
    if out == "datetime":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, None, dtype=object)


def _matches(arr: Any, pattern: str) -> npt.NDArray[np.bool_]:
    found: npt.NDArray[np.bool_] = pc.match_substring_regex(arr, _whole(pattern)).to_numpy(
        zero_copy_only=False
    )
    return found


def _float_of(arr: Any) -> npt.NDArray[np.float64]:
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _is_whole(x: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    whole: npt.NDArray[np.bool_] = np.isfinite(x) & (x == np.floor(x))
    return whole


def _moments(cells: npt.NDArray[np.object_]) -> npt.NDArray[np.datetime64]:
    try:
        stamps = pd.to_datetime(pd.Series(cells, dtype=object))
        if getattr(stamps.dtype, "tz", None):
            stamps = stamps.dt.tz_localize(None)
        return stamps.to_numpy(dtype="datetime64[us]")
    except (ValueError, TypeError, OverflowError):  # mixed time zones or out of range: rare, one by one
        return np.array([_to_datetime(v) for v in cells], dtype="datetime64[us]")


class _Reader(Generic[T]):
    """The rules of one kind of value, for one cell (``one_*``) and for a column (``many_*``), per input type.

    Text arrives cleaned and non-blank (``many``: a large_string array); numbers as float, never NaN;
    moments as datetime (``many``: datetime64[us]). An input type a reader leaves alone fails with ``reason``.
    """

    out: ClassVar[_Out]
    reason: ClassVar[str]

    def one_text(self, text: str) -> Parsed[T]:
        return _fail(self.reason)

    def one_number(self, x: float) -> Parsed[T]:
        return _fail(self.reason)

    def one_bool(self, b: bool) -> Parsed[T]:
        return _fail(self.reason)

    def one_moment(self, m: dt.datetime) -> Parsed[T]:
        return _fail(self.reason)

    def one_clock(self, t: dt.time) -> Parsed[T]:
        return _fail(self.reason)

    def _refuse(self, n: int) -> _Many:
        return _empty(self.out, n), _reasons(n, np.ones(n, dtype=bool), self.reason)

    def many_text(self, arr: Any) -> _Many:
        return self._refuse(len(arr))

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        return self._refuse(len(x))

    def many_bool(self, b: npt.NDArray[np.bool_]) -> _Many:
        return self._refuse(len(b))

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> _Many:
        return self._refuse(len(m))

    def many_clock(self, t: npt.NDArray[np.object_]) -> _Many:
        return self._refuse(len(t))

    # ------------------------------------------------ one cell

    def parse(self, value: object) -> Parsed[T]:
        kind = _kind_of(value)
        if kind == _MISSING:
            return BLANK
        if kind == _TEXT:
            text = clean_text(str(value))
            return self.one_text(text) if text else BLANK
        if kind == _NUMBER:
            return self.one_number(_to_float(value))
        if kind == _BOOL:
            return self.one_bool(bool(value))
        if kind == _MOMENT:
            return self.one_moment(_to_datetime(value))
        if kind == _CLOCK and isinstance(value, dt.time):
            return self.one_clock(value)
        return _fail(self.reason)

    # ------------------------------------------------ a column

    def parse_series(self, series: pd.Series[Any]) -> ParsedColumn:
        dtype, n = series.dtype, len(series)
        if isinstance(dtype, pd.CategoricalDtype):
            return self._many_categories(series)
        parts: list[_Part] = []
        missing = np.zeros(n, dtype=bool)
        if pd.api.types.is_bool_dtype(dtype):
            missing = series.isna().to_numpy(dtype=bool)
            parts.append(
                (np.flatnonzero(~missing), *self.many_bool(series[~missing].to_numpy(dtype=bool)), None)
            )
        elif pd.api.types.is_numeric_dtype(dtype):
            x = series.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = np.isnan(x)
            parts.append((np.flatnonzero(~missing), *self.many_number(x[~missing]), None))
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            stamps = series.dt.tz_localize(None) if getattr(dtype, "tz", None) else series
            m = stamps.to_numpy(dtype="datetime64[us]")
            missing = np.isnat(m)
            parts.append((np.flatnonzero(~missing), *self.many_moment(m[~missing]), None))
        elif is_text_dtype(dtype):
            arr, missing = _strings(series)
            parts.append((np.flatnonzero(~missing), *self._many_strings(arr)))
        else:
            missing = self._many_objects(series.to_numpy(dtype=object), parts)

        errors, blank = _reasons(n), missing.copy()
        for pos, _, part_errors, part_blank in parts:
            errors[pos] = part_errors
            if part_blank is not None:
                blank[pos] = part_blank
        unset = blank | pd.notna(errors)
        return ParsedColumn(
            values=self._values(n, parts, unset, series.index),
            error=pd.Series(errors, index=series.index, dtype=object),
            blank=pd.Series(blank, index=series.index, dtype=bool),
        )

    def _many_objects(self, cells: npt.NDArray[np.object_], parts: list[_Part]) -> npt.NDArray[np.bool_]:
        missing = pd.isna(cells)
        inferred = pd.api.types.infer_dtype(cells, skipna=True)
        if inferred == "string":
            kinds = np.full(len(cells), _TEXT)
        elif inferred in ("floating", "integer", "mixed-integer-float"):
            kinds = np.full(len(cells), _NUMBER)
        else:  # classify each distinct type once, not each cell
            codes, types = pd.factorize(pd.Series(cells, dtype=object).map(type))
            kinds = np.array([_kind_of_type(t) for t in types] + [_OTHER], dtype=np.int64)[codes]
        kinds[missing] = _MISSING
        for kind in (_TEXT, _NUMBER, _BOOL, _MOMENT, _CLOCK, _OTHER):
            pos = np.flatnonzero(kinds == kind)
            if not len(pos):
                continue
            sub = cells[pos]
            if kind == _TEXT:
                parts.append((pos, *self._many_strings(pa.array(sub, type=pa.large_string()))))
                continue
            if kind == _NUMBER:
                try:
                    x = sub.astype(np.float64)
                except OverflowError:  # an int beyond float range: rare, read one by one
                    x = np.array([_to_float(v) for v in sub], dtype=np.float64)
                part = self.many_number(x)
            elif kind == _BOOL:
                part = self.many_bool(sub.astype(bool))
            elif kind == _MOMENT:
                part = self.many_moment(_moments(sub))
            elif kind == _CLOCK:
                part = self.many_clock(sub)
            else:
                part = self._refuse(len(pos))
            parts.append((pos, *part, None))
        missing_cells: npt.NDArray[np.bool_] = missing
        return missing_cells

    def _many_strings(self, arr: Any) -> tuple[Any, npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        encoded = _few_distinct(arr)
        if encoded is None:
            return self._many_distinct(arr)
        values, errors, blank = self._many_distinct(encoded.dictionary)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        return _take(values, codes), errors[codes], blank[codes]

    def _many_distinct(self, arr: Any) -> tuple[Any, npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        cleaned = _clean_arrow(arr)
        blank = pc.equal(cleaned, "").to_numpy(zero_copy_only=False)
        if not blank.any():
            return (*self.many_text(cleaned), blank)
        pos = np.flatnonzero(~blank)
        values, errors = self.many_text(cleaned.filter(pa.array(~blank)))
        if self.out == "text":  # keep arrow strings; blank rows are masked when the column is put together
            if isinstance(values, np.ndarray):
                values = pa.array(values, type=pa.large_string())
            source = np.zeros(len(arr), dtype=np.int64)
            source[pos] = np.arange(len(pos))
            all_values = (
                pc.take(values, pa.array(source)) if len(pos) else pa.nulls(len(arr), pa.large_string())
            )
        else:
            all_values = _empty(self.out, len(arr))
            all_values[pos] = values
        all_errors = _reasons(len(arr))
        all_errors[pos] = errors
        return all_values, all_errors, blank

    def _many_categories(self, series: pd.Series[Any]) -> ParsedColumn:
        inner = self.parse_series(pd.Series(series.cat.categories))
        codes = series.cat.codes.to_numpy()
        errors = inner.error.to_numpy(dtype=object)[codes]
        errors[codes < 0] = None
        return ParsedColumn(
            values=pd.Series(inner.values.array.take(codes, allow_fill=True), index=series.index),
            error=pd.Series(errors, index=series.index, dtype=object),
            blank=pd.Series((codes < 0) | inner.blank.to_numpy()[codes], index=series.index, dtype=bool),
        )

    def _values(
        self, n: int, parts: list[_Part], unset: npt.NDArray[np.bool_], index: pd.Index[Any]
    ) -> pd.Series[Any]:
        if self.out == "text":
            text = _text_values(n, [(pos, values) for pos, values, _, _ in parts], unset)
            return pd.Series(pd.array(text, dtype="str"), index=index)
        values = _empty(self.out, n)
        for pos, part_values, _, _ in parts:
            values[pos] = part_values
        if self.out == "int":
            return pd.Series(pd.arrays.IntegerArray(values, unset), index=index)
        if self.out == "bool":
            return pd.Series(pd.arrays.BooleanArray(values, unset), index=index)
        values[unset] = np.datetime64("NaT") if self.out == "datetime" else np.nan
        return pd.Series(values, index=index)


# ---------------------------------------------------------------- numbers

_PLAIN = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_GROUPED = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
NUMBER_UNITS = (
    "个工作日", "工作日", "件次", "人次", "学时", "课时", "小时", "分钟",
    "件", "个", "人", "名", "次", "场", "期", "项", "条", "份", "篇", "家", "户", "起", "宗", "批", "本", "元", "天", "日",
)  # fmt: skip


_R = TypeVar("_R", bound=_Reader[Any])
_READERS: dict[tuple[Any, ...], Any] = {}


def _reader(kind: type[_R], *settings: Any) -> _R:
    """One reader per kind and settings, built once: readers keep no state but their patterns."""
    key = (kind, *settings)
    found: _R | None = _READERS.get(key)
    if found is None:
        found = _READERS[key] = kind(*settings)
    return found


def _units(unit: str) -> str:
    return "|".join(sorted({*NUMBER_UNITS, *([re.escape(unit)] if unit else [])}, key=len, reverse=True))


class _NumberReader(_Reader[float]):
    out: ClassVar[_Out] = "float"
    reason = NUMBER_UNREADABLE

    def __init__(self, unit: str | None = None) -> None:
        unit = clean_text(unit or "").replace(" ", "")
        self.pattern = rf"(?P<num>[+-]?(?:{_GROUPED}|{_PLAIN}))(?: ?(?:{_units(unit)}))?"
        # once a cell has the shape, trimming unit characters leaves the number, unless the unit could end one
        self.unit_chars = "".join(sorted({*"".join(NUMBER_UNITS), *unit, " "}))
        self.unit_trims = not any(c in "0123456789." for c in unit)
        self.unit_suffix = f" ?(?:{_units(unit)})$"

    def one_text(self, text: str) -> Parsed[float]:
        match = _regex(self.pattern).fullmatch(text)
        if match is None:
            return _fail(self.reason)
        return self.one_number(float(match["num"].replace(",", "")))

    def one_number(self, x: float) -> Parsed[float]:
        return Parsed(x) if math.isfinite(x) else _fail(self.reason)

    def many_text(self, arr: Any) -> _Many:
        shaped = _matches(arr, self.pattern)
        x = np.full(len(arr), np.nan)
        if shaped.any():
            text = arr.filter(pa.array(shaped))
            if self.unit_trims:
                text = pc.utf8_rtrim(text, characters=self.unit_chars)
            else:
                text = pc.replace_substring_regex(text, self.unit_suffix, "")
            x[shaped] = _float_of(pc.replace_substring(text, ",", ""))
        return self.many_number(x)

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        return x.copy(), _reasons(len(x), ~np.isfinite(x), self.reason)


class _CountReader(_Reader[int]):
    out: ClassVar[_Out] = "int"
    reason = NUMBER_UNREADABLE

    def __init__(self, unit: str | None = None) -> None:
        self.numbers = _reader(_NumberReader, unit)

    def one_text(self, text: str) -> Parsed[int]:
        read = self.numbers.one_text(text)
        return _fail(self.reason) if read.value is None else self.one_number(read.value)

    def one_number(self, x: float) -> Parsed[int]:
        if not math.isfinite(x):
            return _fail(self.reason)
        if abs(x) > 2**53:
            return _fail(NUMBER_TOO_LARGE)
        return Parsed(int(x)) if x == math.floor(x) else _fail(NUMBER_NOT_WHOLE)

    def many_text(self, arr: Any) -> _Many:
        return self.many_number(self.numbers.many_text(arr)[0])  # NaN where unread: the same reason

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        errors, failed = _checks(
            (~np.isfinite(x), self.reason),
            (np.abs(x) > 2**53, NUMBER_TOO_LARGE),
            (x != np.floor(x), NUMBER_NOT_WHOLE),
        )
        return np.where(failed, 0, x).astype(np.int64), errors


def parse_number(value: object, *, unit: str | None = None) -> Parsed[float]:
    """A number: int/float (not bool, not ±inf) or text such as "1,234", "１２３４", "12件", "1e3", "-5".

    ``unit`` is the field's own unit, also allowed after the number. Negative numbers are kept.
    """
    return _reader(_NumberReader, unit).parse(value)


def parse_number_series(series: pd.Series[Any], *, unit: str | None = None) -> ParsedColumn:
    """:func:`parse_number` over a column; values are float64."""
    return _reader(_NumberReader, unit).parse_series(series)


def parse_count(value: object, *, unit: str | None = None) -> Parsed[int]:
    """A whole number read as :func:`parse_number`: 12.0 → 12, 12.5 → "应为整数"; the value is an int."""
    return _reader(_CountReader, unit).parse(value)


def parse_count_series(series: pd.Series[Any], *, unit: str | None = None) -> ParsedColumn:
    """:func:`parse_count` over a column; values are Int64."""
    return _reader(_CountReader, unit).parse_series(series)


# ---------------------------------------------------------------- percent

_PERCENT = rf"(?P<num>[+-]?{_PLAIN}) ?(?P<sign>[%‰]?)"


class _PercentReader(_Reader[float]):
    out: ClassVar[_Out] = "float"
    reason = PERCENT_UNREADABLE

    def one_text(self, text: str) -> Parsed[float]:
        match = _regex(_PERCENT).fullmatch(text)
        if match is None:
            return _fail(self.reason)
        x = float(match["num"])
        if not math.isfinite(x):
            return _fail(self.reason)
        if match["sign"] == "‰":
            return _fail(PERCENT_PERMILLE)
        if match["sign"] == "%":
            return Parsed(x / 100) if 0 <= x <= 100 else _fail(PERCENT_RANGE)
        return self.one_number(x)

    def one_number(self, x: float) -> Parsed[float]:
        if not math.isfinite(x):
            return _fail(self.reason)
        if not 0 <= x <= 100:
            return _fail(PERCENT_RANGE)
        return Parsed(x / 100 if x > 1 else x)

    def many_text(self, arr: Any) -> _Many:
        shaped = _matches(arr, _PERCENT)
        x, sign = np.full(len(arr), np.nan), np.full(len(arr), "", dtype=object)
        if shaped.any():
            text = arr.filter(pa.array(shaped))
            sign[shaped] = pc.utf8_slice_codeunits(text, -1).to_numpy(zero_copy_only=False)
            x[shaped] = _float_of(pc.utf8_rtrim(text, characters="%‰ "))
        values, errors = self.many_number(x)
        errors[(sign == "‰") & np.isfinite(x)] = PERCENT_PERMILLE
        with_sign = (sign == "%") & np.isfinite(x)
        errors[with_sign] = None
        errors[with_sign & ~((x >= 0) & (x <= 100))] = PERCENT_RANGE
        values[with_sign] = x[with_sign] / 100
        return values, errors

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        errors, _ = _checks((~np.isfinite(x), self.reason), (~((x >= 0) & (x <= 100)), PERCENT_RANGE))
        return np.where(x > 1, x / 100, x), errors


def parse_percent(value: object) -> Parsed[float]:
    """A share as a fraction 0..1.

    "95%", "９５％", "95 %" → 0.95 (a % sign divides by 100); a bare number above 1 is percent points
    (95, "95" → 0.95); a bare number at most 1 is already a fraction (0.95 → 0.95, **1 → 1.0 = 100%**,
    0.5 → 50%: write "0.5%" for half a percent). Outside 0–100% fails; "95‰" fails rather than being guessed.
    """
    return _reader(_PercentReader).parse(value)


def parse_percent_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_percent` over a column; values are float64 fractions."""
    return _reader(_PercentReader).parse_series(series)


# ---------------------------------------------------------------- yes / no

TRUE_WORDS = ("是", "有", "对", "√", "✓", "✔", "已", "已完成", "y", "yes", "true", "1", "1.0")
FALSE_WORDS = ("否", "无", "错", "×", "✗", "✘", "未", "未完成", "n", "no", "false", "0", "0.0")
_BOOL_WORDS = {word: True for word in TRUE_WORDS} | {word: False for word in FALSE_WORDS}


class _BoolReader(_Reader[bool]):
    out: ClassVar[_Out] = "bool"
    reason = BOOL_UNREADABLE

    def one_text(self, text: str) -> Parsed[bool]:
        word = _BOOL_WORDS.get(text.replace(" ", "").translate(_ASCII_LOWER))
        return _fail(self.reason) if word is None else Parsed(word)

    def one_number(self, x: float) -> Parsed[bool]:
        return Parsed(x == 1) if x in (0, 1) else _fail(self.reason)

    def one_bool(self, b: bool) -> Parsed[bool]:
        return Parsed(b)

    def many_text(self, arr: Any) -> _Many:
        words = pc.ascii_lower(pc.replace_substring(arr, " ", ""))
        found = pc.index_in(words, value_set=pa.array(list(_BOOL_WORDS), type=words.type))
        known = found.is_valid().to_numpy(zero_copy_only=False)
        truth = np.array(list(_BOOL_WORDS.values()), dtype=bool)
        return truth[found.fill_null(0).to_numpy()], _reasons(len(arr), ~known, self.reason)

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        return x == 1, _reasons(len(x), (x != 0) & (x != 1), self.reason)

    def many_bool(self, b: npt.NDArray[np.bool_]) -> _Many:
        return b.copy(), _reasons(len(b))


def parse_bool(value: object) -> Parsed[bool]:
    """Yes/no. True: 是 有 对 √ ✓ ✔ 已 已完成 Y yes TRUE 1; false: 否 无 错 × ✗ ✘ 未 未完成 N no FALSE 0.

    Letters in any case; Python bool; the numbers 1 and 0 (1.0, 0.0); any other number fails.
    """
    return _reader(_BoolReader).parse(value)


def parse_bool_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_bool` over a column; values are the nullable ``boolean`` dtype."""
    return _reader(_BoolReader).parse_series(series)


# ---------------------------------------------------------------- dates and times

_TIME = (
    r"(?:(?P<H>[0-9]{1,2}):(?P<M>[0-9]{1,2})(?::(?P<S>[0-9]{1,2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"|(?P<h>[0-9]{1,2}) ?[时点](?: ?(?P<mi>[0-9]{1,2})(?: ?分(?: ?(?P<se>[0-9]{1,2}) ?秒)?)?)?)"
)
_DATE_PATTERNS = (  # the same group names in each; a time must be set apart from a day given in digits
    rf"(?P<y>[0-9]{{4}}) ?年 ?(?P<m>[0-9]{{1,2}}) ?月 ?(?P<d>[0-9]{{1,2}})(?: ?日(?: ?{_TIME})?)?",
    rf"(?P<y>[0-9]{{4}})[-/.](?P<m>[0-9]{{1,2}})[-/.](?P<d>[0-9]{{1,2}})(?:(?: |T){_TIME})?",
)
_SIGNED = rf"[+-]?{_PLAIN}"
_DAY_MS = 86_400_000
_EPOCH_1900, _EPOCH_1904 = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MONTH_START = np.concatenate([[0], np.cumsum(_DAYS_IN_MONTH)[:-1]])
_LEAP = np.array(
    [dt.date(y, 3, 1) - dt.date(y, 2, 1) == dt.timedelta(29) for y in range(YEAR_MIN, YEAR_MAX + 1)]
)
_YEAR_START = np.array([(dt.date(y, 1, 1) - dt.date(1970, 1, 1)).days for y in range(YEAR_MIN, YEAR_MAX + 1)])


def excel_serial_to_datetime(serial: float, *, date1904: bool = False) -> dt.datetime:
    """Excel's day number as a datetime, rounded to the millisecond.

    1900 system: serial 1 = 1900-01-01 … 59 = 1900-02-28; 60 is Excel's fake 1900-02-29 (ValueError);
    from 61 on, 1899-12-30 + serial days. 1904 system: 0 = 1904-01-01.
    """
    if not math.isfinite(serial) or not -1e7 < serial < 1e7:
        raise ValueError(f"not an Excel serial: {serial!r}")
    day, ms = divmod(round(serial * _DAY_MS), _DAY_MS)
    if date1904:
        return _EPOCH_1904 + dt.timedelta(days=day, milliseconds=ms)
    if day == 60:
        raise ValueError("Excel serial 60 is 1900-02-29, a day that never was")
    if day < 1:
        raise ValueError(f"not an Excel serial: {serial!r}")
    return _EPOCH_1900 + dt.timedelta(days=day + (1 if day < 60 else 0), milliseconds=ms)


# zero-padded "2024-01-31", "2024/01/31 14:30", "2024.01.31T14:30:00": every field at a fixed byte
_FIXED_SEPARATORS = {4: b"-/.", 7: b"-/.", 10: b" T", 13: b":", 16: b":"}
_FIXED_FIELDS = ((0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2))  # y m d H M S: first byte, digits


def _fixed_dates(arr: Any, length: int) -> tuple[npt.NDArray[np.bool_], list[npt.NDArray[np.int64]]]:
    """Rows of one byte length (10, 16 or 19) that are laid out as a zero-padded ISO date, and their fields.

    Rows of equal length sit in the byte buffer as a matrix, so each field is a few column operations.
    The shape test has run: once the separators sit at their bytes, the digits sit at theirs.
    """
    rows, data = _utf8(arr)
    grid = data[rows[0] : rows[-1]].reshape(len(arr), length)
    fixed = np.ones(len(arr), dtype=bool)
    for at, allowed in _FIXED_SEPARATORS.items():
        if at < length:
            fixed &= np.isin(grid[:, at], np.frombuffer(allowed, dtype=np.uint8))
    fields = []
    for first, digits in _FIXED_FIELDS:
        field = np.zeros(len(arr), dtype=np.int64)
        for at in range(first, first + digits) if first < length else ():
            field = field * 10 + (grid[:, at] - 0x30)
        fields.append(field)
    return fixed, [*fields, np.zeros(len(arr), dtype=np.int64)]


def _serial_bounds(date1904: bool) -> tuple[int, int]:
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    return (dt.datetime(YEAR_MIN, 1, 1) - epoch).days, (dt.datetime(YEAR_MAX, 12, 31) - epoch).days


class _MomentReader(_Reader[dt.datetime]):
    out: ClassVar[_Out] = "datetime"
    reason = DATE_UNREADABLE

    def __init__(self, date1904: bool) -> None:
        self.epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        self.first_day, self.last_day = _serial_bounds(date1904)

    # -- one cell

    def one_text(self, text: str) -> Parsed[dt.datetime]:
        for pattern in _DATE_PATTERNS:
            match = _regex(pattern).fullmatch(text)
            if match is not None:
                g = {name: value or "" for name, value in match.groupdict().items()}
                return self._one_parts(
                    int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"] + g["h"] or 0), int(g["M"] + g["mi"] or 0),
                    int(g["S"] + g["se"] or 0), int(g["f"].ljust(6, "0")),
                )  # fmt: skip
        if _regex(_SIGNED).fullmatch(text):
            return self.one_number(float(text))
        return _fail(self.reason)

    def one_number(self, x: float) -> Parsed[dt.datetime]:
        if not math.isfinite(x):
            return _fail(self.reason)
        if x == math.floor(x) and 10_000_000 <= x < 100_000_000:  # 20240131
            n = int(x)
            return self._one_parts(n // 10_000, n // 100 % 100, n % 100, 0, 0, 0, 0)
        if not -1e7 < x < 1e7:
            return _fail(DATE_RANGE)
        day, ms = divmod(round(x * _DAY_MS), _DAY_MS)
        if not self.first_day <= day <= self.last_day:
            return _fail(DATE_RANGE)
        return Parsed(self.epoch + dt.timedelta(days=day, milliseconds=ms))

    def one_moment(self, m: dt.datetime) -> Parsed[dt.datetime]:
        return Parsed(m) if YEAR_MIN <= m.year <= YEAR_MAX else _fail(DATE_RANGE)

    @staticmethod
    def _one_parts(y: int, m: int, d: int, hh: int, mm: int, ss: int, us: int) -> Parsed[dt.datetime]:
        if not YEAR_MIN <= y <= YEAR_MAX:
            return _fail(DATE_RANGE)
        try:
            day = dt.date(y, m, d)
        except ValueError:
            return _fail(DATE_INVALID)
        if hh > 23 or mm > 59 or ss > 59:
            return _fail(TIME_INVALID)
        return Parsed(dt.datetime(day.year, day.month, day.day, hh, mm, ss, us))

    # -- a column

    def many_text(self, arr: Any) -> _Many:
        n = len(arr)
        values, errors = _empty("datetime", n), _reasons(n)
        dated = _matches(arr, "|".join(_DATE_PATTERNS))
        general, size = dated.copy(), np.diff(_utf8(arr)[0])
        for length in (10, 16, 19):
            group = np.flatnonzero(dated & (size == length))
            if len(group):
                fixed, fields = _fixed_dates(arr.take(pa.array(group)), length)
                at = group[fixed]
                values[at], errors[at] = self._many_parts(*(field[fixed] for field in fields))
                general[at] = False
        if general.any():  # every date shape lists its numbers in the order y m d H M S fraction
            runs, lengths = _digit_runs(arr.filter(pa.array(general)), 7)
            micro = runs[6] * 10 ** (6 - lengths[6])
            values[general], errors[general] = self._many_parts(*runs[:6], micro)
        if not dated.all():
            rest = arr.filter(pa.array(~dated))
            numeric = _matches(rest, _SIGNED)
            x = np.full(len(rest), np.nan)
            x[numeric] = _float_of(rest.filter(pa.array(numeric)))
            values[~dated], errors[~dated] = self.many_number(x)
        return values, errors

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        n = len(x)
        values = _empty("datetime", n)
        ymd = (x == np.floor(x)) & (x >= 10_000_000) & (x < 100_000_000)  # 20240131
        serial = ~ymd & (x > -1e7) & (x < 1e7)
        day, ms = np.divmod(np.rint(np.where(serial, x, 0) * _DAY_MS).astype(np.int64), _DAY_MS)
        errors, failed = _checks(
            (~np.isfinite(x), self.reason),
            (~ymd & ~serial, DATE_RANGE),
            (serial & ((day < self.first_day) | (day > self.last_day)), DATE_RANGE),
        )
        fine = serial & ~failed
        values[fine] = np.datetime64(self.epoch, "ms") + (day[fine] * _DAY_MS + ms[fine]).astype(
            "timedelta64[ms]"
        )
        if ymd.any():
            k = x[ymd].astype(np.int64)
            zero = np.zeros(len(k), dtype=np.int64)
            values[ymd], errors[ymd] = self._many_parts(
                k // 10_000, k // 100 % 100, k % 100, zero, zero, zero, zero
            )
        return values, errors

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> _Many:
        year = m.astype("datetime64[Y]").astype(np.int64) + 1970
        in_range = (year >= YEAR_MIN) & (year <= YEAR_MAX)
        values = _empty("datetime", len(m))
        values[in_range] = m[in_range]
        return values, _reasons(len(m), ~in_range, DATE_RANGE)

    @staticmethod
    def _many_parts(*parts: npt.NDArray[np.int64]) -> _Many:
        y, m, d, hh, mm, ss, us = parts
        year = np.clip(y - YEAR_MIN, 0, YEAR_MAX - YEAR_MIN)  # tables cover the plausible years only
        month = np.clip(m, 1, 12) - 1
        leap = _LEAP[year]
        errors, failed = _checks(
            ((y < YEAR_MIN) | (y > YEAR_MAX), DATE_RANGE),
            (
                (m < 1) | (m > 12) | (d < 1) | (d > _DAYS_IN_MONTH[month] + (leap & (month == 1))),
                DATE_INVALID,
            ),
            ((hh > 23) | (mm > 59) | (ss > 59), TIME_INVALID),
        )
        days = _YEAR_START[year] + _MONTH_START[month] + (leap & (month > 1)) + d - 1
        seconds = days * 86_400 + (hh * 3_600 + mm * 60 + ss)
        values = _empty("datetime", len(y))
        values[~failed] = (seconds[~failed] * 1_000_000 + us[~failed]).astype("datetime64[us]")
        return values, errors


def parse_datetime(value: object, *, date1904: bool = False) -> Parsed[dt.datetime]:
    """A date and time (event times). Everything :func:`parse_date` reads, keeping the time of day:
    "2024-10-01 08:05", "2024/1/31 14:30:00", "2024年10月1日8时5分", "2024-10-01T08:05", a serial with a
    fraction (rounded to the millisecond). A date alone is midnight. Time zones are dropped (wall time).
    """
    return _reader(_MomentReader, date1904).parse(value)


def parse_datetime_series(series: pd.Series[Any], *, date1904: bool = False) -> ParsedColumn:
    """:func:`parse_datetime` over a column; values are datetime64[ns]."""
    return _reader(_MomentReader, date1904).parse_series(series)


def parse_date(value: object, *, date1904: bool = False) -> Parsed[dt.date]:
    """A calendar date. date/datetime (its date), Excel serials of the 1900 system (or the 1904 system with
    ``date1904``; a fraction is the time of day and is dropped), yyyymmdd as a number or text, and text
    "2024-01-31", "2024/1/31", "2024.1.31", "2024年1月31日" with full-width digits or a trailing time.
    A day that does not exist ("2024-02-30") fails, and so does a year outside 1990–2100 (serial 12 →
    1900-01-12 → "日期超出合理范围").
    """
    read = parse_datetime(value, date1904=date1904)
    return Parsed(error=read.error) if read.value is None else Parsed(read.value.date())


def parse_date_series(series: pd.Series[Any], *, date1904: bool = False) -> ParsedColumn:
    """:func:`parse_date` over a column; values are datetime64[ns] at midnight."""
    read = parse_datetime_series(series, date1904=date1904)
    return ParsedColumn(read.values.dt.normalize(), read.error, read.blank)


# ---------------------------------------------------------------- periods


def _period_words() -> dict[str, str]:
    words = dict.fromkeys(("", "全年", "全年度", "年度", "年", "本年", "本年度", "y", "fy"), "Y")
    words |= dict.fromkeys(("上半年", "上半年度", "上半", "h1", "1h"), "H1")
    words |= dict.fromkeys(("下半年", "下半年度", "下半", "h2", "2h"), "H2")
    for q, numeral in enumerate("一二三四", start=1):
        for first in ("", "第"):
            for number in (numeral, str(q)):
                words |= dict.fromkeys((f"{first}{number}季度", f"{first}{number}季"), f"Q{q}")
        words |= dict.fromkeys((f"q{q}", f"{q}q"), f"Q{q}")
    spans = {
        (1, 12): "Y",
        (1, 6): "H1",
        (7, 12): "H2",
        (1, 3): "Q1",
        (4, 6): "Q2",
        (7, 9): "Q3",
        (10, 12): "Q4",
    }
    for (first_month, last_month), code in spans.items():
        words |= dict.fromkeys((f"{first_month}-{last_month}月", f"{first_month}月-{last_month}月"), code)
    return words


PERIOD_WORDS = _period_words()
_PERIOD = r"(?:(?P<year>[0-9]{4})(?:年度|年|[-_/.])?)?(?P<rest>.*)"
_DASHES = "[—–~至到]"


class _PeriodReader(_Reader[str]):
    out: ClassVar[_Out] = "text"
    reason = PERIOD_UNREADABLE

    def __init__(self, year: int | None) -> None:
        self.year = year

    def one_text(self, text: str) -> Parsed[str]:
        key = _regex(_DASHES).sub("-", text.replace(" ", "").translate(_ASCII_LOWER))
        match = _regex(_PERIOD).fullmatch(key)
        code = None if match is None else PERIOD_WORDS.get(match["rest"])
        if match is None or code is None:
            return _fail(self.reason)
        if self.year is not None and match["year"] and int(match["year"]) != self.year:
            return _fail(PERIOD_YEAR)
        return Parsed(code)

    def many_text(self, arr: Any) -> _Many:
        key = pc.replace_substring_regex(pc.ascii_lower(pc.replace_substring(arr, " ", "")), _DASHES, "-")
        found = pc.extract_regex(key, pattern=f"^(?:{_PERIOD})$")  # always matches: .* takes the rest
        rest = found.field("rest")
        index = pc.index_in(rest, value_set=pa.array(list(PERIOD_WORDS), type=rest.type))
        known = index.is_valid().to_numpy(zero_copy_only=False)
        errors = _reasons(len(arr), ~known, self.reason)
        if self.year is not None:
            year = found.field("year").to_numpy(zero_copy_only=False)
            errors[known & (year != "") & (year != str(self.year))] = PERIOD_YEAR
        return pc.take(pa.array(list(PERIOD_WORDS.values()), type=pa.large_string()), index), errors


def parse_period(value: object, *, year: int | None = None) -> Parsed[str]:
    """A reporting period: "Y", "H1", "H2" or "Q1".."Q4".

    Y: 全年 年度 全年度 年 本年 Y FY 1-12月; H1/H2: 上半年 下半年 H1 1H (any case, any spaces:
    "上 半 年"); quarters: 第一季度 一季度 1季度 第1季 Q1 1Q …; month spans 1-6月, 7-9月 ("至", "～" as dash).
    A leading year ("2024年上半年", "2024H1", "2024年度") is allowed; with ``year`` it must match.
    Blank stays blank: whether blank means the whole year is the caller's decision. Numbers fail.
    """
    return _reader(_PeriodReader, year).parse(value)


def parse_period_series(series: pd.Series[Any], *, year: int | None = None) -> ParsedColumn:
    """:func:`parse_period` over a column; values are str."""
    return _reader(_PeriodReader, year).parse_series(series)


@overload
def period_of_date(dates: dt.date, granularity: Granularity) -> str: ...
@overload
def period_of_date(dates: pd.Series[Any], granularity: Granularity) -> pd.Series[str]: ...
def period_of_date(dates: dt.date | pd.Series[Any], granularity: Granularity) -> str | pd.Series[str]:
    """The period a date falls in: "Y" for ``year``, "H1"/"H2" for ``half``, "Q1".."Q4" for ``quarter``.

    A Series (datetime64) gives a str Series, missing where the date is missing.
    """
    if not isinstance(dates, pd.Series):
        if granularity == "year":
            return "Y"
        return (
            f"H{1 if dates.month <= 6 else 2}" if granularity == "half" else f"Q{(dates.month - 1) // 3 + 1}"
        )
    month = pd.to_datetime(dates).dt.month.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(month)
    if granularity == "year":
        codes = np.full(len(month), "Y", dtype=object)
    elif granularity == "half":
        codes = np.where(month <= 6, "H1", "H2").astype(object)
    else:
        codes = np.array(["Q1", "Q2", "Q3", "Q4"], dtype=object)[
            (np.nan_to_num(month, nan=1) - 1).astype(int) // 3
        ]
    codes[missing] = None
    return pd.Series(codes, index=dates.index, dtype="str")


# ---------------------------------------------------------------- years

_YEAR = rf"(?P<num>{_PLAIN}) ?(?:年度|年)?"


class _YearReader(_Reader[int]):
    out: ClassVar[_Out] = "int"
    reason = YEAR_UNREADABLE

    def one_text(self, text: str) -> Parsed[int]:
        match = _regex(_YEAR).fullmatch(text)
        return _fail(self.reason) if match is None else self.one_number(float(match["num"]))

    def one_number(self, x: float) -> Parsed[int]:
        if not math.isfinite(x) or x != math.floor(x):
            return _fail(self.reason)
        return Parsed(int(x)) if YEAR_MIN <= x <= YEAR_MAX else _fail(YEAR_RANGE)

    def many_text(self, arr: Any) -> _Many:
        shaped = _matches(arr, _YEAR)
        x = np.full(len(arr), np.nan)
        x[shaped] = _float_of(pc.utf8_rtrim(arr.filter(pa.array(shaped)), characters="年度 "))
        return self.many_number(x)

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        errors, failed = _checks((~_is_whole(x), self.reason), ((x < YEAR_MIN) | (x > YEAR_MAX), YEAR_RANGE))
        return np.where(failed, 0, x).astype(np.int64), errors


def parse_year(value: object) -> Parsed[int]:
    """A year: 2024, 2024.0, "2024", "2024年", "２０２４年度" → 2024; 24 fails (1990–2100); 2024.5 fails."""
    return _reader(_YearReader).parse(value)


def parse_year_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_year` over a column; values are Int64."""
    return _reader(_YearReader).parse_series(series)


# ---------------------------------------------------------------- identifiers, choices, free text

_SCIENTIFIC = r"[0-9]+(?:\.[0-9]+)?[eE]\+[0-9]+"  # Excel's display of a long number: 4.60102E+17


def _number_text(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and x == math.floor(x) and abs(x) < 1e15 else str(x)


def _many_number_text(x: npt.NDArray[np.float64]) -> Any:
    whole = _is_whole(x) & (np.abs(x) < 1e15)
    text = pa.array(np.where(whole, x, 0).astype(np.int64)).cast(pa.large_string())
    if not whole.all():  # fractions, huge numbers: rare
        other = pa.array(x[~whole].astype(str).astype(object), type=pa.large_string())
        text = pc.replace_with_mask(text, pa.array(~whole), other)
    return text


class _IdReader(_Reader[str]):
    out: ClassVar[_Out] = "text"
    reason = ID_UNREADABLE

    def one_text(self, text: str) -> Parsed[str]:
        text = text.replace(" ", "")
        return _fail(ID_PRECISION) if _regex(_SCIENTIFIC).fullmatch(text) else Parsed(text)

    def one_number(self, x: float) -> Parsed[str]:
        if not math.isfinite(x):
            return _fail(self.reason)
        if abs(x) >= 1e15:
            return _fail(ID_PRECISION)
        return Parsed(str(int(x))) if x == math.floor(x) else _fail(ID_FRACTION)

    def one_moment(self, m: dt.datetime) -> Parsed[str]:
        return _fail(ID_DATE)

    def many_text(self, arr: Any) -> _Many:
        text = pc.replace_substring(arr, " ", "")
        scientific = pc.match_substring_regex(text, f"^(?:{_SCIENTIFIC})$").to_numpy(zero_copy_only=False)
        return text, _reasons(len(arr), scientific, ID_PRECISION)

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        errors, _ = _checks(
            (~np.isfinite(x), self.reason), (np.abs(x) >= 1e15, ID_PRECISION), (x != np.floor(x), ID_FRACTION)
        )
        return _many_number_text(x), errors

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> _Many:
        return _empty("text", len(m)), _reasons(len(m), np.ones(len(m), dtype=bool), ID_DATE)


def parse_identifier(value: object) -> Parsed[str]:
    """An ID (身份证号, 执法证号, 案号) as text: cleaned, every space removed, case kept.

    A number is its integer text when whole and at most 15 digits (12345.0 → "12345"); more digits means
    Excel already lost some (an 18-digit 身份证号 stored as 4.60102199001011e17) and fails, as does the
    text "4.60102E+17", a fraction, or a date.
    """
    return _reader(_IdReader).parse(value)


def parse_identifier_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_identifier` over a column; values are str."""
    return _reader(_IdReader).parse_series(series)


def _choice_key(text: str) -> str:
    return clean_text(text).replace(" ", "").translate(_ASCII_LOWER)


class _ChoiceReader(_Reader[str]):
    out: ClassVar[_Out] = "text"
    reason = CHOICE_UNKNOWN

    def __init__(self, choices: Iterable[str], aliases: Mapping[str, str] | None) -> None:
        choices = tuple(choices)
        self.lookup: dict[str, str] = {}
        for key, choice in [*((c, c) for c in choices), *(aliases or {}).items()]:
            if choice not in choices:
                raise ValueError(f"alias {key!r} points to {choice!r}, which is not a choice")
            if self.lookup.setdefault(_choice_key(key), choice) != choice:
                raise ValueError(f"{key!r} reads the same as another choice or alias")

    def one_text(self, text: str) -> Parsed[str]:
        choice = self.lookup.get(text.replace(" ", "").translate(_ASCII_LOWER))
        return _fail(self.reason) if choice is None else Parsed(choice)

    def one_number(self, x: float) -> Parsed[str]:
        return self.one_text(_number_text(x))

    def many_text(self, arr: Any) -> _Many:
        key = pc.ascii_lower(pc.replace_substring(arr, " ", ""))
        index = pc.index_in(key, value_set=pa.array(list(self.lookup), type=key.type))
        known = index.is_valid().to_numpy(zero_copy_only=False)
        choices = pa.array(list(self.lookup.values()), type=pa.large_string())
        return pc.take(choices, index), _reasons(len(arr), ~known, self.reason)

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        return self.many_text(_many_number_text(x))


def parse_choice(
    value: object, choices: Iterable[str], aliases: Mapping[str, str] | None = None
) -> Parsed[str]:
    """One of ``choices``, matched after cleaning, removing every space and lower-casing ASCII letters.

    ``aliases`` maps a variant someone types to the choice it means (e.g. {"较满意": "基本满意"}); there is
    no fuzzy guessing. A whole number is matched by its text (1 → "1"). The value is the choice as given.
    """
    return _ChoiceReader(choices, aliases).parse(value)


def parse_choice_series(
    series: pd.Series[Any], choices: Iterable[str], aliases: Mapping[str, str] | None = None
) -> ParsedColumn:
    """:func:`parse_choice` over a column; values are str."""
    return _ChoiceReader(choices, aliases).parse_series(series)


class _TextReader(_Reader[str]):
    out: ClassVar[_Out] = "text"
    reason = TEXT_UNREADABLE

    def one_text(self, text: str) -> Parsed[str]:
        return Parsed(text)

    def one_number(self, x: float) -> Parsed[str]:
        return Parsed(_number_text(x))

    def one_bool(self, b: bool) -> Parsed[str]:
        return Parsed("TRUE" if b else "FALSE")

    def one_moment(self, m: dt.datetime) -> Parsed[str]:
        return Parsed(
            m.date().isoformat() if m.time() == dt.time() else m.isoformat(sep=" ", timespec="seconds")
        )

    def one_clock(self, t: dt.time) -> Parsed[str]:
        return Parsed(t.isoformat(timespec="seconds"))

    def many_text(self, arr: Any) -> _Many:
        return arr, _reasons(len(arr))

    def many_number(self, x: npt.NDArray[np.float64]) -> _Many:
        return _many_number_text(x), _reasons(len(x))

    def many_bool(self, b: npt.NDArray[np.bool_]) -> _Many:
        return np.where(b, "TRUE", "FALSE").astype(object), _reasons(len(b))

    def many_moment(self, m: npt.NDArray[np.datetime64]) -> _Many:
        midnight = m == m.astype("datetime64[D]")
        day = np.datetime_as_string(m, unit="D")
        second = np.char.replace(np.datetime_as_string(m, unit="s"), "T", " ")
        return np.where(midnight, day, second).astype(object), _reasons(len(m))

    def many_clock(self, t: npt.NDArray[np.object_]) -> _Many:
        return np.array([c.isoformat(timespec="seconds") for c in t], dtype=object), _reasons(len(t))


def parse_text(value: object) -> Parsed[str]:
    """Free text, cleaned by :func:`clean_text`. A whole number is its integer text (12.0 → "12"), a bool
    "TRUE"/"FALSE", a date "2024-01-31" (with " 14:30:00" when it has a time). Never fails; blank is blank.
    """
    return _reader(_TextReader).parse(value)


def parse_text_series(series: pd.Series[Any]) -> ParsedColumn:
    """:func:`parse_text` over a column; values are str."""
    return _reader(_TextReader).parse_series(series)
