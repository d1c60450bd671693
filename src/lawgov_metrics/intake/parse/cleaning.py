"""Clean what was typed into a cell, one cell (``str``) or a column (pyarrow kernels); Arrow string helpers.

Decisions on ambiguous input (each one is pinned by a test):

* Text is NFKC-normalised, so full-width letters, digits and punctuation become ASCII (``（`` → ``(``,
  ``，`` → ``,``); zero-width characters are dropped, whitespace runs (U+3000, NBSP, tabs …) become one
  space, and the ends are trimmed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@functools.cache
def compiled_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _whole(pattern: str) -> str:
    """The pattern as one RE2 whole-cell test, its named groups unnamed (alternatives may share names)."""
    return "^(?:" + re.sub(r"\(\?P<\w+>", "(", pattern) + ")$"


def clean_text(text: str) -> str:
    """NFKC, drop zero-width characters, collapse whitespace runs (U+3000, NBSP, tabs …) to one space, strip."""
    text = unicodedata.normalize("NFKC", text)
    text = compiled_regex(_ZERO_WIDTH_ANY).sub("", text)
    return compiled_regex(_WHITESPACE_RUN).sub(" ", text).strip(" ")


def as_utf8(arr: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Row offsets (n + 1) into the UTF-8 bytes of a large_string array."""
    _, offsets, data = arr.buffers()
    if not len(arr):
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    rows = np.frombuffer(offsets, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    return rows, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)


def _rows_of(arr: Any, flagged: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Per row: does any of its bytes carry a flag (``flagged`` covers the bytes from the first row's start)."""
    rows, _ = as_utf8(arr)
    out = np.zeros(len(arr), dtype=bool)
    out[np.searchsorted(rows - rows[0], np.flatnonzero(flagged), side="right") - 1] = True
    return out


# bytes that make a row need more than trimming: controls, DEL, and lead bytes other than E4–E9
_ODD_BYTE = np.array([c < 0x20 or c == 0x7F or (c >= 0xC0 and not 0xE4 <= c <= 0xE9) for c in range(256)])


def _odd_rows(arr: Any) -> npt.NDArray[np.bool_]:
    """Rows that :func:`clean_text` may change beyond trimming: anything but printable ASCII and U+4000–U+9FFF
    (lead bytes E4–E9: CJK ideographs, NFKC-stable), or a double space. Most cells of a ledger are neither."""
    rows, data = as_utf8(arr)
    b = data[rows[0] : rows[-1]]
    odd = _ODD_BYTE[b]
    odd[:-1] |= (b[:-1] == 0x20) & (b[1:] == 0x20)
    return _rows_of(arr, odd)


def clean_arrow(arr: Any) -> Any:
    odd = _odd_rows(arr)
    if odd.any():
        mask = pa.array(odd)
        sub = pc.utf8_normalize(arr.filter(mask), "NFKC")
        sub = pc.replace_substring_regex(sub, _ZERO_WIDTH_ANY, "")
        sub = pc.replace_substring_regex(sub, _WHITESPACE_RUN, " ")
        arr = pc.replace_with_mask(arr, mask, sub)
    return pc.utf8_trim(arr, " ").cast(pa.large_string())


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


def clean_column(series: pd.Series[Any], clean: Callable[[Any], Any]) -> pd.Series[str]:
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
    return clean_column(series, clean_arrow)
