"""Which ledger records an input counted, for ``explain``: each record's file › sheet › row.

The judges count records with bincounts and never keep the rows they counted; ``explain`` asks for one unit,
year and indicator, so the rows are picked again here with the same rules: the unit-year a record was placed
in, the period column for half-year and quarter figures, the indicator's ``where`` conditions (the same
:class:`LedgerMasks`), a value present where only values count (``count_distinct``, a per-person amount), and
for per-person indicators only the records of people on the unit-year's roster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lawgov_metrics.catalogue.describe import GRANULARITY_PERIODS, PERIOD_NAMES
from lawgov_metrics.catalogue.models import Catalogue, Condition, Indicator
from lawgov_metrics.engine.conditions import LedgerMasks
from lawgov_metrics.engine.derive import GROUP_KEYS

ROW_COLUMNS = ["_file", "_sheet", "_row", "_invalid"]


@dataclass(frozen=True)
class CountedRows:
    """The records behind one input of an explained result (``input``: its name as the provenance gives it)."""

    input: str
    ledger: str
    rows: pd.DataFrame  # ROW_COLUMNS, in file, sheet and row order


def counted_rows(
    catalogue: Catalogue, ledgers: Mapping[str, pd.DataFrame], indicator: Indicator, unit: str, year: int
) -> list[CountedRows]:
    """The ledger records each ledger-based input of ``indicator`` counted for ``unit`` in ``year``.

    Inputs read from a figure the unit reported directly have none; the caller keeps only the inputs whose
    source is a ledger (a figure reported directly wins over its ledger).
    """
    match indicator.kind:
        case "per_person" | "cumulative":
            return _per_person(catalogue, ledgers, indicator, unit, year)
        case "duration":
            ledger, frame = catalogue.ledgers_by_id[indicator.ledger], ledgers.get(indicator.ledger)
            rows = _rows(frame, _mask(frame, unit, [year], indicator.where))
            return [CountedRows("纳入计算的记录数", ledger.name, rows)]
        case "ratio" | "trend":
            given = (getattr(indicator, "field", None), indicator.numerator, indicator.denominator)
            names = [n for n in given if n]
            found = _fields(catalogue, ledgers, names, unit, year)
            if indicator.kind == "trend":
                found += _fields(catalogue, ledgers, names, unit, year - 1, tag="上年")
            return found
        case "count":
            return _fields(catalogue, ledgers, [indicator.field], unit, year, periods=True)
        case _:
            return []


def _fields(
    catalogue: Catalogue,
    ledgers: Mapping[str, pd.DataFrame],
    field_ids: Iterable[str],
    unit: str,
    year: int,
    tag: str = "",
    periods: bool = False,
) -> list[CountedRows]:
    found = []
    for field_id in field_ids:
        field = catalogue.fields_by_id[field_id]
        derive = field.derive
        if derive is None:
            continue
        frame = ledgers.get(derive.ledger)
        nonblank = derive.column if derive.agg == "count_distinct" else None
        name = catalogue.ledgers_by_id[derive.ledger].name
        if not periods or field.period == "year":
            rows = _rows(frame, _mask(frame, unit, [year], derive.where, nonblank=nonblank))
            found.append(CountedRows(tag + field.name, name, rows))
            continue
        for period in GRANULARITY_PERIODS[field.period]:
            mask = _mask(frame, unit, [year], derive.where, nonblank=nonblank, period=(field.period, period))
            picked = _rows(frame, mask)
            found.append(CountedRows(f"{field.name}（{PERIOD_NAMES[period]}）", name, picked))
    return found


def _per_person(
    catalogue: Catalogue, ledgers: Mapping[str, pd.DataFrame], indicator: Indicator, unit: str, year: int
) -> list[CountedRows]:
    assert indicator.kind in ("per_person", "cumulative")
    roster, activity = indicator.roster, indicator.activity
    listed_frame, done_frame = ledgers.get(roster.ledger), ledgers.get(activity.ledger)
    listed = _mask(listed_frame, unit, [year], roster.where, nonblank=roster.person)
    years = list(range(catalogue.plan.period.start, year + 1)) if indicator.kind == "cumulative" else [year]
    done = _mask(done_frame, unit, years, activity.where, nonblank=activity.person)
    if listed_frame is not None and done_frame is not None and done.any():
        people = set(listed_frame[roster.person][listed].astype(str))
        done &= done_frame[activity.person].astype(str).isin(people).to_numpy(dtype=bool)
    minimum = f"{indicator.minimum:g}"
    return [
        CountedRows("名册人数", catalogue.ledgers_by_id[roster.ledger].name, _rows(listed_frame, listed)),
        CountedRows(
            f"达到 {minimum} 的人数", catalogue.ledgers_by_id[activity.ledger].name, _rows(done_frame, done)
        ),
    ]


def _mask(
    frame: pd.DataFrame | None,
    unit: str,
    years: list[int],
    where: tuple[Condition, ...],
    nonblank: str | None = None,
    period: tuple[str, str] | None = None,
) -> np.ndarray:
    if frame is None or frame.empty:
        return np.zeros(0, dtype=bool)
    mask = (frame["unit"] == unit).to_numpy(dtype=bool) & frame["year"].isin(years).to_numpy(dtype=bool)
    if period is not None:
        column = GROUP_KEYS[period[0]][0]
        mask &= (frame[column] == period[1]).to_numpy(dtype=bool, na_value=False)
    if nonblank is not None:
        mask &= frame[nonblank].notna().to_numpy(dtype=bool)
    if mask.any() and where:
        mask &= LedgerMasks(frame).where(where)
    return mask


def _rows(frame: pd.DataFrame | None, mask: np.ndarray) -> pd.DataFrame:
    if frame is None or not mask.any():
        return pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in zip(ROW_COLUMNS, ("str", "str", "int64", "bool"), strict=True)}
        )
    rows = frame.loc[mask, ROW_COLUMNS].astype({"_row": "int64", "_invalid": "bool"})
    return rows.sort_values(["_file", "_sheet", "_row"], kind="stable").reset_index(drop=True)
