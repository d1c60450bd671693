"""One of a list of choices, matched after cleaning, removing every space and lower-casing ASCII letters.

Decisions on ambiguous input (each one is pinned by a test):

* Choices: a variant is read only when the catalogue lists it as an alias; there is no fuzzy guessing. A
  catalogue whose choices or aliases read the same is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import ASCII_LOWER, clean_text
from lawgov_metrics.intake.parse.outcomes import CHOICE_UNKNOWN, Parsed, ParsedColumn, fail_with
from lawgov_metrics.intake.parse.reading import ManyParsed, OutKind, ValueReader, reasons_for
from lawgov_metrics.intake.parse.text import many_number_text, number_text


def _choice_key(text: str) -> str:
    return clean_text(text).replace(" ", "").translate(ASCII_LOWER)


class _ChoiceReader(ValueReader[str]):
    out: ClassVar[OutKind] = "text"
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
        choice = self.lookup.get(text.replace(" ", "").translate(ASCII_LOWER))
        return fail_with(self.reason) if choice is None else Parsed(choice)

    def one_number(self, x: float) -> Parsed[str]:
        return self.one_text(number_text(x))

    def many_text(self, arr: Any) -> ManyParsed:
        key = pc.ascii_lower(pc.replace_substring(arr, " ", ""))
        index = pc.index_in(key, value_set=pa.array(list(self.lookup), type=key.type))
        known = index.is_valid().to_numpy(zero_copy_only=False)
        choices = pa.array(list(self.lookup.values()), type=pa.large_string())
        return pc.take(choices, index), reasons_for(len(arr), ~known, self.reason)

    def many_number(self, x: npt.NDArray[np.float64]) -> ManyParsed:
        return self.many_text(many_number_text(x))


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
