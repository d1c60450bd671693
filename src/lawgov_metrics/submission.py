"""The tidy, validated form of everything units submitted: the contract between intake and engine.

``values``  one row per reported figure: ``unit, year, period, field, value, date, source``
            (``period`` is ``Y``, ``H1``/``H2`` or ``Q1``…``Q4``; numbers, percents as fractions and
            booleans as 1.0/0.0 in ``value``; date fields in ``date``; ``source`` is file › sheet › cell).
``ledgers`` ledger id → records: ``unit, year, half, quarter``, the ledger's column ids, and
            ``_file, _sheet, _row, _invalid`` (``_invalid``: the row has a value that failed validation).
``coverage`` which ``(ledger, unit, year)`` were supplied at all — a supplied ledger with no matching
            records counts 0; an absent one is 缺数据.
``invalid`` ``(unit, year, field)`` whose reported value failed validation → 数据有误.
``units``   who is assessed: ``unit, kind`` (catalogue unit-kind id) and ``parent`` (district of a town).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lawgov_metrics.issues import Issue

if TYPE_CHECKING:
    import pandas as pd

VALUE_COLUMNS = ("unit", "year", "period", "field", "value", "date", "source")
LEDGER_META_COLUMNS = ("unit", "year", "half", "quarter", "_file", "_sheet", "_row", "_invalid")


@dataclass(frozen=True)
class Submission:
    units: pd.DataFrame
    values: pd.DataFrame
    ledgers: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    coverage: pd.DataFrame | None = None
    invalid: pd.DataFrame | None = None
    issues: tuple[Issue, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years with any reported figure or ledger record, ascending."""
        years: set[int] = set(self.values["year"].dropna().astype(int)) if len(self.values) else set()
        if self.coverage is not None and len(self.coverage):
            years |= set(self.coverage["year"].dropna().astype(int))
        return sorted(years)


def empty_values() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "unit": pd.Series(dtype="str"),
            "year": pd.Series(dtype="int64"),
            "period": pd.Series(dtype="str"),
            "field": pd.Series(dtype="str"),
            "value": pd.Series(dtype="float64"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "source": pd.Series(dtype="str"),
        }
    )


def assign_periods(frame: pd.DataFrame, period_column: str) -> pd.DataFrame:
    """Place each ledger record in its year, half-year and quarter from its period date column (vectorised)."""
    import pandas as pd

    when = pd.to_datetime(frame[period_column])
    month = when.dt.month.to_numpy(dtype="float64", na_value=float("nan"))
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is left as it was
    out["year"] = when.dt.year.astype("Int64")
    out["half"] = _labels(month, ["H1", "H2"], 6, frame.index)
    out["quarter"] = _labels(month, ["Q1", "Q2", "Q3", "Q4"], 3, frame.index)
    return out


def _labels(month: Any, names: list[str], months: int, index: pd.Index) -> pd.Series:
    """The period label of each month (missing where the month is), built in Arrow, not one str per row."""
    import numpy as np
    import pyarrow as pa

    from lawgov_metrics.intake.parse.normalise import str_column

    missing = np.isnan(month)
    codes = pa.array(((np.nan_to_num(month, nan=1.0) - 1) // months).astype(np.int32), mask=missing)
    return str_column(pa.DictionaryArray.from_arrays(codes, pa.array(names)), index)
