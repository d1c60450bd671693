"""Yes/no: a word of :data:`TRUE_WORDS` or :data:`FALSE_WORDS` (letters in any case, spaces ignored), a
bool, or the numbers 1 and 0; anything else fails rather than being guessed ("x": a cross or a tick?)."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import ASCII_LOWER
from lawgov_metrics.intake.parse.outcomes import BOOL_UNREADABLE, Parsed, ParsedColumn, fail_with
from lawgov_metrics.intake.parse.reading import ManyParsed, OutKind, ValueReader, reasons_for, shared_reader

TRUE_WORDS = ("是", "有", "对", "√", "✓", "✔", "已", "已完成", "y", "yes", "true", "1", "1.0")
FALSE_WORDS = ("否", "无", "错", "×", "✗", "✘", "未", "未完成", "n", "no", "false", "0", "0.0")
_BOOL_WORDS = {word: True for word in TRUE_WORDS} | {word: False for word in FALSE_WORDS}


class _BoolReader(ValueReader[bool]):
    out: ClassVar[OutKind] = "bool"
    reason = BOOL_UNREADABLE

    def one_text(self, text: str) -> Parsed[bool]:
        word = _BOOL_WORDS.get(text.replace(" ", "").translate(ASCII_LOWER))
        return fail_with(self.reason) if word is None else Parsed(word)

    def one_number(self, x: float) -> Parsed[bool]:
        return Parsed(x == 1) if x in (0, 1) else fail_with(self.reason)

    def one_bool(self, b: bool) -> Parsed[bool]:
        return Parsed(b)

    def many_text(self, arr: Any) -> ManyParsed:
        words = pc.ascii_lower(pc.replace_substring(arr, " ", ""))
        found = pc.index_in(words, value_set=pa.array(list(_BOOL_WORDS), type=words.type))
        known = found.is_valid().to_numpy(zero_copy_only=False)
        truth = np.array(list(_BOOL_WORDS.values()), dtype=bool)
        return truth[found.fill_null(0).to_numpy()], reasons_for(len(arr), ~known, self.reason)

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        return x == 1, reasons_for(len(x), (x != 0) & (x != 1), self.reason)

    def many_bool(self, b: npt.NDArray[np.bool_]) -> ManyParsed:
        return b.copy(), reasons_for(len(b))


def parse_bool(value: object, label: str = "") -> Parsed[bool]:
    """Yes/no. True: 是 有 对 √ ✓ ✔ 已 已完成 Y yes TRUE 1; false: 否 无 错 × ✗ ✘ 未 未完成 N no FALSE 0.

    Letters in any case; Python bool; the numbers 1 and 0 (1.0, 0.0); any other number fails. With the
    column's or field's ``label`` (「是否按规定报备」), its own words as well: 已报备 is 是, 未报备 is 否
    (:func:`stated_words`).
    """
    if isinstance(value, str) and label:
        stated = stated_words(label).get(value.strip())
        if stated is not None:
            return Parsed(stated)
    return shared_reader(_BoolReader).parse(value)


def parse_bool_series(series: pd.Series[Any], label: str = "") -> ParsedColumn:
    """:func:`parse_bool` over a column; values are the nullable ``boolean`` dtype."""
    words = stated_words(label) if label else {}
    if words and (series.dtype.kind in "OUT" or isinstance(series.dtype, pd.StringDtype)):
        # the label's own words, as 是/否: decided once per distinct value (a column holds a handful)
        said = {
            v: "是" if words[v.strip()] else "否"
            for v in series.dropna().unique()
            if isinstance(v, str) and v.strip() in words
        }
        if said:
            series = series.astype(object).replace(said)
    return shared_reader(_BoolReader).parse_series(series)


_DONE, _NOT_DONE = ("已", "已经"), ("未", "尚未", "没有", "未经")


@cache
def stated_words(label: str) -> dict[str, bool]:
    """A yes/no question's own answers: for 「是否按规定报备」, 已报备 / 已按规定报备 (是) and 未报备 /
    尚未报备 / 没有报备 (否) — 已 or 未 before the words after 是否, or before their first or last two or
    more characters. Nothing is guessed beyond the question's own words (已撤销 answers no 是否报备)."""
    _, asked, stem = label.partition("是否")
    if not asked or len(stem) < 2:
        return {}
    ends = {stem[:n] for n in range(2, len(stem) + 1)} | {stem[-n:] for n in range(2, len(stem) + 1)}
    words = {prefix + end: True for end in ends for prefix in _DONE}
    words.update({prefix + end: False for end in ends for prefix in _NOT_DONE})
    return words
