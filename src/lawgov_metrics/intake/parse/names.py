"""Unit names as keys: the same unit, however its name was typed, gives the same key.

Decisions on ambiguous input (each one is pinned by a test):

* A name is cleaned as any text (NFKC: full-width parentheses become ASCII), every space is removed, and
  the parentheses are put back to full width (``镇（街道）``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow.compute as pc

from lawgov_metrics.intake.parse.cleaning import clean_arrow, clean_column, clean_text


def normalise_unit_name(name: str) -> str:
    """A unit's name as a key: cleaned, every space removed, parentheses full-width as in 镇（街道）."""
    return clean_text(name).replace(" ", "").replace("(", "（").replace(")", "）")


def normalise_unit_name_series(series: pd.Series[Any]) -> pd.Series[str]:
    """:func:`normalise_unit_name` over a column; missing stays missing."""

    def unit_name(arr: Any) -> Any:
        arr = pc.replace_substring(clean_arrow(arr), " ", "")
        return pc.replace_substring(pc.replace_substring(arr, "(", "（"), ")", "）")

    return clean_column(series, unit_name)
